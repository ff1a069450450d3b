import { DuckDbEngine } from './duckdb/engine.ts';
import { MysqlEngine } from './mysql/engine.ts';
import { PostgresEngine } from './postgres/engine.ts';
import type { EngineSpec } from './spec.ts';
import type { Engine, ManagedStorage } from './types.ts';

export type { EngineSpec } from './spec.ts';
export type * from './types.ts';

/**
 * The engine for a warehouse. Opening is lazy where the driver allows it, so this never throws;
 * the first call reports an unreachable warehouse as ERR_ENGINE. DuckDB's engine also offers
 * managed storage.
 */
export function createEngine(spec: EngineSpec): Engine {
  switch (spec.type) {
    case 'duckdb':
      return new DuckDbEngine(spec);
    case 'postgres':
      return new PostgresEngine(spec);
    case 'mysql':
      return new MysqlEngine(spec);
  }
}

const STORAGE_METHODS = [
  'createTable',
  'dropTable',
  'addColumns',
  'insertRows',
  'upsertRows',
  'deleteRows',
  'replaceRows',
  'loadCsv',
  'countRows',
] as const satisfies readonly (keyof ManagedStorage)[];

export function hasManagedStorage(engine: Engine): engine is Engine & ManagedStorage {
  const candidate = engine as Engine & Partial<Record<(typeof STORAGE_METHODS)[number], unknown>>;
  return STORAGE_METHODS.every((method) => typeof candidate[method] === 'function');
}
