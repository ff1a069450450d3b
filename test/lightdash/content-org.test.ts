import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { ld as request } from './support.ts';

/**
 * Content organisation and health on the Lightdash face: deployed explores, pinned items, tags,
 * search, validation jobs and content as code, against a live app.
 */
let app: TestApp;
let projectUuid: string;
let spaceUuid: string;
let viewerKey: string;
let editorKey: string;

const ld = (method: string, path: string, body?: unknown, key = ADMIN_KEY) =>
  request(app, method, path, body, { key });
const project = (path: string) => `/v1/projects/${projectUuid}${path}`;

async function keyOf(email: string, role: string): Promise<string> {
  const created = await app.request('POST', '/api/users', {
    email,
    role,
    password: 'longEnoughPassword',
    name: `${role} person`,
  });
  expect(created.status).toBe(201);
  return (await app.request('POST', '/api/api-keys', { name: email, userId: created.body.id })).body.key;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Lightdash SQL's own placeholder
const TABLE = '${TABLE}';

/** A compiled explore as `lightdash deploy` uploads it: the demo rows, with or without `category`. */
const salesExplore = (withCategory = true) => ({
  name: 'sales',
  label: 'Sales',
  baseTable: 'demo_sales',
  joinedTables: [],
  tables: {
    demo_sales: {
      name: 'demo_sales',
      dimensions: {
        country: { type: 'string', sql: `${TABLE}.country`, label: 'Country' },
        ...(withCategory && { category: { type: 'string', sql: `${TABLE}.category` } }),
      },
      metrics: { total_quantity: { type: 'sum', sql: `${TABLE}.quantity`, label: 'Total quantity' } },
    },
  },
});

const chartBody = (name: string, dimension = 'demo_sales_category') => ({
  name,
  description: 'quantity per category',
  tableName: 'demo_sales',
  metricQuery: {
    exploreName: 'demo_sales',
    dimensions: [dimension],
    metrics: ['demo_sales_total_quantity'],
    filters: {},
    sorts: [{ fieldId: dimension, descending: false }],
    limit: 500,
    tableCalculations: [],
  },
  chartConfig: { type: 'table' },
  tableConfig: { columnOrder: [dimension, 'demo_sales_total_quantity'] },
  spaceUuid,
});

async function createChart(name: string, dimension?: string): Promise<string> {
  const created = await ld('POST', project('/saved'), chartBody(name, dimension));
  expect(created.status).toBe(200);
  return created.body.results.uuid;
}

async function createDashboard(name: string, chartUuid: string): Promise<string> {
  const created = await ld('POST', project('/dashboards'), {
    name,
    spaceUuid,
    tiles: [
      {
        type: 'saved_chart',
        x: 0,
        y: 0,
        w: 18,
        h: 9,
        properties: { savedChartUuid: chartUuid, title: 'Tile' },
      },
    ],
    tabs: [],
  });
  expect(created.status).toBe(201);
  return created.body.results.uuid;
}

async function finishedJob(jobId: string): Promise<{ status: string }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const polled = await ld('GET', `/v1/schedulers/job/${jobId}/status`);
    expect(polled.status).toBe(200);
    if (polled.body.results.status === 'completed' || polled.body.results.status === 'error')
      return polled.body.results;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}

beforeAll(async () => {
  app = await startTestApp();
  projectUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  viewerKey = await keyOf('viewer@example.com', 'viewer');
  editorKey = await keyOf('editor@example.com', 'editor');
  const deployed = await ld('PUT', project('/explores'), [salesExplore()]);
  expect(deployed).toMatchObject({ status: 200, body: { status: 'ok' } });
  const space = await ld('POST', project('/spaces'), { name: 'Team reports' });
  spaceUuid = space.body.results.uuid;
}, 120_000);
afterAll(() => app?.close());

describe('deployed explores (PUT /explores)', () => {
  it('become a model that queries use', async () => {
    const models = await app.request('GET', '/api/models');
    expect(JSON.stringify(models.body)).toContain('demo_sales');
    const ran = await ld('POST', project('/explores/demo_sales/runQuery'), {
      exploreName: 'demo_sales',
      dimensions: ['demo_sales_category'],
      metrics: ['demo_sales_total_quantity'],
      filters: {},
      sorts: [],
      limit: 10,
      tableCalculations: [],
    });
    expect(ran.status).toBe(200);
    expect(ran.body.results.rows.length).toBeGreaterThan(0);
    expect(ran.body.results.rows[0].demo_sales_total_quantity.value.raw).toBeGreaterThan(0);
  });

  it('refuses a viewer, a body that is no list and an explore without tables, naming the field', async () => {
    expect((await ld('PUT', project('/explores'), [salesExplore()], viewerKey)).status).toBe(403);
    const notList = await ld('PUT', project('/explores'), { explores: [] });
    expect(notList.status).toBe(400);
    expect(notList.body.error.name).toBe('ParameterError');
    const noTables = await ld('PUT', project('/explores'), [{ name: 'x', baseTable: 'x', tables: {} }]);
    expect(noTables.status).toBe(400);
    expect(noTables.body.error.data).toHaveProperty(['explores[0].baseTable']);
  });
});

