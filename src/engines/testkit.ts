import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RosettaError } from '../core/errors.ts';
import { isBinaryFloat } from './columnTypes.ts';
import { EVERY_TABLE } from './statement.ts';
import type { ColumnType, Engine, JsonScalar } from './types.ts';

/**
 * The contract every engine keeps, run against each real warehouse by its own test file
 * (`describeEngineContract(name, setup)`). The setup gives the engine and the few SQL texts that
 * differ between dialects; every expectation lives here, once.
 */

/** The code of a RosettaError a promise rejects with (or `resolved`). */
export const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof RosettaError ? error.code : `not coded: ${String(error)}`),
  );

/** Connection fields of a PostgreSQL or MySQL spec from a test database's URL. */
export function serverSpecOf(databaseUrl: string) {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port),
    database: url.pathname.slice(1),
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    poolSize: 3,
  };
}

/** Statements run one after the other, for fixtures. */
export async function exec(engine: Engine, ...statements: string[]): Promise<void> {
  for (const sql of statements) await engine.run({ sql, params: [] }, { maxRows: 1 });
}

/** What the typed query's first ten columns hold, in every dialect. */
const TYPED_VALUES = [
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
];
const TYPED_TYPES: ColumnType[] = [
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
];

export interface EngineContractSetup {
  /** False when the warehouse is not reachable: the suite is skipped (the reason is printed). */
  available?: boolean;
  /** A fresh engine; the suite closes it in its last case. */
  open(): Engine;
  /** The engine's placeholder for the n-th (1-based) bound parameter. */
  param(n: number): string;
  /**
   * One row whose first ten columns are: the string parameter "it's", integer parameter 41 plus 1,
   * double parameter 2.5, boolean parameter true, an integer NULL, the BIGINTs 9007199254740993
   * and 42, DECIMAL(10,2) 12.34, DATE 2024-02-29 and TIMESTAMP 2024-02-29 13:14:15.678; then
   * the dialect's own `extra` columns.
   */
  typed: {
    before?: { sql: string; params: JsonScalar[] }[];
    sql: string;
    params: JsonScalar[];
    extra: { values: unknown[]; types: unknown[] };
    /** The TIMESTAMP holds whole seconds (ClickHouse before DateTime64): `.000Z`, not `.678Z`. */
    wholeSeconds?: boolean;
  };
  /** One integer column `n` with the values 1 to count, in order. */
  series(count: number): string;
  /** One integer column `one` and no rows. */
  empty: string;
  /** A statement that runs for about 30 seconds unless stopped. */
  slow: string;
  /** One row with the number of `slow` statements still running on the server. */
  runningSlow?: string;
  /** A statement that fails only while running (a bad cast). */
  runtimeError?: string;
  /**
   * Statements of this dialect that a user's SQL (`readOnly` runs, `describeQuery`) must not get
   * through, besides the plain writes and DDL every dialect refuses; `{orders}` stands for the
   * catalog's orders table. None of them may change anything.
   */
  userWrites?: string[];
  /** Empties `{orders}` (default `DELETE FROM {orders}`; ClickHouse has no DELETE). */
  clearOrders?: string;
  /** Rows to stream in the streaming case (25,000 a batch). */
  streamRows?: number;
  /** How far a streamed batch may run past its size (DuckDB adds whole chunks). */
  batchOverrun?: number;
  /**
   * Creates `orders (id BIGINT NOT NULL, amount DECIMAL(12,2), sold_on DATE, sold_at <timestamp>,
   * note VARCHAR(20), ok BOOLEAN, …extra)` and a view `order_ids` of its ids.
   */
  catalog: {
    create: string[];
    orders: { schema: string; name: string };
    view: { schema: string; name: string };
    /** The native type the catalog reports for `amount`. */
    amountNativeType: string;
    /** [name, type, nullable] of the extra columns. */
    extra: [string, ColumnType, boolean][];
  };
}

