import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { ld as request } from './support.ts';

/**
 * Promotion on the Lightdash face: a preview project's charts and dashboards copied by slug into
 * its upstream project (`PATCH /metadata`), with a dry run (`promoteDiff`), against a live app.
 */
let app: TestApp;
let previewUuid: string;
let productionUuid: string;
let spaceUuid: string;
let viewerKey: string;
let chartUuid: string;
let dashboardChartUuid: string;
let dashboardUuid: string;

const ld = (method: string, path: string, body?: unknown, key = ADMIN_KEY) =>
  request(app, method, path, body, { key });

// biome-ignore lint/suspicious/noTemplateCurlyInString: Lightdash SQL's own placeholder
const TABLE = '${TABLE}';
const salesExplore = {
  name: 'sales',
  label: 'Sales',
  baseTable: 'demo_sales',
  joinedTables: [],
  tables: {
    demo_sales: {
      name: 'demo_sales',
      dimensions: {
        country: { type: 'string', sql: `${TABLE}.country` },
        category: { type: 'string', sql: `${TABLE}.category` },
      },
      metrics: { total_quantity: { type: 'sum', sql: `${TABLE}.quantity` } },
    },
  },
};

const metricQuery = (dimension: string) => ({
  exploreName: 'demo_sales',
  dimensions: [dimension],
  metrics: ['demo_sales_total_quantity'],
  filters: {},
  sorts: [{ fieldId: dimension, descending: false }],
  limit: 500,
  tableCalculations: [],
});

async function createChart(name: string): Promise<string> {
  const created = await ld('POST', `/v1/projects/${previewUuid}/saved`, {
    name,
    tableName: 'demo_sales',
    metricQuery: metricQuery('demo_sales_category'),
    chartConfig: { type: 'table' },
    tableConfig: { columnOrder: [] },
    spaceUuid,
  });
  expect(created.status).toBe(200);
  return created.body.results.uuid;
}

const upstreamCharts = async () => (await ld('GET', `/v1/projects/${productionUuid}/charts`)).body.results;

beforeAll(async () => {
  app = await startTestApp();
  const created = await ld('POST', '/v1/org/projects', { name: 'Preview' });
  previewUuid = created.body.results.project.projectUuid;
  const production = (await app.request('GET', '/api/projects')).body.items[0];
  productionUuid = production.uuid;
  expect((await ld('PUT', `/v1/projects/${previewUuid}/explores`, [salesExplore])).status).toBe(200);
  spaceUuid = (await ld('POST', `/v1/projects/${previewUuid}/spaces`, { name: 'Team reports' })).body.results
    .uuid;
  chartUuid = await createChart('Quantity per category');
  dashboardChartUuid = await createChart('Dashboard chart');
  const dashboard = await ld('POST', `/v1/projects/${previewUuid}/dashboards`, {
    name: 'Sales overview',
    spaceUuid,
    tiles: [
      { type: 'saved_chart', x: 0, y: 0, w: 18, h: 9, properties: { savedChartUuid: dashboardChartUuid } },
    ],
    tabs: [],
  });
  expect(dashboard.status).toBe(201);
  dashboardUuid = dashboard.body.results.uuid;
  // `lightdash deploy` to production too: each project holds its own explore of that name.
  expect((await ld('PUT', `/v1/projects/${productionUuid}/explores`, [salesExplore])).status).toBe(200);
  const user = await app.request('POST', '/api/users', {
    email: 'viewer@example.com',
    role: 'viewer',
    password: 'longEnoughPassword',
    name: 'Vic Viewer',
  });
  viewerKey = (await app.request('POST', '/api/api-keys', { name: 'viewer', userId: user.body.id })).body.key;
}, 120_000);
afterAll(() => app?.close());