describe('pinned items', () => {
  it('pins a chart, a dashboard and a space, orders them, and unpins', async () => {
    const chartUuid = await createChart('Pinned chart');
    const dashboardUuid = await createDashboard('Pinned dashboard', chartUuid);
    const projectJson = await ld('GET', project(''));
    const list = projectJson.body.results.pinnedListUuid;
    expect(list).toBe(projectUuid);

    const chart = await ld('PATCH', `/v1/saved/${chartUuid}/pinning`);
    expect(chart.body.results).toMatchObject({ uuid: chartUuid, pinnedListUuid: list, pinnedListOrder: 0 });
    expect((await ld('PATCH', `/v1/dashboards/${dashboardUuid}/pinning`)).status).toBe(200);
    const space = await ld('PATCH', project(`/spaces/${spaceUuid}/pinning`));
    expect(space.body.results).toMatchObject({ uuid: spaceUuid, pinnedListUuid: list });

    const items = project(`/pinned-lists/${list}/items`);
    const pinned = await ld('GET', items, undefined, viewerKey);
    expect(
      pinned.body.results.map((item: { type: string; data: { uuid: string } }) => [
        item.type,
        item.data.uuid,
      ]),
    ).toEqual([
      ['chart', chartUuid],
      ['dashboard', dashboardUuid],
      ['space', spaceUuid],
    ]);

    const reordered = await ld('PATCH', `${items}/order`, [
      { type: 'space', data: { uuid: spaceUuid, pinnedListOrder: 0 } },
      { type: 'chart', data: { uuid: chartUuid, pinnedListOrder: 1 } },
      { type: 'dashboard', data: { uuid: dashboardUuid, pinnedListOrder: 2 } },
    ]);
    expect(reordered.status).toBe(200);
    const order = (await ld('GET', items)).body.results.map((item: { type: string }) => item.type);
    expect(order).toEqual(['space', 'chart', 'dashboard']);

    const unpinned = await ld('PATCH', `/v1/saved/${chartUuid}/pinning`);
    expect(unpinned.body.results).toMatchObject({ pinnedListUuid: null, pinnedListOrder: null });
    expect((await ld('GET', items)).body.results).toHaveLength(2);
  });

  it('refuses a viewer, an unknown list and an order naming no pinned item', async () => {
    const chartUuid = await createChart('Unpinned chart');
    expect((await ld('PATCH', `/v1/saved/${chartUuid}/pinning`, undefined, viewerKey)).status).toBe(403);
    const unknown = await ld('GET', project('/pinned-lists/00000000-0000-4000-8000-000000000000/items'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.name).toBe('NotExistsError');
    const order = project(`/pinned-lists/${projectUuid}/items/order`);
    const notPinned = await ld('PATCH', order, [
      { type: 'chart', data: { uuid: chartUuid, pinnedListOrder: 0 } },
    ]);
    expect(notPinned.status).toBe(400);
    expect(notPinned.body.error.data).toHaveProperty(['body[0]']);
    const badType = await ld('PATCH', order, [
      { type: 'folder', data: { uuid: chartUuid, pinnedListOrder: 0 } },
    ]);
    expect(badType.status).toBe(400);
  });
});

describe('tags', () => {
  it('creates, lists, renames, recolours and deletes a tag', async () => {
    const created = await ld('POST', project('/tags'), { name: 'finance', color: '#ff0000' }, editorKey);
    expect(created.status).toBe(201);
    const { tagUuid } = created.body.results;
    const listed = await ld('GET', project('/tags'), undefined, viewerKey);
    expect(listed.body.results).toEqual([
      expect.objectContaining({ tagUuid, projectUuid, name: 'finance', color: '#ff0000' }),
    ]);
    expect(listed.body.results[0].createdBy).toHaveProperty('userUuid');
    const updated = await ld('PATCH', project(`/tags/${tagUuid}`), { name: 'money', color: '#00ff00' });
    expect(updated).toEqual({ status: 200, body: { status: 'ok' }, headers: expect.anything() });
    expect((await ld('GET', project('/tags'))).body.results[0]).toMatchObject({
      name: 'money',
      color: '#00ff00',
    });
    expect((await ld('DELETE', project(`/tags/${tagUuid}`))).status).toBe(200);
    expect((await ld('GET', project('/tags'))).body.results).toEqual([]);
    expect((await ld('DELETE', project(`/tags/${tagUuid}`))).status).toBe(404);
  });

  it('refuses a viewer, a taken name and an empty name or missing colour, naming the field', async () => {
    expect((await ld('POST', project('/tags'), { name: 'x', color: 'red' }, viewerKey)).status).toBe(403);
    expect((await ld('POST', project('/tags'), { name: 'ops', color: 'red' })).status).toBe(201);
    const taken = await ld('POST', project('/tags'), { name: 'ops', color: 'blue' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.name).toBe('AlreadyExistsError');
    const empty = await ld('POST', project('/tags'), { name: ' ', color: 'red' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.data).toHaveProperty('name');
    const noColour = await ld('POST', project('/tags'), { name: 'y' });
    expect(noColour.status).toBe(400);
    expect(JSON.stringify(noColour.body.error)).toContain('color');
  });
});

describe('search and homepage lists', () => {
  it('finds spaces, charts, dashboards and fields by name', async () => {
    const chartUuid = await createChart('Revenue by category');
    await createDashboard('Revenue overview', chartUuid);
    const found = await ld('GET', project('/search/revenue'), undefined, viewerKey);
    expect(found.status).toBe(200);
    const { savedCharts, dashboards, fields, spaces } = found.body.results;
    expect(savedCharts).toEqual([
      expect.objectContaining({ uuid: chartUuid, name: 'Revenue by category', spaceUuid }),
    ]);
    expect(dashboards.map((d: { name: string }) => d.name)).toContain('Revenue overview');
    expect(spaces).toEqual([]);
    const quantity = await ld('GET', project('/search/total%20quantity'));
    expect(quantity.body.results.fields).toContainEqual(
      expect.objectContaining({ name: 'total_quantity', explore: 'demo_sales', fieldType: 'metric' }),
    );
    expect(fields).toEqual([]);
    const recent = await ld('GET', project('/most-popular-and-recently-updated'));
    expect(recent.body.results.mostPopular).toEqual([]);
    expect(recent.body.results.recentlyUpdated[0].name).toBe('Revenue overview');
  });
});

describe('validation', () => {
  it('finds a chart whose field was removed from its model, and a clean project has no findings', async () => {
    const clean = await ld('POST', project('/validate'), {});
    expect(clean.status).toBe(200);
    expect(await finishedJob(clean.body.results.jobId)).toMatchObject({ status: 'completed' });
    const none = await ld('GET', `${project('/validate')}?jobId=${clean.body.results.jobId}`);
    expect(none.body.results).toEqual([]);

    const broken = await createChart('Quantity by category (to break)');
    const countryChart = await createChart('Quantity by country', 'demo_sales_country');
    expect((await ld('PUT', project('/explores'), [salesExplore(false)])).status).toBe(200);
    onTestFinished(async () => {
      expect((await ld('PUT', project('/explores'), [salesExplore()])).status).toBe(200);
    });
    const started = await ld('POST', project('/validate'), { validationTargets: ['charts', 'dashboards'] });
    expect(await finishedJob(started.body.results.jobId)).toMatchObject({ status: 'completed' });
    const latest = await ld('GET', project('/validate'));
    const charts = latest.body.results.filter((finding: { source: string }) => finding.source === 'chart');
    const uuids = charts.map((finding: { chartUuid: string }) => finding.chartUuid);
    expect(uuids).toContain(broken);
    expect(uuids).not.toContain(countryChart);
    expect(charts.find((finding: { chartUuid: string }) => finding.chartUuid === broken)).toMatchObject({
      projectUuid,
      spaceUuid,
      name: 'Quantity by category (to break)',
      chartName: 'Quantity by category (to break)',
      errorType: 'dimension',
      fieldName: 'demo_sales_category',
      chartViews: 0,
      validationId: expect.any(Number),
    });
  });

  it('is a developer task; explores to validate against and unknown targets are 400s', async () => {
    expect((await ld('POST', project('/validate'), {}, editorKey)).status).toBe(403);
    expect((await ld('GET', project('/validate'), undefined, editorKey)).status).toBe(403);
    const explores = await ld('POST', project('/validate'), { explores: [salesExplore()] });
    expect(explores.status).toBe(400);
    expect(explores.body.error.data).toHaveProperty('explores');
    const target = await ld('POST', project('/validate'), { validationTargets: ['everything'] });
    expect(target.status).toBe(400);
  });
});

describe('content as code', () => {
  it('downloads charts and uploads them back: no changes, then an update and a create', async () => {
    const chartUuid = await createChart('Code chart');
    const downloaded = await ld('GET', `${project('/charts/code')}?ids=code-chart`);
    expect(downloaded.status).toBe(200);
    const { charts, missingIds, total, offset } = downloaded.body.results;
    expect({ missingIds, total, offset }).toEqual({ missingIds: [], total: 1, offset: 1 });
    const [code] = charts;
    expect(code).toMatchObject({
      slug: 'code-chart',
      spaceSlug: 'team-reports',
      version: 1,
      tableName: 'demo_sales',
    });

    const again = await ld('POST', project('/charts/code-chart/code'), code);
    expect(again.status).toBe(200);
    expect(again.body.results).toMatchObject({
      spaces: [],
      dashboards: [],
      charts: [{ action: 'no changes' }],
    });

    const changed = await ld('POST', project('/charts/code-chart/code'), { ...code, description: 'changed' });
    expect(changed.body.results.charts).toEqual([
      { action: 'update', data: expect.objectContaining({ uuid: chartUuid, description: 'changed' }) },
    ]);
    const fresh = await ld('POST', project('/charts/new-chart/code'), {
      ...code,
      name: 'New chart',
      slug: 'new-chart',
      spaceSlug: 'made-by-upload',
    });
    expect(fresh.body.results.charts[0].action).toBe('create');
    expect(fresh.body.results.spaces).toEqual([
      { action: 'create', data: expect.objectContaining({ name: 'Made By Upload' }) },
    ]);
    const all = await ld('GET', project('/charts/code'));
    expect(all.body.results.total).toBeGreaterThanOrEqual(2);
    const missing = await ld('GET', `${project('/charts/code')}?ids=nope`);
    expect(missing.body.results).toMatchObject({ charts: [], missingIds: ['nope'] });
  });

  it('downloads dashboards with tiles naming charts by slug and uploads them back', async () => {
    const chartUuid = await createChart('Dashboard code chart');
    const dashboardUuid = await createDashboard('Code dashboard', chartUuid);
    const downloaded = await ld('GET', `${project('/dashboards/code')}?ids=${dashboardUuid}`);
    const [code] = downloaded.body.results.dashboards;
    expect(code.tiles[0].properties).toMatchObject({ chartSlug: 'dashboard-code-chart', title: 'Tile' });
    expect(code.tiles[0].properties).not.toHaveProperty('savedChartUuid');

    const again = await ld('POST', project('/dashboards/code-dashboard/code'), code);
    expect(again.body.results.dashboards).toEqual([{ action: 'no changes', data: expect.anything() }]);
    const retitled = structuredClone(code);
    retitled.tiles[0].properties.title = 'Renamed tile';
    const updated = await ld('POST', project('/dashboards/code-dashboard/code'), retitled);
    expect(updated.body.results.dashboards[0].action).toBe('update');
    const stored = await ld('GET', `/v1/dashboards/${dashboardUuid}`);
    expect(stored.body.results.tiles[0].properties).toMatchObject({
      title: 'Renamed tile',
      savedChartUuid: chartUuid,
    });

    const created = await ld('POST', project('/dashboards/copied/code'), { ...code, name: 'Copied' });
    expect(created.body.results.dashboards[0].action).toBe('create');
  });

  it('names the field of a bad code file, and keeps uploads to editors', async () => {
    const noSpace = await ld('POST', project('/charts/x/code'), { ...chartBody('X'), version: 1 });
    expect(noSpace.status).toBe(400);
    expect(JSON.stringify(noSpace.body.error)).toContain('spaceSlug');
    const badChart = await ld('POST', project('/dashboards/d/code'), {
      name: 'D',
      slug: 'd',
      spaceSlug: 'team-reports',
      version: 1,
      tabs: [],
      tiles: [{ type: 'saved_chart', x: 0, y: 0, w: 6, h: 3, properties: { chartSlug: 'no-such-chart' } }],
    });
    expect(badChart.status).toBe(400);
    expect(badChart.body.error.data).toHaveProperty(['tiles[0].properties.chartSlug']);
    const viewer = await ld(
      'POST',
      project('/charts/x/code'),
      { ...chartBody('X'), version: 1, spaceSlug: 'a' },
      viewerKey,
    );
    expect(viewer.status).toBe(403);
  });
});
