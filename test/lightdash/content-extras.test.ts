import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { ld } from './support.ts';

let app: TestApp;
let projectUuid: string;
let viewer: { uuid: string; key: string };
let editor: { uuid: string; key: string };

async function person(email: string, role: string) {
  const created = await app.request('POST', '/api/users', {
    email,
    role,
    password: 'longEnoughPassword',
    name: `${role} person`,
  });
  expect(created.status).toBe(201);
  const key = (await app.request('POST', '/api/api-keys', { name: email, userId: created.body.id })).body.key;
  return { uuid: created.body.uuid as string, key: key as string };
}

const metricQuery = {
  exploreName: 'demo_sales',
  dimensions: ['demo_sales_country'],
  metrics: ['demo_sales_total_quantity'],
  filters: {},
  sorts: [{ fieldId: 'demo_sales_country', descending: false }],
  limit: 500,
  tableCalculations: [],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Lightdash SQL's own placeholder
  additionalMetrics: [{ name: 'total_quantity', table: 'demo_sales', type: 'sum', sql: '${TABLE}.quantity' }],
};

async function space(name: string, isPrivate = false, key = ADMIN_KEY): Promise<string> {
  const created = await ld(app, 'POST', `/v1/projects/${projectUuid}/spaces`, { name, isPrivate }, { key });
  expect(created.status).toBe(200);
  return created.body.results.uuid;
}

async function chart(spaceUuid: string, name: string, key = ADMIN_KEY): Promise<string> {
  const created = await ld(
    app,
    'POST',
    `/v1/projects/${projectUuid}/saved`,
    {
      name,
      tableName: 'demo_sales',
      metricQuery,
      chartConfig: { type: 'table' },
      tableConfig: { columnOrder: [] },
      spaceUuid,
    },
    { key },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.results.uuid;
}

const tile = (uuid: string, chartUuid: string, y: number) => ({
  uuid,
  type: 'saved_chart',
  x: 0,
  y,
  w: 18,
  h: 6,
  properties: { savedChartUuid: chartUuid, title: `Tile ${y}` },
});

async function dashboard(spaceUuid: string, name: string, tiles: unknown[]): Promise<string> {
  const created = await ld(app, 'POST', `/v1/projects/${projectUuid}/dashboards`, {
    name,
    spaceUuid,
    tiles,
    tabs: [],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.results.uuid;
}

/** A file as bytes (ld parses JSON and text only). */
async function download(url: string, key = ADMIN_KEY) {
  const { pathname, search } = new URL(url, 'http://localhost');
  const response = await app.rosetta.server.inject({
    method: 'GET',
    url: pathname + search,
    headers: { authorization: `ApiKey ${key}` },
  });
  return { status: response.statusCode, type: response.headers['content-type'], bytes: response.rawPayload };
}

async function finished(jobId: string, key = ADMIN_KEY) {
  let status = { status: 'scheduled', details: {} as { fileUrl?: string; error?: string } };
  for (let i = 0; i < 200 && !['completed', 'error'].includes(status.status); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await ld(app, 'GET', `/v1/schedulers/job/${jobId}/status`, undefined, { key })).body.results;
  }
  return status;
}

/** The entries of a ZIP archive (names and inflated contents), read from its central directory. */
function unzip(archive: Buffer): Map<string, string> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const packed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    files.set(name, inflateRawSync(archive.subarray(start, start + packed)).toString('utf8'));
    at += 46 + nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
  }
  return files;
}

beforeAll(async () => {
  app = await startTestApp();
  projectUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  viewer = await person('viewer@extras.test', 'viewer');
  editor = await person('editor@extras.test', 'editor');
}, 120_000);
afterAll(() => app?.close());

