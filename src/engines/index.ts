import { createClickHouseClient } from './clickhouse/client.ts';
import { ClickHouseEngine } from './clickhouse/engine.ts';
import { ClickHouseStorage } from './clickhouse/storage.ts';
import { DuckDbEngine } from './duckdb/engine.ts';
import { MysqlEngine } from './mysql/engine.ts';
import { PostgresEngine } from './postgres/engine.ts';
import { PostgresStorage } from './postgres/storage.ts';
import type { EngineSpec } from './spec.ts';
import type { Engine } from './types.ts';
import { withStorage } from './with-storage.ts';

export type { EngineSpec } from './spec.ts';
export type * from './types.ts';
export { hasManagedStorage, STORAGE_METHODS } from './with-storage.ts';

/**
 * The engine for a warehouse. Opening is lazy where the driver allows it, so this never throws;
 * the first call reports an unreachable warehouse as ERR_ENGINE. DuckDB's engine, and PostgreSQL's
 * or ClickHouse's when its spec names a storage schema (`ROSETTA_STORAGE_URL`), also offer
 * managed storage.
 */
export function createEngine(spec: EngineSpec): Engine {
  switch (spec.type) {
    case 'duckdb':
      return new DuckDbEngine(spec);
    case 'postgres': {
      const engine = new PostgresEngine(spec);
      return spec.storage
        ? withStorage(engine, new PostgresStorage(engine.pool, spec.storage.schema))
        : engine;
    }
    case 'mysql':
      return new MysqlEngine(spec);
    case 'clickhouse': {
      const engine = new ClickHouseEngine(spec);
      if (!spec.storage) return engine;
      // Its own HTTP client: the engine's is private to it, and a client holds no connection state.
      const client = createClickHouseClient(spec);
      return withStorage(engine, new ClickHouseStorage(client, spec.storage.schema), () => client.close());
    }
  }
}
