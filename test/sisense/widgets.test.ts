import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { demoLines, quantityBy } from './jaql-support.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

let app: TestApp;
let viewerToken: string;
let board: { _id: string };

const PASSWORD = 'a-long-password-1';
const pie = {
  title: 'Units by category',
  type: 'chart/pie',
  subtype: 'pie/donut',
  metadata: {
    panels: [
      { name: 'categories', items: [{ jaql: { dim: '[demo_sales.category]', datatype: 'text' } }] },
      { name: 'values', items: [{ jaql: { dim: '[demo_sales.quantity]', agg: 'sum' } }] },
    ],
  },
  style: { legend: { enabled: true } },
};

async function nativeDashboard(oid: string) {
  const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
  const id = await app.rosetta.services.externalIds.resolve(admin.organizationId, 'dashboard', 'hex24', oid);
  return { id, body: (await app.request('GET', `/api/dashboards/${id}`)).body };
}

beforeAll(async () => {
  app = await startTestApp();
  const created = await app.request('POST', '/api/users', {
    email: 'w-viewer@example.test',
    role: 'viewer',
    password: PASSWORD,
  });
  expect(created.status).toBe(201);
  viewerToken = await sisenseLogin(app, 'w-viewer@example.test', PASSWORD);
  const dashboard = await sx(app, 'POST', '/api/v1/dashboards', {
    title: 'Widget board',
    datasource: { title: 'demo_sales', fullname: 'LocalHost/demo_sales' },
  });
  expect(dashboard.status).toBe(201);
  board = dashboard.body;
}, 120_000);
afterAll(() => app.close());

