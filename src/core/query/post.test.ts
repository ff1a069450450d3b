import { afterAll, describe, expect, it } from 'vitest';
import { ensureMysqlTimeZones } from '../../../test/support/databases.ts';
import type { JsonScalar } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { RosettaError } from '../errors.ts';
import { compileCount, compileQuery } from './compile.ts';
import type { QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import {
  admin,
  customerRows,
  duckdbRunner,
  mysqlRunner,
  orderRows,
  pinnedNow,
  postgresRunner,
  principal,
  type SqlRunner,
  serviceOver,
  shopModel,
} from './testkit.ts';

/**
 * Post calculations, post filters and top N (stages.ts), run on DuckDB, PostgreSQL and MariaDB
 * and checked against values computed here from the fixture rows.
 */
const runners: SqlRunner[] = await Promise.all([duckdbRunner(), postgresRunner(), mysqlRunner()]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

const body = (query: Record<string, unknown>): QueryIr => parseQueryBody({ source: 'shop', ...query }).ir;

// ---------------------------------------------------------------------------------------------
// The fixture in JS.

interface Order {
  country: string | null;
  date: string;
  createdAt: string;
  quantity: number;
  price: number;
  segment: string | null;
}

const segments = new Map(customerRows.map(([id, , segment]) => [id, segment as string | null]));
const allOrders: Order[] = orderRows.map(([, country, date, createdAt, quantity, price, , customerId]) => ({
  country: country as string | null,
  date: date as string,
  createdAt: createdAt as string,
  quantity: quantity as number,
  price: price as number,
  segment: segments.get(customerId) ?? null,
}));

const day = (text: string): Date => new Date(`${text.slice(0, 10)}T00:00:00Z`);
const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
const addMonths = (text: string, months: number): string => {
  const date = day(text);
  date.setUTCMonth(date.getUTCMonth() + months);
  return isoDay(date);
};
const addDays = (text: string, days: number): string =>
  isoDay(new Date(day(text).getTime() + days * 86_400_000));

/** Each period's bucket of an order, and the bucket one period before a bucket. */
const periods = {
  year: { of: (o: Order) => `${o.date.slice(0, 4)}-01-01`, back: (b: string) => addMonths(b, -12) },
  quarter: {
    of: (o: Order) => {
      const month = Number(o.date.slice(5, 7));
      return `${o.date.slice(0, 4)}-${String(month - ((month - 1) % 3)).padStart(2, '0')}-01`;
    },
    back: (b: string) => addMonths(b, -3),
  },
  month: { of: (o: Order) => `${o.date.slice(0, 7)}-01`, back: (b: string) => addMonths(b, -1) },
  // ISO weeks start on Monday.
  week: {
    of: (o: Order) => addDays(o.date, -((day(o.date).getUTCDay() + 6) % 7)),
    back: (b: string) => addDays(b, -7),
  },
  day: { of: (o: Order) => o.date, back: (b: string) => addDays(b, -1) },
  hour: {
    of: (o: Order) => `${o.createdAt.slice(0, 13)}:00:00`,
    back: (b: string) =>
      new Date(Date.parse(`${b.replace(' ', 'T')}Z`) - 3_600_000)
        .toISOString()
        .replace('T', ' ')
        .slice(0, 19),
  },
} as const;

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const quantityOf = (orders: Order[]): number => sum(orders.map((o) => o.quantity));

/** Groups orders by a key (NULL a value like any other), in first-seen order. */
function groupBy<K>(orders: Order[], key: (o: Order) => K): Map<K, Order[]> {
  const groups = new Map<K, Order[]>();
  for (const order of orders) groups.set(key(order), [...(groups.get(key(order)) ?? []), order]);
  return groups;
}

/** Ascending with NULLs last, as every dialect orders (dialects.ts orderBy). */
const compareNullsLast = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** Numbers compared to 9 digits; the rest exactly. */
const close = (rows: JsonScalar[][]) =>
  rows.map((row) => row.map((cell) => (typeof cell === 'number' ? expect.closeTo(cell, 9) : cell)));

interface RunOptions {
  model?: Model;
  who?: Principal;
  inline?: boolean;
}

/** The result rows (up to the row cap) and how many rows the SQL returned (cap + 1 = truncated). */
async function run(runner: SqlRunner, ir: QueryIr, { model, who, inline }: RunOptions = {}) {
  const options = { dialect: runner.dialect, principal: who ?? admin, maxRows: 100, now: pinnedNow, inline };
  const query = compileQuery(model ?? shopModel, ir, options);
  const fetched = await runner.run(query);
  return {
    rows: fetched.slice(0, query.rowCap),
    fetched: fetched.length,
    sql: query.sql,
    params: query.params,
  };
}

// ---------------------------------------------------------------------------------------------
// Post calculations by month and country.

interface Group {
  month: string;
  country: string | null;
  quantity: number;
}

const monthCountry = (orders: Order[]): Group[] =>
  [...groupBy(orders, (o) => `${periods.month.of(o)}|${o.country}`).values()]
    .map((group) => ({
      month: periods.month.of(group[0]),
      country: group[0].country,
      quantity: quantityOf(group),
    }))
    .sort((a, b) => compareNullsLast(a.month, b.month) || compareNullsLast(a.country, b.country));

const rankOf = (value: number, among: number[], ascending = false): number =>
  1 + among.filter((other) => (ascending ? other < value : other > value)).length;

/** Every calculation of `allCalculations`, computed from the groups. */
function expectedCalculations(groups: Group[]): JsonScalar[][] {
  const total = sum(groups.map((g) => g.quantity));
  return groups.map((group, i) => {
    const sameCountry = groups.slice(0, i + 1).filter((g) => g.country === group.country);
    const running = sum(sameCountry.map((g) => g.quantity));
    const cumulative = sum(groups.slice(0, i + 1).map((g) => g.quantity));
    const monthTotal = sum(groups.filter((g) => g.month === group.month).map((g) => g.quantity));
    const quantities = groups.map((g) => g.quantity);
    const previous =
      groups.find((g) => g.month === periods.month.back(group.month) && g.country === group.country)
        ?.quantity ?? null;
    const difference = previous === null ? null : group.quantity - previous;
    const change =
      previous === null || previous === 0 ? null : (group.quantity - previous) / Math.abs(previous);
    return [
      group.month,
      group.country,
      group.quantity,
      running,
      cumulative,
      group.quantity / total,
      group.quantity / monthTotal,
      rankOf(group.quantity, quantities),
      rankOf(group.quantity, quantities, true),
      previous,
      difference,
      change,
      running - group.quantity,
      (group.quantity / total) * 100,
    ];
  });
}

const allCalculations = {
  dimensions: [{ field: 'date', granularity: 'month' }, 'country'],
  metrics: [{ field: 'quantity', aggregation: 'sum' }],
  post: [
    { id: 'running', type: 'running_total', of: 'sum_quantity', partitionBy: ['country'] },
    { id: 'cumulative', type: 'running_total', of: 'sum_quantity' },
    { id: 'share', type: 'percent_of_total', of: 'sum_quantity' },
    { id: 'share_in_month', type: 'percent_of_total', of: 'sum_quantity', partitionBy: ['date_month'] },
    { id: 'rank', type: 'rank', of: 'sum_quantity' },
    { id: 'rank_up', type: 'rank', of: 'sum_quantity', ascending: true },
    { id: 'previous', type: 'previous_period', of: 'sum_quantity' },
    { id: 'difference', type: 'difference', of: 'sum_quantity' },
    { id: 'change', type: 'percent_change', of: 'sum_quantity' },
    { id: 'before', type: 'formula', formula: 'running - sum_quantity' },
    { id: 'share_pct', type: 'formula', formula: 'share * 100' },
  ],
};

const countryPolicy: Model = { ...shopModel, policies: [{ field: 'country', attribute: 'country' }] };
const frenchAndGerman = principal({ attributes: { country: ['FR', 'DE'] } });
const inFranceOrGermany = (o: Order) => o.country === 'FR' || o.country === 'DE';

describe.each(runners)('post calculations on $dialect', (runner) => {
  it.skipIf(!runner.available)('every calculation matches the values computed from the rows', async () => {
    const { rows, sql } = await run(runner, body(allCalculations));
    expect(sql).toMatch(/^WITH /);
    expect(rows).toEqual(close(expectedCalculations(monthCountry(allOrders))));
  });

  it.skipIf(!runner.available)(
    'only the rows a row policy lets the caller see are calculated on',
    async () => {
      const { rows } = await run(runner, body(allCalculations), {
        model: countryPolicy,
        who: frenchAndGerman,
      });
      expect(rows).toEqual(close(expectedCalculations(monthCountry(allOrders.filter(inFranceOrGermany)))));
    },
  );

  it.skipIf(!runner.available)('a limit cuts the result, not what the calculations see', async () => {
    const full = await run(runner, body(allCalculations));
    const cut = await run(runner, body({ ...allCalculations, limit: 3 }));
    expect(cut.rows).toEqual(full.rows.slice(0, 3));
    expect(cut.fetched).toBe(4); // one row more than the cap: the result says truncated
    const offset = await run(runner, body({ ...allCalculations, limit: 2, offset: 4 }));
    expect(offset.rows).toEqual(full.rows.slice(4, 6));
  });

  it.skipIf(!runner.available)(
    'sorts by a calculation and filters on calculations, metrics and dimensions',
    async () => {
      const expected = expectedCalculations(monthCountry(allOrders));
      const { rows } = await run(
        runner,
        body({
          ...allCalculations,
          postFilters: {
            and: [
              { field: 'share', operator: '>=', values: [0.1] },
              { not: { field: 'country', operator: '=', values: ['US'] } },
              { field: 'date_month', operator: '<', values: ['2024-04-01'] },
              { field: 'sum_quantity', operator: '>', values: [1.5] },
            ],
          },
          sorts: [{ field: 'running', descending: true }],
        }),
      );
      const kept = expected
        .filter(([month, country, quantity, , , share]) => {
          return (
            (share as number) >= 0.1 &&
            country !== 'US' &&
            (month as string) < '2024-04-01' &&
            (quantity as number) > 1.5
          );
        })
        .sort((a, b) => (b[3] as number) - (a[3] as number));
      expect(kept.length).toBeGreaterThan(0);
      expect(rows).toEqual(close(kept));
    },
  );

  it.skipIf(!runner.available).each(Object.keys(periods) as Array<keyof typeof periods>)(
    'previous period, difference and change by %s',
    async (period) => {
      const field = period === 'hour' ? 'created_at' : 'date';
      const name = `${field}_${period}`;
      const { rows } = await run(
        runner,
        body({
          dimensions: [{ field, granularity: period }],
          metrics: [{ field: 'quantity', aggregation: 'sum' }],
          post: [
            { id: 'previous', type: 'previous_period', of: 'sum_quantity' },
            { id: 'difference', type: 'difference', of: 'sum_quantity' },
            { id: 'change', type: 'percent_change', of: 'sum_quantity' },
          ],
          sorts: [{ field: name, descending: false }],
        }),
      );
      const buckets = groupBy(allOrders, periods[period].of);
      const expected = [...buckets.keys()].sort().map((bucket) => {
        const quantity = quantityOf(buckets.get(bucket)!);
        const before = buckets.get(periods[period].back(bucket));
        const previous = before ? quantityOf(before) : null;
        return [
          bucket,
          quantity,
          previous,
          previous === null ? null : quantity - previous,
          previous ? (quantity - previous) / Math.abs(previous) : null,
        ];
      });
      // The fixture has consecutive quarters, months, weeks and days (none of years or hours).
      expect(expected.some((row) => row[2] !== null)).toBe(
        ['quarter', 'month', 'week', 'day'].includes(period),
      );
      expect(rows).toEqual(close(expected));
    },
  );

  it.skipIf(!runner.available)(
    'a running total follows the order of range bins, not their labels',
    async () => {
      const ranges = [{ to: 20 }, { from: 20, to: 50 }, { from: 50 }];
      const { rows } = await run(
        runner,
        body({
          dimensions: [{ field: 'price', bin: { ranges } }],
          metrics: [{ field: 'quantity', aggregation: 'sum' }],
          post: [{ id: 'running', type: 'running_total', of: 'sum_quantity' }],
        }),
      );
      const inRange = ({ from = -Infinity, to = Infinity }: { from?: number; to?: number }) =>
        quantityOf(allOrders.filter((o) => o.price >= from && o.price < to));
      const quantities = ranges.map(inRange);
      expect(rows.map((row) => row.slice(1))).toEqual(
        quantities.map((quantity, i) => [quantity, sum(quantities.slice(0, i + 1))]),
      );
    },
  );

  it.skipIf(!runner.available)('the values inlined for the SQL runner give the same rows', async () => {
    const ir = body({
      ...allCalculations,
      postFilters: { field: 'country', operator: 'in', values: ['FR', 'DE'] },
    });
    const inlined = await run(runner, ir, { inline: true });
    expect(inlined.sql).not.toMatch(/\$1|\?/);
    expect(inlined.rows).toEqual((await run(runner, ir)).rows);
  });

  it.skipIf(!runner.available)('counts the rows left after the post filters', async () => {
    const ir = body({
      ...allCalculations,
      postFilters: { field: 'rank', operator: '<=', values: [3] },
      limit: 1,
    });
    const options = { dialect: runner.dialect, principal: admin, maxRows: 100, now: pinnedNow };
    const quantities = monthCountry(allOrders).map((g) => g.quantity);
    const expected = quantities.filter((q) => rankOf(q, quantities) <= 3).length;
    expect(await runner.run(compileCount(shopModel, ir, options))).toEqual([[expected]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Top N.

interface TopCase {
  n: number;
  bottom?: boolean;
  orders?: Order[];
}

/** The kept values of `key`: ranked by total quantity (desc, or asc for bottom), ties by value. */
function keptValues(
  orders: Order[],
  key: (o: Order) => string | null,
  { n, bottom }: TopCase,
): Set<string | null> {
  const ranked = [...groupBy(orders, key)]
    .map(([value, group]) => ({ value, quantity: quantityOf(group) }))
    .sort(
      (a, b) =>
        (bottom ? a.quantity - b.quantity : b.quantity - a.quantity) || compareNullsLast(a.value, b.value),
    );
  return new Set(ranked.slice(0, n).map((r) => r.value));
}

/** Rows of [value, sum quantity, avg price, distinct segments], Others folded, in the default order. */
function expectedTop(orders: Order[], key: (o: Order) => string | null, top: TopCase, others: boolean) {
  const kept = keptValues(orders, key, top);
  const rows = [...groupBy(orders, (o) => (kept.has(key(o)) ? key(o) : others ? 'Others' : undefined))]
    .filter(([label]) => label !== undefined)
    .map(([label, group]) => ({
      label,
      folded: !kept.has(key(group[0])),
      row: [
        label as string | null,
        quantityOf(group),
        sum(group.map((o) => o.price)) / group.length,
        new Set(group.map((o) => o.segment)).size,
      ],
    }));
  return rows
    .sort(
      (a, b) =>
        Number(a.folded) - Number(b.folded) ||
        (top.bottom
          ? (a.row[1] as number) - (b.row[1] as number)
          : (b.row[1] as number) - (a.row[1] as number)) ||
        compareNullsLast(a.label as string | null, b.label as string | null),
    )
    .map((r) => r.row);
}

const topMetrics = [
  { field: 'quantity', aggregation: 'sum' },
  { field: 'price', aggregation: 'avg' },
  { field: 'segment', aggregation: 'count_distinct' },
];

describe.each(runners)('top N on $dialect', (runner) => {
  const country = (o: Order) => o.country;
  const month = (o: Order) => periods.month.of(o);

  it.skipIf(!runner.available).each([
    { n: 2, others: false },
    { n: 2, others: true },
    { n: 1, others: true },
    { n: 2, others: true, bottom: true },
    { n: 2, others: false, bottom: true },
    { n: 10, others: true },
  ])('by country: n $n, others $others, bottom $bottom', async ({ n, others, bottom }) => {
    const { rows } = await run(
      runner,
      body({
        dimensions: ['country'],
        metrics: topMetrics,
        top: { dimension: 'country', by: 'sum_quantity', n, others, bottom },
      }),
    );
    expect(rows).toEqual(close(expectedTop(allOrders, country, { n, bottom }, others)));
  });

  it.skipIf(!runner.available)(
    "Others' average and distinct count come from its rows, not its groups",
    async () => {
      const { rows } = await run(
        runner,
        body({
          dimensions: ['country'],
          metrics: topMetrics,
          top: { dimension: 'country', by: 'sum_quantity', n: 2, others: true },
        }),
      );
      // DE (Alice A, Bob B) and NULL (Dan B): 2 segments, not 2 + 1; the average of 40, 30, 100.
      expect(rows.at(-1)).toEqual(['Others', 4, expect.closeTo(170 / 3, 9), 2]);
    },
  );

  it.skipIf(!runner.available)('a date dimension folds into text, ties broken by the value', async () => {
    const { rows } = await run(
      runner,
      body({
        dimensions: [{ field: 'date', granularity: 'month' }],
        metrics: topMetrics,
        top: { dimension: 'date', by: 'sum_quantity', n: 2, others: true },
      }),
    );
    // February and March tie at 6: the earlier month is kept.
    expect(rows.map((row) => row[0])).toEqual(['2024-04-01', '2024-02-01', 'Others']);
    expect(rows).toEqual(close(expectedTop(allOrders, month, { n: 2 }, true)));
  });

  it.skipIf(!runner.available)('ranks over the filtered rows under a row policy', async () => {
    const filters = { field: 'date', operator: '>=', values: ['2024-02-01'] };
    const ir = body({
      dimensions: ['country'],
      metrics: topMetrics,
      filters,
      top: { dimension: 'country', by: 'sum_quantity', n: 1, others: true },
    });
    const seen = allOrders.filter((o) => o.date >= '2024-02-01');
    expect((await run(runner, ir)).rows).toEqual(close(expectedTop(seen, country, { n: 1 }, true)));
    const policed = await run(runner, ir, { model: countryPolicy, who: frenchAndGerman });
    expect(policed.rows).toEqual(close(expectedTop(seen.filter(inFranceOrGermany), country, { n: 1 }, true)));
  });

  it.skipIf(!runner.available)('with another dimension, a running total and a limit', async () => {
    const ir = (limit?: number) =>
      body({
        dimensions: [{ field: 'date', granularity: 'month' }, 'country'],
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        top: { dimension: 'country', by: 'sum_quantity', n: 2, others: true },
        post: [{ id: 'running', type: 'running_total', of: 'sum_quantity', partitionBy: ['country'] }],
        sorts: [
          { field: 'country', descending: false },
          { field: 'date_month', descending: false },
        ],
        limit,
      });
    const kept = keptValues(allOrders, country, { n: 2 });
    const label = (o: Order) => (kept.has(o.country) ? o.country : 'Others');
    const expected = [...groupBy(allOrders, (o) => `${label(o)}|${month(o)}`).values()]
      .map((group) => [label(group[0]), month(group[0]), quantityOf(group)] as [string, string, number])
      .sort((a, b) => compareNullsLast(a[0], b[0]) || compareNullsLast(a[1], b[1]))
      .map(([value, bucket, quantity], i, all) => {
        const running = sum(
          all
            .slice(0, i + 1)
            .filter((r) => r[0] === value)
            .map((r) => r[2]),
        );
        return [bucket, value, quantity, running];
      });
    const full = await run(runner, ir());
    expect(full.rows).toEqual(close(expected));
    const cut = await run(runner, ir(3));
    expect(cut.rows).toEqual(close(expected.slice(0, 3)));
    expect(cut.fetched).toBe(4);
  });

  it.skipIf(!runner.available)('without others, drops the other values before grouping', async () => {
    const { rows } = await run(
      runner,
      body({
        dimensions: [{ field: 'date', granularity: 'quarter' }, 'country'],
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        top: { dimension: 'country', by: 'sum_quantity', n: 2 },
        sorts: ['date_quarter', 'country'],
      }),
    );
    const kept = keptValues(allOrders, country, { n: 2 });
    const expected = [
      ...groupBy(
        allOrders.filter((o) => kept.has(o.country)),
        (o) => `${periods.quarter.of(o)}|${o.country}`,
      ).values(),
    ]
      .map((group) => [periods.quarter.of(group[0]), group[0].country, quantityOf(group)])
      .sort(
        (a, b) =>
          compareNullsLast(a[0] as string, b[0] as string) ||
          compareNullsLast(a[1] as string, b[1] as string),
      );
    expect(rows).toEqual(close(expected));
  });
});

// ---------------------------------------------------------------------------------------------
// Previous periods past the date filter (previous.ts).

const previousPost = [
  { id: 'previous', type: 'previous_period', of: 'sum_quantity' },
  { id: 'difference', type: 'difference', of: 'sum_quantity' },
  { id: 'change', type: 'percent_change', of: 'sum_quantity' },
];

interface PreviousCase {
  /** The orders the query shows. */
  shown: Order[];
  /** The orders the previous months are summed from. */
  before: Order[];
  /** The month of an order (UTC by default). */
  monthOf?: (o: Order) => string;
  /** A second dimension's value, whose previous month is its own. */
  other?: (o: Order) => string | null;
}

/** Rows of [month, (other,) quantity, previous, difference, change], by month then other. */
function expectedPrevious({ shown, before, monthOf = periods.month.of, other }: PreviousCase) {
  const keyOf = (month: string, value: string | null) => JSON.stringify([month, value]);
  const otherOf = (o: Order) => (other ? other(o) : null);
  const previous = groupBy(before, (o) => keyOf(monthOf(o), otherOf(o)));
  return [...groupBy(shown, (o) => keyOf(monthOf(o), otherOf(o))).values()]
    .map((group) => ({ month: monthOf(group[0]), value: otherOf(group[0]), quantity: quantityOf(group) }))
    .sort((a, b) => compareNullsLast(a.month, b.month) || compareNullsLast(a.value, b.value))
    .map(({ month, value, quantity }) => {
      const prior = previous.get(keyOf(periods.month.back(month), value));
      const last = prior ? quantityOf(prior) : null;
      return [
        month,
        ...(other ? [value] : []),
        quantity,
        last,
        last === null ? null : quantity - last,
        last ? (quantity - last) / Math.abs(last) : null,
      ];
    });
}

const byMonth = (extra: Record<string, unknown>) =>
  body({
    dimensions: [{ field: 'date', granularity: 'month' }],
    metrics: [{ field: 'quantity', aggregation: 'sum' }],
    post: previousPost,
    ...extra,
  });

const from = (date: string) => (o: Order) => o.date >= date;

describe.each(runners)('previous periods past the date filter on $dialect', (runner) => {
  it.skipIf(!runner.available)(
    "a range's first month compares with the month before it; a limit changes nothing",
    async () => {
      const range = { field: 'date', operator: 'between', values: ['2024-02-10', '2024-04-30'] };
      const full = await run(runner, byMonth({ filters: range }));
      const shown = allOrders.filter((o) => o.date >= '2024-02-10' && o.date <= '2024-04-30');
      const expected = expectedPrevious({ shown, before: allOrders });
      // February's previous month is January's 5, outside the range; March's is all of
      // February (6), though the range shows only February from the 10th on (5).
      expect(expected.slice(0, 2)).toEqual([
        ['2024-02-01', 5, 5, 0, 0],
        ['2024-03-01', 6, 6, 0, 0],
      ]);
      expect(full.rows).toEqual(close(expected));
      // The previous rows are read from the start of the month before the range's on.
      expect(full.params).toContain('2024-01-01');
      const cut = await run(runner, byMonth({ filters: range, limit: 2 }));
      expect(cut.rows).toEqual(full.rows.slice(0, 2));
      expect(cut.fetched).toBe(3);
    },
  );

  it.skipIf(!runner.available)('the same for each other dimension, from a lower bound', async () => {
    const { rows } = await run(
      runner,
      body({
        dimensions: [{ field: 'date', granularity: 'month' }, 'country'],
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        filters: {
          and: [
            { field: 'date', operator: '>=', values: ['2024-02-10'] },
            { field: 'quantity', operator: '>', values: [0] },
          ],
        },
        post: previousPost,
      }),
    );
    const expected = expectedPrevious({
      shown: allOrders.filter(from('2024-02-10')),
      before: allOrders,
      other: (o) => o.country,
    });
    // DE in March compares with DE's February (1), before the bound.
    expect(expected).toContainEqual(['2024-03-01', 'DE', 2, 1, 1, 1]);
    expect(rows).toEqual(close(expected));
  });

  it.skipIf(!runner.available)('a relative filter in a zone, with a pinned now', async () => {
    if (runner.dialect === 'mysql') await ensureMysqlTimeZones();
    const timezone = 'Pacific/Kiritimati';
    const { rows } = await run(
      runner,
      body({
        dimensions: [{ field: 'created_at', granularity: 'month' }],
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        filters: { field: 'created_at', operator: 'relative', values: ['last', 2, 'month'] },
        post: previousPost,
        timezone,
      }),
    );
    const localMonth = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
    });
    const monthOf = (o: Order) => `${localMonth.format(new Date(`${o.createdAt.replace(' ', 'T')}Z`))}-01`;
    // Now is 21 April 02:00 there: the last two whole months are February and March; 29 February
    // 12:00 UTC is already March there.
    const expected = expectedPrevious({
      shown: allOrders.filter((o) => ['2024-02-01', '2024-03-01'].includes(monthOf(o))),
      before: allOrders,
      monthOf,
    });
    expect(expected.map((row) => row.slice(0, 3))).toEqual([
      ['2024-02-01', 1, 5],
      ['2024-03-01', 11, 1],
    ]);
    expect(rows.map(([month, ...rest]) => [String(month).slice(0, 10), ...rest])).toEqual(close(expected));
  });

  it.skipIf(!runner.available)('row policies apply to the previous values, also on the date', async () => {
    const filters = { field: 'date', operator: '>=', values: ['2024-02-01'] };
    const policed = await run(runner, byMonth({ filters }), { model: countryPolicy, who: frenchAndGerman });
    const seen = allOrders.filter(inFranceOrGermany);
    expect(policed.rows).toEqual(
      close(expectedPrevious({ shown: seen.filter(from('2024-02-01')), before: seen })),
    );
    // A policy on the date field itself is kept in the previous rows: 20 January is hidden.
    const dates = allOrders.map((o) => o.date).filter((date) => date !== '2024-01-20');
    const datePolicy: Model = { ...shopModel, policies: [{ field: 'date', attribute: 'days' }] };
    const { rows } = await run(runner, byMonth({ filters }), {
      model: datePolicy,
      who: principal({ attributes: { days: dates } }),
    });
    const visible = allOrders.filter((o) => dates.includes(o.date));
    const expected = expectedPrevious({ shown: visible.filter(from('2024-02-01')), before: visible });
    expect(expected[0]).toEqual(['2024-02-01', 6, 2, 4, 2]);
    expect(rows).toEqual(close(expected));
  });

  it.skipIf(!runner.available)(
    'a rule on the date inside an "or" stays: the first month has none',
    async () => {
      const filters = {
        or: [
          { field: 'date', operator: '>=', values: ['2024-02-01'] },
          { field: 'country', operator: '=', values: ['nowhere'] },
        ],
      };
      const { rows } = await run(runner, byMonth({ filters }));
      const shown = allOrders.filter(from('2024-02-01'));
      expect(rows).toEqual(close(expectedPrevious({ shown, before: shown })));
      expect(rows[0].slice(2)).toEqual([null, null, null]);
    },
  );

  it.skipIf(!runner.available)('a metric filter chooses the months shown, not their previous', async () => {
    const { rows } = await run(
      runner,
      byMonth({ filters: { field: 'sum_quantity', operator: '>=', values: [6] } }),
    );
    const months = groupBy(allOrders, periods.month.of);
    const shown = allOrders.filter((o) => quantityOf(months.get(periods.month.of(o))!) >= 6);
    // January (5) is filtered out, and still February's previous month.
    expect(rows).toEqual(close(expectedPrevious({ shown, before: allOrders })));
    expect(rows[0]).toEqual(['2024-02-01', 6, 5, 1, 0.2]);
  });

  it.skipIf(!runner.available)('Others compares with the same values folded a month back', async () => {
    const { rows } = await run(
      runner,
      body({
        dimensions: [{ field: 'date', granularity: 'month' }, 'country'],
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        filters: { field: 'date', operator: '>=', values: ['2024-02-01'] },
        top: { dimension: 'country', by: 'sum_quantity', n: 1, others: true },
        post: previousPost,
        sorts: ['date_month', 'country'],
      }),
    );
    const shown = allOrders.filter(from('2024-02-01'));
    // Ranked over the shown rows: the US is kept, FR (January's only country) is folded.
    const kept = keptValues(shown, (o) => o.country, { n: 1 });
    const other = (o: Order) => (kept.has(o.country) ? o.country : 'Others');
    const expected = expectedPrevious({ shown, before: allOrders, other });
    expect(expected).toContainEqual(['2024-02-01', 'Others', 1, 5, -4, -0.8]);
    expect(rows).toEqual(close(expected));
  });

  it.skipIf(!runner.available)('a top N of months compares with months it drops', async () => {
    const { rows } = await run(
      runner,
      byMonth({ top: { dimension: 'date_month', by: 'sum_quantity', n: 2 }, sorts: ['date_month'] }),
    );
    const kept = keptValues(allOrders, periods.month.of, { n: 2 });
    const shown = allOrders.filter((o) => kept.has(periods.month.of(o)));
    // April (8) and February (6, before March's tie) are kept; January and March are read.
    expect(rows).toEqual(close(expectedPrevious({ shown, before: allOrders })));
    expect(rows.map((row) => row[2])).toEqual([5, 6]);
  });

  it.skipIf(!runner.available)('in a pivot, each column compares with its own previous month', async () => {
    const service = serviceOver(runner, shopModel);
    const pivotBody = {
      source: 'shop',
      dimensions: [{ field: 'date', granularity: 'month' }, 'country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      filters: { field: 'date', operator: '>=', values: ['2024-02-01'] },
      post: [{ id: 'previous', type: 'previous_period', of: 'sum_quantity' }],
      pivot: { columns: ['country'] },
    };
    const answer = await service.run(admin, pivotBody);
    const ids = (await service.compile(admin, pivotBody)).columns.map((c) => c.id);
    const shown = allOrders.filter(from('2024-02-01'));
    const countries = [...new Set(shown.map((o) => o.country))];
    const quantityIn = (month: string, country?: string | null) => {
      const orders = allOrders.filter(
        (o) => periods.month.of(o) === month && (country === undefined || o.country === country),
      );
      return orders.length > 0 ? quantityOf(orders) : null;
    };
    const months = [...new Set(shown.map(periods.month.of))].sort();
    expect(answer.rows.map((row) => row[0])).toEqual(months);
    answer.rows.forEach((row, r) => {
      const back = periods.month.back(months[r]);
      const cell = (id: string) => row[ids.indexOf(id)];
      for (const country of countries)
        expect(cell(`previous|${country ?? '∅'}`), `${months[r]} ${country}`).toEqual(
          quantityIn(back, country),
        );
      expect(cell('previous'), months[r]).toEqual(quantityIn(back));
    });
    // February's FR column is empty, yet its previous month is January's 5.
    expect(answer.rows[0][ids.indexOf('previous|FR')]).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------
// What is refused, and where.

function refusal(ir: Record<string, unknown>): { field?: string; message: string } {
  try {
    compileQuery(shopModel, body(ir), { dialect: 'duckdb', principal: admin, maxRows: 100 });
  } catch (error) {
    if (error instanceof RosettaError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('validation of post calculations, post filters and top N', () => {
  const grouped = {
    dimensions: [{ field: 'date', granularity: 'month' }, 'country'],
    metrics: [{ field: 'quantity', aggregation: 'sum' }],
  };
  it.each([
    ['of names no metric', { post: [{ id: 'x', type: 'rank', of: 'country' }] }, 'post[0].of'],
    [
      'partitionBy names no dimension',
      { post: [{ id: 'x', type: 'running_total', of: 'sum_quantity', partitionBy: ['sum_quantity'] }] },
      'post[0].partitionBy[0]',
    ],
    [
      'an id taken by a metric',
      { post: [{ id: 'sum_quantity', type: 'rank', of: 'sum_quantity' }] },
      'post[0].id',
    ],
    [
      'an id given twice',
      {
        post: [
          { id: 'r', type: 'rank', of: 'sum_quantity' },
          { id: 'r', type: 'rank', of: 'sum_quantity' },
        ],
      },
      'post[1].id',
    ],
    ['an empty id', { post: [{ id: '', type: 'rank', of: 'sum_quantity' }] }, 'post[0].id'],
    [
      'a formula naming a later calculation',
      {
        post: [
          { id: 'f', type: 'formula', formula: 'r * 2' },
          { id: 'r', type: 'rank', of: 'sum_quantity' },
        ],
      },
      'post[0].formula',
    ],
    [
      'a formula naming a text dimension',
      { post: [{ id: 'f', type: 'formula', formula: 'country + 1' }] },
      'post[0].formula',
    ],
    [
      'a formula that does not parse',
      { post: [{ id: 'f', type: 'formula', formula: 'sum_quantity +' }] },
      'post[0].formula',
    ],
    [
      'a post filter on an unknown id',
      { postFilters: { field: 'nope', operator: '>', values: [1] } },
      'postFilters.field',
    ],
    [
      'a post filter operator that does not fit',
      { postFilters: { field: 'sum_quantity', operator: 'contains', values: ['1'] } },
      'postFilters.operator',
    ],
    [
      'a post filter value that does not fit',
      { postFilters: { field: 'date_month', operator: '>', values: ['soon'] } },
      'postFilters.values[0]',
    ],
    [
      'top on a dimension not in the query',
      { top: { dimension: 'segment', by: 'sum_quantity', n: 3 } },
      'top.dimension',
    ],
    ['top by a metric not in the query', { top: { dimension: 'country', by: 'revenue', n: 3 } }, 'top.by'],
    [
      'a sort on an unknown id',
      { post: [{ id: 'r', type: 'rank', of: 'sum_quantity' }], sorts: ['rr'] },
      'sorts[0].field',
    ],
  ])('%s', (_name, extra, field) => {
    expect(refusal({ ...grouped, ...extra }).field).toBe(field);
  });

  it('previous-period calculations need a dimension bucketed by a period', () => {
    const previous = { post: [{ id: 'p', type: 'percent_change', of: 'sum_quantity' }] };
    const weekday = { dimensions: [{ field: 'date', granularity: 'day_of_week' }], metrics: grouped.metrics };
    expect(refusal({ ...weekday, ...previous })).toEqual({
      field: 'post[0].type',
      message: expect.stringContaining('needs a dimension bucketed by a period'),
    });
    const folded = {
      ...grouped,
      top: { dimension: 'date', by: 'sum_quantity', n: 2, others: true },
      ...previous,
    };
    expect(refusal(folded).field).toBe('post[0].type');
  });

  it('raw rows have no post stage', () => {
    expect(
      refusal({ dimensions: ['country'], aggregate: false, top: { dimension: 'country', by: 'x', n: 1 } })
        .field,
    ).toBe('top');
    expect(
      refusal({
        dimensions: ['country'],
        aggregate: false,
        postFilters: { field: 'country', operator: 'null', values: [] },
      }).field,
    ).toBe('postFilters');
  });

  it('the Others flag is a reserved name', () => {
    const ir = {
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum', alias: '__others' }],
      top: { dimension: 'country', by: '__others', n: 1, others: true },
    };
    expect(refusal(ir).field).toBe('top.others');
  });

  it('sums and changes need a numeric metric; a rank or previous value of a date does not', () => {
    const dated = { ...grouped, metrics: [{ field: 'date', aggregation: 'min' }] };
    for (const type of ['running_total', 'percent_of_total', 'difference', 'percent_change']) {
      expect(refusal({ ...dated, post: [{ id: 'x', type, of: 'min_date' }] })).toEqual({
        field: 'post[0].of',
        message: expect.stringContaining('min_date is a date'),
      });
    }
    const ir = body({
      ...dated,
      post: [
        { id: 'r', type: 'rank', of: 'min_date' },
        { id: 'p', type: 'previous_period', of: 'min_date' },
      ],
      // A date metric and its previous value are filtered as dates.
      postFilters: { field: 'p', operator: '>=', values: ['2024-02-01'] },
    });
    expect(() =>
      compileQuery(shopModel, ir, { dialect: 'duckdb', principal: admin, maxRows: 100 }),
    ).not.toThrow();
  });

  it('post columns are calculations: shares and changes percents, ranks integers', () => {
    const ir = body({
      ...allCalculations,
      top: { dimension: 'country', by: 'sum_quantity', n: 2, others: true },
    });
    const { columns } = compileQuery(shopModel, ir, { dialect: 'duckdb', principal: admin, maxRows: 100 });
    expect(columns.map(({ id, kind, format }) => [id, kind, format])).toEqual([
      ['date_month', 'dimension', 'date'],
      ['country', 'dimension', undefined],
      ['sum_quantity', 'metric', 'integer'],
      ['running', 'calculation', 'integer'],
      ['cumulative', 'calculation', 'integer'],
      ['share', 'calculation', 'percent'],
      ['share_in_month', 'calculation', 'percent'],
      ['rank', 'calculation', 'integer'],
      ['rank_up', 'calculation', 'integer'],
      ['previous', 'calculation', 'integer'],
      ['difference', 'calculation', 'integer'],
      ['change', 'calculation', 'percent'],
      ['before', 'calculation', undefined],
      ['share_pct', 'calculation', undefined],
    ]);
  });

  it('a top dimension may be named by its field', () => {
    const ir = body({ ...grouped, top: { dimension: 'date', by: 'sum_quantity', n: 2 } });
    const { sql } = compileQuery(shopModel, ir, { dialect: 'duckdb', principal: admin, maxRows: 100 });
    expect(sql).toContain('"__ranked"');
  });

  it('a query without post steps keeps its single SELECT', () => {
    const { sql } = compileQuery(shopModel, body(grouped), {
      dialect: 'duckdb',
      principal: admin,
      maxRows: 100,
    });
    expect(sql).toMatch(/^SELECT /);
  });
});
