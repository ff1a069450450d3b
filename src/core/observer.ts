import type { EngineDialect } from '../engines/types.ts';

/**
 * What the core reports as work happens, for operations to count (the HTTP layer's Prometheus
 * metrics implement it): the core stays free of any metrics library, and a test passes a spy.
 */
export interface OperationsObserver {
  /** A statement ran on a warehouse (cached answers are not statements). */
  queryRan(dialect: EngineDialect, seconds: number): void;
  /** A query result was looked up in the result cache, and found or not. */
  cacheLookup(hit: boolean): void;
  /** A write into managed storage committed this many rows (inserted, upserted, replaced or deleted). */
  rowsWritten(rows: number): void;
}