describe('Sisense face: widgets', () => {
  it('adds a widget whose JAQL panels become a tile Rosetta runs', async () => {
    const added = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/widgets`, pie);
    expect(added.status, added.text).toBe(201);
    expect(added.body).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      title: 'Units by category',
      type: 'chart/pie',
      subtype: 'pie/donut',
      dashboardid: board._id,
      datasource: { title: 'demo_sales' },
      style: { legend: { enabled: true } },
    });
    const { id, body } = await nativeDashboard(board._id);
    const tile = body.widgets.find((w: { title: string }) => w.title === 'Units by category');
    expect(tile.visualization.type).toBe('pie');
    const results = await app.request('POST', `/api/dashboards/${id}/widgets/${tile.id}/results`, {});
    expect(results.status, JSON.stringify(results.body)).toBe(200);
    expect(results.body.rows.length).toBeGreaterThan(0);
  });

  it('runs a widget with a formula and a filter panel as its JAQL means', async () => {
    const lines = demoLines();
    const [country] = quantityBy(lines, (line) => line.country)[0];
    const added = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/widgets`, {
      title: 'Double units',
      type: 'tablewidget',
      metadata: {
        panels: [
          { name: 'columns', items: [{ jaql: { dim: '[demo_sales.category]', datatype: 'text' } }] },
          {
            name: 'values',
            items: [
              {
                jaql: {
                  title: 'x2',
                  formula: 'SUM([q]) * 2',
                  context: { '[q]': { dim: '[demo_sales.quantity]' } },
                },
              },
            ],
          },
          {
            name: 'filters',
            items: [
              { jaql: { dim: '[demo_sales.country]', datatype: 'text', filter: { members: [country] } } },
            ],
          },
        ],
      },
    });
    expect(added.status, added.text).toBe(201);
    const { id, body } = await nativeDashboard(board._id);
    const tile = body.widgets.find((w: { title: string }) => w.title === 'Double units');
    // The planner's helper sums are not drawn.
    expect(tile.visualization.options.hiddenSeries).toEqual([expect.stringMatching(/^jaql_h/)]);
    const results = await app.request('POST', `/api/dashboards/${id}/widgets/${tile.id}/results`, {});
    expect(results.status, JSON.stringify(results.body)).toBe(200);
    const expected = quantityBy(
      lines,
      (line) => line.category,
      (line) => line.country === country,
    );
    // The formula's column is the second item's (`jaql_c1`); its helper sums sit beside it.
    const names = results.body.columns.map((column: { name: string }) => column.name);
    const [category, doubled] = [names.indexOf('jaql_c0'), names.indexOf('jaql_c1')];
    const got = results.body.rows.map((row: unknown[]) => [row[category], Number(row[doubled])]);
    expect(got.sort()).toEqual(expected.map(([category, sum]) => [category, sum * 2]).sort());
  });

  it('lists, filters, reads, patches and deletes widgets', async () => {
    const second = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/widgets`, {
      title: 'Notes',
      type: 'richtexteditor',
      style: { content: { html: '<b>hi</b>' } },
    });
    expect(second.status).toBe(201);
    const listed = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/widgets?type=richtexteditor`);
    expect(listed.body.map((w: { title: string }) => w.title)).toEqual(['Notes']);
    const one = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/widgets/${second.body._id}`);
    expect(one.body).toMatchObject({ title: 'Notes', style: { content: { html: '<b>hi</b>' } } });

    const patched = await sx(app, 'PATCH', `/api/v1/dashboards/${board._id}/widgets/${second.body._id}`, {
      title: 'Read me',
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ _id: second.body._id, title: 'Read me', type: 'richtexteditor' });
    const stored = (await nativeDashboard(board._id)).body.widgets.map((w: { title: string }) => w.title);
    expect(stored).toContain('Read me');

    const viewerDelete = await sx(
      app,
      'DELETE',
      `/api/v1/dashboards/${board._id}/widgets/${second.body._id}`,
      undefined,
      {
        token: viewerToken,
      },
    );
    expect(viewerDelete.status).toBe(403);
    expect(
      (await sx(app, 'DELETE', `/api/v1/dashboards/${board._id}/widgets/${second.body._id}`)).status,
    ).toBe(200);
    expect((await sx(app, 'GET', `/api/v1/dashboards/${board._id}/widgets/${second.body._id}`)).status).toBe(
      404,
    );
  });

  it('shows tiles made elsewhere with panels built from their query', async () => {
    const demo = (await sx(app, 'GET', '/api/v1/dashboards?name=Demo%20sales')).body[0];
    const widgets = await sx(app, 'GET', `/api/v1/dashboards/${demo._id}/widgets`);
    expect(widgets.status).toBe(200);
    const byCountry = widgets.body.find((w: { metadata: { panels: Array<{ items: unknown[] }> } }) =>
      JSON.stringify(w.metadata.panels[0].items).includes('[demo_sales.country]'),
    );
    expect(byCountry.datasource).toMatchObject({ title: 'demo_sales' });
    const units = widgets.body.find((w: { title: string }) => w.title === 'Units sold');
    expect(units).toMatchObject({ type: 'indicator' });
    expect(units.metadata.panels[1].items[0].jaql).toMatchObject({
      dim: '[demo_sales.quantity]',
      agg: 'sum',
    });
  });

  it('refuses bad widgets naming the field, and widgets of another dashboard', async () => {
    const badAgg = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/widgets`, {
      ...pie,
      metadata: {
        panels: [{ name: 'values', items: [{ jaql: { dim: '[demo_sales.quantity]', agg: 'mode' } }] }],
      },
    });
    expect(sisenseError(badAgg)).toMatchObject({
      status: 400,
      field: 'widget.metadata.panels[0].items[0].jaql.agg',
    });
    const badPanels = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/widgets`, {
      ...pie,
      metadata: { panels: 3 },
    });
    expect(sisenseError(badPanels)).toMatchObject({ status: 400, field: 'widget.metadata.panels' });
    const demo = (await sx(app, 'GET', '/api/v1/dashboards?name=Demo%20sales')).body[0];
    const demoWidget = (await sx(app, 'GET', `/api/v1/dashboards/${demo._id}/widgets`)).body[0];
    const elsewhere = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/widgets/${demoWidget._id}`);
    expect(elsewhere.status).toBe(404);
    const malformed = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/widgets/zz`);
    expect(sisenseError(malformed)).toMatchObject({ status: 400, field: 'widgetId' });
  });

  it('renders a widget as PNG, its size required', async () => {
    const demo = (await sx(app, 'GET', '/api/v1/dashboards?name=Demo%20sales')).body[0];
    const widget = (await sx(app, 'GET', `/api/v1/dashboards/${demo._id}/widgets`)).body[0];
    const path = `/api/v1/dashboards/${demo._id}/widgets/${widget._id}/export/png`;
    const noSize = await sx(app, 'GET', `${path}?width=400`);
    expect(sisenseError(noSize)).toMatchObject({ status: 400, field: 'height' });
    const png = await sx(app, 'GET', `${path}?width=400&height=300`);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
  }, 120_000);
});
