import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { exportFile } from './support/exports.ts';

/**
 * Saved charts over HTTP: a dashboard tile showing a chart returns the chart's numbers, follows
 * its edits, and keeps them when the chart is deleted by force. Expected numbers come from an
 * ad-hoc run of the same query and from the warehouse itself (admin SQL console).
 */
let app: TestApp;
let source: { id: number; uuid: string };
let viewer: string;
let analyst: string;

const rows = [
  { id: 1, country: 'France', amount: 10 },
  { id: 2, country: 'France', amount: 20 },
  { id: 3, country: 'Spain', amount: 80 },
  { id: 4, country: 'Italy', amount: 160 },
];

async function truth(sql: string): Promise<unknown[][]> {
  const answer = await app.request('POST', '/api/connections/1/sql', {
    sql: sql.replace('orders', `storage.ds_${source.id}`),
  });
  // SUM of integers may come back as a HUGEINT string; countries stay text.
  return answer.body.rows.map(([country, sum]: unknown[]) => [country, Number(sum)]);
}

async function login(email: string, role: string): Promise<string> {
  const password = `${role} password 123`;
  await app.request('POST', '/api/users', { email, role, password });
  return (await app.request('POST', '/api/auth/login', { email, password }, { token: '' })).body.token;
}

const sumBy = (dimension: string) => ({
  source: source.uuid,
  dimensions: [dimension],
  metrics: [{ field: 'amount', aggregation: 'sum' }],
  sorts: [dimension],
});
const tileResults = (dashboard: number, token?: string) =>
  app.request(
    'POST',
    `/api/dashboards/${dashboard}/widgets/tile/results`,
    {},
    token === undefined ? {} : { token },
  );

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  source = (
    await app.request('POST', '/api/data-sources', {
      name: 'orders',
      type: 'storage',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'country', type: 'string' },
        { name: 'amount', type: 'integer' },
      ],
    })
  ).body;
  await app.request('POST', `/api/data-sources/${source.id}/rows`, { mode: 'insert', rows });
  viewer = await login('viewer@charts.test', 'viewer');
  analyst = await login('analyst@charts.test', 'interactive_viewer');
}, 120_000);
afterAll(() => app?.close());

