import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows } from '../../src/core/data/index.ts';
import { datasetIdOf } from '../../src/http/dialects/holistics/dataset-ids.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoSource, runDatasetQuery, userKey } from './dataset-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

/**
 * Dataset queries (`submit_query` → job → `/jobs/{id}/result`) give the numbers the native API
 * gives for the same model and user, and those of an independent computation over the demo rows
 * (deterministic: `demoRows()`), under a row policy and the face's row cap too.
 */

const MAX_ROWS = 500;
const EUROPE = ['France', 'Spain'];
const lines = demoRows();
let app: TestApp;
let sourceDataset: number;
let sourceUuid: string;
let modelDataset: number;
let explorer: string;

/** Σ quantity per country over the rows `keep` keeps, as result cells (text), sorted by country. */
function quantityByCountry(keep: (country: string) => boolean = () => true): string[][] {
  const sums = new Map<string, number>();
  for (const [, country, , , quantity] of lines)
    if (keep(country as string))
      sums.set(country as string, (sums.get(country as string) ?? 0) + (quantity as number));
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([country, sum]) => [country, String(sum)]);
}

beforeAll(async () => {
  app = await startTestApp({ env: { ...NO_RATE_LIMITS, ROSETTA_HOLISTICS_MAX_ROWS: String(MAX_ROWS) } });
  const source = await demoSource(app);
  sourceUuid = source.uuid;
  sourceDataset = datasetIdOf({ kind: 'source', id: source.id });
  const model = await app.request('POST', '/api/models', {
    name: 'sales_model',
    connectionId: source.connectionId,
    baseTable: 'sales',
    tables: [{ name: 'sales', dataSource: source.uuid }],
    joins: [],
    dimensions: [
      { name: 'country', table: 'sales', column: 'country', type: 'string' },
      { name: 'date', table: 'sales', column: 'date', type: 'datetime' },
      { name: 'quantity', table: 'sales', column: 'quantity', type: 'integer' },
      { name: 'price', table: 'sales', column: 'price', type: 'number' },
    ],
    metrics: [{ name: 'total_quantity', table: 'sales', aggregation: 'sum', column: 'quantity' }],
    policies: [{ field: 'sales.country', attribute: 'market' }],
  });
  expect(model.status, JSON.stringify(model.body)).toBe(201);
  modelDataset = model.body.id;
  await app.request('POST', '/api/attributes', { key: 'market', type: 'string' });
  explorer = (await userKey(app, 'explorer@hx.test', 'interactive_viewer', { market: EUROPE })).key;
}, 120_000);
afterAll(() => app?.close());

