import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../engines/duckdb/engine.ts';
import type { Principal } from '../auth/principal.ts';
import { isRosettaError, notFound } from '../errors.ts';
import { type CompileOptions, resolveQuery } from './compile.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { compileReductions, compileRowAt, type Reduction } from './reduce.ts';
import { createQueryService } from './service.ts';
import {
  admin,
  duckdbRunner,
  mysqlRunner,
  orderRows,
  postgresRunner,
  principal,
  type SqlRunner,
  shopModel,
} from './testkit.ts';

/**
 * Reductions over a query's whole result, in SQL: compiled per dialect and run on real DuckDB,
 * PostgreSQL and MariaDB with a row cap that would cut the result, then the whole path through
 * the query service on an embedded DuckDB. Expected values are computed here from the fixture
 * rows.
 */
const runners: SqlRunner[] = await Promise.all([duckdbRunner(), postgresRunner(), mysqlRunner()]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

const ir = (query: Record<string, unknown>) => parseQueryBody({ source: 'shop', ...query }).ir;

// orderRows: id, country, order_date, created_at, quantity, price, cost, customer_id, note, paid.
const quantityBy = new Map<string | null, number>();
for (const row of orderRows) {
  const country = row[1] as string | null;
  quantityBy.set(country, (quantityBy.get(country) ?? 0) + Number(row[4]));
}
/** Countries by their quantity, largest first: the order of `byCountry`. */
const ranked = [...quantityBy].sort((a, b) => b[1] - a[1]);
const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0);

const byCountry = {
  dimensions: ['country'],
  metrics: [{ field: 'quantity', aggregation: 'sum' }],
  sorts: [{ field: 'sum_quantity', descending: true }],
};
type Aggregates = Parameters<typeof compileReductions>[3];
const onQuantity: Aggregates = (['count', 'sum', 'avg', 'min', 'max'] as const).map((aggregation) => ({
  column: 'sum_quantity',
  aggregation,
}));

describe.each(runners)('reduction SQL on $dialect', (runner) => {
  // A cap of 2 rows would cut every result below: the reductions cover all of them.
  const options = (who: Principal = admin): CompileOptions => ({
    dialect: runner.dialect,
    principal: who,
    maxRows: 2,
  });
  const reduce = async (
    query: Record<string, unknown>,
    aggregates = onQuantity,
    who?: Principal,
    model = shopModel,
  ) => {
    const resolved = resolveQuery(model, ir(query), options(who));
    const [row] = await runner.run(compileReductions(model, resolved, options(who), aggregates));
    return row;
  };

  it.skipIf(!runner.available)('aggregates every group, whatever the row cap', async () => {
    const sums = ranked.map(([, sum]) => sum);
    expect(await reduce(byCountry)).toEqual([
      sums.length,
      sums.length,
      sumOf(sums),
      sumOf(sums) / sums.length,
      Math.min(...sums),
      Math.max(...sums),
    ]);
  });

  it.skipIf(!runner.available)("keeps the query's own limit and offset, in its order", async () => {
    const sums = ranked.map(([, sum]) => sum);
    const [rows, , sum] = await reduce({ ...byCountry, limit: 2, offset: 1 });
    expect([rows, sum]).toEqual([2, sums[1] + sums[2]]);
    // An offset without a limit: every row after it (MySQL needs a LIMIT to take an OFFSET).
    const [rest, , restSum] = await reduce({ ...byCountry, offset: 2 });
    expect([rest, restSum]).toEqual([sums.length - 2, sumOf(sums.slice(2))]);
  });

  it.skipIf(!runner.available)('reduces a staged query: top N with Others and a running total', async () => {
    const sums = ranked.map(([, sum]) => sum);
    const staged = {
      ...byCountry,
      top: { dimension: 'country', by: 'sum_quantity', n: 2, others: true },
      post: [{ id: 'running', type: 'running_total', of: 'sum_quantity' }],
    };
    const [rows, sum, running] = await reduce(staged, [
      { column: 'sum_quantity', aggregation: 'sum' },
      { column: 'running', aggregation: 'max' },
    ]);
    // The two largest countries and one Others row; the running total ends at the grand total.
    expect([rows, sum, running]).toEqual([3, sumOf(sums), sumOf(sums)]);
  });

  it.skipIf(!runner.available)('applies the row policies', async () => {
    const guarded: Model = { ...shopModel, policies: [{ field: 'country', attribute: 'market' }] };
    const who = principal({ attributes: { market: ['FR', 'US'] } });
    const mine = orderRows.filter((row) => row[1] === 'FR' || row[1] === 'US');
    const prices = mine.map((row) => Number(row[5]));
    const [rows, count, sum, min, max] = await reduce(
      { aggregate: false, dimensions: ['orders.id', 'price', 'note'] },
      [
        { column: 'price', aggregation: 'count' },
        { column: 'price', aggregation: 'sum' },
        { column: 'note', aggregation: 'min' },
        { column: 'note', aggregation: 'max' },
      ],
      who,
      guarded,
    );
    const notes = mine
      .map((row) => row[8] as string | null)
      .filter((note) => note !== null)
      .sort();
    expect([rows, count, sum, min, max]).toEqual([
      mine.length,
      prices.length,
      sumOf(prices),
      notes[0],
      notes.at(-1),
    ]);
  });

  it.skipIf(!runner.available)('reads the first and last rows in the query order', async () => {
    const resolved = resolveQuery(shopModel, ir(byCountry), options());
    // The statement asks for one row more, as every capped query does; the reader keeps one.
    const at = async (position: number) =>
      (await runner.run(compileRowAt(shopModel, resolved, options(), position)))[0];
    expect(await at(0)).toEqual(ranked[0]);
    expect(await at(ranked.length - 1)).toEqual(ranked.at(-1));
  });
});

