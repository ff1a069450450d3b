import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { compileCount, compileQuery } from './compile.ts';
import type { FilterNode, QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import {
  admin,
  clickhouseRunner,
  duckdbRunner,
  mysqlRunner,
  pinnedNow,
  postgresRunner,
  principal,
  type SqlRunner,
  shopModel,
} from './testkit.ts';

/** The same queries, compiled per dialect and run on real DuckDB, PostgreSQL, MariaDB and ClickHouse. */
const runners: SqlRunner[] = await Promise.all([
  duckdbRunner(),
  postgresRunner(),
  mysqlRunner(),
  clickhouseRunner(),
]);

/**
 * What a warehouse refuses outright (an error, never other numbers): ClickHouse 18.16 joins one
 * table per SELECT.
 */
const refusals: Partial<Record<SqlRunner['dialect'], { needs: Case['needs']; error: RegExp }>> = {
  clickhouse: { needs: 'joins', error: /more than one JOIN/ },
};
const refuses = (runner: SqlRunner, needs: Case['needs']): RegExp | undefined => {
  const refusal = refusals[runner.dialect];
  return needs && refusal?.needs === needs ? refusal.error : undefined;
};
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

const body = (query: Record<string, unknown>) => parseQueryBody({ source: 'shop', ...query }).ir;
const ids = (filters: FilterNode): QueryIr => body({ dimensions: ['orders.id'], filters });

interface Case {
  name: string;
  ir: QueryIr;
  rows: unknown[][];
  who?: Principal;
  model?: Model;
  /** `joins`: the query joins more than one table. */
  needs?: 'joins';
}

const cases: Case[] = [
  {
    name: 'group by with sum and count',
    ir: body({
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }, { aggregation: 'count' }],
    }),
    rows: [
      ['DE', 3, 2],
      ['FR', 12, 3],
      ['US', 9, 2],
      [null, 1, 1],
    ],
  },
  {
    name: 'month buckets with a filter',
    ir: body({
      dimensions: [{ field: 'date', granularity: 'month' }],
      metrics: [{ field: 'price', aggregation: 'sum' }],
      filters: { and: [{ field: 'price', operator: '>', values: [20] }] },
    }),
    rows: [
      ['2024-01-01', 25],
      ['2024-02-01', 62],
      ['2024-03-01', 30],
      ['2024-04-01', 100],
    ],
  },
  {
    name: 'ISO weeks start on Monday, quarters and years',
    ir: body({
      dimensions: [
        { field: 'date', granularity: 'week' },
        { field: 'date', granularity: 'quarter' },
        { field: 'created_at', granularity: 'year' },
      ],
      filters: { field: 'orders.id', operator: 'in', values: [4, 7] },
    }),
    rows: [
      ['2024-02-26', '2024-01-01', '2024-01-01'],
      ['2024-04-01', '2024-04-01', '2024-01-01'],
    ],
  },
  {
    name: 'hour and minute buckets',
    ir: body({
      dimensions: [
        { field: 'created_at', granularity: 'hour' },
        { field: 'created_at', granularity: 'minute', alias: 'm' },
      ],
      filters: { field: 'orders.id', operator: '=', values: [6] },
    }),
    rows: [['2024-03-11 09:00:00', '2024-03-11 09:15:00']],
  },
  {
    name: 'avg of integers is a float; count distinct; min and max',
    ir: body({
      metrics: [
        { field: 'quantity', aggregation: 'avg' },
        { field: 'country', aggregation: 'count_distinct' },
        { field: 'date', aggregation: 'min' },
        { field: 'price', aggregation: 'max' },
      ],
    }),
    rows: [[3.125, 3, '2024-01-05', 100]],
  },
  {
    name: 'dimensions only = distinct values',
    ir: body({ dimensions: ['segment'], sorts: [{ field: 'segment', descending: true }] }),
    rows: [['B'], ['A']],
  },
  {
    name: 'joins two levels deep (SQL relation) only when used',
    ir: body({ dimensions: ['label'], metrics: [{ metric: 'revenue' }] }),
    needs: 'joins',
    rows: [
      ['America', 55],
      ['Europe', 99.5],
      [null, 100],
    ],
  },
  {
    name: 'model formulas expand recursively; query formulas over query metrics',
    ir: body({
      dimensions: ['country'],
      metrics: [
        { metric: 'margin' },
        { field: 'price', aggregation: 'sum' },
        { field: 'cost', aggregation: 'sum' },
        { name: 'ratio', formula: '(sum_price - sum_cost) / sum_price * 100' },
      ],
      filters: { field: 'country', operator: 'in', values: ['DE', 'US'] },
    }),
    rows: [
      ['DE', 32, 70, 38, (32 / 70) * 100],
      ['US', 21, 37, 16, (21 / 37) * 100],
    ],
  },
  {
    name: 'metric filters go to HAVING; sorts by metric descending',
    ir: body({
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum', alias: 'qty' }],
      filters: {
        and: [
          { field: 'qty', operator: '>=', values: [3] },
          { field: 'revenue', operator: '<', values: [70.5] },
        ],
      },
      sorts: [{ field: 'qty', descending: true }],
    }),
    rows: [
      ['FR', 12],
      ['US', 9],
      ['DE', 3],
    ],
  },
  {
    name: 'limit and offset on raw rows',
    ir: body({
      dimensions: ['orders.id', 'country'],
      aggregate: false,
      sorts: ['orders.id'],
      limit: 2,
      offset: 3,
    }),
    rows: [
      [4, 'US'],
      [5, 'US'],
    ],
  },
  {
    name: '= with several values',
    ir: ids({ field: 'country', operator: '=', values: ['DE', 'US'] }),
    rows: [[3], [4], [5], [6]],
  },
  {
    name: '!= keeps NULLs',
    ir: ids({ field: 'country', operator: '!=', values: ['FR'] }),
    rows: [[3], [4], [5], [6], [8]],
  },
  {
    name: 'not in',
    ir: ids({ field: 'country', operator: 'not in', values: ['FR', 'DE'] }),
    rows: [[4], [5], [8]],
  },
  { name: '<', ir: ids({ field: 'price', operator: '<', values: [12] }), rows: [[1]] },
  { name: '<=', ir: ids({ field: 'price', operator: '<=', values: ['12'] }), rows: [[1], [7]] },
  { name: '>', ir: ids({ field: 'date', operator: '>', values: ['2024-03-11'] }), rows: [[7], [8]] },
  {
    name: '>= on a datetime',
    ir: ids({ field: 'created_at', operator: '>=', values: ['2024-04-15T07:00:00Z'] }),
    rows: [[8]],
  },
  {
    name: 'between (inclusive)',
    ir: ids({ field: 'quantity', operator: 'between', values: [2, 3] }),
    rows: [[1], [2], [6]],
  },
  { name: 'null', ir: ids({ field: 'note', operator: 'null', values: [] }), rows: [[2]] },
  {
    name: 'not null',
    ir: ids({ field: 'country', operator: 'not null', values: [] }),
    rows: [[1], [2], [3], [4], [5], [6], [7]],
  },
  { name: 'empty', ir: ids({ field: 'note', operator: 'empty', values: [] }), rows: [[2], [5]] },
  {
    name: 'not empty',
    ir: ids({ field: 'note', operator: 'not empty', values: [] }),
    rows: [[1], [3], [4], [6], [7], [8]],
  },
  {
    name: 'contains is case-insensitive',
    ir: ids({ field: 'note', operator: 'contains', values: ['HELLO'] }),
    rows: [[6], [7]],
  },
  {
    name: 'contains escapes % and _',
    ir: ids({ field: 'note', operator: 'contains', values: ['%', '_'] }),
    rows: [[3], [4]],
  },
  {
    name: 'not contains keeps NULLs',
    ir: ids({ field: 'note', operator: 'not contains', values: ['o'] }),
    rows: [[1], [2], [4], [5]],
  },
  { name: 'starts with', ir: ids({ field: 'note', operator: 'starts with', values: ["o'r"] }), rows: [[8]] },
  {
    name: 'ends with',
    ir: ids({ field: 'note', operator: 'ends with', values: ['world', '; --'] }),
    rows: [[7], [8]],
  },
  { name: 'boolean =', ir: ids({ field: 'paid', operator: '=', values: [false] }), rows: [[2], [5], [8]] },
  {
    name: 'relative: last 1 month',
    ir: ids({ field: 'date', operator: 'relative', values: ['last', 1, 'month'] }),
    rows: [[5], [6]],
  },
  {
    name: 'relative: this month',
    ir: ids({ field: 'date', operator: 'relative', values: ['this', 'month'] }),
    rows: [[7], [8]],
  },
  {
    name: 'relative: last 2 week',
    ir: ids({ field: 'date', operator: 'relative', values: ['last', 2, 'week'] }),
    rows: [[7]],
  },
  {
    name: 'relative: last 6 day on datetime',
    ir: ids({ field: 'created_at', operator: 'relative', values: ['last', 6, 'day'] }),
    rows: [[8]],
  },
  {
    name: 'relative: next 2 year',
    ir: ids({ field: 'date', operator: 'relative', values: ['next', 2, 'year'] }),
    rows: [],
  },
  {
    name: 'and/or tree',
    ir: ids({
      or: [
        {
          and: [
            { field: 'country', operator: '=', values: ['FR'] },
            { field: 'quantity', operator: '>', values: [2] },
          ],
        },
        { field: 'segment', operator: '=', values: ['B'] },
      ],
    }),
    rows: [[2], [6], [7], [8]],
  },
  {
    name: 'RLS: a user sees the rows of their attribute values',
    ir: body({ dimensions: ['country'], metrics: [{ aggregation: 'count' }] }),
    model: { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] },
    who: principal({ attributes: { segment: ['A'] } }),
    rows: [
      ['FR', 2],
      ['DE', 1],
      ['US', 2],
    ].sort(),
  },
  {
    name: 'RLS: a user without the attribute sees nothing',
    ir: body({ metrics: [{ aggregation: 'count' }] }),
    model: { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] },
    who: principal(),
    rows: [[0]],
  },
  {
    name: 'RLS: an admin sees everything',
    ir: body({ metrics: [{ aggregation: 'count' }] }),
    model: { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] },
    rows: [[8]],
  },
];