export function describeEngineContract(name: string, setup: EngineContractSetup): void {
  describe.skipIf(setup.available === false)(`${name} contract`, () => {
    let engine: Engine;
    const exec1 = (sql: string) => engine.run({ sql, params: [] }, { maxRows: 1 });

    beforeAll(() => {
      engine = setup.open();
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('binds parameters and converts values to JSON-safe scalars', async () => {
      for (const statement of setup.typed.before ?? []) await engine.run(statement, { maxRows: 1 });
      const result = await engine.run({ sql: setup.typed.sql, params: setup.typed.params }, { maxRows: 10 });
      const expected = setup.typed.wholeSeconds
        ? TYPED_VALUES.with(9, '2024-02-29T13:14:15.000Z')
        : TYPED_VALUES;
      expect(result.rows).toEqual([[...expected, ...setup.typed.extra.values]]);
      expect(result.columns.map((column) => column.type)).toEqual([
        ...TYPED_TYPES,
        ...setup.typed.extra.types,
      ]);
      // The native type tells the DOUBLE from the DECIMAL(10,2), both of type `number`.
      const [double, decimal] = [result.columns[2].nativeType ?? '', result.columns[7].nativeType ?? ''];
      expect([isBinaryFloat(double), isBinaryFloat(decimal)]).toEqual([true, false]);
      expect(decimal).toMatch(/^(decimal|numeric)/i);
      expect(result.truncated).toBe(false);
    });

    it('caps rows and reports truncation', async () => {
      const capped = await engine.run({ sql: setup.series(100_000), params: [] }, { maxRows: 12_000 });
      expect(capped.rows).toHaveLength(12_000);
      expect(capped.rows[11_999]).toEqual([12_000]);
      expect(capped.truncated).toBe(true);
      const exact = await engine.run({ sql: setup.series(5000), params: [] }, { maxRows: 5000 });
      expect(exact.truncated).toBe(false);
      expect(exact.rows).toHaveLength(5000);
      expect(exact.rows[4999]).toEqual([5000]);
      const small = await engine.run({ sql: setup.series(10), params: [] }, { maxRows: 10 });
      expect(small).toMatchObject({ columns: [{ name: 'n', type: 'integer' }], truncated: false });
      expect(small.rows).toHaveLength(10);
      const empty = await engine.run({ sql: setup.empty, params: [] }, { maxRows: 10 });
      expect(empty).toEqual({
        columns: [{ name: 'one', type: 'integer', nativeType: expect.any(String) }],
        rows: [],
        truncated: false,
      });
    });

    it('streams in batches', async () => {
      const total = setup.streamRows ?? 200_000;
      const batchSize = 25_000;
      const stream = await engine.stream({ sql: setup.series(total), params: [] }, { batchSize });
      expect(stream.columns).toEqual([{ name: 'n', type: 'integer', nativeType: expect.any(String) }]);
      const sizes: number[] = [];
      let sum = 0;
      for await (const batch of stream.batches) {
        sizes.push(batch.length);
        for (const row of batch) sum += row[0] as number;
      }
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(sum).toBe((total * (total + 1)) / 2);
      for (const size of sizes.slice(0, -1)) {
        expect(size).toBeGreaterThanOrEqual(batchSize);
        expect(size).toBeLessThanOrEqual(batchSize + (setup.batchOverrun ?? 0));
      }
      expect(sizes.at(-1)).toBeGreaterThan(0);
    });

    it('releases the connection when the consumer leaves a stream early', async () => {
      for (let i = 0; i < 5; i++) {
        const early = await engine.stream({ sql: setup.series(10_000), params: [] }, { batchSize: 10 });
        for await (const _ of early.batches) break;
      }
      expect((await exec1('SELECT 7')).rows).toEqual([[7]]);
    });

    it('cancels a long query through its AbortSignal or its deadline and keeps the pool usable', async () => {
      const controller = new AbortController();
      let started = Date.now();
      const running = codeOf(
        engine.run({ sql: setup.slow, params: [] }, { maxRows: 1, signal: controller.signal }),
      );
      setTimeout(() => controller.abort(), 200);
      expect(await running).toBe('ERR_CANCELLED');
      expect(Date.now() - started).toBeLessThan(2000);
      started = Date.now();
      expect(await codeOf(engine.run({ sql: setup.slow, params: [] }, { maxRows: 1, timeoutMs: 200 }))).toBe(
        'ERR_TIMEOUT',
      );
      expect(Date.now() - started).toBeLessThan(2000);
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          engine.run({ sql: `SELECT ${setup.param(1)} + 0 AS n`, params: [n] }, { maxRows: 1 }),
        ),
      );
      expect(results.map((result) => result.rows[0][0])).toEqual([1, 2, 3, 4, 5]);
      // The caller is answered at once; the server stops the statement a moment later.
      const { runningSlow } = setup;
      if (runningSlow) await expect.poll(async () => (await exec1(runningSlow)).rows).toEqual([[0]]);
    });

    it('refuses an already aborted signal', async () => {
      const signal = AbortSignal.abort();
      expect(await codeOf(engine.run({ sql: 'SELECT 1', params: [] }, { maxRows: 1, signal }))).toBe(
        'ERR_CANCELLED',
      );
      expect(await codeOf(engine.stream({ sql: 'SELECT 1', params: [] }, { signal }))).toBe('ERR_CANCELLED');
      expect((await exec1('SELECT 1')).rows).toEqual([[1]]);
    });

    it('cancels a stream that is waiting for its first rows', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const code = await codeOf(
        (async () => {
          const stream = await engine.stream({ sql: setup.slow, params: [] }, { signal: controller.signal });
          for await (const _ of stream.batches);
        })(),
      );
      expect(code).toBe('ERR_CANCELLED');
      expect((await exec1('SELECT 2')).rows).toEqual([[2]]);
    });

    it('turns SQL errors into ERR_ENGINE, and a query describeQuery refuses into a 400 on sql', async () => {
      expect(await codeOf(exec1('SELEC 1'))).toBe('ERR_ENGINE');
      expect(await codeOf(exec1('SELECT * FROM missing_table'))).toBe('ERR_ENGINE');
      if (setup.runtimeError) expect(await codeOf(exec1(setup.runtimeError))).toBe('ERR_ENGINE');
      expect(await codeOf(engine.stream({ sql: 'SELEC 1', params: [] }, {}))).toBe('ERR_ENGINE');
      const described = await engine.describeQuery('SELECT nope FROM nowhere').catch((error) => error);
      expect(described).toMatchObject({ code: 'ERR_VALIDATION', field: 'sql' });
      expect(described.message).toMatch(/^sql: .*nowhere/);
      expect((await exec1('SELECT 1')).rows).toEqual([[1]]);
    });

    let catalogCreated: Promise<void> | undefined;
    const createCatalog = () => {
      catalogCreated ??= exec(engine, ...setup.catalog.create);
      return catalogCreated;
    };

    it('introspects tables and views with mapped types, and describes a query', async () => {
      const { catalog } = setup;
      await createCatalog();
      const tables = await engine.introspect();
      const orders = tables.find(
        (table) => table.schema === catalog.orders.schema && table.name === catalog.orders.name,
      );
      expect(orders?.columns.map((column) => [column.name, column.type, column.nullable])).toEqual([
        ['id', 'integer', false],
        ['amount', 'number', true],
        ['sold_on', 'date', true],
        ['sold_at', 'datetime', true],
        ['note', 'string', true],
        ['ok', 'boolean', true],
        ...catalog.extra,
      ]);
      expect(orders?.columns[1].nativeType).toBe(catalog.amountNativeType);
      expect(
        tables.some((table) => table.schema === catalog.view.schema && table.name === catalog.view.name),
      ).toBe(true);
      expect(tables.some((table) => ['information_schema', 'pg_catalog'].includes(table.schema))).toBe(false);
      const described = await engine.describeQuery(
        `SELECT id, amount * 2 AS double_amount, sold_on, ok FROM ${catalog.orders.schema}.${catalog.orders.name}`,
      );
      expect(described.map((column) => [column.name, column.type, column.nullable])).toEqual([
        ['id', 'integer', true],
        ['double_amount', 'number', true],
        ['sold_on', 'date', true],
        ['ok', 'boolean', true],
      ]);
    });

    it("holds a user's SQL to one statement that only reads, and it changes nothing", async () => {
      const { catalog } = setup;
      await createCatalog();
      const orders = `${catalog.orders.schema}.${catalog.orders.name}`;
      const view = `${catalog.view.schema}.${catalog.view.name}`;
      await exec(engine, `INSERT INTO ${orders} (id) VALUES (7)`);
      const readOnly = (sql: string) => engine.run({ sql, params: [] }, { maxRows: 10, readOnly: true });
      const statements = [
        `INSERT INTO ${orders} (id) VALUES (8)`,
        `DELETE FROM ${orders}`,
        `DROP VIEW ${view}`,
        'CREATE TABLE rosetta_scratch (a INT)',
        `SELECT 1; DELETE FROM ${orders}`,
        // Breaks out of the parentheses describeQuery may wrap the statement in.
        `SELECT 1) AS x; COMMIT; DROP VIEW ${view}; SELECT * FROM (SELECT 1`,
        ...(setup.userWrites ?? []).map((sql) => sql.replaceAll('{orders}', orders)),
      ];
      for (const sql of statements) {
        expect(await codeOf(readOnly(sql)), sql).toMatch(/^ERR_(VALIDATION|ENGINE)$/);
        expect(await codeOf(engine.describeQuery(sql)), sql).toBe('ERR_VALIDATION');
      }
      expect((await readOnly(`SELECT id FROM ${orders}`)).rows).toEqual([[7]]);
      expect((await readOnly(`SELECT id FROM ${view}`)).rows).toEqual([[7]]);
      expect((await engine.introspect()).some((table) => table.name === 'rosetta_scratch')).toBe(false);
      // The connections are as they were: Rosetta's own statements still write.
      await exec(engine, (setup.clearOrders ?? 'DELETE FROM {orders}').replaceAll('{orders}', orders));
      expect((await exec1(`SELECT count(*) AS n FROM ${orders}`)).rows).toEqual([[0]]);
    });

    it('lists a bounded catalog of tables and views, saying when it was cut', async () => {
      const { catalog } = setup;
      await createCatalog();
      const full = await engine.catalog(EVERY_TABLE);
      expect(full.truncated).toBe(false);
      const find = ({ schema, name }: { schema: string; name: string }) =>
        full.tables.find((table) => table.schema === schema && table.name === name);
      expect(find(catalog.orders)?.kind).toBe('table');
      expect(find(catalog.orders)?.columns.slice(0, 3)).toEqual([
        { name: 'id', type: 'integer', nativeType: expect.any(String), nullable: false },
        { name: 'amount', type: 'number', nativeType: catalog.amountNativeType, nullable: true },
        { name: 'sold_on', type: 'date', nativeType: expect.any(String), nullable: true },
      ]);
      expect(find(catalog.view)).toMatchObject({ kind: 'view', columns: [{ name: 'id', type: 'integer' }] });
      expect(await engine.introspect()).toEqual(full.tables);
      const first = await engine.catalog(1);
      expect(first).toEqual({ tables: [full.tables[0]], truncated: true });
      const exact = await engine.catalog(full.tables.length);
      expect(exact).toEqual({ tables: full.tables, truncated: false });
    });

    it('answers ping, and once closed (twice over) refuses work with ERR_ENGINE', async () => {
      await expect(engine.ping()).resolves.toBeUndefined();
      await engine.close();
      await engine.close();
      expect(await codeOf(engine.ping())).toBe('ERR_ENGINE');
    });
  });
}