describe('QueryService.reduce on DuckDB', async () => {
  const ROWS = 5000;
  const lines: Model = {
    name: 'lines',
    connectionId: 1,
    baseTable: 'lines',
    tables: [
      {
        name: 'lines',
        relation: {
          kind: 'sql',
          sql: `SELECT range AS n, CAST(range % 3 AS VARCHAR) AS team, CAST(CAST(range AS DOUBLE) / 100 AS DECIMAL(18,2)) AS amount, CAST(range AS DOUBLE) / 10 AS score FROM range(${ROWS})`,
        },
      },
    ],
    joins: [],
    dimensions: [
      { name: 'n', table: 'lines', column: 'n', type: 'integer' },
      { name: 'team', table: 'lines', column: 'team', type: 'string' },
      { name: 'amount', table: 'lines', column: 'amount', type: 'number' },
      { name: 'score', table: 'lines', column: 'score', type: 'number' },
    ],
    metrics: [],
    policies: [{ field: 'team', attribute: 'team' }],
    version: 1,
    dataSourceIds: [1],
  };
  const engine = new DuckDbEngine({ type: 'duckdb', file: ':memory:' });
  const resolveModel = async (_who: Principal, source: string) => {
    if (source !== 'lines') throw notFound('model', source);
    return lines;
  };
  // A cap of 100 rows: far fewer than the results below.
  const service = createQueryService({
    resolveModel,
    sourceModel: resolveModel,
    engineFor: async () => engine,
    maxRows: 100,
    timeoutMs: 30_000,
  });
  afterAll(() => engine.close());

  const analyst = principal({ attributes: { team: ['0', '1'] } });
  const theirs = Array.from({ length: ROWS }, (_, n) => n).filter((n) => n % 3 !== 2);
  const body = {
    source: 'lines',
    aggregate: false,
    dimensions: ['n', 'team', 'amount', 'score'],
    sorts: [{ field: 'n', descending: true }],
  };
  const all: Reduction[] = [
    { field: 'n', aggregation: 'count' },
    { field: 'amount', aggregation: 'sum' },
    { field: 'score', aggregation: 'avg' },
    { field: 'n', aggregation: 'min' },
    { field: 'team', aggregation: 'max' },
    { field: 'n', aggregation: 'first' },
    { field: 'n', aggregation: 'last' },
  ];

  it('reduces every row the policies let through, in the query order, with the types that came', async () => {
    const reduced = await service.reduce(analyst, body, all);
    expect(reduced.rows).toBe(theirs.length);
    expect(reduced.values.map((v) => v.value)).toEqual([
      theirs.length,
      sumOf(theirs) / 100,
      sumOf(theirs) / 10 / theirs.length,
      0,
      '1',
      Math.max(...theirs),
      0,
    ]);
    // An exact decimal sum stays a decimal; the average of DOUBLEs is a DOUBLE.
    expect(reduced.values[1].column.nativeType).toMatch(/^DECIMAL/);
    expect(reduced.values[2].column.nativeType).toBe('DOUBLE');
    // Grouped, then cut by the query's own limit: the reductions cover those rows only.
    const grouped = await service.reduce(
      analyst,
      {
        source: 'lines',
        dimensions: ['team'],
        metrics: [{ field: 'n', aggregation: 'count' }],
        sorts: ['team'],
        limit: 1,
      },
      [
        { field: 'count_n', aggregation: 'sum' },
        { field: 'team', aggregation: 'last' },
      ],
    );
    expect(grouped).toMatchObject({ rows: 1, values: [{ value: Math.ceil(ROWS / 3) }, { value: '0' }] });
  });

  it('gives NULLs and a zero count for an empty result', async () => {
    const none = await service.reduce(principal({ attributes: { team: ['7'] } }), body, all);
    expect(none.rows).toBe(0);
    expect(none.values.map((v) => v.value)).toEqual([0, null, null, null, null, null, null]);
  });

  it('names a bad reduction, and needs the rights of an ad-hoc query unless saved', async () => {
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error) => (isRosettaError(error) ? `${error.code} ${error.field ?? ''}`.trim() : String(error)),
      );
    expect(await codeOf(service.reduce(analyst, body, [{ field: 'price', aggregation: 'sum' }]))).toBe(
      'ERR_VALIDATION reductions[0].field',
    );
    await expect(
      service.reduce(analyst, body, [{ field: 'price', aggregation: 'sum' }], { path: 'conditions' }),
    ).rejects.toThrow(/conditions\[0\]\.field: no result column "price" \(columns: n, team, amount, score\)/);
    expect(
      await codeOf(
        service.reduce(analyst, body, [all[0], { field: 'team', aggregation: 'avg' }], {
          path: 'conditions',
        }),
      ),
    ).toBe('ERR_VALIDATION conditions[1].aggregation');
    const viewer = principal({ role: 'viewer', attributes: analyst.attributes });
    expect(await codeOf(service.reduce(viewer, body, all))).toBe('ERR_FORBIDDEN');
    expect((await service.reduceSaved(viewer, body, all)).rows).toBe(theirs.length);
  });
});
