import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngineContract } from '../testkit.ts';
import { DuckDbEngine } from './engine.ts';

const dir = await mkdtemp(join(tmpdir(), 'rosetta-duckdb-'));
const open = (file: string) => new DuckDbEngine({ type: 'duckdb', file: join(dir, file), poolSize: 2 });

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeEngineContract('DuckDbEngine', {
  open: () => open('warehouse.duckdb'),
  param: (n) => `$${n}`,
  typed: {
    sql: `SELECT $1::VARCHAR AS s, $2::INTEGER + 1 AS i, $3::DOUBLE AS d, $4::BOOLEAN AS b, NULL AS n,
            9007199254740993::BIGINT AS big, 42::BIGINT AS small, 12.34::DECIMAL(10,2) AS dec,
            DATE '2024-02-29' AS day, TIMESTAMP '2024-02-29 13:14:15.678' AS ts,
            12345678901234567890::HUGEINT AS huge, TIMESTAMPTZ '2024-02-29 13:14:15+00' AS tstz,
            [1, 2] AS list, 'infinity'::DOUBLE AS inf`,
    params: ["it's", 41, 2.5, true],
    extra: {
      values: ['12345678901234567890', '2024-02-29T13:14:15.000Z', '[1,2]', 'Infinity'],
      types: ['integer', 'datetime', 'json', 'number'],
    },
  },
  series: (count) => `SELECT range AS n FROM range(1, ${count + 1})`,
  empty: 'SELECT 1 AS one WHERE false',
  /** Long enough to need cancelling, cheap in memory. */
  slow: 'SELECT count(*) FROM range(100000000) a, range(1000000) b WHERE a.range + b.range = 7',
  runtimeError: "SELECT 'x'::INTEGER",
  userWrites: [
    'WITH x AS (SELECT 1) INSERT INTO {orders} (id) SELECT 9',
    'WITH x AS (SELECT 1) DELETE FROM {orders}',
    'UPDATE {orders} SET id = 9',
    "COPY {orders} TO '/tmp/rosetta-read-only-check.csv'",
    "ATTACH ':memory:' AS elsewhere",
    "EXPORT DATABASE '/tmp/rosetta-read-only-check'",
    'INSTALL httpfs',
    'LOAD parquet',
    'SET threads = 1',
    'PRAGMA enable_profiling',
    'CHECKPOINT',
  ],
  streamRows: 1_000_000,
  // Batches grow by whole chunks of 2048 rows.
  batchOverrun: 2047,
  catalog: {
    create: [
      `CREATE TABLE main.orders (id BIGINT NOT NULL, amount DECIMAL(12,2), sold_on DATE, sold_at TIMESTAMP,
         note VARCHAR(20), ok BOOLEAN, tags VARCHAR[])`,
      'CREATE VIEW main.order_ids AS SELECT id FROM main.orders',
    ],
    orders: { schema: 'main', name: 'orders' },
    view: { schema: 'main', name: 'order_ids' },
    amountNativeType: 'DECIMAL(12,2)',
    extra: [['tags', 'json', true]],
  },
});

describe('DuckDbEngine', () => {
  let engine: DuckDbEngine;

  beforeAll(() => {
    engine = open('specifics.duckdb');
  });

  afterAll(async () => {
    await engine.close();
  });

  it('binds integers beyond 2^53 without overflowing', async () => {
    const result = await engine.run({ sql: 'SELECT $1 * 2 AS x', params: [1e20] }, { maxRows: 1 });
    expect(result.rows[0][0]).toBe(2e20);
  });
});
