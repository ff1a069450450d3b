import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COUNTRIES, DEMO_ROWS, demoRows } from '../src/core/data/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTempPostgres } from './support/databases.ts';

/** The fixed native query of the foundation issue, against the demo data set. */
const issueQuery = (source: string) => ({
  source,
  dimensions: ['country', { field: 'date', granularity: 'month' }],
  metrics: [{ field: 'quantity', aggregation: 'sum' }],
  filters: { and: [{ field: 'price', operator: '>', values: [20] }] },
  sorts: [{ field: 'quantity', descending: true }],
  limit: 100,
});

/** Expected answers computed in JS from the same deterministic rows the demo loads. */
function expectedByCountryMonth(): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [date, country, , , quantity, price] of demoRows()) {
    if ((price as number) <= 20) continue;
    const key = `${country}|${String(date).slice(0, 7)}`;
    sums.set(key, (sums.get(key) ?? 0) + (quantity as number));
  }
  return sums;
}

async function demoSourceUuid(app: TestApp): Promise<string> {
  const { status, body } = await app.request('GET', '/api/data-sources');
  expect(status).toBe(200);
  const demo = body.items.find((item: { name: string }) => item.name === 'demo_sales');
  expect(demo).toMatchObject({ type: 'storage' });
  expect(typeof demo.id).toBe('number');
  return demo.uuid;
}

/** Runs the issue's queries and checks them against the JS computation. */
async function checkDemoAnswers(app: TestApp): Promise<void> {
  const source = await demoSourceUuid(app);
  const expected = expectedByCountryMonth();

  const grouped = await app.request('POST', '/api/query', issueQuery(source));
  expect(grouped.status).toBe(200);
  expect(grouped.body.columns.map((c: { name: string }) => c.name)).toEqual([
    'country',
    'date_month',
    'sum_quantity',
  ]);
  expect(grouped.body.rows).toHaveLength(100);
  const values = grouped.body.rows.map(([country, month, sum]: [string, string, number]) => {
    expect(sum).toBe(expected.get(`${country}|${month.slice(0, 7)}`));
    return sum;
  });
  expect(values).toEqual([...values].sort((a: number, b: number) => b - a));
  const sortedExpected = [...expected.values()].sort((a, b) => b - a);
  expect(values[0]).toBe(sortedExpected[0]);
  expect(values[99]).toBe(sortedExpected[99]);

  const byCountry = await app.request('POST', '/api/query', {
    source,
    dimensions: ['country'],
    metrics: [
      { field: 'quantity', aggregation: 'sum' },
      { field: 'price', aggregation: 'count' },
    ],
  });
  expect(byCountry.status).toBe(200);
  expect(byCountry.body.rows).toHaveLength(DEMO_COUNTRIES.length);
  const total = byCountry.body.rows.reduce((n: number, row: number[]) => n + row[2], 0);
  expect(total).toBe(DEMO_ROWS);
}

