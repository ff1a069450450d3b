import { afterAll, describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import { RosettaError } from '../errors.ts';
import { compileQuery } from './compile.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
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
 * The explicit group stage (`metricFilters`): every rule names a metric, even where a field of the
 * model has the same name, and it is and-ed with the metric rules `filters` infers.
 */
const runners: SqlRunner[] = await Promise.all([duckdbRunner(), postgresRunner(), mysqlRunner()]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

/** A field called `orders_count` beside the model metric of that name. */
const model: Model = {
  ...shopModel,
  dimensions: [
    ...shopModel.dimensions,
    { name: 'orders_count', table: 'orders', column: 'quantity', type: 'integer' },
  ],
  policies: [{ field: 'orders.country', attribute: 'country' }],
};
const europe = principal({ attributes: { country: ['FR', 'DE'] } });

const ir = (body: Record<string, unknown>) =>
  parseQueryBody({ source: 'shop', dimensions: ['country'], sorts: ['country'], ...body }).ir;

/** Orders and quantity per visible country, from the fixture rows. */
function groups(countries: readonly string[]) {
  const by = new Map<string, { orders: number; quantity: number }>();
  for (const row of orderRows) {
    const country = row[1] as string | null;
    if (country === null || !countries.includes(country)) continue;
    const group = by.get(country) ?? { orders: 0, quantity: 0 };
    group.orders += 1;
    group.quantity += row[4] as number;
    by.set(country, group);
  }
  return [...by].sort(([a], [b]) => a.localeCompare(b));
}

describe.each(runners.map((runner) => [runner.dialect, runner] as const))(
  'metricFilters on %s',
  (_, runner) => {
    const run = async (body: Record<string, unknown>, who = europe, maxRows = 100): Promise<JsonScalar[][]> =>
      runner.run(compileQuery(model, ir(body), { dialect: runner.dialect, principal: who, maxRows }));

    it.skipIf(!runner.available)(
      'names the metric where a field has the same name, under the row policy',
      async () => {
        const rows = await run({
          metrics: [{ metric: 'orders_count' }, { field: 'quantity', aggregation: 'sum' }],
          metricFilters: { field: 'orders_count', operator: '>=', values: [2] },
        });
        const expected = groups(['FR', 'DE'])
          .filter(([, g]) => g.orders >= 2)
          .map(([country, g]) => [country, g.orders, g.quantity]);
        expect(rows).toEqual(expected);
      },
    );

    it.skipIf(!runner.available)(
      'ands with the metric rules of filters, and the row cap cuts after both',
      async () => {
        const body = {
          metrics: [{ metric: 'orders_count' }, { field: 'quantity', aggregation: 'sum' }],
          filters: { field: 'sum_quantity', operator: '>', values: [3] },
          metricFilters: { not: { field: 'orders_count', operator: '=', values: [3] } },
        };
        const all = ['FR', 'DE', 'US'];
        const expected = groups(all)
          .filter(([, g]) => g.quantity > 3 && g.orders !== 3)
          .map(([country, g]) => [country, g.orders, g.quantity]);
        expect(await run(body, admin)).toEqual(expected);
        const first = await run({ ...body, limit: 1 }, admin);
        expect(first).toEqual(expected.slice(0, 1));
      },
    );
  },
);

describe('metricFilters validation', () => {
  const fails = (body: Record<string, unknown>, field: string, message: RegExp) => {
    try {
      compileQuery(model, ir(body), { dialect: 'duckdb', principal: admin, maxRows: 10 });
    } catch (error) {
      expect(error).toBeInstanceOf(RosettaError);
      expect((error as RosettaError).field).toBe(field);
      expect((error as RosettaError).message).toMatch(message);
      return;
    }
    throw new Error('expected a validation error');
  };

  it('refuses a field, and rows without groups', () => {
    fails(
      { metrics: [{ aggregation: 'count' }], metricFilters: { field: 'price', operator: '>', values: [1] } },
      'metricFilters.field',
      /expected a metric/,
    );
    fails(
      {
        aggregate: false,
        dimensions: [],
        sorts: [],
        metricFilters: { field: 'revenue', operator: '>', values: [1] },
      },
      'metricFilters',
      /need "aggregate": true/,
    );
  });
});
