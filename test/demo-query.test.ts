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
