import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres, type TempDatabase } from '../../../test/support/databases.ts';
import { RosettaError } from '../../core/errors.ts';
import { PostgresEngine } from './engine.ts';

const db: TempDatabase = await createTempPostgres();
let engine: PostgresEngine;

beforeAll(async () => {
  if (!db.available) return;
  const url = new URL(db.url);
  engine = new PostgresEngine({
    type: 'postgres',
    host: url.hostname,
    port: Number(url.port),
    database: url.pathname.slice(1),
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    poolSize: 3,
  });
});

afterAll(async () => {
  await engine?.close();
  await db.drop();
});

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof RosettaError ? error.code : `not coded: ${String(error)}`),
  );

const exec = (sql: string) => engine.run({ sql, params: [] }, { maxRows: 1 });

describe.skipIf(!db.available)('PostgresEngine', () => {
  it('binds $n parameters and converts values to JSON-safe scalars', async () => {
    const result = await engine.run(
      {
        sql: `SELECT $1::text AS s, $2::int + 1 AS i, $3::float8 AS d, $4::boolean AS b, NULL::int AS n,
                9007199254740993::int8 AS big, 42::int8 AS small, 12.34::numeric(10,2) AS dec,
                DATE '2024-02-29' AS day, TIMESTAMP '2024-02-29 13:14:15.678' AS ts,
                TIMESTAMPTZ '2024-02-29 13:14:15+02' AS tstz, '{"a":1}'::jsonb AS doc, ARRAY[1,2] AS list,
                'NaN'::float8 AS nan`,
        params: ["it's", 41, 2.5, true],
      },
      { maxRows: 10 },
    );
    expect(result.rows).toEqual([
      [
        "it's",
        42,
        2.5,
        true,
        null,
        '9007199254740993',
        42,
        12.34,
        '2024-02-29',
        '2024-02-29T13:14:15.678Z',
        '2024-02-29T11:14:15.000Z',
        '{"a": 1}',
        '[1,2]',
        'NaN',
      ],
    ]);
    expect(result.columns.map((column) => column.type)).toEqual([
      'string',
      'integer',
      'number',
      'boolean',
      'integer',
      'integer',
      'integer',
      'number',
      'date',
      'datetime',
      'datetime',
      'json',
      'json',
      'number',
    ]);
  });

  it('caps rows through a cursor and reports truncation', async () => {
    const capped = await engine.run(
      { sql: 'SELECT g FROM generate_series(1, 100000) g', params: [] },
      { maxRows: 12000 },
    );
    expect(capped.rows).toHaveLength(12000);
    expect(capped.rows[11999]).toEqual([12000]);
    expect(capped.truncated).toBe(true);
    const exact = await engine.run(
      { sql: 'SELECT g FROM generate_series(1, 10) g', params: [] },
      { maxRows: 10 },
    );
    expect(exact).toMatchObject({ truncated: false });
    expect(exact.rows).toHaveLength(10);
    const empty = await engine.run({ sql: 'SELECT 1 AS one WHERE false', params: [] }, { maxRows: 10 });
    expect(empty).toEqual({ columns: [{ name: 'one', type: 'integer' }], rows: [], truncated: false });
  });

  it('streams in batches and releases the connection when the consumer leaves early', async () => {
    const stream = await engine.stream(
      { sql: 'SELECT g, g * 2 FROM generate_series(1, 200000) g', params: [] },
      {
        batchSize: 25_000,
      },
    );
    let count = 0;
    let batches = 0;
    for await (const batch of stream.batches) {
      batches++;
      count += batch.length;
    }
    expect(count).toBe(200_000);
    expect(batches).toBe(8);
    for (let i = 0; i < 5; i++) {
      const early = await engine.stream(
        { sql: 'SELECT g FROM generate_series(1, 100000) g', params: [] },
        { batchSize: 10 },
      );
      for await (const _ of early.batches) break;
    }
    expect((await exec('SELECT 7')).rows).toEqual([[7]]);
  });

  it('cancels a long query quickly and keeps the pool usable', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = codeOf(
      engine.run({ sql: 'SELECT pg_sleep(30)', params: [] }, { maxRows: 1, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 200);
    expect(await running).toBe('ERR_CANCELLED');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(
      await codeOf(engine.run({ sql: 'SELECT pg_sleep(30)', params: [] }, { maxRows: 1, timeoutMs: 200 })),
    ).toBe('ERR_TIMEOUT');
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => engine.run({ sql: 'SELECT $1::int', params: [n] }, { maxRows: 1 })),
    );
    expect(results.map((result) => result.rows[0][0])).toEqual([1, 2, 3, 4, 5]);
    const active = await exec(
      "SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'",
    );
    expect(active.rows).toEqual([[0]]);
  });

  it('cancels a stream', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const code = await codeOf(
      (async () => {
        const stream = await engine.stream(
          { sql: 'SELECT pg_sleep(30)', params: [] },
          { signal: controller.signal },
        );
        for await (const _ of stream.batches);
      })(),
    );
    expect(code).toBe('ERR_CANCELLED');
  });

  it('turns SQL errors into ERR_ENGINE', async () => {
    expect(await codeOf(exec('SELEC 1'))).toBe('ERR_ENGINE');
    expect(await codeOf(exec('SELECT * FROM missing_table'))).toBe('ERR_ENGINE');
    expect(await codeOf(exec("SELECT 'x'::int"))).toBe('ERR_ENGINE');
    expect(await codeOf(engine.stream({ sql: 'SELEC 1', params: [] }, {}))).toBe('ERR_ENGINE');
    expect(await codeOf(engine.describeQuery('SELECT nope FROM nowhere'))).toBe('ERR_ENGINE');
    expect((await exec('SELECT 1')).rows).toEqual([[1]]);
  });

  it('introspects tables of every user schema with mapped types, and describes a query', async () => {
    await exec('CREATE SCHEMA sales');
    await exec(`CREATE TABLE sales.orders (id bigint NOT NULL, amount numeric(12,2), sold_on date,
      sold_at timestamptz, note varchar(20), ok boolean, tags text[], doc jsonb)`);
    await exec('CREATE VIEW public.order_ids AS SELECT id FROM sales.orders');
    const tables = await engine.introspect();
    const orders = tables.find((table) => table.schema === 'sales' && table.name === 'orders');
    expect(orders?.columns.map((column) => [column.name, column.type, column.nullable])).toEqual([
      ['id', 'integer', false],
      ['amount', 'number', true],
      ['sold_on', 'date', true],
      ['sold_at', 'datetime', true],
      ['note', 'string', true],
      ['ok', 'boolean', true],
      ['tags', 'json', true],
      ['doc', 'json', true],
    ]);
    expect(tables.some((table) => table.schema === 'public' && table.name === 'order_ids')).toBe(true);
    expect(
      tables.some((table) => table.schema === 'pg_catalog' || table.schema === 'information_schema'),
    ).toBe(false);
    const described = await engine.describeQuery(
      'SELECT id, amount * 2 AS double_amount, sold_on FROM sales.orders',
    );
    expect(described.map((column) => [column.name, column.type, column.nativeType])).toEqual([
      ['id', 'integer', 'bigint'],
      ['double_amount', 'number', 'numeric'],
      ['sold_on', 'date', 'date'],
    ]);
  });

  it('answers ping', async () => {
    await expect(engine.ping()).resolves.toBeUndefined();
  });

  it('closes with every connection back in the pool', async () => {
    await engine.ping();
    await engine.close();
    expect(await codeOf(engine.ping())).toBe('ERR_ENGINE');
  });
});