describe('promotion', () => {
  it('answers as Lightdash does while the project has no upstream', async () => {
    const refused = await ld('POST', `/v1/saved/${chartUuid}/promote`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.message).toBe('This chart does not have an upstream project');
  });

  it('sets the upstream project: another project of the organization, no cycle, admins only', async () => {
    const metadata = (uuid: string, upstreamProjectUuid: unknown, key = ADMIN_KEY) =>
      ld('PATCH', `/v1/projects/${uuid}/metadata`, { upstreamProjectUuid }, key);
    const unknown = await metadata(previewUuid, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.data).toHaveProperty('upstreamProjectUuid');
    expect((await metadata(previewUuid, previewUuid)).status).toBe(400);
    expect((await metadata(previewUuid, productionUuid, viewerKey)).status).toBe(403);
    expect(await metadata(previewUuid, productionUuid)).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    const preview = await ld('GET', `/v1/projects/${previewUuid}`);
    expect(preview.body.results.upstreamProjectUuid).toBe(productionUuid);
    const listed = (await ld('GET', '/v1/org/projects')).body.results;
    expect(
      listed.find((project: { projectUuid: string }) => project.projectUuid === previewUuid),
    ).toMatchObject({
      upstreamProjectUuid: productionUuid,
    });
    const cycle = await metadata(productionUuid, previewUuid);
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.data).toHaveProperty('upstreamProjectUuid');
  });

  it('diffs, creates, then updates a chart in the upstream space of the same slug', async () => {
    const diff = await ld('GET', `/v1/saved/${chartUuid}/promoteDiff`);
    expect(diff.status).toBe(200);
    expect(diff.body.results.spaces).toMatchObject([{ action: 'create', data: { name: 'Team Reports' } }]);
    expect(diff.body.results.charts).toMatchObject([
      { action: 'create', data: { oldUuid: chartUuid, spaceSlug: 'team-reports' } },
    ]);
    expect(await upstreamCharts()).toEqual([]);

    const promoted = await ld('POST', `/v1/saved/${chartUuid}/promote`);
    expect(promoted.status).toBe(200);
    expect(promoted.body.results).toMatchObject({
      name: 'Quantity per category',
      projectUuid: productionUuid,
      metricQuery: { dimensions: ['demo_sales_category'], metrics: ['demo_sales_total_quantity'] },
    });
    expect(promoted.body.results.uuid).not.toBe(chartUuid);
    const upstream = await ld('GET', `/v1/saved/${promoted.body.results.uuid}`);
    expect(upstream.body.results.spaceName).toBe('Team Reports');

    const again = await ld('GET', `/v1/saved/${chartUuid}/promoteDiff`);
    expect(again.body.results.charts[0].action).toBe('no changes');
    const changed = await ld('PATCH', `/v1/saved/${chartUuid}`, {
      name: 'Quantity per category',
      description: 'new',
    });
    expect(changed.status).toBe(200);
    expect((await ld('GET', `/v1/saved/${chartUuid}/promoteDiff`)).body.results.charts[0].action).toBe(
      'update',
    );
    const updated = await ld('POST', `/v1/saved/${chartUuid}/promote`);
    expect(updated.body.results).toMatchObject({ uuid: promoted.body.results.uuid, description: 'new' });
    expect(await upstreamCharts()).toHaveLength(1);
  });

  it('promotes a dashboard with its charts', async () => {
    const diff = await ld('GET', `/v1/dashboards/${dashboardUuid}/promoteDiff`);
    expect(diff.status).toBe(200);
    expect(diff.body.results.dashboards).toMatchObject([
      { action: 'create', data: { spaceSlug: 'team-reports' } },
    ]);
    expect(diff.body.results.charts).toMatchObject([
      { action: 'create', data: { oldUuid: dashboardChartUuid } },
    ]);

    const promoted = await ld('POST', `/v1/dashboards/${dashboardUuid}/promote`);
    expect(promoted.status).toBe(200);
    expect(promoted.body.results).toMatchObject({ name: 'Sales overview', projectUuid: productionUuid });
    const upstreamChart = (await upstreamCharts()).find(
      (chart: { name: string }) => chart.name === 'Dashboard chart',
    );
    expect(promoted.body.results.tiles[0].properties.savedChartUuid).toBe(upstreamChart.uuid);
  });

  it('refuses a viewer', async () => {
    expect((await ld('POST', `/v1/saved/${chartUuid}/promote`, undefined, viewerKey)).status).toBe(403);
    expect((await ld('GET', `/v1/saved/${chartUuid}/promoteDiff`, undefined, viewerKey)).status).toBe(403);
  });
});
