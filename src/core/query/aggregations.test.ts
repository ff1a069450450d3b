import { afterAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { validateModelDefinition } from '../data/model-validation.ts';
import type { ModelDefinition } from '../data/types.ts';
import { RosettaError } from '../errors.ts';
import { compileQuery } from './compile.ts';
import type { FilterNode, QueryIr } from './ir.ts';
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
  shopModel,
} from './testkit.ts';

/**
 * New aggregations, filtered metrics, `not` and attribute values, run on DuckDB, PostgreSQL and
 * MariaDB and checked against values computed here from the fixture rows (or a plain query).
 */
const runners: SqlRunner[] = await Promise.all([duckdbRunner(), postgresRunner(), mysqlRunner()]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

const body = (query: Record<string, unknown>): QueryIr => parseQueryBody({ source: 'shop', ...query }).ir;

// ---------------------------------------------------------------------------------------------
// The fixture in JS, and the statistics computed independently of any engine.

interface Order {
  id: number;
  country: string | null;
  quantity: number;
  price: number;
  cost: number;
  note: string | null;
  paid: boolean;
  segment: string | null;
  customer: string | null;
}

const customers = new Map(customerRows.map(([id, name, segment]) => [id, { name, segment }]));
const allOrders: Order[] = orderRows.map((row) => {
  const [id, country, , , quantity, price, cost, customerId, note, paid] = row;
  const customer = customers.get(customerId);
  return {
    id: id as number,
    country: country as string | null,
    quantity: quantity as number,
    price: price as number,
    cost: cost as number,
    note: note as string | null,
    paid: paid as boolean,
    segment: (customer?.segment ?? null) as string | null,
    customer: (customer?.name ?? null) as string | null,
  };
});

/** PERCENTILE_CONT: linear interpolation between the two closest ranks. */
function percentileCont(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
}

/** Sample variance (n − 1); undefined for fewer than two values. */
function sampleVariance(values: number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (values.length - 1);
}

const sampleStddev = (values: number[]): number | null => {
  const variance = sampleVariance(values);
  return variance === null ? null : Math.sqrt(variance);
};

const sum = (values: number[]): number | null =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0);

/** Order of the engines' default sort: ascending, NULLs last. */
const byKey = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** The orders grouped by country, in the order a grouped query returns them. */
function byCountry(orders: Order[]): Array<[string | null, Order[]]> {
  const groups = new Map<string | null, Order[]>();
  for (const order of orders) groups.set(order.country, [...(groups.get(order.country) ?? []), order]);
  return [...groups].sort(([a], [b]) => byKey(a, b));
}

// ---------------------------------------------------------------------------------------------
// The three ways every result is checked: all rows, a row policy on, and the row cap cutting.

const segmentPolicy: Model = { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] };

interface Setting {
  name: string;
  model: Model;
  who: Principal;
  maxRows: number;
  /** The orders the setting lets the caller see. */
  visible: (order: Order) => boolean;
}

const settings: Setting[] = [
  { name: 'all rows', model: shopModel, who: admin, maxRows: 100, visible: () => true },
  {
    name: 'a row policy on',
    model: segmentPolicy,
    who: principal({ attributes: { segment: ['A'] } }),
    maxRows: 100,
    visible: (order) => order.segment === 'A',
  },
  { name: 'the row cap cutting', model: shopModel, who: admin, maxRows: 2, visible: () => true },
];

async function run(runner: SqlRunner, ir: QueryIr, setting: Setting, who = setting.who) {
  const query = compileQuery(setting.model, ir, {
    dialect: runner.dialect,
    principal: who,
    maxRows: setting.maxRows,
    now: pinnedNow,
  });
  // As an engine does: one row more than the cap tells a cut.
  const rows = await runner.run(query);
  return { rows: rows.slice(0, query.rowCap), truncated: rows.length > query.rowCap };
}

/** What `run` must give for these expected rows of the whole query: the cap cuts them. */
const capped = (expected: unknown[][], setting: Setting) => ({
  rows: expected
    .slice(0, setting.maxRows)
    .map((row) => row.map((cell) => (typeof cell === 'number' ? expect.closeTo(cell, 9) : cell))),
  truncated: expected.length > setting.maxRows,
});

const refusal = (field: string, message: RegExp) =>
  expect.objectContaining({ code: 'ERR_VALIDATION', field, message: expect.stringMatching(message) });

