import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROWS, demoRows } from '../src/core/data/index.ts';
import { drillQuery } from '../src/core/query/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { exportFile } from './support/exports.ts';

/**
 * What Explore asks of the query API, on the demo data: a cut page that says it is cut (the row
 * fetched to tell is never returned or exported), the total row count under row policies, SQL
 * with literal values for the SQL runner, and drill-through to the rows behind a chart point.
 * Expected numbers are computed in JS from the same deterministic rows the demo loads.
 */
let app: TestApp;
let source: string;
let sourceId: number;
let viewer: string;
let developer: string;

const lines = demoRows();
const EUROPE = ['France', 'Spain'];

async function login(email: string, role: string, attributes?: Record<string, string[]>): Promise<string> {
  const user = await app.request('POST', '/api/users', { email, role, password: 'a long password 1' });
  expect(user.status).toBe(201);
  if (attributes) await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes });
  const session = await app.request(
    'POST',
    '/api/auth/login',
    { email, password: 'a long password 1' },
    { token: '' },
  );
  return session.body.token;
}

beforeAll(async () => {
  app = await startTestApp();
  const demo = (await app.request('GET', '/api/data-sources')).body.items.find(
    (s: { name: string }) => s.name === 'demo_sales',
  );
  source = demo.uuid;
  sourceId = demo.id;
  await app.request('POST', '/api/attributes', { key: 'market', type: 'string' });
  viewer = await login('explorer@example.com', 'interactive_viewer', { market: EUROPE });
  developer = await login('developer@example.com', 'developer', { market: EUROPE });
}, 120_000);
afterAll(() => app?.close());

describe('a cut page says so', () => {
  it('reports truncated at an explicit limit, with exactly the rows asked for', async () => {
    const page = { source, aggregate: false, limit: 500, count: true };
    const first = await app.request('POST', '/api/query', page);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ truncated: true, totalRows: DEMO_ROWS, cached: false });
    expect(first.body.rows).toHaveLength(500);
    const again = await app.request('POST', '/api/query', page);
    expect(again.body).toMatchObject({ truncated: true, totalRows: DEMO_ROWS, cached: true });
    expect(again.body.rows).toEqual(first.body.rows);

    const byCountry = { source, dimensions: ['country'], metrics: [{ aggregation: 'count' }] };
    const all = await app.request('POST', '/api/query', { ...byCountry, limit: 20, count: true });
    expect(all.body).toMatchObject({ truncated: false, totalRows: 20 });
    const cut = await app.request('POST', '/api/query', { ...byCountry, limit: 19, count: true });
    expect(cut.body).toMatchObject({ truncated: true, totalRows: 20 });
    expect(cut.body.rows).toEqual(all.body.rows.slice(0, 19));
    const last = await app.request('POST', '/api/query', { ...byCountry, limit: 5, offset: 18 });
    expect(last.body).toMatchObject({ rows: all.body.rows.slice(18), truncated: false });
  });

  it('never exports the row fetched to tell the cut', async () => {
    const query = { source, aggregate: false, dimensions: ['date', 'country'], limit: 10 };
    for (const format of ['csv', 'xlsx']) {
      const { job } = await exportFile(app, { query, format });
      // The query's own limit is what was asked for: no row-cap warning.
      expect(job.result).toMatchObject({ rows: 10, truncated: false, warnings: [] });
    }
    const { data } = await exportFile(app, { query, format: 'csv' });
    expect(parse(data.toString('utf8'))).toHaveLength(1 + 10);
  });

  it('refuses a count that is not true or false, naming the field', async () => {
    const answer = await app.request('POST', '/api/query', { source, count: 'yes' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('count');
  });
});

describe('the total row count', () => {
  it('equals a plain COUNT(*), also under a row policy', async () => {
    const cheap = { field: 'price', operator: '<', values: [30] };
    const cheapAndMine = (country: unknown, price: unknown) =>
      (price as number) < 30 && EUROPE.includes(country as string);
    const adminCount = lines.filter(([, , , , , price]) => (price as number) < 30).length;
    const plain = await app.request('POST', '/api/query', {
      source,
      metrics: [{ aggregation: 'count' }],
      filters: cheap,
    });
    expect(plain.body.rows).toEqual([[adminCount]]);
    const page = { source, aggregate: false, filters: cheap, limit: 100, count: true };
    expect((await app.request('POST', '/api/query', page)).body.totalRows).toBe(adminCount);

    const patched = await app.request('PATCH', `/api/data-sources/${sourceId}`, {
      policies: [{ field: 'country', attribute: 'market' }],
    });
    expect(patched.status).toBe(200);
    try {
      const theirs = lines.filter(([, country, , , , price]) => cheapAndMine(country, price)).length;
      const counted = await app.request(
        'POST',
        '/api/query',
        { source, metrics: [{ aggregation: 'count' }], filters: cheap },
        { token: viewer },
      );
      expect(counted.body.rows).toEqual([[theirs]]);
      const seen = await app.request('POST', '/api/query', page, { token: viewer });
      expect(seen.body).toMatchObject({ truncated: true, totalRows: theirs });
      expect(new Set(seen.body.rows.map((row: unknown[]) => row[1]))).toEqual(new Set(EUROPE));
      const grouped = { source, dimensions: ['country'], metrics: [{ aggregation: 'count' }], count: true };
      expect((await app.request('POST', '/api/query', grouped, { token: viewer })).body.totalRows).toBe(2);
    } finally {
      await app.request('PATCH', `/api/data-sources/${sourceId}`, { policies: [] });
    }
  });
});

