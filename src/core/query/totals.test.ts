import { afterAll, describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import type { Model } from './model.ts';
import {
  admin,
  customerRows,
  duckdbRunner,
  mysqlRunner,
  orderRows,
  postgresRunner,
  principal,
  type SqlRunner,
  serviceOver,
  shopModel,
} from './testkit.ts';

/**
 * Totals and subtotals through the query service on DuckDB, PostgreSQL and MariaDB, checked
 * against the fixture rows added up in JS and against plain queries without dimensions.
 */
const runners: SqlRunner[] = await Promise.all([duckdbRunner(), postgresRunner(), mysqlRunner()]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

/** The fixture's orders with their customer's segment. */
const orders = orderRows.map(([id, country, , , quantity, price, cost, customer]) => ({
  id: id as number,
  country: country as string | null,
  quantity: quantity as number,
  price: price as number,
  cost: cost as number,
  customer: customer as number,
  segment: customerRows.find(([c]) => c === customer)?.[2] as string,
}));
type Order = (typeof orders)[number];

/** The metrics of the test queries, computed from rows in JS. */
const expected = (rows: Order[]) => {
  const revenue = rows.reduce((sum, o) => sum + o.price, 0);
  const cost = rows.reduce((sum, o) => sum + o.cost, 0);
  return {
    sum_quantity: rows.length ? rows.reduce((sum, o) => sum + o.quantity, 0) : null,
    count: rows.length,
    avg_price: rows.length ? revenue / rows.length : null,
    count_distinct_id: new Set(rows.map((o) => o.customer)).size,
    margin_rate: rows.length ? (revenue - cost) / revenue : null,
  };
};

const metrics = [
  { field: 'quantity', aggregation: 'sum' },
  { aggregation: 'count' },
  { field: 'price', aggregation: 'avg' },
  { field: 'customers.id', aggregation: 'count_distinct' },
  { metric: 'margin_rate' },
];
const byCountry = { source: 'shop', dimensions: ['country'], metrics, totals: true };
const segmentPolicy: Model = { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] };
const segmentB = principal({ attributes: { segment: ['B'] } });

/** Floats summed in another order differ in the last bits. */
const close = (actual: Record<string, JsonScalar> | undefined, wanted: Record<string, number | null>) => {
  expect(Object.keys(actual ?? {}).sort()).toEqual(Object.keys(wanted).sort());
  for (const [key, value] of Object.entries(wanted)) {
    if (value === null) expect(actual?.[key], key).toBeNull();
    else expect(actual?.[key], key).toBeCloseTo(value, 9);
  }
};

describe.each(runners.filter((r) => r.available).map((r) => [r.dialect, r] as const))('%s', (_, runner) => {
  const service = serviceOver(runner, shopModel);

  it('totals every row in SQL: avg and count distinct over the rows, a formula from totals of its parts', async () => {
    const answer = await service.run(admin, byCountry);
    close(answer.totals, expected(orders));
    // The same numbers as the query without its dimensions.
    const plain = await service.run(admin, { source: 'shop', metrics });
    expect(Object.values(answer.totals!)).toEqual(plain.rows[0]);
    expect(answer.subtotals).toBeUndefined();
    expect((await service.run(admin, { ...byCountry, totals: false })).totals).toBeUndefined();
  });

  it('keeps totals whole when a limit or the row cap cuts the rows', async () => {
    const cut = await service.run(admin, { ...byCountry, limit: 1 });
    expect(cut).toMatchObject({ rows: [['DE', 3, 2, 35, 2, 32 / 70]], truncated: true });
    close(cut.totals, expected(orders));
    const capped = await serviceOver(runner, shopModel, 2).run(admin, byCountry);
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.rows).toHaveLength(2);
    close(capped.totals, expected(orders));
  });

  it('applies row policies to totals and subtotals', async () => {
    const policed = serviceOver(runner, segmentPolicy);
    const visible = orders.filter((o) => o.segment === 'B');
    const answer = await policed.run(segmentB, { ...byCountry, totals: { subtotals: ['country'] } });
    close(answer.totals, expected(visible));
    expect(answer.subtotals?.country.map((row) => row.country)).toEqual(['DE', 'FR', null]);
    for (const row of answer.subtotals!.country) {
      const { country, ...values } = row;
      close(values, expected(visible.filter((o) => o.country === country)));
    }
    // No attribute, no row: sums are NULL, counts 0.
    close((await policed.run(principal(), byCountry)).totals, expected([]));
  });

  it('subtotals group the metrics by each listed dimension alone', async () => {
    const answer = await service.run(admin, {
      ...byCountry,
      dimensions: ['country', 'segment'],
      totals: { subtotals: ['segment', 'country'] },
    });
    close(answer.totals, expected(orders));
    expect(Object.keys(answer.subtotals!)).toEqual(['segment', 'country']);
    expect(answer.subtotals!.segment.map((row) => row.segment)).toEqual(['A', 'B']);
    for (const row of answer.subtotals!.segment) {
      const { segment, ...values } = row;
      close(values, expected(orders.filter((o) => o.segment === segment)));
    }
    // Each subtotal row is the row of the query grouped by that dimension alone.
    const plain = await service.run(admin, { ...byCountry, totals: false });
    expect(answer.subtotals!.country.map((row) => Object.values(row))).toEqual(plain.rows);
  });

  it('with a metric filter, totals cover the rows of the groups that pass (NULL group included)', async () => {
    const kept = await service.run(admin, {
      ...byCountry,
      filters: { field: 'sum_quantity', operator: '>=', values: [3] },
      totals: { subtotals: ['country'] },
    });
    expect(kept.rows.map((row) => row[0])).toEqual(['DE', 'FR', 'US']);
    close(kept.totals, expected(orders.filter((o) => o.country !== null)));
    expect(kept.subtotals!.country.map((row) => row.country)).toEqual(['DE', 'FR', 'US']);
    // Only the NULL country passes: its rows are matched NULL to NULL.
    const onlyNull = await service.run(admin, {
      ...byCountry,
      filters: { field: 'count', operator: '<', values: [2] },
    });
    expect(onlyNull.rows.map((row) => row[0])).toEqual([null]);
    close(onlyNull.totals, expected(orders.filter((o) => o.country === null)));
    // Without dimensions the one group passes or not.
    const none = await service.run(admin, {
      source: 'shop',
      metrics,
      totals: true,
      filters: { field: 'count', operator: '>', values: [8] },
    });
    expect(none.rows).toEqual([]);
    close(none.totals, expected([]));
  });

  it('totals of a top N with Others are the totals of every row', async () => {
    const answer = await service
      .run(admin, {
        ...byCountry,
        top: { dimension: 'country', by: 'sum_quantity', n: 1, others: true },
        totals: { subtotals: ['country'] },
      })
      .catch((error) => error);
    // Subtotals by the folded dimension would list every value rather than the top N + Others.
    expect(answer).toMatchObject({ code: 'ERR_VALIDATION', field: 'totals.subtotals[0]' });
    const top = await service.run(admin, {
      ...byCountry,
      top: { dimension: 'country', by: 'sum_quantity', n: 1, others: true },
    });
    expect(top.rows.map((row) => row[0])).toEqual(['FR', 'Others']);
    close(top.totals, expected(orders));
  });

  it('refuses totals it cannot make exact, naming the field', async () => {
    const refused = (body: Record<string, unknown>) => service.run(admin, { ...byCountry, ...body });
    await expect(refused({ totals: { subtotals: ['segment'] } })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'totals.subtotals[0]',
      message: expect.stringContaining('unknown dimension id "segment" (the query\'s dimensions: country)'),
    });
    await expect(refused({ metrics: [] })).rejects.toMatchObject({ field: 'totals' });
    await expect(refused({ top: { dimension: 'country', by: 'sum_quantity', n: 1 } })).rejects.toMatchObject({
      field: 'totals',
      message: expect.stringContaining('"others": true'),
    });
    await expect(
      refused({ postFilters: { field: 'sum_quantity', operator: '>', values: [1] } }),
    ).rejects.toMatchObject({ field: 'totals' });
  });

  it('refuses subtotals with more values than the row cap', async () => {
    const capped = serviceOver(runner, shopModel, 2);
    await expect(
      capped.run(admin, { ...byCountry, limit: 1, totals: { subtotals: ['country'] } }),
    ).rejects.toMatchObject({ field: 'totals.subtotals[0]', message: expect.stringContaining('2 rows') });
  });
});
