import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COUNTRIES, demoRows } from '../../src/core/data/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

let app: TestApp;
let demo: string;
beforeAll(async () => {
  app = await startTestApp();
  const list = await seren(app, 'GET', '/api/data_source');
  demo = list.body.objects.find((o: { name: string }) => o.name === 'demo_sales').uuid;
}, 120_000);
afterAll(() => app?.close());

const query = (stage: unknown, extra: Record<string, unknown> = {}) =>
  seren(app, 'POST', `/api/formatted_data/${demo}`, {
    order: 'row_by_row',
    data_processing_pipeline: [stage],
    ...extra,
  });

describe('formatted_data', () => {
  it('returns the headers with only_headers, on both routes', async () => {
    for (const route of [`/api/formatted_data/${demo}`, `/api/data_source/formatted_data/${demo}`]) {
      const answer = await seren(app, 'POST', route, { only_headers: 'true' });
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('ok');
      expect(answer.body.columns_titles).toContainEqual({ name: 'quantity', type: 'int' });
      expect(answer.body.columns_titles).toContainEqual({ name: 'price', type: 'float' });
      expect(answer.body.columns_titles).toContainEqual({ name: 'country', type: 'str' });
      expect(answer.body.columns_titles[0]).toMatchObject({ name: 'date', type: 'datetime' });
    }
  });

  it('runs the doc group-by example (names as the doc capitalizes them)', async () => {
    const answer = await query({
      group_by: ['Country'],
      select: [{ name: 'Country' }, { name: 'Quantity', agg_function: 'sum' }],
      where: [{ name: 'Price', op: '>', value: '20' }],
      limit: 100,
    });
    expect(answer.body.status).toBe('ok');
    expect(answer.body.columns_titles.map((c: { name: string }) => c.name)).toEqual(['Country', 'Quantity']);
    const expected = new Map<string, number>();
    for (const [, country, , , quantity, price] of demoRows()) {
      if ((price as number) > 20)
        expected.set(country as string, (expected.get(country as string) ?? 0) + (quantity as number));
    }
    expect(answer.body.data).toHaveLength(DEMO_COUNTRIES.length);
    for (const [country, sum] of answer.body.data) expect(sum).toBe(expected.get(country));
  });

  it('orders by an aggregate, counts rows with $$count$$ and dcount, and answers by column', async () => {
    const answer = await query({
      group_by: ['category'],
      select: [
        { name: 'quantity', agg_function: 'sum' },
        { name: 'subcategory', agg_function: 'dcount' },
      ],
      order_by: [{ name: 'quantity', agg_function: 'sum', direction: 'desc' }],
    });
    expect(answer.body.columns_titles.map((c: { name: string }) => c.name)).toEqual([
      'category',
      'quantity',
      'subcategory',
    ]);
    const sums = answer.body.data.map((row: number[]) => row[1]);
    expect(sums).toEqual([...sums].sort((a: number, b: number) => b - a));
    expect(answer.body.data.find((row: unknown[]) => row[0] === 'Furniture')[2]).toBe(3);

    const count = await query({ select: [{ name: '$$count$$', agg_function: 'sum' }] });
    expect(count.body.data[0][0]).toBe(100_000);

    const byColumn = await query(
      { group_by: ['category'], select: [{ name: 'category' }], order_by: ['category'] },
      { order: 'column_by_column' },
    );
    expect(byColumn.body.data).toEqual([['Clothing', 'Electronics', 'Furniture', 'Grocery', 'Sports']]);
  });

  it('groups by every timeslot, weekday as ISO day numbers', async () => {
    for (const timeslot of ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute']) {
      const answer = await query({
        group_by: [{ name: 'date', timeslot }],
        select: [{ name: '$$count$$', agg_function: 'sum' }],
        limit: 5,
      });
      expect(answer.body.status, timeslot).toBe('ok');
      expect(answer.body.data.length).toBeGreaterThan(0);
    }
    const years = await query({
      group_by: [{ name: 'date', timeslot: 'year' }],
      select: [{ name: '$$count$$', agg_function: 'sum' }],
    });
    expect(years.body.data.map((row: unknown[]) => String(row[0]).slice(0, 4))).toEqual([
      '2023',
      '2024',
      '2025',
    ]);
    const weekdays = await query({
      group_by: [{ name: 'date', timeslot: 'weekday' }],
      select: [{ name: '$$count$$', agg_function: 'sum' }],
    });
    expect(weekdays.body.data.map((row: unknown[]) => row[0])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const expected = new Array(8).fill(0);
    for (const [date] of demoRows())
      expected[((new Date(`${String(date).replace(' ', 'T')}Z`).getUTCDay() + 6) % 7) + 1]++;
    expect(weekdays.body.data.map((row: number[]) => row[1])).toEqual(expected.slice(1));
  });

  it('filters with every documented operator', async () => {
    const countWhere = async (where: unknown[]) =>
      (await query({ select: [{ name: '$$count$$', agg_function: 'sum' }], where })).body;
    const rows = demoRows();
    const n = (test: (row: unknown[]) => boolean) => rows.filter(test).length;
    const cases: [unknown, number][] = [
      [{ name: 'quantity', op: '<', value: 3 }, n((r) => (r[4] as number) < 3)],
      [{ name: 'quantity', op: '<=', value: '3' }, n((r) => (r[4] as number) <= 3)],
      [{ name: 'quantity', op: '>=', value: 9 }, n((r) => (r[4] as number) >= 9)],
      [{ name: 'country', op: '==', value: 'France' }, n((r) => r[1] === 'France')],
      [{ name: 'country', op: '!=', value: 'France' }, n((r) => r[1] !== 'France')],
      [
        { name: 'country', op: 'in', value: '["France","Spain"]' },
        n((r) => r[1] === 'France' || r[1] === 'Spain'),
      ],
      [{ name: 'quantity', op: '!in', value: '[1,2,5,9]' }, n((r) => ![1, 2, 5, 9].includes(r[4] as number))],
      [{ name: 'country', op: 'is_defined' }, rows.length],
      [{ name: 'country', op: 'is_not_defined' }, 0],
      [{ name: 'country', op: 'is_empty' }, 0],
      [{ name: 'country', op: 'is_not_empty' }, rows.length],
    ];
    for (const [where, expected] of cases) {
      const body = await countWhere([where]);
      expect(body.status, JSON.stringify(where)).toBe('ok');
      expect(body.data[0][0], JSON.stringify(where)).toBe(expected);
    }
  });

  it('caps at 20 000 rows and reports query errors as HTTP 200 with status "error"', async () => {
    const all = await query({ select: ['country', 'date'] });
    expect(all.body.data).toHaveLength(20_000);
    const limited = await query({ select: ['country'], limit: 7 });
    expect(limited.body.data).toHaveLength(7);

    const unknown = await query({ select: ['nope'] });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ status: 'error', errors: [expect.stringContaining('nope')] });
    const badOp = await query({ select: ['country'], where: [{ name: 'country', op: '~', value: 'x' }] });
    expect(badOp.status).toBe(200);
    expect(badOp.body.status).toBe('error');

    const empty = await seren(app, 'POST', '/api/data_source', {
      name: 'empty',
      type: 'Storage',
      jsonContent: {},
    });
    const emptyData = await seren(app, 'POST', `/api/formatted_data/${empty.body.uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [{ select: [{ name: '$$count$$', agg_function: 'sum' }] }],
    });
    expect(emptyData.body.errors[0]).toContain('Storage source is empty');

    const missing = await seren(app, 'POST', '/api/formatted_data/4b1c2d3e-0000-4000-8000-000000000000', {
      only_headers: true,
    });
    expect(missing.status).toBe(404);
    const unauthenticated = await seren(
      app,
      'POST',
      `/api/formatted_data/${demo}`,
      { only_headers: true },
      { key: null },
    );
    expect(unauthenticated.status).toBe(401);
  });
});