describe('submit_query', () => {
  it('answers a job whose result has the native numbers and the independent ones', async () => {
    const query = {
      dimensions: [{ field: 'demo_sales.country' }],
      metrics: [{ field: 'demo_sales.quantity', aggregation: 'sum' }],
    };
    const result = await runDatasetQuery(app, sourceDataset, query);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ status: 'success', error: null });
    const { data } = result.body.result;
    expect(result.body.result.type).toBe('DataModel.execute_model_query');
    expect(data.fields).toEqual(['Country', 'Sum of Quantity']);
    expect(data.values).toEqual(quantityByCountry());
    expect(data.meta).toMatchObject({ page: 1, num_rows: data.values.length });
    const native = await app.request('POST', '/api/query', {
      source: sourceUuid,
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
    });
    expect(data.values).toEqual(native.body.rows.map((row: unknown[]) => row.map(String)));
  });

  it('restricts rows by the row policy exactly as the native API does for that user', async () => {
    const query = {
      dimensions: [{ field: 'sales.country' }],
      metrics: [{ field: 'sales.total_quantity', aggregation: null }],
    };
    const theirs = await runDatasetQuery(app, modelDataset, query, explorer);
    expect(theirs.status).toBe(200);
    const expected = quantityByCountry((country) => EUROPE.includes(country));
    expect(theirs.body.result.data.values).toEqual(expected);
    const native = await app.request(
      'POST',
      '/api/query',
      { source: 'sales_model', dimensions: ['country'], metrics: [{ metric: 'total_quantity' }] },
      { token: explorer },
    );
    expect(native.status).toBe(200);
    expect(theirs.body.result.data.values).toEqual(native.body.rows.map((row: unknown[]) => row.map(String)));
    // The admin sees every country.
    const all = await runDatasetQuery(app, modelDataset, query);
    expect(all.body.result.data.values).toEqual(quantityByCountry());
  });

  it('cuts the result at the row cap and refuses a limit above it', async () => {
    const daily = { dimensions: [{ field: 'demo_sales.date', transformation: 'datetrunc day' }] };
    const cut = await runDatasetQuery(app, sourceDataset, daily);
    expect(cut.body.result.data.values).toHaveLength(MAX_ROWS);
    expect(cut.body.result.data.meta.num_rows).toBe(MAX_ROWS);
    const over = await hx(app, 'POST', `/data_sets/${sourceDataset}/submit_query`, {
      query: { ...daily, limit: MAX_ROWS + 1 },
    });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ type: 'InvalidParameterError', details: { field: 'query.limit' } });
  });

  it('filters, orders by id, limits and pages', async () => {
    const query = {
      dimensions: [{ id: 'c', field: 'demo_sales.country' }],
      metrics: [{ id: 'q', field: 'demo_sales.quantity', aggregation: 'sum' }],
      filters: [
        { field: 'demo_sales.country', operator: 'is', values: ['France', 'Spain', 'Japan'] },
        { field: 'demo_sales.price', operator: 'greater_than', values: [30] },
      ],
      order: [{ id: 'q', order: 'desc' }],
      page: 2,
      page_size: 1,
    };
    const sums = new Map<string, number>();
    for (const [, country, , , quantity, price] of lines)
      if (['France', 'Spain', 'Japan'].includes(country as string) && (price as number) > 30)
        sums.set(country as string, (sums.get(country as string) ?? 0) + (quantity as number));
    const ranked = [...sums].sort((a, b) => b[1] - a[1]);
    const result = await runDatasetQuery(app, sourceDataset, query);
    expect(result.body.result.data.values).toEqual([[ranked[1][0], String(ranked[1][1])]]);
    expect(result.body.result.data.meta).toEqual({ page: 2, page_size: 1, num_rows: 3 });
  });

  it('computes a running sum and the previous period', async () => {
    const query = {
      dimensions: [{ id: 'month', field: 'demo_sales.date', transformation: 'datetrunc month' }],
      metrics: [
        { id: 'q', field: 'demo_sales.quantity', aggregation: 'sum' },
        { id: 'running', field: 'demo_sales.quantity', aggregation: 'running sum' },
      ],
      filters: [
        { field: 'demo_sales.date', operator: 'between', values: ['2024-01-01', '2024-06-30T23:59:59'] },
        { field: 'demo_sales.date', operator: 'transform_pop_relative', values: [1], modifier: 'month' },
      ],
    };
    const result = await runDatasetQuery(app, sourceDataset, query);
    expect(result.status).toBe(200);
    const { values, fields } = result.body.result.data;
    expect(fields).toEqual([
      'Month Date',
      'Sum of Quantity',
      'Running Sum of Quantity',
      'Sum of Quantity (previous month)',
    ]);
    expect(values).toHaveLength(6);
    let running = 0;
    values.forEach((row: string[], i: number) => {
      running += Number(row[1]);
      expect(Number(row[2])).toBe(running);
      // January's previous month (December 2023) is read past the date filter.
      if (i > 0) expect(row[3]).toBe(values[i - 1][1]);
      else expect(Number(row[3])).toBeGreaterThan(0);
    });
  });

  it('maps a user-attribute filter onto the caller’s values', async () => {
    const query = {
      dimensions: [{ field: 'demo_sales.country' }],
      metrics: [{ field: 'demo_sales.quantity', aggregation: 'sum' }],
      filters: [{ field: 'demo_sales.country', operator: 'matches_user_attribute', values: ['market'] }],
    };
    const theirs = await runDatasetQuery(app, sourceDataset, query, explorer);
    expect(theirs.body.result.data.values).toEqual(quantityByCountry((country) => EUROPE.includes(country)));
  });
});

