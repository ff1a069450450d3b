import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { exportFile } from './support/exports.ts';

/**
 * Dashboards as their readers see them: each widget's saved query with the dashboard's filters and
 * variables, under the row policies and the row cap, the same on screen and in exports. Expected
 * numbers come from the warehouse itself (admin SQL console).
 */
let app: TestApp;
let source: { id: number; uuid: string };
let dashboard: number;
let viewer: string;

const rows = [
  { id: 1, at: '2024-03-01T09:00:00', country: 'France', amount: 10 },
  { id: 2, at: '2024-03-31T18:30:00', country: 'France', amount: 20 },
  { id: 3, at: '2024-04-01T00:00:00', country: 'France', amount: 40 },
  { id: 4, at: '2024-03-15T12:00:00', country: 'Spain', amount: 80 },
  { id: 5, at: '2024-03-20T12:00:00', country: 'Italy', amount: 160 },
  { id: 6, at: '2024-03-21T12:00:00', country: 'Peru', amount: 320 },
];

async function truth(where: string): Promise<number> {
  const answer = await app.request('POST', '/api/connections/1/sql', {
    sql: `SELECT SUM(amount) FROM storage.ds_${source.id} WHERE ${where}`,
  });
  return Number(answer.body.rows[0][0]);
}

const results = (widget: string, body: object = {}, token?: string) =>
  app.request(
    'POST',
    `/api/dashboards/${dashboard}/widgets/${widget}/results`,
    body,
    token === undefined ? {} : { token },
  );

beforeAll(async () => {
  app = await startTestApp({ demo: false, env: { ROSETTA_MAX_QUERY_ROWS: '3' } });
  source = (
    await app.request('POST', '/api/data-sources', {
      name: 'orders',
      type: 'storage',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'at', type: 'datetime' },
        { name: 'country', type: 'string' },
        { name: 'amount', type: 'integer' },
      ],
    })
  ).body;
  await app.request('POST', `/api/data-sources/${source.id}/rows`, { mode: 'insert', rows });
  dashboard = (
    await app.request('POST', '/api/dashboards', {
      name: 'Orders',
      widgets: [
        {
          id: 'total',
          query: { source: source.uuid, metrics: [{ field: 'amount', aggregation: 'sum' }] },
          visualization: { type: 'kpi' },
        },
        {
          id: 'by-country',
          query: {
            source: source.uuid,
            dimensions: ['country'],
            metrics: [{ field: 'amount', aggregation: 'sum' }],
            sorts: [{ field: 'country' }],
          },
          visualization: { type: 'table' },
        },
        {
          // A pivot widget saved before queries could pivot: no `pivot` in its query.
          id: 'old-pivot',
          query: {
            source: source.uuid,
            dimensions: ['country', { field: 'at', granularity: 'month' }],
            metrics: [{ field: 'amount', aggregation: 'avg' }],
          },
          visualization: { type: 'pivot' },
        },
      ],
      filters: [
        { id: 'when', field: 'at', label: 'When', type: 'date_range' },
        { id: 'where', field: 'country', label: 'Country', type: 'values' },
        { id: 'other', field: 'region', label: 'Region', type: 'values' },
      ],
    })
  ).body.id;
  await app.request('POST', '/api/attributes', { key: 'country', type: 'string' });
  await app.request('PATCH', `/api/data-sources/${source.id}`, {
    policies: [{ field: 'country', attribute: 'country' }],
  });
  const user = await app.request('POST', '/api/users', {
    email: 'v@example.com',
    role: 'viewer',
    password: 'viewer password 1',
  });
  await app.request('PUT', `/api/users/${user.body.id}/attributes`, {
    attributes: { country: ['France', 'Spain'] },
  });
  viewer = (
    await app.request(
      'POST',
      '/api/auth/login',
      { email: 'v@example.com', password: 'viewer password 1' },
      { token: '' },
    )
  ).body.token;
}, 120_000);
afterAll(() => app?.close());

describe('dashboard views', () => {
  it("gives a viewer the widgets' data under the row policy, never an ad-hoc query", async () => {
    const total = await results('total', {}, viewer);
    expect(total.status).toBe(200);
    expect(total.body.rows).toEqual([[await truth("country IN ('France', 'Spain')")]]);
    const adhoc = await app.request(
      'POST',
      '/api/query',
      { source: source.uuid, metrics: [{ aggregation: 'count' }] },
      { token: viewer },
    );
    expect(adhoc.status).toBe(403);
  });

  it('includes the whole last day of a date range on a datetime field, on screen and in exports', async () => {
    const march = { when: { from: '2024-03-01', to: '2024-03-31' } };
    const screen = await results('total', { filters: march });
    expect(screen.body.rows).toEqual([[await truth(`"at" >= '2024-03-01' AND "at" < '2024-04-01'`)]]);
    expect(screen.body.rows).toEqual([[10 + 20 + 80 + 160 + 320]]);
    const { data } = await exportFile(app, {
      widget: { dashboard, widget: 'total' },
      format: 'csv',
      filters: march,
    });
    expect(data.toString('utf8').trim().split('\n')[1]).toBe(String(10 + 20 + 80 + 160 + 320));
  });

  it('applies a filter to the widgets whose data has its field, and reports which apply', async () => {
    const answer = await results('total', { filters: { where: ['Spain'], other: ['North'] } });
    expect(answer.body.rows).toEqual([[80]]);
    expect(answer.body.appliedFilters).toEqual(['when', 'where']);
    const relative = await results('total', { filters: { when: { relative: ['last', 1, 'year'] } } });
    expect(relative.status).toBe(200);
    const bad = await results('total', { filters: { nope: ['x'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('filters.nope');
  });

  it('draws an old pivot widget as the warehouse pivots it: cells and totals never added up', async () => {
    const answer = (await results('old-pivot')).body;
    expect(answer.pivot).toMatchObject({ rows: ['country'], columns: ['at_month'], metrics: ['avg_amount'] });
    const march = answer.columns.findIndex((c: { id: string }) => c.id.startsWith('avg_amount|2024-03'));
    const france = answer.rows.find((row: unknown[]) => row[0] === 'France');
    expect(france[march]).toBe((10 + 20) / 2);
    // Four countries, three rows under the cap: the totals still cover every row.
    expect(answer.truncated).toBe(true);
    expect(answer.totals.avg_amount).toBe((await truth('TRUE')) / rows.length);
  });

  it('says when the row cap cuts a widget', async () => {
    const cut = await results('by-country');
    expect(cut.body.rows).toHaveLength(3);
    expect(cut.body.truncated).toBe(true);
    // The viewer's two countries fit under the cap.
    const mine = await results('by-country', {}, viewer);
    expect(mine.body).toMatchObject({
      rows: [
        ['France', 70],
        ['Spain', 80],
      ],
      truncated: false,
    });
  });

  it("lists a values filter's choices as the caller may see them", async () => {
    const choices = await app.request('GET', `/api/dashboards/${dashboard}/filters/where/values`, undefined, {
      token: viewer,
    });
    expect(choices.body).toEqual({ values: ['France', 'Spain'], truncated: false });
    const none = await app.request('GET', `/api/dashboards/${dashboard}/filters/other/values`);
    expect(none.body).toEqual({ values: [], truncated: false });
  });
});