describe('SQL for the SQL runner', () => {
  const query = () => ({
    source,
    dimensions: ['country'],
    metrics: [{ field: 'quantity', aggregation: 'sum' }],
    filters: {
      and: [
        { field: 'subcategory', operator: '!=', values: ["O'Brien\\"] },
        { field: 'price', operator: '>', values: [-1] },
      ],
    },
    limit: 7,
  });

  it('writes the values as literals for a developer, and runs to the same rows', async () => {
    const inlined = await app.request('POST', '/api/query/sql?inline=true', query(), { token: developer });
    expect(inlined.status).toBe(200);
    expect(inlined.body).toMatchObject({ dialect: 'duckdb', params: [], connectionId: expect.any(Number) });
    expect(inlined.body.sql).toContain(`<> 'O''Brien\\'`);
    expect(inlined.body.sql).toMatch(/LIMIT 7$/);
    const run = await app.request(
      'POST',
      `/api/connections/${inlined.body.connectionId}/sql`,
      { sql: inlined.body.sql, limit: 100 },
      { token: developer },
    );
    expect(run.status).toBe(200);
    const answer = await app.request('POST', '/api/query', query(), { token: developer });
    expect(run.body.rows).toEqual(answer.body.rows);
    expect(run.body.rows).toHaveLength(7);
  });

  it('keeps parameters for everyone else, and inlines only for those who may run SQL', async () => {
    const bound = await app.request('POST', '/api/query/sql', query(), { token: viewer });
    expect(bound.status).toBe(200);
    expect(bound.body.params).toEqual(["O'Brien\\", -1]);
    expect(bound.body.connectionId).toBeUndefined();
    const refused = await app.request('POST', '/api/query/sql?inline=true', query(), { token: viewer });
    expect(refused.status).toBe(403);
    const bad = await app.request('POST', '/api/query/sql?inline=yes', query());
    expect(bad.status).toBe(400);
  });
});

describe('drill-through', () => {
  it('returns the rows behind a chart point, which add up to its value', async () => {
    const query = {
      source,
      calculations: [{ name: 'line_revenue', formula: 'price * quantity' }],
      dimensions: ['country', { field: 'date', granularity: 'month' }],
      metrics: [{ field: 'line_revenue', aggregation: 'sum' }, { aggregation: 'count' }],
      filters: { field: 'category', operator: '!=', values: ['Books'] },
    };
    const grouped = await app.request('POST', '/api/query', query);
    expect(grouped.status).toBe(200);
    const names = grouped.body.columns.map((c: { name: string }) => c.name);
    expect(names).toEqual(['country', 'date_month', 'sum_line_revenue', 'count']);
    const row = grouped.body.rows.find(
      ([country, month]: string[]) => country === 'Brazil' && month.startsWith('2024-11'),
    );
    const point = Object.fromEntries(names.map((name: string, i: number) => [name, row[i]]));

    // The same point computed from the demo rows themselves.
    const behind = lines.filter(
      ([date, country, category]) =>
        country === 'Brazil' && String(date).startsWith('2024-11') && category !== 'Books',
    );
    const revenue = behind.reduce((sum, line) => sum + (line[5] as number) * (line[4] as number), 0);
    expect(point.count).toBe(behind.length);
    expect(point.sum_line_revenue).toBeCloseTo(revenue, 6);

    const drill = drillQuery(query, point, 100_000);
    const rows = await app.request('POST', '/api/query', drill);
    expect(rows.status).toBe(200);
    expect(rows.body).toMatchObject({ truncated: false, totalRows: behind.length });
    const at = (name: string) => rows.body.columns.findIndex((c: { name: string }) => c.name === name);
    const drilled = rows.body.rows.reduce(
      (sum: number, line: number[]) => sum + line[at('price')] * line[at('quantity')],
      0,
    );
    expect(drilled).toBeCloseTo(point.sum_line_revenue, 6);
    expect(rows.body.rows.every((line: string[]) => line[at('country')] === 'Brazil')).toBe(true);

    const firstPage = await app.request('POST', '/api/query', drillQuery(query, point));
    expect(firstPage.body.rows).toHaveLength(Math.min(500, behind.length));
    expect(firstPage.body).toMatchObject({ totalRows: behind.length, truncated: behind.length > 500 });
  });
});

describe('the OpenAPI document', () => {
  it('documents count, totalRows and inline', async () => {
    const { body } = await app.request('GET', '/api/openapi.json');
    const text = JSON.stringify(body.paths['/api/query']);
    expect(text).toContain('totalRows');
    expect(text).toContain('"count"');
    expect(JSON.stringify(body.paths['/api/query/sql'])).toContain('inline');
  });
});
