import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempMysql, type TempDatabase } from '../../../test/support/databases.ts';
import { RosettaError } from '../../core/errors.ts';
import { MysqlEngine } from './engine.ts';

const db: TempDatabase = await createTempMysql();
let engine: MysqlEngine;

beforeAll(async () => {
  if (!db.available) return;
  const url = new URL(db.url);
  engine = new MysqlEngine({
    type: 'mysql',
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

/** Rows enough to need a cap or a stream, from a recursive CTE (MariaDB and MySQL alike). */
const SERIES = (count: number): string =>
  `WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${count}) SELECT n FROM s`;

describe.skipIf(!db.available)('MysqlEngine', () => {
  it('binds ? parameters and converts values to JSON-safe scalars', async () => {
    await exec(`CREATE TABLE typed (s VARCHAR(20), i INT, d DOUBLE, b BOOLEAN, n INT, big BIGINT, small BIGINT,
      dec_value DECIMAL(10,2), day DATE, ts DATETIME(3), stamp TIMESTAMP NULL, doc JSON)`);
    await engine.run(
      {
        sql: 'INSERT INTO typed VALUES (?, ?, ?, ?, NULL, 9007199254740993, 42, 12.34, ?, ?, ?, ?)',
        params: [
          "it's",
          41,
          2.5,
          true,
          '2024-02-29',
          '2024-02-29 13:14:15.678',
          '2024-02-29 13:14:15',
          '{"a": 1}',
        ],
      },
      { maxRows: 1 },
    );
    const result = await engine.run(
      {
        sql: 'SELECT s, i + ? AS i, d, b, n, big, small, dec_value, day, ts, stamp, doc FROM typed WHERE s = ?',
        params: [1, "it's"],
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
        '2024-02-29T13:14:15.000Z',
        expect.stringMatching(/^\{"a": ?1\}$/),
      ],
    ]);
    expect(result.columns.map((column) => column.type).slice(0, 11)).toEqual([
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
    ]);
  });

  it('caps rows and reports truncation, then reuses the pool', async () => {
    const capped = await engine.run({ sql: SERIES(50_000), params: [] }, { maxRows: 1000 });
    expect(capped.rows).toHaveLength(1000);
    expect(capped.rows[999]).toEqual([1000]);
    expect(capped.truncated).toBe(true);
    const exact = await engine.run({ sql: SERIES(10), params: [] }, { maxRows: 10 });
    expect(exact.truncated).toBe(false);
    expect(exact.rows).toHaveLength(10);
    const empty = await engine.run(
      { sql: 'SELECT 1 AS one FROM DUAL WHERE 1 = 0', params: [] },
      { maxRows: 10 },
    );
    expect(empty).toEqual({ columns: [{ name: 'one', type: 'integer' }], rows: [], truncated: false });
  });

  it('streams in batches and releases the connection when the consumer leaves early', async () => {
    await exec('SET SESSION cte_max_recursion_depth = 1000000').catch(() => {});
    const stream = await engine.stream(
      {
        sql: SERIES(1000).replace('SELECT n FROM s', 'SELECT a.n, b.n FROM s a, s b WHERE b.n <= 200'),
        params: [],
      },
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
      const early = await engine.stream({ sql: SERIES(1000), params: [] }, { batchSize: 10 });
      for await (const _ of early.batches) break;
    }
    expect((await exec('SELECT 7')).rows).toEqual([[7]]);
  });

  it('cancels a long query quickly and keeps the pool usable', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = codeOf(
      engine.run({ sql: 'SELECT SLEEP(30)', params: [] }, { maxRows: 1, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 200);
    expect(await running).toBe('ERR_CANCELLED');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(
      await codeOf(engine.run({ sql: 'SELECT SLEEP(30)', params: [] }, { maxRows: 1, timeoutMs: 200 })),
    ).toBe('ERR_TIMEOUT');
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => engine.run({ sql: 'SELECT ? + 0', params: [n] }, { maxRows: 1 })),
    );
    expect(results.map((result) => result.rows[0][0])).toEqual([1, 2, 3, 4, 5]);
    const sleeping = await exec(
      "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(30)'",
    );
    expect(sleeping.rows).toEqual([[0]]);
  });

  it('cancels a stream', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const code = await codeOf(
      (async () => {
        const stream = await engine.stream(
          { sql: 'SELECT SLEEP(30)', params: [] },
          { signal: controller.signal },
        );
        for await (const _ of stream.batches);
      })(),
    );
    expect(code).toBe('ERR_CANCELLED');
    expect((await exec('SELECT 8')).rows).toEqual([[8]]);
  });

  it('turns SQL errors into ERR_ENGINE', async () => {
    expect(await codeOf(exec('SELEC 1'))).toBe('ERR_ENGINE');
    expect(await codeOf(exec('SELECT * FROM missing_table'))).toBe('ERR_ENGINE');
    expect(await codeOf(engine.stream({ sql: 'SELEC 1', params: [] }, {}))).toBe('ERR_ENGINE');
    expect(await codeOf(engine.describeQuery('SELECT nope FROM nowhere'))).toBe('ERR_ENGINE');
    expect((await exec('SELECT 1')).rows).toEqual([[1]]);
  });

  it('introspects the database with mapped types, and describes a query', async () => {
    await exec(`CREATE TABLE orders (id BIGINT NOT NULL, amount DECIMAL(12,2), sold_on DATE, sold_at DATETIME,
      note VARCHAR(20), ok BOOLEAN)`);
    await exec('CREATE VIEW order_ids AS SELECT id FROM orders');
    const tables = await engine.introspect();
    const orders = tables.find((table) => table.name === 'orders');
    expect(orders?.schema).toBe(db.name);
    expect(orders?.columns.map((column) => [column.name, column.type, column.nullable])).toEqual([
      ['id', 'integer', false],
      ['amount', 'number', true],
      ['sold_on', 'date', true],
      ['sold_at', 'datetime', true],
      ['note', 'string', true],
      ['ok', 'boolean', true],
    ]);
    expect(tables.some((table) => table.name === 'order_ids')).toBe(true);
    const described = await engine.describeQuery(
      'SELECT id, amount * 2 AS double_amount, sold_on, ok FROM orders',
    );
    expect(described.map((column) => [column.name, column.type])).toEqual([
      ['id', 'integer'],
      ['double_amount', 'number'],
      ['sold_on', 'date'],
      ['ok', 'boolean'],
    ]);
  });

  it('answers ping, and closes with every connection back', async () => {
    await expect(engine.ping()).resolves.toBeUndefined();
    await engine.close();
    await engine.close();
  });
});