describe('view counts', () => {
  it('counts opening a chart, not listing it, and shows the count in chart shapes', async () => {
    const spaceUuid = await space('Views');
    const uuid = await chart(spaceUuid, 'Viewed chart');
    const before = await ld(app, 'GET', `/v1/saved/${uuid}/views`);
    expect(before.body).toEqual({ status: 'ok', results: 0 });

    await ld(app, 'GET', `/v1/saved/${uuid}`);
    await ld(app, 'GET', `/v1/saved/${uuid}`);
    expect((await ld(app, 'GET', `/v1/saved/${uuid}`, undefined, { key: viewer.key })).status).toBe(200);
    // Lists and spaces read the chart too: they are not views.
    await ld(app, 'GET', `/v1/projects/${projectUuid}/charts`);
    await ld(app, 'GET', `/v1/projects/${projectUuid}/spaces/${spaceUuid}`);

    const after = await ld(app, 'GET', `/v1/saved/${uuid}/views`, undefined, { key: viewer.key });
    expect(after.body).toEqual({ status: 'ok', results: 3 });
    const listed = (await ld(app, 'GET', `/v1/projects/${projectUuid}/charts`)).body.results;
    const item = listed.find((entry: { uuid: string }) => entry.uuid === uuid);
    expect(item.views).toBe(3);
    expect(Date.parse(item.firstViewedAt)).not.toBeNaN();

    // The store keeps distinct viewers too: the admin and the viewer.
    const { db } = app.rosetta.store;
    const row = await db.selectFrom('charts').select('id').where('uuid', '=', uuid).executeTakeFirstOrThrow();
    const viewers = await db
      .selectFrom('content_viewers')
      .select(['user_id', 'views'])
      .where('kind', '=', 'chart')
      .where('object_id', '=', row.id)
      .execute();
    expect(viewers.map((viewer) => Number(viewer.views)).sort()).toEqual([1, 2]);
  });

  it('counts dashboard views and answers 404 for unknown or unseen content', async () => {
    const spaceUuid = await space('Dashboard views');
    const chartUuid = await chart(spaceUuid, 'On a dashboard');
    const uuid = await dashboard(spaceUuid, 'Viewed dashboard', [tile('t-1', chartUuid, 0)]);
    const opened = await ld(app, 'GET', `/v1/dashboards/${uuid}`);
    expect(opened.body.results.views).toBe(1);
    await ld(app, 'GET', `/v1/dashboards/${uuid}`, undefined, { key: viewer.key });
    expect((await ld(app, 'GET', `/v1/dashboards/${uuid}/views`)).body.results).toBe(2);
    const inSpace = (await ld(app, 'GET', `/v1/projects/${projectUuid}/spaces/${spaceUuid}`)).body.results;
    expect(inSpace.dashboards[0]).toMatchObject({ uuid, views: 2 });
    // Opening the dashboard ran no view of its chart.
    expect((await ld(app, 'GET', `/v1/saved/${chartUuid}/views`)).body.results).toBe(0);

    const missing = await ld(app, 'GET', '/v1/dashboards/00000000-0000-4000-8000-000000000000/views');
    expect(missing.status).toBe(404);
    expect(missing.body.error.name).toBe('NotExistsError');
    const secret = await space('Secret views', true, editor.key);
    const hidden = await chart(secret, 'Hidden', editor.key);
    const refused = await ld(app, 'GET', `/v1/saved/${hidden}/views`, undefined, { key: viewer.key });
    expect(refused.status).toBe(404);
  });
});

describe('available filters', () => {
  it("lists a chart's filterable dimensions and a dashboard's, per tile", async () => {
    const spaceUuid = await space('Filters');
    const chartUuid = await chart(spaceUuid, 'Filterable');
    const fields = await ld(app, 'GET', `/v1/saved/${chartUuid}/availableFilters`, undefined, {
      key: viewer.key,
    });
    expect(fields.status, JSON.stringify(fields.body)).toBe(200);
    const list = fields.body.results as { fieldType: string; table: string; name: string }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((field) => field.fieldType === 'dimension')).toBe(true);
    expect(list).toContainEqual(
      expect.objectContaining({
        name: 'country',
        table: 'demo_sales',
        type: 'string',
        compiledSql: expect.any(String),
      }),
    );
    expect((await ld(app, 'GET', `/v1/saved/${chartUuid}/views`)).body.results).toBe(0);

    const both = await ld(app, 'POST', '/v1/dashboards/availableFilters', [
      { tileUuid: 'a', savedChartUuid: chartUuid },
      { tileUuid: 'b', savedChartUuid: chartUuid },
    ]);
    expect(both.status).toBe(200);
    const { savedQueryFilters, allFilterableFields } = both.body.results;
    expect(allFilterableFields).toHaveLength(list.length);
    expect(savedQueryFilters.a).toEqual(list.map((_, i) => i));
    expect(savedQueryFilters.b).toEqual(savedQueryFilters.a);

    const bad = await ld(app, 'POST', '/v1/dashboards/availableFilters', [{ tileUuid: 'a' }]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('savedChartUuid');
    const unknown = await ld(app, 'POST', '/v1/dashboards/availableFilters', [
      { tileUuid: 'a', savedChartUuid: '00000000-0000-4000-8000-000000000000' },
    ]);
    expect(unknown.status).toBe(404);
    expect((await ld(app, 'GET', '/v1/saved/nope/availableFilters')).status).toBe(404);
  });
});