describe('the demo answers POST /api/query (SQLite metadata)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('serves /health without credentials', async () => {
    const { status, body } = await app.request('GET', '/health', undefined, { token: '' });
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', version: expect.any(String) });
  });

  it('logs in with the configured admin and lists the demo dashboard', async () => {
    const login = await app.request(
      'POST',
      '/api/auth/login',
      { email: 'admin@example.com', password: 'correct horse battery' },
      { token: '' },
    );
    expect(login.status).toBe(200);
    const dashboards = await app.request('GET', '/api/dashboards', undefined, { token: login.body.token });
    expect(dashboards.status).toBe(200);
    expect(dashboards.body.items).toEqual([
      expect.objectContaining({ name: 'Demo sales', id: expect.any(Number) }),
    ]);
  });

  it('groups, filters and buckets by month correctly', () => checkDemoAnswers(app));

  it('runs every widget query of the demo dashboard', async () => {
    const list = await app.request('GET', '/api/dashboards');
    const dashboard = await app.request('GET', `/api/dashboards/${list.body.items[0].uuid}`);
    expect(dashboard.body.widgets.length).toBeGreaterThanOrEqual(4);
    const types = dashboard.body.widgets.map(
      (w: { visualization: { type: string } }) => w.visualization.type,
    );
    expect(types).toEqual(expect.arrayContaining(['kpi', 'bar', 'line', 'table']));
    for (const widget of dashboard.body.widgets) {
      const result = await app.request('POST', '/api/query', widget.query);
      expect(result.status, `${widget.title}: ${JSON.stringify(result.body)}`).toBe(200);
      expect(result.body.rows.length).toBeGreaterThan(0);
    }
  });

  it('computes the dashboard revenue and margin as plain SQL over price × quantity does', async () => {
    const list = await app.request('GET', '/api/dashboards');
    const dashboard = (await app.request('GET', `/api/dashboards/${list.body.items[0].uuid}`)).body;
    const run = async (id: string) => {
      const widget = dashboard.widgets.find((w: { id: string }) => w.id === id);
      const answer = await app.request('POST', '/api/query', widget.query);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body;
    };
    const connections = (await app.request('GET', '/api/connections')).body.items;
    const embedded = connections.find((c: { builtin: boolean }) => c.builtin).id;
    const schema = (await app.request('GET', `/api/connections/${embedded}/schema`)).body;
    const table = schema.schemas
      .flatMap((s: { tables: unknown[] }) => s.tables)
      .find((t: { dataSources: string[] }) => t.dataSources.includes('demo_sales')).sqlName;
    const sql = async (text: string) => {
      const answer = await app.request('POST', `/api/connections/${embedded}/sql`, { sql: text });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.rows as [string, number, number][];
    };

    const byCountry = await run('revenue-by-country');
    expect(byCountry.columns.map((c: { name: string }) => c.name)).toEqual(['country', 'revenue']);
    const expected = await sql(
      `SELECT country, sum(price * quantity) FROM ${table} GROUP BY country ORDER BY 2 DESC`,
    );
    expect(byCountry.rows.map((row: unknown[]) => row[0])).toEqual(expected.map((row) => row[0]));
    for (const [i, [, revenue]] of (byCountry.rows as [string, number][]).entries())
      expect(revenue).toBeCloseTo(expected[i][1], 2);
    // Each price counts as many times as its quantity: far more than the plain sum of prices.
    const [[prices]] = await sql(`SELECT sum(price) FROM ${table}`);
    const total = byCountry.rows.reduce((sum: number, row: number[]) => sum + row[1], 0);
    expect(total).toBeGreaterThan(1.5 * Number(prices));

    const latest = await run('revenue-latest-year');
    const margin = await run('margin-latest-year');
    const years = await sql(
      `SELECT year(date)::VARCHAR, sum(price * quantity), sum((price - cost_of_goods) * quantity) FROM ${table} GROUP BY 1 ORDER BY 1 DESC LIMIT 2`,
    );
    expect(years.map((row) => row[0])).toEqual(['2025', '2024']);
    expect(latest.rows.map((row: string[]) => row[0].slice(0, 4))).toEqual(['2025', '2024']);
    for (const i of [0, 1]) {
      expect(latest.rows[i][1]).toBeCloseTo(years[i][1], 2);
      expect(margin.rows[i][1]).toBeCloseTo(years[i][2], 2);
    }
    expect(latest.rows[0][1] / latest.rows[1][1]).toBeGreaterThan(1.2);

    const categories = await run('sales-by-category');
    expect(categories.columns.map((c: { name: string }) => c.name)).toEqual([
      'category',
      'subcategory',
      'units',
      'revenue',
      'cost',
      'margin',
    ]);
    for (const [, , , revenue, cost, lineMargin] of categories.rows)
      expect(lineMargin).toBeCloseTo(revenue - cost, 2);
  });

  it('answers the same after a restart, and creates nothing twice', async () => {
    await app.stop();
    app = await startTestApp({ dataDir: app.dataDir });
    expect(app.rosetta.bootstrap.created).toBe(false);
    await checkDemoAnswers(app);
    const dashboards = await app.request('GET', '/api/dashboards');
    expect(dashboards.body.items).toHaveLength(1);
  });
});

describe('the demo with PostgreSQL metadata (DATABASE_URL)', async () => {
  const database = await createTempPostgres('rosetta_app');
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it.skipIf(!database.available)('answers the same, also after a restart', async () => {
    app = await startTestApp({ databaseUrl: database.url });
    await checkDemoAnswers(app);
    await app.stop();
    app = await startTestApp({ databaseUrl: database.url, dataDir: app.dataDir });
    expect(app.rosetta.bootstrap.created).toBe(false);
    await checkDemoAnswers(app);
  });
});