describe.each(runners)('compiled queries on $dialect', (runner) => {
  beforeAll(() => {
    if (!runner.available) console.warn(`${runner.dialect} unavailable: its execution tests are skipped`);
  });
  it.skipIf(!runner.available).each(cases)('$name', async ({ ir, rows, who, model, needs }) => {
    const query = compileQuery(model ?? shopModel, ir, {
      dialect: runner.dialect,
      principal: who ?? admin,
      maxRows: 100,
      now: pinnedNow,
    });
    const refused = refuses(runner, needs);
    if (refused) return void (await expect(runner.run(query)).rejects.toThrow(refused));
    // As an engine does: the SQL fetches one row more than the cap to tell a cut.
    const result = (await runner.run(query)).slice(0, query.rowCap);
    const expected = rows.map((row) =>
      row.map((cell) => (typeof cell === 'number' ? expect.closeTo(cell, 9) : cell)),
    );
    expect(result).toEqual(expected);
  });
});

describe.each(runners)('inlined SQL (the SQL runner) on $dialect', (runner) => {
  const tricky = ids({
    or: [
      { field: 'note', operator: 'in', values: ["O'Reilly; --", "a'b", "\\' OR 1=1 --", 'x\\'] },
      { field: 'created_at', operator: '<', values: ['2024-01-06T00:00:00'] },
      { field: 'price', operator: '=', values: [-1] },
      { field: 'paid', operator: '=', values: [false] },
    ],
  });
  it.skipIf(!runner.available).each([
    ...cases
      .filter(({ needs }) => !refuses(runner, needs))
      .map(({ name, ir, who, model }) => ({ name, ir, who, model })),
    {
      name: 'quotes, backslashes, dates, negative numbers and booleans',
      ir: tricky,
      who: undefined,
      model: undefined,
    },
  ])('$name: literals give the rows the bound parameters give', async ({ ir, who, model }) => {
    const options = { dialect: runner.dialect, principal: who ?? admin, maxRows: 100, now: pinnedNow };
    const bound = compileQuery(model ?? shopModel, ir, options);
    const inlined = compileQuery(model ?? shopModel, ir, { ...options, inline: true });
    expect(inlined.params).toEqual([]);
    expect(inlined.sql).toMatch(/LIMIT \d+( OFFSET \d+)?$/);
    const rows = await runner.run(inlined);
    expect(rows).toEqual((await runner.run(bound)).slice(0, bound.rowCap));
    if (ir === tricky) expect(rows).toEqual([[1], [2], [5], [8]]);
  });
});

describe.each(runners)('row counts (totalRows) on $dialect', (runner) => {
  it.skipIf(!runner.available)(
    'counts the rows of the query without its limit, row policies applied',
    async () => {
      const grouped = body({ dimensions: ['country'], metrics: [{ aggregation: 'count' }], limit: 1 });
      const model = { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] };
      const options = { dialect: runner.dialect, principal: admin, maxRows: 100, now: pinnedNow };
      expect(await runner.run(compileCount(shopModel, grouped, options))).toEqual([[4]]);
      const segmentA = principal({ attributes: { segment: ['A'] } });
      const raw = body({ dimensions: ['orders.id'], aggregate: false, limit: 1, offset: 1 });
      expect(await runner.run(compileCount(model, raw, { ...options, principal: segmentA }))).toEqual([[5]]);
    },
  );
});