const orderedSet = (runner: SqlRunner) => runner.dialect !== 'mysql';

// ---------------------------------------------------------------------------------------------

describe.each(runners)('aggregations on $dialect', (runner) => {
  it.skipIf(!runner.available).each(settings)(
    'median, percentile, stddev and variance per group match the fixture rows ($name)',
    async (setting) => {
      const statistics = [
        { field: 'price', aggregation: 'stddev' },
        { field: 'quantity', aggregation: 'variance' },
        { field: 'quantity', aggregation: 'stddev', alias: 'sd_quantity' },
      ];
      const ordered = [
        { field: 'price', aggregation: 'median' },
        { field: 'price', aggregation: 'percentile', percentile: 0.9, alias: 'p90' },
        { field: 'quantity', aggregation: 'percentile', percentile: 0.25, alias: 'q25' },
        { field: 'quantity', aggregation: 'percentile', percentile: 0, alias: 'q0' },
        { field: 'quantity', aggregation: 'percentile', percentile: 1, alias: 'q100' },
      ];
      const ir = body({
        dimensions: ['country'],
        metrics: orderedSet(runner) ? [...statistics, ...ordered] : statistics,
      });
      const expected = byCountry(allOrders.filter(setting.visible)).map(([country, orders]) => {
        const prices = orders.map((o) => o.price);
        const quantities = orders.map((o) => o.quantity);
        const row: unknown[] = [
          country,
          sampleStddev(prices),
          sampleVariance(quantities),
          sampleStddev(quantities),
        ];
        if (orderedSet(runner)) {
          row.push(
            percentileCont(prices, 0.5),
            percentileCont(prices, 0.9),
            percentileCont(quantities, 0.25),
            Math.min(...quantities),
            Math.max(...quantities),
          );
        }
        return row;
      });
      expect(await run(runner, ir, setting)).toEqual(capped(expected, setting));
    },
  );

  it.skipIf(!runner.available)('aggregations of the whole result, in a formula and in HAVING', async () => {
    const setting = settings[0];
    const ir = body({
      dimensions: ['segment'],
      metrics: [
        { field: 'price', aggregation: 'variance' },
        { field: 'price', aggregation: 'stddev' },
        { name: 'cv', formula: 'stddev_price / avg_price' },
        { field: 'price', aggregation: 'avg' },
      ],
      filters: { field: 'variance_price', operator: '>', values: [500] },
    });
    const expected = [...new Set(allOrders.map((o) => o.segment))]
      .sort(byKey)
      .map((segment) => {
        const values = allOrders.filter((o) => o.segment === segment).map((o) => o.price);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        return [segment, sampleVariance(values), sampleStddev(values), sampleStddev(values)! / mean, mean];
      })
      .filter((row) => (row[1] as number) > 500);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(new Set(allOrders.map((o) => o.segment)).size);
    expect(await run(runner, ir, setting)).toEqual(capped(expected, setting));
  });

  // Only where the engine has it: elsewhere no test at all, rather than a skipped one.
  if (orderedSet(runner)) {
    it.skipIf(!runner.available)(
      'a percentile model metric, filtered by the query and used in HAVING',
      async () => {
        const model: Model = {
          ...shopModel,
          metrics: [
            ...shopModel.metrics,
            {
              name: 'p75_price',
              table: 'orders',
              aggregation: 'percentile',
              column: 'price',
              percentile: 0.75,
            },
            { name: 'median_spread', table: 'orders', formula: 'p75_price - median_price' },
            { name: 'median_price', table: 'orders', aggregation: 'median', column: 'price' },
          ],
        };
        const setting: Setting = { ...settings[0], model };
        const ir = body({
          dimensions: ['country'],
          metrics: [
            { metric: 'median_spread', filters: { field: 'paid', operator: '=', values: [true] } },
            { metric: 'p75_price' },
          ],
          filters: { field: 'p75_price', operator: '<', values: [50] },
        });
        const expected = byCountry(allOrders)
          .map(([country, orders]) => {
            const paid = orders.filter((o) => o.paid).map((o) => o.price);
            const all = orders.map((o) => o.price);
            const spread =
              paid.length === 0 ? null : percentileCont(paid, 0.75)! - percentileCont(paid, 0.5)!;
            return [country, spread, percentileCont(all, 0.75)];
          })
          .filter((row) => (row[2] as number) < 50);
        expect(await run(runner, ir, setting)).toEqual(capped(expected, setting));
      },
    );
  }

  // Only where the engine has it: elsewhere no test at all, rather than a skipped one.
  if (runner.dialect === 'mysql') {
    it('MySQL/MariaDB refuse median and percentile with a 400 naming the aggregation and the engine', () => {
      const compile = (model: Model, ir: QueryIr) => () =>
        compileQuery(model, ir, { dialect: 'mysql', principal: admin, maxRows: 100 });
      expect(compile(shopModel, body({ metrics: [{ field: 'price', aggregation: 'median' }] }))).toThrow(
        refusal('metrics[0]', /^metrics\[0\]: aggregation "median" is not supported on MySQL\/MariaDB$/),
      );
      const p90 = { field: 'price', aggregation: 'percentile', percentile: 0.9 };
      expect(compile(shopModel, body({ metrics: [{ aggregation: 'count' }, p90] }))).toThrow(
        refusal('metrics[1]', /aggregation "percentile" is not supported on MySQL\/MariaDB/),
      );
      const model: Model = {
        ...shopModel,
        metrics: [{ name: 'typical', table: 'orders', aggregation: 'median', column: 'price' }],
      };
      // A model metric named only in a filter is refused too, at the filter naming it.
      const having = body({
        dimensions: ['country'],
        filters: { and: [{ field: 'typical', operator: '>', values: [1] }] },
      });
      expect(compile(model, having)).toThrow(
        refusal('filters.and[0].field', /aggregation "median" is not supported on MySQL\/MariaDB/),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe.each(runners)('filtered metrics on $dialect', (runner) => {
  /** Each metric filter, as the plain filter of the query it must agree with. */
  const metricFilters: Array<{ name: string; filter: FilterNode }> = [
    { name: 'a boolean field', filter: { field: 'paid', operator: '=', values: [true] } },
    { name: 'a field of a joined table', filter: { field: 'segment', operator: '=', values: ['B'] } },
    {
      name: 'a not over a rule that is NULL for some rows',
      filter: { not: { field: 'note', operator: 'contains', values: ['o'] } },
    },
  ];
  const cases = settings.flatMap((setting) => metricFilters.map((f) => ({ ...f, setting })));

  it.skipIf(!runner.available).each(cases)(
    'give per group what the plain query filtered on $name gives ($setting.name)',
    async ({ filter, setting }) => {
      const aggregates = [
        { field: 'quantity', aggregation: 'sum' },
        { aggregation: 'count' },
        { field: 'price', aggregation: 'avg' },
        { metric: 'margin' },
        { field: 'customers.name', aggregation: 'count_distinct' },
        ...(orderedSet(runner) ? [{ field: 'price', aggregation: 'median' }] : []),
        { field: 'price', aggregation: 'stddev' },
      ];
      const filtered = body({
        dimensions: ['country'],
        metrics: [
          ...aggregates.map((metric, i) => ({ ...metric, filters: filter, alias: `f${i}` })),
          { field: 'quantity', aggregation: 'sum', alias: 'all_quantity' },
        ],
        // By a filtered metric: on MySQL its bound values must be bound again for ORDER BY.
        sorts: [{ field: 'f0', descending: true }, 'country'],
      });
      const plain = body({ dimensions: ['country'], metrics: aggregates, filters: filter });
      const everything = { ...setting, maxRows: 100 };
      const reference = new Map(
        (await run(runner, plain, everything)).rows.map((row) => [row[0], row.slice(1)]),
      );
      const expected = byCountry(allOrders.filter(setting.visible))
        .map(([country, orders]) => {
          // A group without matching rows: counts are 0, every other aggregate NULL.
          const empty = aggregates.map((m) => (m.aggregation?.startsWith('count') ? 0 : null));
          const values = reference.get(country) ?? empty;
          return [country, ...values, sum(orders.map((o) => o.quantity))] as [string | null, ...unknown[]];
        })
        // As the query sorts: by the first filtered metric descending (NULLs last), then country.
        .sort(
          ([countryA, a], [countryB, b]) =>
            ((b as number) ?? -1) - ((a as number) ?? -1) || byKey(countryA, countryB),
        );
      expect(await run(runner, filtered, setting)).toEqual(capped(expected, setting));
    },
  );

  it.skipIf(!runner.available)('inlined for the SQL runner, give the rows bound values give', async () => {
    const ir = body({
      dimensions: ['country'],
      metrics: [
        { aggregation: 'count', filters: { field: 'note', operator: 'in', values: ["a'b", 'x\\y\u0001'] } },
        { field: 'quantity', aggregation: 'sum', filters: { field: 'paid', operator: '=', values: [true] } },
      ],
      sorts: [{ field: 'sum_quantity', descending: false }],
    });
    const options = { dialect: runner.dialect, principal: admin, maxRows: 100, now: pinnedNow };
    const bound = compileQuery(shopModel, ir, options);
    const inlined = compileQuery(shopModel, ir, { ...options, inline: true });
    expect(inlined.params).toEqual([]);
    // ORDER BY repeats the filtered metric: its values are bound again (twice on MySQL).
    expect(bound.params).toEqual(
      runner.dialect === 'mysql' ? ["a'b", 'x\\y\u0001', true, true, true] : ["a'b", 'x\\y\u0001', true],
    );
    expect(await runner.run(inlined)).toEqual(await runner.run(bound));
  });

  it.skipIf(!runner.available).each(settings)(
    'in formulas, in HAVING and inside a not ($name)',
    async (setting) => {
      const paid = { field: 'paid', operator: '=', values: [true] };
      const ir = body({
        dimensions: ['country'],
        metrics: [
          { field: 'quantity', aggregation: 'sum', filters: paid, alias: 'paid_quantity' },
          { field: 'quantity', aggregation: 'sum' },
          { name: 'paid_share', formula: 'paid_quantity / sum_quantity' },
        ],
        filters: {
          and: [
            { field: 'paid_quantity', operator: '>=', values: [2] },
            { not: { field: 'paid_share', operator: '>', values: [0.9] } },
          ],
        },
      });
      const expected = byCountry(allOrders.filter(setting.visible))
        .map(([country, orders]) => {
          const paidQuantity = sum(orders.filter((o) => o.paid).map((o) => o.quantity));
          const all = sum(orders.map((o) => o.quantity))!;
          return [country, paidQuantity, all, paidQuantity === null ? null : paidQuantity / all];
        })
        .filter(([, paidQuantity, , share]) => (paidQuantity as number) >= 2 && !((share as number) > 0.9));
      expect(expected.length).toBeGreaterThan(0);
      expect(await run(runner, ir, setting)).toEqual(capped(expected, setting));
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe.each(runners)('not on $dialect', (runner) => {
  const ids = (filters: unknown): QueryIr => body({ dimensions: ['orders.id'], filters });
  const cases: Array<{ name: string; filters: unknown; keeps: (o: Order) => boolean }> = [
    {
      name: 'not (=) keeps the NULL rows',
      filters: { not: { field: 'country', operator: '=', values: ['FR'] } },
      keeps: (o) => o.country !== 'FR',
    },
    {
      name: 'not over an and that is NULL or false',
      filters: {
        not: {
          and: [
            { field: 'country', operator: '=', values: ['FR'] },
            { field: 'quantity', operator: '>', values: [2] },
          ],
        },
      },
      keeps: (o) => !(o.country === 'FR' && o.quantity > 2),
    },
    {
      name: 'not over an or, on a joined table',
      filters: {
        not: {
          or: [
            { field: 'segment', operator: '=', values: ['B'] },
            { field: 'note', operator: 'null' },
          ],
        },
      },
      keeps: (o) => o.segment !== 'B' && o.note !== null,
    },
    {
      name: 'not not is the rule, NULL rows out',
      filters: { not: { not: { field: 'country', operator: '=', values: ['FR'] } } },
      keeps: (o) => o.country === 'FR',
    },
    {
      name: 'not of an empty group adds no condition',
      filters: { and: [{ not: { and: [] } }, { field: 'quantity', operator: '<', values: [3] }] },
      keeps: (o) => o.quantity < 3,
    },
  ];
  const all = settings.flatMap((setting) => cases.map((c) => ({ ...c, setting })));

  it.skipIf(!runner.available).each(all)('$name ($setting.name)', async ({ filters, keeps, setting }) => {
    const expected = allOrders
      .filter((o) => setting.visible(o) && keeps(o))
      .map((o) => [o.id])
      .sort((a, b) => a[0] - b[0]);
    expect(expected.length).toBeGreaterThan(0);
    expect(await run(runner, ids(filters), setting)).toEqual(capped(expected, setting));
  });

  it.skipIf(!runner.available).each(settings)(
    'not on a metric keeps the groups it is NULL for ($name)',
    async (setting) => {
      const ir = body({
        dimensions: ['country'],
        metrics: [
          { field: 'quantity', aggregation: 'sum' },
          {
            field: 'quantity',
            aggregation: 'sum',
            filters: { field: 'paid', operator: '=', values: [false] },
            alias: 'unpaid',
          },
        ],
        filters: { not: { field: 'unpaid', operator: '>', values: [1] } },
      });
      const expected = byCountry(allOrders.filter(setting.visible))
        .map(([country, orders]) => [
          country,
          sum(orders.map((o) => o.quantity)),
          sum(orders.filter((o) => !o.paid).map((o) => o.quantity)),
        ])
        .filter(([, , unpaid]) => !((unpaid as number | null) !== null && (unpaid as number) > 1));
      expect(expected.some(([, , unpaid]) => unpaid === null)).toBe(true);
      expect(await run(runner, ir, setting)).toEqual(capped(expected, setting));
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe.each(runners)('attribute values on $dialect', (runner) => {
  const attribute = { attribute: 'countries' };
  const cases: Array<{
    name: string;
    filters: FilterNode | Record<string, unknown>;
    countries: string[] | undefined;
    keeps: (o: Order) => boolean;
  }> = [
    {
      name: 'in: the caller’s values',
      filters: { field: 'country', operator: 'in', values: [attribute] },
      countries: ['FR', 'DE'],
      keeps: (o) => o.country === 'FR' || o.country === 'DE',
    },
    {
      name: 'in: no value matches no row',
      filters: { field: 'country', operator: 'in', values: [attribute] },
      countries: undefined,
      keeps: () => false,
    },
    {
      name: '=: the rule’s own values join the caller’s',
      filters: { field: 'country', operator: '=', values: ['US', attribute] },
      countries: ['DE'],
      keeps: (o) => o.country === 'US' || o.country === 'DE',
    },
    {
      name: '=: the rule’s own values alone when the caller has none',
      filters: { field: 'country', operator: '=', values: ['US', attribute] },
      countries: [],
      keeps: (o) => o.country === 'US',
    },
    {
      name: '!=: excludes the caller’s values, NULLs kept',
      filters: { field: 'country', operator: '!=', values: [attribute] },
      countries: ['FR'],
      keeps: (o) => o.country !== 'FR',
    },
    {
      name: 'not in: no value keeps every row',
      filters: { field: 'country', operator: 'not in', values: [attribute] },
      countries: undefined,
      keeps: () => true,
    },
    {
      name: 'not over a rule without values: no row',
      filters: { not: { field: 'country', operator: 'not in', values: [attribute] } },
      countries: undefined,
      keeps: () => false,
    },
    {
      name: 'on an integer field, a value that is no integer matches nothing',
      filters: { field: 'quantity', operator: 'in', values: [{ attribute: 'quantities' }] },
      countries: undefined,
      keeps: (o) => o.quantity === 2,
    },
  ];
  const all = settings.flatMap((setting) => cases.map((c) => ({ ...c, setting })));

  it.skipIf(!runner.available).each(all)(
    '$name ($setting.name)',
    async ({ filters, countries, keeps, setting }) => {
      const attributes = {
        ...setting.who.attributes,
        quantities: ['2', 'x'],
        ...(countries && { countries }),
      };
      const ir = body({ dimensions: ['orders.id'], filters });
      const expected = allOrders
        .filter((o) => setting.visible(o) && keeps(o))
        .map((o) => [o.id])
        .sort((a, b) => a[0] - b[0]);
      expect(await run(runner, ir, setting, { ...setting.who, attributes })).toEqual(
        capped(expected, setting),
      );
    },
  );

  it.skipIf(!runner.available).each(settings)('in a metric’s own filter ($name)', async (setting) => {
    const mine = { field: 'country', operator: 'in', values: [attribute] };
    const ir = body({
      dimensions: ['segment'],
      metrics: [{ aggregation: 'count', filters: mine, alias: 'mine' }, { aggregation: 'count' }],
    });
    const who = { ...setting.who, attributes: { ...setting.who.attributes, countries: ['FR', 'US'] } };
    const segments = [...new Set(allOrders.filter(setting.visible).map((o) => o.segment))].sort(byKey);
    const expected = segments.map((segment) => {
      const orders = allOrders.filter((o) => setting.visible(o) && o.segment === segment);
      return [segment, orders.filter((o) => o.country === 'FR' || o.country === 'US').length, orders.length];
    });
    expect(await run(runner, ir, setting, who)).toEqual(capped(expected, setting));
  });
});

// ---------------------------------------------------------------------------------------------

describe('aggregation, metric filter, not and attribute errors', () => {
  const compileIr = (ir: QueryIr) =>
    compileQuery(shopModel, ir, { dialect: 'duckdb', principal: admin, maxRows: 100 });
  const compile = (query: Record<string, unknown>) => compileIr(body(query));
  const fails = (run: () => unknown, field: string, message: RegExp): void => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(RosettaError);
      expect((error as RosettaError).code).toBe('ERR_VALIDATION');
      expect((error as RosettaError).field).toBe(field);
      expect((error as RosettaError).message).toMatch(message);
      return;
    }
    throw new Error('expected a validation error');
  };

  it('parses the new aggregations, a metric filter, not and attribute values', () => {
    expect(
      body({
        metrics: [
          {
            field: 'price',
            aggregation: 'percentile',
            percentile: 0.9,
            filters: { field: 'paid', operator: '=', values: [true] },
          },
        ],
        filters: { not: { field: 'country', operator: 'in', values: ['FR', { attribute: 'countries' }] } },
      }),
    ).toMatchObject({
      metrics: [
        {
          kind: 'aggregate',
          aggregation: 'percentile',
          field: 'price',
          percentile: 0.9,
          filters: { field: 'paid', operator: '=', values: [true] },
        },
      ],
      filters: { not: { field: 'country', operator: 'in', values: ['FR'], attribute: 'countries' } },
    });
  });

  it('refuses a bad percentile, in the body and in an IR another face built', () => {
    const p =
      (percentile: unknown, aggregation = 'percentile') =>
      () =>
        body({ metrics: [{ field: 'price', aggregation, percentile }] });
    fails(p(1.5), 'metrics[0].percentile', /expected a number from 0 to 1, got number 1.5/);
    fails(p(undefined), 'metrics[0].percentile', /expected a number from 0 to 1/);
    fails(p('0.5'), 'metrics[0].percentile', /expected a number from 0 to 1, got the string "0.5"/);
    fails(p(0.5, 'median'), 'metrics[0].percentile', /only with "aggregation": "percentile"/);
    const ir = (percentile: number | undefined, aggregation: 'percentile' | 'sum'): QueryIr => ({
      dimensions: [],
      metrics: [{ kind: 'aggregate', aggregation, field: 'price', percentile }],
      sorts: [],
      offset: 0,
      aggregate: true,
    });
    fails(() => compileIr(ir(Number.NaN, 'percentile')), 'metrics[0].percentile', /from 0 to 1, got NaN/);
    fails(() => compileIr(ir(-0.1, 'percentile')), 'metrics[0].percentile', /from 0 to 1, got -0.1/);
    fails(() => compileIr(ir(0.5, 'sum')), 'metrics[0].percentile', /only with the "percentile" aggregation/);
  });

  it('takes the new aggregations on numeric fields only', () => {
    for (const aggregation of ['median', 'stddev', 'variance']) {
      fails(
        () => compile({ metrics: [{ field: 'country', aggregation }] }),
        'metrics[0]',
        new RegExp(`aggregation "${aggregation}" does not apply to the string field orders.country`),
      );
    }
    fails(
      () => compile({ metrics: [{ field: 'date', aggregation: 'percentile', percentile: 0.5 }] }),
      'metrics[0]',
      /does not apply to the date field orders.date/,
    );
  });

  it('refuses a metric in a metric filter', () => {
    fails(
      () =>
        compile({
          metrics: [
            { field: 'quantity', aggregation: 'sum' },
            {
              aggregation: 'count',
              filters: { and: [{ field: 'sum_quantity', operator: '>', values: [1] }] },
            },
          ],
        }),
      'metrics[1].filters.and[0].field',
      /a metric's filter may only name fields; "sum_quantity" is a metric/,
    );
    fails(
      () =>
        compile({
          metrics: [{ metric: 'margin', filters: { field: 'revenue', operator: '>', values: [1] } }],
        }),
      'metrics[0].filters.field',
      /"revenue" is a metric/,
    );
    fails(
      () => compile({ metrics: [{ aggregation: 'count', filters: { field: 'nope', operator: 'null' } }] }),
      'metrics[0].filters.field',
      /unknown field "nope"/,
    );
  });

  it('refuses a not mixing field and metric rules, like an or', () => {
    fails(
      () =>
        compile({
          dimensions: ['country'],
          metrics: [{ aggregation: 'count' }],
          filters: {
            not: {
              and: [
                { field: 'count', operator: '>', values: [1] },
                { field: 'paid', operator: '=', values: [true] },
              ],
            },
          },
        }),
      'filters',
      /"not" cannot mix field rules \(WHERE\) and metric rules \(HAVING\)/,
    );
  });

  it('takes attribute values with =, !=, in and not in only', () => {
    for (const operator of ['<', 'contains', 'between']) {
      fails(
        () =>
          compile({
            dimensions: ['country'],
            filters: { field: 'country', operator, values: [{ attribute: 'a' }] },
          }),
        'filters.operator',
        new RegExp(
          `operator "${operator}" does not take an \\{"attribute": …\\} value \\(only =, !=, in, not in do\\)`,
        ),
      );
    }
    fails(
      () =>
        compile({
          dimensions: ['country'],
          filters: { field: 'note', operator: 'in', values: [{ attribute: 'a', x: 1 }] },
        }),
      'filters.values[0].x',
      /is not a known property/,
    );
    fails(
      () =>
        compile({
          dimensions: ['country'],
          filters: { field: 'paid', operator: 'in', values: ['maybe', { attribute: 'a' }] },
        }),
      'filters.values[0]',
      /is not a valid boolean/,
    );
  });

  it('renders filtered aggregates as CASE inside the aggregate, the percentile as a literal', () => {
    const { sql, params } = compile({
      metrics: [
        { aggregation: 'count', filters: { field: 'paid', operator: '=', values: [true] }, alias: 'a' },
        {
          field: 'country',
          aggregation: 'count_distinct',
          filters: { field: 'paid', operator: '=', values: [true] },
        },
        { field: 'price', aggregation: 'percentile', percentile: 0.9 },
      ],
    });
    expect(sql).toContain('COUNT(CASE WHEN "orders"."paid" = $1 THEN 1 END)');
    expect(sql).toContain('COUNT(DISTINCT CASE WHEN "orders"."paid" = $2 THEN "orders"."country" END)');
    expect(sql).toContain('percentile_cont(0.9) WITHIN GROUP (ORDER BY CAST("orders"."price" AS DOUBLE))');
    expect(params).toEqual([true, true]);
  });
});

describe('model metrics with the new aggregations', () => {
  const definition = (metric: Record<string, unknown>): ModelDefinition => ({
    baseTable: 'orders',
    tables: [{ name: 'orders', table: 'orders' }],
    joins: [],
    dimensions: [
      { name: 'price', table: 'orders', column: 'price' } as ModelDefinition['dimensions'][number],
    ],
    metrics: [
      { name: 'm', table: 'orders', column: 'price', ...metric } as ModelDefinition['metrics'][number],
    ],
    policies: [],
  });
  const columns = new Map([
    ['orders', [{ name: 'price', type: 'number' as const, nativeType: 'DOUBLE', nullable: true }]],
  ]);
  const check = (metric: Record<string, unknown>) => () =>
    validateModelDefinition(definition(metric), columns);

  it('accepts every aggregation of the IR, a percentile with its fraction', () => {
    for (const aggregation of ['median', 'stddev', 'variance']) expect(check({ aggregation })).not.toThrow();
    expect(check({ aggregation: 'percentile', percentile: 0.95 })().metrics[0]).toMatchObject({
      percentile: 0.95,
    });
  });

  it('refuses a percentile without its fraction, or a fraction elsewhere', () => {
    expect(check({ aggregation: 'percentile' })).toThrow(
      /metrics\[0\]\.percentile: must be a number from 0 to 1/,
    );
    expect(check({ aggregation: 'percentile', percentile: 2 })).toThrow(/metrics\[0\]\.percentile/);
    expect(check({ aggregation: 'sum', percentile: 0.5 })).toThrow(
      /metrics\[0\]\.percentile: only with the "percentile" aggregation/,
    );
    expect(check({ aggregation: 'mode' })).toThrow(/metrics\[0\]\.aggregation: must be one of sum, avg/);
  });
});