describe('dashboard exports and downloads', () => {
  let dashboardUuid: string;

  beforeAll(async () => {
    const spaceUuid = await space('Exports');
    const first = await chart(spaceUuid, 'First export');
    const second = await chart(spaceUuid, 'Second export');
    dashboardUuid = await dashboard(spaceUuid, 'Exported', [tile('e-1', first, 0), tile('e-2', second, 6)]);
  });

  it('renders the dashboard to an image whose URL only its owner downloads', async () => {
    const exported = await ld(app, 'POST', `/v1/dashboards/${dashboardUuid}/export`, { queryFilters: '' });
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    const url = exported.body.results as string;
    expect(url).toMatch(new RegExp(`/lightdash/api/v1/projects/${projectUuid}/exports/`));
    const image = await download(url);
    expect(image.status).toBe(200);
    expect(image.type).toBe('image/png');
    expect(image.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect((await download(url, viewer.key)).status).toBe(404);

    const missing = await ld(app, 'POST', '/v1/dashboards/00000000-0000-4000-8000-000000000000/export', {});
    expect(missing.status).toBe(404);
  }, 60_000);

  it('bundles every chart tile as a CSV in a ZIP job, polled at the job status', async () => {
    const started = await ld(
      app,
      'POST',
      `/v1/dashboards/${dashboardUuid}/exportCsv`,
      { filters: {} },
      {
        key: viewer.key,
      },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const { jobId } = started.body.results;
    const status = await finished(jobId, viewer.key);
    expect(status.status, JSON.stringify(status)).toBe('completed');
    expect(status.details.fileUrl).toEqual(expect.any(String));

    const file = await download(`/lightdash/api/v1/projects/${projectUuid}/csv/${jobId}`, viewer.key);
    expect(file.status).toBe(200);
    expect(file.type).toBe('application/zip');
    const entries = unzip(file.bytes);
    expect(entries.size).toBe(2);
    for (const csv of entries.values()) expect(csv.split('\n')[0]).toContain('country');
    // The signed link of the job status serves the same archive.
    const signed = await download(status.details.fileUrl as string, viewer.key);
    expect(signed.status).toBe(200);
    expect(signed.bytes.equals(file.bytes)).toBe(true);
    // Another user's job is not found.
    expect(
      (await download(`/lightdash/api/v1/projects/${projectUuid}/csv/${jobId}`, editor.key)).status,
    ).toBe(404);
  }, 60_000);

  it('serves the CSV of a downloadCsv job to its owner', async () => {
    const started = await ld(app, 'POST', `/v1/projects/${projectUuid}/explores/demo_sales/downloadCsv`, {
      ...metricQuery,
      onlyRaw: true,
      showTableNames: false,
      columnOrder: [],
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const { jobId } = started.body.results;
    expect((await finished(jobId)).status).toBe('completed');
    const file = await download(`/lightdash/api/v1/projects/${projectUuid}/csv/${jobId}`);
    expect(file.status).toBe(200);
    expect(file.type).toContain('text/csv');
    expect(file.bytes.toString('utf8').split('\n')[0]).toContain('country');
    const unknownProject = await ld(
      app,
      'GET',
      `/v1/projects/00000000-0000-4000-8000-000000000000/csv/${jobId}`,
    );
    expect(unknownProject.status).toBe(404);
    expect((await ld(app, 'GET', `/v1/projects/${projectUuid}/csv/not-a-job`)).status).toBe(404);
  }, 60_000);
});

describe('refusals', () => {
  it('refuses a data-API key every content route with 403 ForbiddenError', async () => {
    const sources = (await app.request('GET', '/api/data-sources')).body.items;
    const demo = sources.find((source: { name: string }) => source.name === 'demo_sales').id;
    const key = (await app.request('POST', '/api/api-keys', { name: 'partner', dataSourceIds: [demo] })).body
      .key;
    const spaceUuid = await space('Refusals');
    const chartUuid = await chart(spaceUuid, 'Refused');
    const dashboardUuid = await dashboard(spaceUuid, 'Refused board', [tile('r-1', chartUuid, 0)]);
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/saved/${chartUuid}/views`],
      ['GET', `/v1/dashboards/${dashboardUuid}/views`],
      ['GET', `/v1/saved/${chartUuid}/availableFilters`],
      ['POST', '/v1/dashboards/availableFilters', [{ tileUuid: 'r-1', savedChartUuid: chartUuid }]],
      ['POST', `/v1/dashboards/${dashboardUuid}/export`, {}],
      ['POST', `/v1/dashboards/${dashboardUuid}/exportCsv`, {}],
      ['GET', `/v1/projects/${projectUuid}/csv/anything`],
      ['GET', '/v2/content'],
    ];
    for (const [method, path, body] of calls) {
      const refused = await ld(app, method, path, body, { key });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.error.name).toBe('ForbiddenError');
    }
  });
});

describe('GET /api/v2/content', () => {
  it('pages the charts, dashboards and spaces the caller sees', async () => {
    const spaceUuid = await space('Listing');
    const first = await chart(spaceUuid, 'Listed alpha');
    await chart(spaceUuid, 'Listed beta');
    const board = await dashboard(spaceUuid, 'Listed board', [tile('l-1', first, 0)]);
    const secret = await space('Listing secret', true, editor.key);
    await chart(secret, 'Listed hidden', editor.key);

    const page = await ld(
      app,
      'GET',
      `/v2/content?projectUuids=${projectUuid}&search=listed&sortBy=name&sortDirection=asc&pageSize=2&page=1`,
      undefined,
      { key: viewer.key },
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body.results.pagination).toEqual({
      page: 1,
      pageSize: 2,
      totalResults: 3,
      totalPageCount: 2,
    });
    expect(page.body.results.data.map((item: { name: string }) => item.name)).toEqual([
      'Listed alpha',
      'Listed beta',
    ]);
    expect(page.body.results.data[0]).toMatchObject({
      contentType: 'chart',
      uuid: first,
      chartKind: 'table',
      source: 'dbt_explore',
      space: { uuid: spaceUuid, name: 'Listing' },
      project: { uuid: projectUuid },
      views: 0,
    });

    const boards = await ld(app, 'GET', `/v2/content?contentTypes=dashboard&spaceUuids=${spaceUuid}`);
    expect(boards.body.results.data).toEqual([
      expect.objectContaining({ contentType: 'dashboard', uuid: board, name: 'Listed board' }),
    ]);
    const spaces = await ld(app, 'GET', '/v2/content?contentTypes=space&search=listing', undefined, {
      key: viewer.key,
    });
    expect(spaces.body.results.data).toEqual([
      expect.objectContaining({ contentType: 'space', uuid: spaceUuid, chartCount: 2, dashboardCount: 1 }),
    ]);
    // The editor sees the private space's chart.
    const own = await ld(app, 'GET', '/v2/content?search=listed%20hidden', undefined, { key: editor.key });
    expect(own.body.results.pagination.totalResults).toBe(1);

    const bad = await ld(app, 'GET', '/v2/content?contentTypes=report');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('contentTypes');
    const unknown = await ld(app, 'GET', '/v2/content?projectUuids=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect((await ld(app, 'GET', '/v2/content', undefined, { key: null })).status).toBe(401);
  });
});
