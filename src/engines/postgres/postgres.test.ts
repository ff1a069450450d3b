import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres, type TempDatabase } from '../../../test/support/databases.ts';
import { describeEngineContract, serverSpecOf } from '../testkit.ts';
import { PostgresEngine } from './engine.ts';

const db: TempDatabase = await createTempPostgres();
const open = () => new PostgresEngine({ type: 'postgres', ...serverSpecOf(db.url) });

afterAll(async () => {
  await db.drop();
});

describeEngineContract('PostgresEngine', {
  available: db.available,
  open,
  param: (n) => `$${n}`,
  typed: {
    sql: `SELECT $1::text AS s, $2::int + 1 AS i, $3::float8 AS d, $4::boolean AS b, NULL::int AS n,
            9007199254740993::int8 AS big, 42::int8 AS small, 12.34::numeric(10,2) AS dec,
            DATE '2024-02-29' AS day, TIMESTAMP '2024-02-29 13:14:15.678' AS ts,
            TIMESTAMPTZ '2024-02-29 13:14:15+02' AS tstz, '{"a":1}'::jsonb AS doc, ARRAY[1,2] AS list,
            'NaN'::float8 AS nan`,
    params: ["it's", 41, 2.5, true],
    extra: {
      values: ['2024-02-29T11:14:15.000Z', '{"a": 1}', '[1,2]', 'NaN'],
      types: ['datetime', 'json', 'json', 'number'],
    },
  },
  series: (count) => `SELECT g AS n FROM generate_series(1, ${count}) g`,
  empty: 'SELECT 1 AS one WHERE false',
  slow: 'SELECT pg_sleep(30)',
  runningSlow:
    "SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'",
  runtimeError: "SELECT 'x'::int",
  userWrites: [
    'WITH added AS (INSERT INTO {orders} (id) VALUES (9) RETURNING id) SELECT * FROM added',
    'WITH gone AS (DELETE FROM {orders} RETURNING id) SELECT * FROM gone',
    // pg-cursor cannot read COPY data: once it crashed the whole process.
    'COPY (SELECT 1) TO STDOUT',
    "COPY (SELECT 1) TO '/tmp/rosetta-read-only-check.csv'",
    'DO $$BEGIN SET TRANSACTION READ WRITE; DELETE FROM {orders}; END$$',
    'SET TRANSACTION READ WRITE',
    "SELECT set_config('transaction_read_only', 'off', true), count(*) FROM (DELETE FROM {orders} RETURNING 1) d",
  ],
  catalog: {
    create: [
      'CREATE SCHEMA sales',
      `CREATE TABLE sales.orders (id bigint NOT NULL, amount numeric(12,2), sold_on date,
         sold_at timestamptz, note varchar(20), ok boolean, tags text[], doc jsonb)`,
      // In another schema than its table: every user schema is introspected.
      'CREATE VIEW public.order_ids AS SELECT id FROM sales.orders',
    ],
    orders: { schema: 'sales', name: 'orders' },
    view: { schema: 'public', name: 'order_ids' },
    amountNativeType: 'numeric',
    extra: [
      ['tags', 'json', true],
      ['doc', 'json', true],
    ],
  },
});

describe.skipIf(!db.available)('PostgresEngine', () => {
  let engine: PostgresEngine;

  beforeAll(() => {
    engine = open();
  });

  afterAll(async () => {
    await engine.close();
  });

  it("describes a query's columns with PostgreSQL's own type names", async () => {
    const described = await engine.describeQuery(
      "SELECT 1::bigint AS id, 2.5::numeric * 2 AS double_amount, DATE '2024-02-29' AS sold_on",
    );
    expect(described.map((column) => [column.name, column.type, column.nativeType])).toEqual([
      ['id', 'integer', 'bigint'],
      ['double_amount', 'number', 'numeric'],
      ['sold_on', 'date', 'date'],
    ]);
  });
});