describe('bad queries are a 422 naming the field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['an unknown field', { dimensions: [{ field: 'demo_sales.nope' }] }, 'query.dimensions[0].field'],
    ['a field without its data model', { dimensions: [{ field: 'country' }] }, 'query.dimensions[0].field'],
    [
      'an aggregation the IR lacks',
      { metrics: [{ field: 'demo_sales.price', aggregation: 'stdevp' }] },
      'query.metrics[0].aggregation',
    ],
    [
      'a running average',
      { metrics: [{ field: 'demo_sales.price', aggregation: 'running avg' }] },
      'query.metrics[0].aggregation',
    ],
    [
      'a dimension without an aggregation',
      { metrics: [{ field: 'demo_sales.price' }] },
      'query.metrics[0].aggregation',
    ],
    [
      'a date bucket on text',
      { dimensions: [{ field: 'demo_sales.country', transformation: 'datetrunc month' }] },
      'query.dimensions[0].transformation',
    ],
    [
      'an order by an unknown id',
      { dimensions: [{ field: 'demo_sales.country' }], order: [{ id: 'x', order: 'asc' }] },
      'query.order[0].id',
    ],
    [
      'an operator the IR cannot honour',
      {
        dimensions: [{ field: 'demo_sales.country' }],
        filters: [
          {
            field: 'demo_sales.date',
            operator: 'transform_pop_absolute',
            values: ['2020-01-01', '2021-01-01'],
          },
        ],
      },
      'query.filters[0].operator',
    ],
    [
      'an unknown operator',
      {
        dimensions: [{ field: 'demo_sales.country' }],
        filters: [{ field: 'demo_sales.country', operator: 'like', values: ['a'] }],
      },
      'query.filters[0].operator',
    ],
    [
      'relative text it cannot read',
      {
        dimensions: [{ field: 'demo_sales.country' }],
        filters: [{ field: 'demo_sales.date', operator: 'matches', values: ['around easter'] }],
      },
      'query.filters[0].values[0]',
    ],
    [
      'last without a period',
      {
        dimensions: [{ field: 'demo_sales.country' }],
        filters: [{ field: 'demo_sales.date', operator: 'last', values: [3] }],
      },
      'query.filters[0].modifier',
    ],
  ];
  it.each(cases)('%s', async (_name, query, field) => {
    const answer = await hx(app, 'POST', `/data_sets/${sourceDataset}/submit_query`, { query });
    expect(answer.status, JSON.stringify(answer.body)).toBe(422);
    expect(answer.body.type).toBe('InvalidParameterError');
    expect(answer.body.details.field).toBe(field);
  });

  it('answers 404 for a dataset that does not exist, and 422 for a body without query', async () => {
    expect((await hx(app, 'POST', '/data_sets/999999/submit_query', { query: {} })).status).toBe(404);
    const missing = await hx(app, 'POST', `/data_sets/${sourceDataset}/submit_query`, {});
    expect(missing.status).toBe(422);
  });
});

describe('relative dates', () => {
  it('reads last N periods and "N periods ago" text', async () => {
    for (const filter of [
      { operator: 'last', values: [3], modifier: 'month' },
      { operator: 'matches', values: ['2 years ago'] },
      { operator: 'matches', values: ['this year'] },
    ]) {
      const query = {
        metrics: [{ field: 'demo_sales.quantity', aggregation: 'count' }],
        filters: [{ field: 'demo_sales.date', ...filter }],
      };
      const result = await runDatasetQuery(app, sourceDataset, query);
      expect(result.status, JSON.stringify(filter)).toBe(200);
      expect(result.body.status).toBe('success');
    }
  });
});

describe('generate_sql', () => {
  it('answers the compiled SQL, values bound for a non-developer', async () => {
    const query = {
      dimensions: [{ field: 'demo_sales.country' }],
      metrics: [{ field: 'demo_sales.quantity', aggregation: 'sum' }],
      filters: [{ field: 'demo_sales.country', operator: 'is', values: ['Zanzibar'] }],
    };
    const admin = await hx(app, 'POST', `/data_sets/${sourceDataset}/generate_sql`, { query });
    expect(admin.status).toBe(200);
    expect(admin.body.sql).toMatch(/SELECT/i);
    expect(admin.body.sql).toContain("'Zanzibar'");
    const theirs = await hx(
      app,
      'POST',
      `/data_sets/${sourceDataset}/generate_sql`,
      { query },
      { key: explorer },
    );
    expect(theirs.status).toBe(200);
    expect(theirs.body.sql).not.toContain('Zanzibar');
  });
});
