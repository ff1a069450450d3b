import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { EngineSpec } from '../spec.ts';

export type { ClickHouseClient } from '@clickhouse/client';

export type ClickHouseSpec = Extract<EngineSpec, { type: 'clickhouse' }>;

const DEFAULT_POOL_SIZE = 10;
/**
 * The HTTP request's own limit: long loads and exports must not be cut by it. A query's
 * `timeoutMs` is enforced by the engine, which cancels the statement on the server.
 */
const REQUEST_TIMEOUT_MS = 60 * 60_000;

/**
 * Settings every statement of Rosetta's runs with. Each exists on ClickHouse 18.16 (the oldest
 * server supported); the server rejects a setting it does not know, so none newer may be added here.
 * - `join_use_nulls`: an outer join's non-matching side is NULL, as in SQL, not the type's
 *   default (0, ''), which would count and sum into wrong numbers.
 */
export const CLICKHOUSE_SETTINGS = { join_use_nulls: 1 } as const;

/**
 * The `@clickhouse/client` client for a ClickHouse server, configured for every version Rosetta
 * supports: the engine and managed storage share it.
 */
export function createClickHouseClient(spec: ClickHouseSpec): ClickHouseClient {
  const url = new URL(`${spec.ssl ? 'https' : 'http'}://127.0.0.1`);
  url.hostname = spec.host;
  url.port = String(spec.port);
  return createClient({
    url,
    username: spec.user,
    password: spec.password ?? '',
    database: spec.database,
    max_open_connections: spec.poolSize ?? DEFAULT_POOL_SIZE,
    request_timeout: REQUEST_TIMEOUT_MS,
    clickhouse_settings: CLICKHOUSE_SETTINGS,
    // Failures reach the caller as errors; the client's own console logging would only duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}
