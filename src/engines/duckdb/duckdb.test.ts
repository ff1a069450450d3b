import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RosettaError } from '../../core/errors.ts';
import { DuckDbEngine } from './engine.ts';

let dir: string;
let engine: DuckDbEngine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosetta-duckdb-'));
  engine = new DuckDbEngine({ type: 'duckdb', file: join(dir, 'warehouse.duckdb'), poolSize: 2 });
});

afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof RosettaError ? error.code : `not coded: ${String(error)}`),
  );

/** Long enough to need cancelling, cheap in memory. */
const SLOW_SQL = 'SELECT count(*) FROM range(100000000) a, range(1000000) b WHERE a.range + b.range = 7';

describe('DuckDbEngine queries', () => {
  it('binds positional parameters and converts values to JSON-safe scalars', async () => {
    const result = await engine.run(
      {
        sql: `SELECT $1::VARCHAR AS s, $2::INTEGER + 1 AS i, $3::DOUBLE AS d, $4::BOOLEAN AS b, NULL AS n,
                9007199254740993::BIGINT AS big, 42::BIGINT AS small, 12345678901234567890::HUGEINT AS huge,
                12.34::DECIMAL(10,2) AS dec, DATE '2024-02-29' AS day,
                TIMESTAMP '2024-02-29 13:14:15.678' AS ts, TIMESTAMPTZ '2024-02-29 13:14:15+00' AS tstz,
                [1, 2] AS list, 'infinity'::DOUBLE AS inf`,
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
        '12345678901234567890',
        12.34,
        '2024-02-29',
        '2024-02-29T13:14:15.678Z',
        '2024-02-29T13:14:15.000Z',
        '[1,2]',
        'Infinity',
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
      'integer',
      'number',
      'date',
      'datetime',
      'datetime',
      'json',
      'number',
    ]);
    expect(result.truncated).toBe(false);
  });

  it('binds integers beyond 2^53 without overflowing', async () => {
    const result = await engine.run({ sql: 'SELECT $1 * 2 AS x', params: [1e20] }, { maxRows: 1 });
    expect(result.rows[0][0]).toBe(2e20);
  });

  it('caps rows and reports truncation', async () => {
    const capped = await engine.run(
      { sql: 'SELECT range AS n FROM range(100000)', params: [] },
      { maxRows: 5000 },
    );
    expect(capped.rows).toHaveLength(5000);
    expect(capped.rows[4999]).toEqual([4999]);
    expect(capped.truncated).toBe(true);
    const exact = await engine.run({ sql: 'SELECT range FROM range(5000)', params: [] }, { maxRows: 5000 });
    expect(exact.truncated).toBe(false);
    expect(exact.rows).toHaveLength(5000);
  });

  it('streams a million rows in batches', async () => {
    const stream = await engine.stream(
      { sql: 'SELECT range AS n, range % 7 AS m FROM range(1000000)', params: [] },
      {
        batchSize: 50_000,
      },
    );
    expect(stream.columns).toEqual([
      { name: 'n', type: 'integer' },
      { name: 'm', type: 'integer' },
    ]);
    let count = 0;
    let sum = 0;
    let batches = 0;
    for await (const batch of stream.batches) {
      batches++;
      expect(batch.length).toBeLessThanOrEqual(52_048);
      count += batch.length;
      for (const row of batch) sum += row[0] as number;
    }
    expect(count).toBe(1_000_000);
    expect(sum).toBe((999_999 * 1_000_000) / 2);
    expect(batches).toBeGreaterThanOrEqual(19);
  });

  it('releases the connection when the consumer leaves a stream early', async () => {
    for (let i = 0; i < 3; i++) {
      const stream = await engine.stream(
        { sql: 'SELECT * FROM range(100000)', params: [] },
        { batchSize: 10 },
      );
      for await (const _ of stream.batches) break;
    }
    const after = await engine.run({ sql: 'SELECT 1', params: [] }, { maxRows: 1 });
    expect(after.rows).toEqual([[1]]);
  });

  it('cancels a long query through its AbortSignal and keeps the pool usable', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = codeOf(
      engine.run({ sql: SLOW_SQL, params: [] }, { maxRows: 1, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 200);
    expect(await running).toBe('ERR_CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => engine.run({ sql: 'SELECT $1::INTEGER', params: [n] }, { maxRows: 1 })),
    );
    expect(results.map((result) => result.rows[0][0])).toEqual([1, 2, 3, 4]);
  });

  it('refuses an already aborted signal and times out with ERR_TIMEOUT', async () => {
    expect(
      await codeOf(engine.run({ sql: 'SELECT 1', params: [] }, { maxRows: 1, signal: AbortSignal.abort() })),
    ).toBe('ERR_CANCELLED');
    const started = Date.now();
    expect(await codeOf(engine.run({ sql: SLOW_SQL, params: [] }, { maxRows: 1, timeoutMs: 150 }))).toBe(
      'ERR_TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cancels a stream that is waiting for its first rows', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const code = await codeOf(
      (async () => {
        const stream = await engine.stream({ sql: SLOW_SQL, params: [] }, { signal: controller.signal });
        for await (const _ of stream.batches);
      })(),
    );
    expect(code).toBe('ERR_CANCELLED');
    expect((await engine.run({ sql: 'SELECT 2', params: [] }, { maxRows: 1 })).rows).toEqual([[2]]);
  });

  it('turns SQL errors into ERR_ENGINE', async () => {
    expect(await codeOf(engine.run({ sql: 'SELEC 1', params: [] }, { maxRows: 1 }))).toBe('ERR_ENGINE');
    expect(await codeOf(engine.run({ sql: 'SELECT * FROM missing_table', params: [] }, { maxRows: 1 }))).toBe(
      'ERR_ENGINE',
    );
    expect(await codeOf(engine.run({ sql: "SELECT 'x'::INTEGER", params: [] }, { maxRows: 1 }))).toBe(
      'ERR_ENGINE',
    );
    expect(await codeOf(engine.describeQuery('SELECT nope FROM nowhere'))).toBe('ERR_ENGINE');
    expect(await codeOf(engine.stream({ sql: 'SELEC 1', params: [] }, {}))).toBe('ERR_ENGINE');
  });

  it('introspects tables and views with mapped types, and describes a query', async () => {
    await engine.run(
      {
        sql: `CREATE TABLE main.sales (id BIGINT NOT NULL, amount DECIMAL(12,2), sold_on DATE, sold_at TIMESTAMP,
              note VARCHAR, ok BOOLEAN, tags VARCHAR[]);
              CREATE VIEW main.sales_view AS SELECT id, amount FROM main.sales`,
        params: [],
      },
      { maxRows: 1 },
    );
    const tables = await engine.introspect();
    const sales = tables.find((table) => table.schema === 'main' && table.name === 'sales');
    expect(sales?.columns.map((column) => [column.name, column.type, column.nullable])).toEqual([
      ['id', 'integer', false],
      ['amount', 'number', true],
      ['sold_on', 'date', true],
      ['sold_at', 'datetime', true],
      ['note', 'string', true],
      ['ok', 'boolean', true],
      ['tags', 'json', true],
    ]);
    expect(sales?.columns[1].nativeType).toBe('DECIMAL(12,2)');
    expect(tables.some((table) => table.name === 'sales_view')).toBe(true);
    const described = await engine.describeQuery(
      'SELECT id, amount * 2 AS double_amount, sold_on FROM main.sales',
    );
    expect(described.map((column) => [column.name, column.type])).toEqual([
      ['id', 'integer'],
      ['double_amount', 'number'],
      ['sold_on', 'date'],
    ]);
  });

  it('answers ping', async () => {
    await expect(engine.ping()).resolves.toBeUndefined();
  });
});
