import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp, type TestResponse } from '../support/app.ts';
import { ld as request } from './support.ts';

let app: TestApp;
let projectUuid: string;
let viewer: Person;
let interactive: Person;
let editor: Person;

/** A catalog item, comment or notification as the answers hold them. */
type Item = Record<string, unknown>;

interface Person {
  id: number;
  uuid: string;
  key: string;
  name: string;
}

const ld = (method: string, path: string, body?: unknown, key = ADMIN_KEY) =>
  request(app, method, path, body, { key }) as Promise<TestResponse>;

async function person(email: string, role: string): Promise<Person> {
  const name = `${role} person`;
  const created = await app.request('POST', '/api/users', {
    email,
    role,
    password: 'longEnoughPassword',
    name,
  });
  expect(created.status).toBe(201);
  const key = (await app.request('POST', '/api/api-keys', { name: email, userId: created.body.id })).body.key;
  return { id: created.body.id, uuid: created.body.uuid, key, name };
}

const TILE = '11111111-2222-4333-8444-555555555555';
let chartUuid: string;
let dashboardUuid: string;

beforeAll(async () => {
  app = await startTestApp();
  projectUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  viewer = await person('viewer@catalog.test', 'viewer');
  interactive = await person('interactive@catalog.test', 'interactive_viewer');
  editor = await person('editor@catalog.test', 'editor');
  const space = await ld('POST', `/v1/projects/${projectUuid}/spaces`, { name: 'Catalog', isPrivate: false });
  const spaceUuid = space.body.results.uuid;
  const chart = await ld('POST', `/v1/projects/${projectUuid}/saved`, {
    name: 'Quantity by country',
    tableName: 'demo_sales',
    metricQuery: {
      exploreName: 'demo_sales',
      dimensions: ['demo_sales_country'],
      metrics: [],
      filters: {},
      sorts: [],
      limit: 500,
      tableCalculations: [],
    },
    chartConfig: { type: 'table' },
    tableConfig: { columnOrder: ['demo_sales_country'] },
    spaceUuid,
  });
  expect(chart.status).toBe(200);
  chartUuid = chart.body.results.uuid;
  const dashboard = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, {
    name: 'Commented',
    spaceUuid,
    tabs: [],
    tiles: [
      { uuid: TILE, type: 'saved_chart', x: 0, y: 0, w: 12, h: 6, properties: { savedChartUuid: chartUuid } },
    ],
  });
  expect(dashboard.status).toBe(201);
  dashboardUuid = dashboard.body.results.uuid;
}, 120_000);
afterAll(() => app?.close());