describe('saved charts', () => {
  it("shows the chart's numbers on every dashboard tile and follows its edits", async () => {
    const created = await app.request('POST', '/api/charts', {
      name: 'Amount by country',
      query: sumBy('country'),
      visualization: { type: 'bar' },
    });
    expect(created.status).toBe(201);
    const chart = created.body;
    const dashboards: number[] = [];
    for (const name of ['First', 'Second']) {
      const made = await app.request('POST', '/api/dashboards', {
        name,
        widgets: [{ id: 'tile', chartId: name === 'First' ? chart.uuid : chart.id }],
      });
      expect(made.status).toBe(201);
      expect(made.body.widgets[0]).toMatchObject({ chartId: chart.uuid, title: 'Amount by country' });
      dashboards.push(made.body.id);
    }
    const adhoc = await app.request('POST', '/api/query', sumBy('country'));
    const expected = await truth('SELECT country, SUM(amount) FROM orders GROUP BY country ORDER BY country');
    expect(adhoc.body.rows).toEqual(expected);
    for (const id of dashboards) {
      const tile = await tileResults(id, viewer);
      expect(tile.status).toBe(200);
      expect(tile.body.rows).toEqual(expected);
    }

    const edited = await app.request('PATCH', `/api/charts/${chart.id}`, {
      query: { ...sumBy('country'), filters: { field: 'amount', operator: '>', values: [15] } },
      version: 1,
    });
    expect(edited.body).toMatchObject({ version: 2, usedBy: [{ name: 'First' }, { name: 'Second' }] });
    const narrowed = await truth(
      'SELECT country, SUM(amount) FROM orders WHERE amount > 15 GROUP BY country ORDER BY country',
    );
    const rerun = await app.request('POST', '/api/query', edited.body.query);
    expect(rerun.body.rows).toEqual(narrowed);
    expect(narrowed).not.toEqual(expected);
    for (const id of dashboards) expect((await tileResults(id, viewer)).body.rows).toEqual(narrowed);
    const { data } = await exportFile(app, {
      widget: { dashboard: dashboards[1], widget: 'tile' },
      format: 'csv',
    });
    expect(data.toString('utf8').trim().split(/\r?\n/).slice(1)).toEqual(
      narrowed.map((row) => row.join(',')),
    );

    // Its own results: the saved query, for whoever sees the chart (viewers too), as its tiles are.
    const own = await app.request('POST', `/api/charts/${chart.uuid}/results`, undefined, { token: analyst });
    expect(own.status).toBe(200);
    expect(own.body.rows).toEqual(narrowed);
    const seen = await app.request('POST', `/api/charts/${chart.uuid}/results`, {}, { token: viewer });
    expect(seen.status).toBe(200);
    expect(seen.body.rows).toEqual(narrowed);
    expect((await app.request('GET', `/api/charts/${chart.id}`, undefined, { token: viewer })).status).toBe(
      200,
    );

    const versions = await app.request('GET', `/api/charts/${chart.id}/versions`);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const restored = await app.request('POST', `/api/charts/${chart.id}/versions/1/restore`);
    expect(restored.body).toMatchObject({ version: 3, query: sumBy('country') });
    expect((await tileResults(dashboards[0])).body.rows).toEqual(expected);
  });

  it('refuses to delete a chart in use (409 naming the dashboards) unless forced', async () => {
    const chart = (
      await app.request('POST', '/api/charts', {
        name: 'Totals',
        query: sumBy('country'),
        visualization: { type: 'table' },
      })
    ).body;
    const dashboard = (
      await app.request('POST', '/api/dashboards', {
        name: 'Board',
        widgets: [{ id: 'tile', chartId: chart.uuid }],
      })
    ).body;
    const before = (await tileResults(dashboard.id)).body.rows;
    const inUse = await app.request('DELETE', `/api/charts/${chart.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.message).toContain('"Board"');
    expect((await app.request('DELETE', `/api/charts/${chart.id}?force=true`)).status).toBe(204);
    expect((await app.request('GET', `/api/charts/${chart.id}`)).status).toBe(404);
    const after = await app.request('GET', `/api/dashboards/${dashboard.id}`);
    expect(after.body.widgets[0]).not.toHaveProperty('chartId');
    expect((await tileResults(dashboard.id)).body.rows).toEqual(before);
  });

  it('answers bad input with a 400 naming the field, stale versions with a 409', async () => {
    const bad: Array<[string, string, unknown, string]> = [
      ['POST', '/api/charts', { name: 'x', visualization: { type: 'bar' } }, 'query'],
      [
        'POST',
        '/api/charts',
        { name: 'x', query: { source: 'nope' }, visualization: { type: 'text' } },
        'visualization.type',
      ],
      ['POST', '/api/charts', { name: 'x', query: {}, visualization: { type: 'bar' } }, 'query.source'],
      ['POST', '/api/dashboards', { name: 'x', widgets: [{ chartId: 'ghost' }] }, 'widgets[0].chartId'],
      [
        'POST',
        '/api/dashboards',
        { name: 'x', widgets: [{ title: 'no chart' }] },
        'widgets[0].visualization',
      ],
    ];
    for (const [method, url, body, field] of bad) {
      const answer = await app.request(method, url, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.field).toBe(field);
    }
    const chart = (
      await app.request('POST', '/api/charts', {
        name: 'x',
        query: sumBy('id'),
        visualization: { type: 'kpi' },
      })
    ).body;
    await app.request('PATCH', `/api/charts/${chart.id}`, { name: 'y' });
    const stale = await app.request('PATCH', `/api/charts/${chart.id}`, { name: 'z', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.field).toBe('version');
    expect((await app.request('GET', '/api/charts/999999')).status).toBe(404);
    expect((await app.request('PATCH', `/api/charts/${chart.id}`, {})).status).toBe(400);
  });
});
