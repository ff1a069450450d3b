import { randomBytes } from 'node:crypto';

/**
 * Throw-away databases on the ClickHouse server `.ci/run` starts (Debian's clickhouse-server on a
 * spare port): a fresh name per run, dropped afterwards. Under `CI=true` a missing server fails
 * the run; on a developer's machine its tests skip, loudly.
 */
export const CLICKHOUSE_URL = process.env.ROSETTA_TEST_CLICKHOUSE_URL ?? 'http://127.0.0.1:18123';

export interface TempClickhouseDatabase {
  available: boolean;
  /** The server's URL with the database as its path (`http://host:port/<database>`). */
  url: string;
  database: string;
  drop(): Promise<void>;
}

/** One statement over ClickHouse's HTTP interface, as the admin of the test server. */
async function statement(sql: string): Promise<string> {
  const response = await fetch(CLICKHOUSE_URL, {
    method: 'POST',
    body: sql,
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse answered ${response.status}: ${text.trim()}`);
  return text;
}

export async function createTempClickhouseDatabase(prefix = 'rosetta_test'): Promise<TempClickhouseDatabase> {
  const database = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  try {
    await statement(`CREATE DATABASE ${database}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') throw new Error(`ClickHouse is not reachable on CI (${reason})`);
    console.warn(`\n!!! ClickHouse is not reachable (${reason}): tests that need it are SKIPPED !!!\n`);
    return { available: false, url: '', database: '', drop: async () => {} };
  }
  const url = new URL(CLICKHOUSE_URL);
  url.pathname = `/${database}`;
  return {
    available: true,
    url: url.toString(),
    database,
    drop: async () => {
      await statement(`DROP DATABASE IF EXISTS ${database}`);
    },
  };
}