describe('data catalog', () => {
  it('lists tables and fields of the explores, searchable and filtered', async () => {
    const all = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog`, undefined, viewer.key);
    expect(all.status).toBe(200);
    const table = all.body.results.find((item: Item) => item.type === 'table' && item.name === 'demo_sales');
    expect(table).toMatchObject({ label: expect.any(String), icon: null, categories: [], chartUsage: 1 });
    expect(table.catalogSearchUuid).toMatch(/^[0-9a-f-]{36}$/);
    const country = all.body.results.find(
      (item: Item) => item.type === 'field' && item.tableName === 'demo_sales' && item.name === 'country',
    );
    expect(country).toMatchObject({
      fieldType: 'dimension',
      basicType: 'string',
      chartUsage: 1,
      categories: [],
    });

    const searched = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog?search=COUNT&type=field`);
    expect(searched.body.results.length).toBeGreaterThan(0);
    expect(searched.body.results.every((item: Item) => item.type === 'field')).toBe(true);
    expect(searched.body.results.some((item: Item) => item.name === 'country')).toBe(true);
    const tables = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog?filter=tables`);
    expect(tables.body.results.every((item: Item) => item.type === 'table')).toBe(true);
    const dims = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog?filter=dimensions`);
    expect(dims.body.results.every((item: Item) => item.fieldType === 'dimension')).toBe(true);

    const bad = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog?type=chart`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.name).toBe('ParameterError');
    const unknown = await ld('GET', '/v1/projects/00000000-0000-4000-8000-000000000000/dataCatalog');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.name).toBe('NotExistsError');
  });

  it('gives table metadata and the charts using a table or a field', async () => {
    const metadata = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog/demo_sales/metadata`);
    expect(metadata.body.results).toMatchObject({
      name: 'demo_sales',
      modelName: 'demo_sales',
      joinedTables: [],
    });
    expect(metadata.body.results.fields.map((field: Item) => field.name)).toContain('country');
    const analytics = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog/demo_sales/analytics`);
    expect(analytics.body.results.charts).toEqual([
      expect.objectContaining({
        uuid: chartUuid,
        name: 'Quantity by country',
        spaceName: 'Catalog',
        chartKind: 'table',
      }),
    ]);
    const used = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog/demo_sales/analytics/country`);
    expect(used.body.results.charts.map((chart: Item) => chart.uuid)).toEqual([chartUuid]);
    const unused = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog/demo_sales/analytics/quantity`);
    expect(unused.body.results.charts).toEqual([]);
    const missing = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog/nothing/metadata`);
    expect(missing.status).toBe(404);
  });

  it('pages the metrics catalog only when page and pageSize are both given', async () => {
    const sources = (await app.request('GET', '/api/data-sources')).body.items;
    const source = sources.find((candidate: { name: string }) => candidate.name === 'demo_sales');
    const model = await app.request('POST', '/api/models', {
      name: 'sales_model',
      connectionId: source.connectionId,
      tables: [{ name: 'demo_sales', dataSource: source.uuid }],
      baseTable: 'demo_sales',
      dimensions: [{ name: 'country', table: 'demo_sales', column: 'country' }],
      metrics: [
        { name: 'quantity_total', table: 'demo_sales', aggregation: 'sum', column: 'quantity' },
        { name: 'orders', table: 'demo_sales', aggregation: 'count' },
      ],
    });
    expect(model.status).toBe(201);
    const all = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog/metrics`);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.results.pagination).toBeUndefined();
    expect(all.body.results.data.every((item: Item) => item.fieldType === 'metric')).toBe(true);
    const total = all.body.results.data.length;
    expect(total).toBeGreaterThanOrEqual(2);
    const page = await ld(
      'GET',
      `/v1/projects/${projectUuid}/dataCatalog/metrics?page=1&pageSize=1&order=desc`,
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body.results.data).toHaveLength(1);
    expect(page.body.results.pagination).toEqual({
      page: 1,
      pageSize: 1,
      totalResults: total,
      totalPageCount: total,
    });
    const none = await ld('GET', `/v1/projects/${projectUuid}/dataCatalog/metrics?categories=some-tag`);
    expect(none.body.results.data).toEqual([]);
  });
});

describe('catalog categories and icons', () => {
  it("labels an item with the project's tags and an icon; editors only", async () => {
    const { services } = app.rosetta;
    const admin = await services.auth.authenticate(ADMIN_KEY);
    const project = await services.directory.projects.getByUuid(admin, projectUuid);
    const tag = await services.content.tags.create(admin, project.id, { name: 'Finance', color: '#ff0000' });
    const items = (await ld('GET', `/v1/projects/${projectUuid}/dataCatalog?type=field&search=country`)).body
      .results;
    const country = items.find((item: Item) => item.tableName === 'demo_sales' && item.name === 'country');
    const item = `/v1/projects/${projectUuid}/dataCatalog/${country.catalogSearchUuid}`;

    const refused = await ld('POST', `${item}/categories`, { tagUuid: tag.uuid }, viewer.key);
    expect(refused.status).toBe(403);
    expect((await ld('POST', `${item}/categories`, { tagUuid: tag.uuid }, editor.key)).status).toBe(200);
    expect((await ld('POST', `${item}/categories`, { tagUuid: 'no-tag' }, editor.key)).status).toBe(404);
    expect((await ld('PATCH', `${item}/icon`, { icon: { unicode: '💰' } }, editor.key)).status).toBe(200);
    const bad = await ld('PATCH', `${item}/icon`, { icon: { url: 'not a url' } }, editor.key);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('icon.url');
    const unknown = await ld('PATCH', `/v1/projects/${projectUuid}/dataCatalog/nope/icon`, { icon: null });
    expect(unknown.status).toBe(404);

    const labelled = (await ld('GET', `/v1/projects/${projectUuid}/dataCatalog?type=field&search=country`))
      .body.results;
    expect(
      labelled.find((found: Item) => found.catalogSearchUuid === country.catalogSearchUuid),
    ).toMatchObject({
      icon: { unicode: '💰' },
      categories: [{ tagUuid: tag.uuid, name: 'Finance', color: '#ff0000' }],
    });
    expect((await ld('DELETE', `${item}/categories/${tag.uuid}`, undefined, editor.key)).status).toBe(200);
    expect((await ld('PATCH', `${item}/icon`, { icon: null }, editor.key)).status).toBe(200);
    const cleared = (await ld('GET', `/v1/projects/${projectUuid}/dataCatalog?type=field&search=country`))
      .body.results;
    expect(
      cleared.find((found: Item) => found.catalogSearchUuid === country.catalogSearchUuid),
    ).toMatchObject({
      icon: null,
      categories: [],
    });
  });
});

describe('comments and notifications', () => {
  const comments = () => `/v1/comments/dashboards/${dashboardUuid}`;
  const comment = (text: string, extra: Record<string, unknown> = {}) => ({
    text,
    textHtml: `<p>${text}</p>`,
    mentions: [],
    ...extra,
  });

  it('keeps comments per tile with replies; viewers read, interactive viewers comment', async () => {
    const first = await ld('POST', `${comments()}/${TILE}`, comment('Why the dip?'), interactive.key);
    expect(first.status).toBe(200);
    expect(typeof first.body.results).toBe('string');
    const refused = await ld('POST', `${comments()}/${TILE}`, comment('me too'), viewer.key);
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('ForbiddenError');
    const reply = await ld(
      'POST',
      `${comments()}/${TILE}`,
      comment('Holidays', { replyTo: first.body.results }),
      editor.key,
    );
    expect(reply.status).toBe(200);

    const listed = await ld('GET', comments(), undefined, viewer.key);
    expect(listed.status).toBe(200);
    expect(Object.keys(listed.body.results)).toEqual([TILE]);
    const [thread] = listed.body.results[TILE];
    expect(thread).toMatchObject({
      commentId: first.body.results,
      text: 'Why the dip?',
      textHtml: '<p>Why the dip?</p>',
      user: { name: interactive.name },
      resolved: false,
      canRemove: false,
      mentions: [],
    });
    expect(thread.replies).toEqual([
      expect.objectContaining({
        commentId: reply.body.results,
        replyTo: first.body.results,
        text: 'Holidays',
      }),
    ]);

    const badTile = await ld('POST', `${comments()}/no-such-tile`, comment('x'), interactive.key);
    expect(badTile.status).toBe(404);
    const empty = await ld('POST', `${comments()}/${TILE}`, { text: 'x', mentions: [] }, interactive.key);
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('textHtml');
    const badReply = await ld(
      'POST',
      `${comments()}/${TILE}`,
      comment('x', { replyTo: 'nope' }),
      interactive.key,
    );
    expect(badReply.status).toBe(400);
    expect(badReply.body.error.message).toContain('replyTo');
  });

  it("notifies the dashboard's other commenters, who mark them viewed", async () => {
    const notices = await ld('GET', '/v1/notifications?type=dashboardComments', undefined, interactive.key);
    expect(notices.status).toBe(200);
    expect(notices.body.results).toEqual([
      expect.objectContaining({
        resourceType: 'dashboardComments',
        resourceUuid: dashboardUuid,
        viewed: false,
        metadata: {
          dashboardUuid,
          dashboardName: 'Commented',
          dashboardTileUuid: TILE,
          dashboardTileName: expect.any(String),
        },
      }),
    ]);
    expect(notices.body.results[0].message).toContain(editor.name);
    const id = notices.body.results[0].notificationId;
    const marked = await ld('PATCH', `/v1/notifications/${id}`, { viewed: true }, interactive.key);
    expect(marked.status).toBe(200);
    const again = await ld('GET', '/v1/notifications?type=dashboardComments', undefined, interactive.key);
    expect(again.body.results[0].viewed).toBe(true);
    // The author is not notified of their own comment, nor may others mark someone's notice.
    const own = await ld('GET', '/v1/notifications?type=dashboardComments', undefined, editor.key);
    expect(own.body.results).toEqual([]);
    expect((await ld('PATCH', `/v1/notifications/${id}`, { viewed: false }, editor.key)).status).toBe(404);
    expect((await ld('GET', '/v1/notifications?type=other', undefined, editor.key)).status).toBe(400);
  });

  it('lets the author or an editor resolve and delete; not another interactive viewer', async () => {
    const other = await person('other@catalog.test', 'interactive_viewer');
    const created = await ld('POST', `${comments()}/${TILE}`, comment('Resolve me'), interactive.key);
    const id = created.body.results;
    expect((await ld('PATCH', `${comments()}/${id}`, undefined, other.key)).status).toBe(403);
    expect((await ld('PATCH', `${comments()}/${id}`, undefined, interactive.key)).status).toBe(200);
    const listed = await ld('GET', comments());
    const resolved = listed.body.results[TILE].find((c: Item) => c.commentId === id);
    expect(resolved.resolved).toBe(true);
    expect((await ld('DELETE', `${comments()}/${id}`, undefined, other.key)).status).toBe(403);
    expect((await ld('DELETE', `${comments()}/${id}`, undefined, editor.key)).status).toBe(200);
    const after = await ld('GET', comments());
    expect(after.body.results[TILE].some((c: Item) => c.commentId === id)).toBe(false);
    expect((await ld('DELETE', `${comments()}/${id}`, undefined, editor.key)).status).toBe(404);
  });
});

describe('integrations Rosetta does not have', () => {
  it('answers as a Lightdash server without them configured, after checking the input', async () => {
    const gsheet = await ld('POST', '/v1/gdrive/upload-gsheet', {
      projectUuid,
      exploreId: 'demo_sales',
      metricQuery: {},
      showTableNames: true,
      columnOrder: [],
    });
    expect(gsheet.status).toBe(422);
    expect(gsheet.body.error).toMatchObject({ name: 'MissingConfigError', statusCode: 422 });
    expect(gsheet.body.error.message).toContain('Google Drive is not enabled');
    const badGsheet = await ld('POST', '/v1/gdrive/upload-gsheet', { projectUuid });
    expect(badGsheet.status).toBe(400);
    const pr = await ld('POST', `/v1/projects/${projectUuid}/git-integration/pull-requests/custom-metrics`, {
      customMetrics: ['abc'],
      quoteChar: '"',
    });
    expect(pr.status).toBe(422);
    expect(pr.body.error.message).toContain('Github integration not configured');
    const preview = await ld('POST', `/v1/projects/${projectUuid}/createPreview`, {
      name: 'p',
      copyContent: true,
    });
    expect(preview.status).toBe(422);
    const unknownProject = await ld(
      'POST',
      '/v1/projects/00000000-0000-4000-8000-000000000000/createPreview',
      { name: 'p', copyContent: true },
    );
    expect(unknownProject.status).toBe(404);
    const semantic = await ld('PATCH', `/v1/projects/${projectUuid}/semantic-layer-connection`, {
      type: 'CUBE',
    });
    expect(semantic.status).toBe(422);
    expect(
      (await ld('PATCH', `/v1/projects/${projectUuid}/metadata`, { upstreamProjectUuid: null })).status,
    ).toBe(200);
    const slack = await ld('PUT', '/v1/slack/custom-settings', {
      notificationChannel: null,
      appProfilePhotoUrl: null,
    });
    expect(slack.status).toBe(422);
    const callback = await ld(
      'GET',
      '/v1/github/oauth/callback?state=x',
      undefined,
      null as unknown as string,
    );
    expect(callback.status).toBe(400);
    const credentials = await ld('POST', '/v1/user/warehouseCredentials', { name: 'me', credentials: {} });
    expect(credentials.status).toBe(422);
    const org = await ld('PUT', '/v1/org', { name: 'Another' });
    expect(org.status).toBe(403);
    expect(org.body.error.name).toBe('ForbiddenError');
  });
});
