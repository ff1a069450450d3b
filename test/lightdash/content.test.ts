import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp, type TestResponse } from '../support/app.ts';

let app: TestApp;
let projectUuid: string;
let viewer: Person;
let editor: Person;
let editorTwo: Person;

interface Person {
  id: number;
  uuid: string;
  key: string;
}

/** A request to the Lightdash face as its clients send it: `Authorization: ApiKey`, JSON. */
async function ld(method: string, path: string, body?: unknown, key = ADMIN_KEY): Promise<TestResponse> {
  const response = await app.rosetta.server.inject({
    method: method as 'GET',
    url: `/lightdash/api${path}`,
    headers: { authorization: `ApiKey ${key}`, 'content-type': 'application/json' },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
}

async function person(email: string, role: string): Promise<Person> {
  const created = await app.request('POST', '/api/users', {
    email,
    role,
    password: 'longEnoughPassword',
    name: `${role} person`,
  });
  expect(created.status).toBe(201);
  const key = (await app.request('POST', '/api/api-keys', { name: email, userId: created.body.id })).body.key;
  return { id: created.body.id, uuid: created.body.uuid, key };
}

/** Quantity by country on the demo source, with a custom sum metric. */
const metricQuery = (extra: Record<string, unknown> = {}) => ({
  exploreName: 'demo_sales',
  dimensions: ['demo_sales_country'],
  metrics: ['demo_sales_total_quantity'],
  filters: {},
  sorts: [{ fieldId: 'demo_sales_country', descending: false }],
  limit: 500,
  tableCalculations: [],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Lightdash SQL's own placeholder
  additionalMetrics: [{ name: 'total_quantity', table: 'demo_sales', type: 'sum', sql: '${TABLE}.quantity' }],
  ...extra,
});

const chartBody = (spaceUuid: string, name = 'Quantity by country') => ({
  name,
  description: 'per country',
  tableName: 'demo_sales',
  metricQuery: metricQuery(),
  chartConfig: {
    type: 'cartesian',
    config: {
      layout: { xField: 'demo_sales_country', yField: ['demo_sales_total_quantity'] },
      eChartsConfig: { series: [{ type: 'bar', encode: { xRef: { field: 'demo_sales_country' } } }] },
    },
  },
  tableConfig: { columnOrder: ['demo_sales_country', 'demo_sales_total_quantity'] },
  pivotConfig: { columns: [] },
  spaceUuid,
});

type Row = Record<string, { value: { raw: unknown; formatted: string } }>;
const byCountry = (rows: Row[]) =>
  Object.fromEntries(
    rows.map((row) => [row.demo_sales_country.value.raw, row.demo_sales_total_quantity.value.raw]),
  );

async function space(name: string, isPrivate: boolean, key = ADMIN_KEY): Promise<string> {
  const created = await ld('POST', `/v1/projects/${projectUuid}/spaces`, { name, isPrivate }, key);
  expect(created.status).toBe(200);
  return created.body.results.uuid;
}

beforeAll(async () => {
  app = await startTestApp();
  projectUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  viewer = await person('viewer@example.com', 'viewer');
  editor = await person('editor@example.com', 'editor');
  editorTwo = await person('editor2@example.com', 'editor');
}, 120_000);
afterAll(() => app?.close());

describe('spaces', () => {
  it('creates, lists, gets and renames a space; a viewer cannot create one', async () => {
    const uuid = await space('Marketing', false);
    const got = await ld('GET', `/v1/projects/${projectUuid}/spaces/${uuid}`);
    expect(got.body).toMatchObject({
      status: 'ok',
      results: { uuid, name: 'Marketing', isPrivate: false, projectUuid, queries: [], dashboards: [] },
    });
    const listed = await ld('GET', `/v1/projects/${projectUuid}/spaces`, undefined, viewer.key);
    expect(listed.body.results.find((s: { uuid: string }) => s.uuid === uuid)).toMatchObject({
      name: 'Marketing',
      chartCount: 0,
      dashboardCount: 0,
      isPrivate: false,
    });
    const renamed = await ld('PATCH', `/v1/projects/${projectUuid}/spaces/${uuid}`, {
      name: 'Growth',
      isPrivate: false,
    });
    expect(renamed.body.results.name).toBe('Growth');
    const refused = await ld('POST', `/v1/projects/${projectUuid}/spaces`, { name: 'Mine' }, viewer.key);
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('ForbiddenError');
  });

  it('hides a private space from others until it is shared, and again once revoked', async () => {
    const uuid = await space('Secret', true, editor.key);
    const path = `/v1/projects/${projectUuid}/spaces/${uuid}`;
    const created = await ld('GET', path, undefined, editor.key);
    expect(created.body.results).toMatchObject({ isPrivate: true });
    expect(created.body.results.access).toEqual([
      expect.objectContaining({ userUuid: editor.uuid, role: 'admin', hasDirectAccess: true }),
    ]);
    expect((await ld('GET', path, undefined, viewer.key)).status).toBe(404);
    const listed = await ld('GET', `/v1/projects/${projectUuid}/spaces`, undefined, viewer.key);
    expect(listed.body.results.map((s: { uuid: string }) => s.uuid)).not.toContain(uuid);

    const shared = await ld(
      'POST',
      `${path}/share`,
      { userUuid: viewer.uuid, spaceRole: 'viewer' },
      editor.key,
    );
    expect(shared).toEqual({ status: 200, body: { status: 'ok' } });
    const seen = await ld('GET', path, undefined, viewer.key);
    expect(seen.status).toBe(200);
    expect(seen.body.results.access).toContainEqual(
      expect.objectContaining({ userUuid: viewer.uuid, role: 'viewer' }),
    );
    expect((await ld('DELETE', `${path}/share/${viewer.uuid}`, undefined, editor.key)).status).toBe(200);
    expect((await ld('GET', path, undefined, viewer.key)).status).toBe(404);
  });

  it('shares a private space with a group and makes it public again', async () => {
    const group = await app.request('POST', '/api/groups', { name: 'Readers' });
    await app.request('POST', `/api/groups/${group.body.id}/members`, { userId: viewer.id });
    const uuid = await space('Group space', true);
    const path = `/v1/projects/${projectUuid}/spaces/${uuid}`;
    expect(
      (await ld('POST', `${path}/group/share`, { groupUuid: group.body.uuid, spaceRole: 'editor' })).status,
    ).toBe(200);
    const got = await ld('GET', path, undefined, viewer.key);
    expect(got.body.results.groupsAccess).toEqual([
      { groupUuid: group.body.uuid, groupName: 'Readers', spaceRole: 'editor' },
    ]);
    expect((await ld('DELETE', `${path}/group/share/${group.body.uuid}`)).status).toBe(200);
    expect((await ld('GET', path, undefined, viewer.key)).status).toBe(404);
    const opened = await ld('PATCH', path, { name: 'Group space', isPrivate: false });
    expect(opened.body.results.isPrivate).toBe(false);
    expect((await ld('GET', path, undefined, viewer.key)).status).toBe(200);
  });

  it('answers bad input with a 400 naming the field, and an unknown project with a 404', async () => {
    const missing = await ld('POST', `/v1/projects/${projectUuid}/spaces`, { isPrivate: true });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ name: 'ParameterError', statusCode: 400 });
    expect(missing.body.error.message).toContain('name');
    const role = await ld('POST', `/v1/projects/${projectUuid}/spaces/${await space('S', true)}/share`, {
      userUuid: viewer.uuid,
      spaceRole: 'owner',
    });
    expect(role.status).toBe(400);
    expect(role.body.error.message).toContain('spaceRole');
    const unknown = await ld('GET', '/v1/projects/00000000-0000-4000-8000-000000000000/spaces');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.name).toBe('NotExistsError');
  });

  it('deletes a space', async () => {
    const uuid = await space('Doomed', false);
    expect((await ld('DELETE', `/v1/projects/${projectUuid}/spaces/${uuid}`)).status).toBe(200);
    expect((await ld('GET', `/v1/projects/${projectUuid}/spaces/${uuid}`)).status).toBe(404);
  });
});

describe('saved charts', () => {
  it('gives back what was saved, and its results equal the native run of the same chart', async () => {
    const spaceUuid = await space('Charts', false);
    const body = chartBody(spaceUuid);
    const created = await ld('POST', `/v1/projects/${projectUuid}/saved`, body, editor.key);
    expect(created.status).toBe(200);
    const uuid = created.body.results.uuid;
    const got = await ld('GET', `/v1/saved/${uuid}`, undefined, viewer.key);
    expect(got.body.results).toMatchObject({
      uuid,
      projectUuid,
      name: body.name,
      description: body.description,
      tableName: 'demo_sales',
      metricQuery: body.metricQuery,
      chartConfig: body.chartConfig,
      tableConfig: body.tableConfig,
      pivotConfig: body.pivotConfig,
      spaceUuid,
      spaceName: 'Charts',
      isPrivate: false,
      dashboardUuid: null,
    });

    const results = await ld('POST', `/v1/saved/${uuid}/results`, {}, editor.key);
    expect(results.status).toBe(200);
    const native = await app.request('POST', `/api/charts/${uuid}/results`, {});
    expect(native.status).toBe(200);
    const countryAt = native.body.columns.findIndex((c: { name: string }) => c.name === 'demo_sales_country');
    const quantityAt = native.body.columns.findIndex(
      (c: { name: string }) => c.name === 'demo_sales_total_quantity',
    );
    const nativeByCountry = Object.fromEntries(
      native.body.rows.map((row: unknown[]) => [row[countryAt], row[quantityAt]]),
    );
    expect(Object.keys(nativeByCountry).length).toBeGreaterThan(1);
    expect(byCountry(results.body.results.rows)).toEqual(nativeByCountry);

    const list = await ld('GET', `/v1/projects/${projectUuid}/charts`, undefined, viewer.key);
    expect(list.body.results.find((c: { uuid: string }) => c.uuid === uuid)).toMatchObject({
      name: body.name,
      spaceUuid,
      chartType: 'cartesian',
    });
    const summaries = await ld('GET', `/v1/projects/${projectUuid}/chart-summaries`);
    expect(summaries.body.results.map((c: { uuid: string }) => c.uuid)).toContain(uuid);
  });

  it('keeps versions: a new version is listed in the history and the old one reads back', async () => {
    const spaceUuid = await space('Versions', false);
    const created = await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(spaceUuid), editor.key);
    const uuid = created.body.results.uuid;
    const next = metricQuery({ limit: 2 });
    const versioned = await ld(
      'POST',
      `/v1/saved/${uuid}/version`,
      { ...chartBody(spaceUuid), metricQuery: next, chartConfig: { type: 'table' } },
      editor.key,
    );
    expect(versioned.status).toBe(200);
    expect(versioned.body.results).toMatchObject({ metricQuery: next, chartConfig: { type: 'table' } });
    const history = await ld('GET', `/v1/saved/${uuid}/history`);
    expect(history.body.results.history).toHaveLength(2);
    expect(history.body.results.history[0]).toMatchObject({
      chartUuid: uuid,
      createdBy: { userUuid: editor.uuid },
    });
    const first = history.body.results.history[1].versionUuid;
    const old = await ld('GET', `/v1/saved/${uuid}/version/${first}`);
    expect(old.body.results).toMatchObject({ versionUuid: first, chart: { metricQuery: metricQuery() } });
    const oldResults = await ld('POST', `/v1/saved/${uuid}/version/${first}/results`);
    const newResults = await ld('POST', `/v1/saved/${uuid}/results`, {});
    expect(newResults.body.results.rows).toHaveLength(2);
    expect(oldResults.body.results.rows.length).toBeGreaterThan(2);

    const renamed = await ld('PATCH', `/v1/saved/${uuid}`, { name: 'Renamed' }, editor.key);
    expect(renamed.body.results).toMatchObject({ name: 'Renamed', metricQuery: next });
    const elsewhere = await space('Moved charts', false);
    const moved = await ld('PATCH', `/v1/projects/${projectUuid}/saved`, [
      { uuid, name: 'Moved', spaceUuid: elsewhere },
    ]);
    expect(moved.body.results[0]).toMatchObject({
      uuid,
      name: 'Moved',
      spaceUuid: elsewhere,
      spaceName: 'Moved charts',
    });
    expect((await ld('DELETE', `/v1/saved/${uuid}`, undefined, editor.key)).status).toBe(200);
    expect((await ld('GET', `/v1/saved/${uuid}`)).status).toBe(404);
  });

  it('keeps charts of a private space from others; a viewer cannot change a chart', async () => {
    const privateSpace = await space('Private charts', true, editor.key);
    const hidden = await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(privateSpace), editor.key);
    const uuid = hidden.body.results.uuid;
    expect(hidden.body.results.isPrivate).toBe(true);
    expect((await ld('GET', `/v1/saved/${uuid}`, undefined, editorTwo.key)).status).toBe(404);
    const listed = await ld('GET', `/v1/projects/${projectUuid}/charts`, undefined, editorTwo.key);
    expect(listed.body.results.map((c: { uuid: string }) => c.uuid)).not.toContain(uuid);
    expect((await ld('PATCH', `/v1/saved/${uuid}`, { name: 'x' }, editorTwo.key)).status).toBe(404);

    const open = await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(await space('Open', false)));
    const refused = await ld('PATCH', `/v1/saved/${open.body.results.uuid}`, { name: 'x' }, viewer.key);
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('ForbiddenError');
  });

  it('answers bad chart bodies with a 400 naming the field', async () => {
    const spaceUuid = await space('Bad charts', false);
    const { tableName: _, ...noTable } = chartBody(spaceUuid);
    const missing = await ld('POST', `/v1/projects/${projectUuid}/saved`, noTable);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ name: 'ParameterError' });
    expect(missing.body.error.message).toContain('tableName');
    const unknownField = await ld('POST', `/v1/projects/${projectUuid}/saved`, {
      ...chartBody(spaceUuid),
      metricQuery: metricQuery({ dimensions: ['demo_sales_nope'] }),
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.name).toBe('FieldReferenceError');
    expect(unknownField.body.error.message).toContain('metricQuery.dimensions[0]');
    const badSpace = await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody('no-such-space'));
    expect(badSpace.status).toBe(400);
    expect(badSpace.body.error.message).toContain('spaceUuid');
  });

  it('duplicates a chart', async () => {
    const spaceUuid = await space('Dup charts', false);
    const original = await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(spaceUuid));
    const copy = await ld(
      'POST',
      `/v1/projects/${projectUuid}/saved?duplicateFrom=${original.body.results.uuid}`,
      { chartName: 'Copy', chartDesc: 'copied' },
    );
    expect(copy.status).toBe(200);
    expect(copy.body.results).toMatchObject({
      name: 'Copy',
      description: 'copied',
      spaceUuid,
      metricQuery: metricQuery(),
    });
    expect(copy.body.results.uuid).not.toBe(original.body.results.uuid);
  });
});

describe('dashboards', () => {
  async function dashboardWithChart() {
    const spaceUuid = await space(`Dashboards ${Math.random()}`, false);
    const chart = (await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(spaceUuid))).body.results;
    const tileUuid = '11111111-2222-4333-8444-555555555555';
    const body = {
      name: 'Sales',
      description: 'by country',
      spaceUuid,
      tabs: [{ uuid: 'tab-1', name: 'Main', order: 0 }],
      tiles: [
        {
          uuid: tileUuid,
          type: 'saved_chart',
          x: 0,
          y: 0,
          w: 17,
          h: 9,
          tabUuid: 'tab-1',
          properties: { savedChartUuid: chart.uuid, title: 'Quantities', hideTitle: false },
        },
        {
          uuid: 'untitled-chart',
          type: 'saved_chart',
          x: 0,
          y: 9,
          w: 36,
          h: 6,
          properties: { savedChartUuid: chart.uuid },
        },
        {
          uuid: 'markdown-1',
          type: 'markdown',
          x: 18,
          y: 0,
          w: 18,
          h: 3,
          tabUuid: 'tab-1',
          properties: { title: 'Notes', content: '# Hello' },
        },
      ],
      filters: { dimensions: [], metrics: [], tableCalculations: [] },
    };
    const created = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, body, editor.key);
    expect(created.status).toBe(201);
    return { spaceUuid, chart, tileUuid, body, dashboard: created.body.results };
  }

  it('gives back the tiles, tabs and filters it was saved with; a tile PATCH makes a new version', async () => {
    const { body, dashboard, chart, spaceUuid } = await dashboardWithChart();
    const got = await ld('GET', `/v1/dashboards/${dashboard.uuid}`, undefined, viewer.key);
    expect(got.body.results).toMatchObject({
      uuid: dashboard.uuid,
      name: 'Sales',
      description: 'by country',
      projectUuid,
      spaceUuid,
      tabs: body.tabs,
      filters: body.filters,
      isPrivate: false,
    });
    expect(got.body.results.tiles).toEqual([
      { ...body.tiles[0], properties: { ...body.tiles[0].properties, chartName: chart.name } },
      { ...body.tiles[1], properties: { ...body.tiles[1].properties, chartName: chart.name } },
      body.tiles[2],
    ]);
    const version = got.body.results.dashboardVersionId;
    const filters = {
      dimensions: [
        {
          id: 'f1',
          target: { fieldId: 'demo_sales_country', tableName: 'demo_sales' },
          operator: 'equals',
          values: ['France'],
          tileTargets: {},
        },
      ],
      metrics: [],
      tableCalculations: [],
    };
    const patched = await ld('PATCH', `/v1/dashboards/${dashboard.uuid}`, {
      tiles: [body.tiles[2]],
      filters,
      tabs: [],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.results).toMatchObject({ dashboardVersionId: version + 1, filters, tabs: [] });
    expect(patched.body.results.tiles).toEqual([body.tiles[2]]);
    const listed = await ld('GET', `/v1/projects/${projectUuid}/dashboards`, undefined, viewer.key);
    expect(listed.body.results.find((d: { uuid: string }) => d.uuid === dashboard.uuid)).toMatchObject({
      name: 'Sales',
      spaceUuid,
      tileTypes: ['markdown'],
    });
  });

  it('applies a dashboard filter to a tile through its tileTargets', async () => {
    const { chart, dashboard, tileUuid } = await dashboardWithChart();
    const all = await ld('POST', `/v1/saved/${chart.uuid}/results`, {});
    const everyCountry = byCountry(all.body.results.rows);
    const [country] = Object.keys(everyCountry);
    const rule = {
      id: 'country',
      target: { fieldId: 'demo_sales_country', tableName: 'demo_sales' },
      operator: 'equals',
      values: [country],
    };
    const tile = (tileTargets: Record<string, unknown>) =>
      ld('POST', `/v1/saved/${chart.uuid}/chart-and-results`, {
        dashboardUuid: dashboard.uuid,
        dashboardFilters: { dimensions: [{ ...rule, tileTargets }], metrics: [], tableCalculations: [] },
        dashboardSorts: [],
      });
    const filtered = await tile({});
    expect(filtered.status).toBe(200);
    expect(byCountry(filtered.body.results.rows)).toEqual({ [country]: everyCountry[country] });
    expect(filtered.body.results.chart.uuid).toBe(chart.uuid);
    expect(filtered.body.results.appliedDashboardFilters.dimensions).toHaveLength(1);
    const skipped = await tile({ [tileUuid]: false });
    expect(byCountry(skipped.body.results.rows)).toEqual(everyCountry);
    expect(skipped.body.results.appliedDashboardFilters.dimensions).toHaveLength(0);
    const elsewhere = await ld('POST', `/v1/saved/${chart.uuid}/chart-and-results`, {
      dashboardUuid: dashboard.uuid,
      dashboardFilters: {
        dimensions: [{ ...rule, target: { fieldId: 'other_country', tableName: 'other' } }],
        metrics: [],
        tableCalculations: [],
      },
      dashboardSorts: [],
    });
    expect(byCountry(elsewhere.body.results.rows)).toEqual(everyCountry);
  });

  it('duplicates, moves in bulk and deletes dashboards', async () => {
    const { dashboard, body } = await dashboardWithChart();
    const copy = await ld('POST', `/v1/projects/${projectUuid}/dashboards?duplicateFrom=${dashboard.uuid}`, {
      dashboardName: 'Sales copy',
      dashboardDesc: 'copied',
    });
    expect(copy.status).toBe(201);
    expect(copy.body.results).toMatchObject({ name: 'Sales copy', description: 'copied', tabs: body.tabs });
    expect(copy.body.results.tiles.map((t: { x: number; w: number }) => [t.x, t.w])).toEqual([
      [0, 17],
      [0, 36],
      [18, 18],
    ]);
    expect(copy.body.results.tiles[0].uuid).not.toBe(body.tiles[0].uuid);

    const target = await space('Moved here', false);
    const moved = await ld('PATCH', `/v1/projects/${projectUuid}/dashboards`, [
      { uuid: copy.body.results.uuid, name: 'Moved', spaceUuid: target },
    ]);
    expect(moved.status).toBe(200);
    expect(moved.body.results[0]).toMatchObject({ name: 'Moved', spaceUuid: target });

    expect((await ld('DELETE', `/v1/dashboards/${copy.body.results.uuid}`)).status).toBe(200);
    expect((await ld('GET', `/v1/dashboards/${copy.body.results.uuid}`)).status).toBe(404);
  });

  it('answers bad dashboard bodies with a 400 naming the field; a viewer cannot create one', async () => {
    const spaceUuid = await space('Bad dashboards', false);
    const bad = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, {
      name: 'Bad',
      spaceUuid,
      tabs: [],
      tiles: [{ type: 'markdown', x: 'left', y: 0, w: 3, h: 3, properties: {} }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('tiles[0].x');
    const unknownChart = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, {
      name: 'Bad',
      spaceUuid,
      tabs: [],
      tiles: [{ type: 'saved_chart', x: 0, y: 0, w: 3, h: 3, properties: { savedChartUuid: 'nope' } }],
    });
    expect(unknownChart.status).toBe(400);
    expect(unknownChart.body.error.message).toContain('tiles[0].properties.savedChartUuid');
    const wrongVariant = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, {
      dashboardName: 'x',
      dashboardDesc: 'y',
    });
    expect(wrongVariant.status).toBe(400);
    expect(wrongVariant.body.error.name).toBe('ParameterError');
    const refused = await ld(
      'POST',
      `/v1/projects/${projectUuid}/dashboards`,
      { name: 'Mine', tiles: [], tabs: [] },
      viewer.key,
    );
    expect(refused.status).toBe(403);
  });
});

describe('saved chart runs', () => {
  /** Quantity per country computed straight in SQL on the explore's table, `where` optional. */
  async function sqlByCountry(where = ''): Promise<Record<string, number>> {
    const explore = await ld('GET', `/v1/projects/${projectUuid}/explores/demo_sales`);
    const table = explore.body.results.tables.demo_sales.sqlTable;
    const answer = await ld('POST', `/v1/projects/${projectUuid}/sqlQuery`, {
      sql: `SELECT country, SUM(quantity) AS q FROM ${table} ${where} GROUP BY country`,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return Object.fromEntries(
      answer.body.results.rows.map((row: { country: string; q: unknown }) => [row.country, Number(row.q)]),
    );
  }
  const numbers = (byKey: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(byKey).map(([key, value]) => [key, Number(value)]));

  it('lets a viewer run a chart of a space they see (and its versions), not one of a private space', async () => {
    const open = await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(await space('Run', false)));
    const hidden = await ld(
      'POST',
      `/v1/projects/${projectUuid}/saved`,
      chartBody(await space('Hide', true)),
    );
    const seen = await ld('POST', `/v1/saved/${open.body.results.uuid}/results`, {}, viewer.key);
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(numbers(byCountry(seen.body.results.rows))).toEqual(await sqlByCountry());
    const refused = await ld('POST', `/v1/saved/${hidden.body.results.uuid}/results`, {}, viewer.key);
    expect(refused.status).toBe(404);
    expect(refused.body.error.name).toBe('NotExistsError');
    const native = await app.request(
      'POST',
      `/api/charts/${open.body.results.uuid}/results`,
      {},
      {
        token: viewer.key,
      },
    );
    expect(native.status).toBe(200);
    const history = await ld('GET', `/v1/saved/${open.body.results.uuid}/history`, undefined, viewer.key);
    const [{ versionUuid }] = history.body.results.history;
    const version = await ld(
      'POST',
      `/v1/saved/${open.body.results.uuid}/version/${versionUuid}/results`,
      undefined,
      viewer.key,
    );
    expect(version.status, JSON.stringify(version.body)).toBe(200);
    expect(byCountry(version.body.results.rows)).toEqual(byCountry(seen.body.results.rows));
  });

  it('runs a tile with a dashboard filter as plain SQL computes it, overriding the chart filter on that field', async () => {
    const spaceUuid = await space('Tiles', false);
    const body = chartBody(spaceUuid);
    const chart = (
      await ld('POST', `/v1/projects/${projectUuid}/saved`, {
        ...body,
        metricQuery: metricQuery({
          filters: {
            dimensions: {
              id: 'own',
              and: [
                {
                  id: 'own-country',
                  target: { fieldId: 'demo_sales_country' },
                  operator: 'equals',
                  values: ['nowhere'],
                },
              ],
            },
          },
        }),
      })
    ).body.results;
    const tileUuid = '21111111-2222-4333-8444-555555555555';
    const dashboard = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, {
      name: 'Tiles',
      spaceUuid,
      tabs: [],
      tiles: [
        {
          uuid: tileUuid,
          type: 'saved_chart',
          x: 0,
          y: 0,
          w: 12,
          h: 6,
          properties: { savedChartUuid: chart.uuid },
        },
      ],
    });
    const everyCountry = await sqlByCountry();
    const countries = Object.keys(everyCountry).sort().slice(0, 2);
    const dashboardFilters = {
      dimensions: [
        {
          id: 'countries',
          target: { fieldId: 'demo_sales_country', tableName: 'demo_sales' },
          operator: 'equals',
          values: countries,
        },
      ],
      metrics: [],
      tableCalculations: [],
    };
    const tile = await ld(
      'POST',
      `/v1/saved/${chart.uuid}/chart-and-results`,
      {
        dashboardUuid: dashboard.body.results.uuid,
        dashboardFilters,
        dashboardSorts: [{ fieldId: 'demo_sales_total_quantity', descending: true }],
      },
      viewer.key,
    );
    expect(tile.status, JSON.stringify(tile.body)).toBe(200);
    const expected = await sqlByCountry(`WHERE country IN ('${countries.join("', '")}')`);
    expect(numbers(byCountry(tile.body.results.rows))).toEqual(expected);
    const quantities = tile.body.results.rows.map((row: Row) =>
      Number(row.demo_sales_total_quantity.value.raw),
    );
    expect(quantities).toEqual([...quantities].sort((a, b) => b - a));
    expect(
      tile.body.results.appliedDashboardFilters.dimensions.map((rule: { id: string }) => rule.id),
    ).toEqual(['countries']);

    const totals = await ld(
      'POST',
      `/v1/saved/${chart.uuid}/calculate-total`,
      { dashboardFilters },
      viewer.key,
    );
    expect(totals.status, JSON.stringify(totals.body)).toBe(200);
    const sum = Object.values(expected).reduce((total, value) => total + value, 0);
    expect(Number(totals.body.results.demo_sales_total_quantity)).toBe(sum);
  });

  it("applies a metric dashboard filter on the chart's metric, and the date zoom", async () => {
    const spaceUuid = await space('Zoom', false);
    const byDay = {
      ...chartBody(spaceUuid),
      metricQuery: metricQuery({
        dimensions: ['demo_sales_date_day'],
        sorts: [{ fieldId: 'demo_sales_date_day', descending: false }],
        limit: 5000,
      }),
    };
    const chart = (await ld('POST', `/v1/projects/${projectUuid}/saved`, byDay)).body.results;
    const dashboard = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, {
      name: 'Zoom',
      spaceUuid,
      tabs: [],
      tiles: [{ type: 'saved_chart', x: 0, y: 0, w: 12, h: 6, properties: { savedChartUuid: chart.uuid } }],
    });
    const tile = (dashboardFilters: unknown, granularity?: string) =>
      ld(
        'POST',
        `/v1/saved/${chart.uuid}/chart-and-results`,
        { dashboardUuid: dashboard.body.results.uuid, dashboardFilters, dashboardSorts: [], granularity },
        viewer.key,
      );
    const none = { dimensions: [], metrics: [], tableCalculations: [] };
    const monthly = await tile(none, 'Month');
    expect(monthly.status, JSON.stringify(monthly.body)).toBe(200);
    const quantityOf = (row: Row) => Number(row.demo_sales_total_quantity.value.raw);
    const months = monthly.body.results.rows.map((row: Row) => String(row.demo_sales_date_day.value.raw));
    expect(months.length).toBeGreaterThan(1);
    for (const month of months) expect(month).toMatch(/^\d{4}-\d{2}-01/);
    const total = Object.values(await sqlByCountry()).reduce((sum, value) => sum + value, 0);
    expect(monthly.body.results.rows.reduce((sum: number, row: Row) => sum + quantityOf(row), 0)).toBe(total);

    const daily: number[] = (await tile(none)).body.results.rows.map(quantityOf);
    expect(daily.length).toBeLessThan(5000);
    const threshold = [...daily].sort((a, b) => a - b)[Math.floor(daily.length / 2)];
    const over = await tile({
      ...none,
      metrics: [
        {
          id: 'big',
          target: { fieldId: 'demo_sales_total_quantity', tableName: 'demo_sales' },
          operator: 'greaterThan',
          values: [threshold],
        },
      ],
    });
    expect(over.status, JSON.stringify(over.body)).toBe(200);
    expect(over.body.results.rows.map(quantityOf)).toEqual(daily.filter((quantity) => quantity > threshold));
    expect(over.body.results.appliedDashboardFilters.metrics).toHaveLength(1);
  });

  it('totals a chart as saved; a bad body is a 400 naming the field', async () => {
    const chart = (
      await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(await space('Totals', false)))
    ).body.results;
    const totals = await ld('POST', `/v1/saved/${chart.uuid}/calculate-total`, {}, viewer.key);
    expect(totals.status).toBe(200);
    const sum = Object.values(await sqlByCountry()).reduce((total, value) => total + value, 0);
    expect(totals.body.results).toEqual({ demo_sales_total_quantity: sum });
    const bad = await ld('POST', `/v1/saved/${chart.uuid}/calculate-total`, { dashboardFilters: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('dashboardFilters');
  });

  it('downloads a chart as CSV through a job; a viewer may not', async () => {
    const chart = (
      await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(await space('Csv', false)))
    ).body.results;
    const [country] = Object.keys(await sqlByCountry());
    const body = {
      onlyRaw: true,
      csvLimit: 1000,
      dashboardFilters: {
        dimensions: [
          {
            id: 'one',
            target: { fieldId: 'demo_sales_country', tableName: 'demo_sales' },
            operator: 'equals',
            values: [country],
          },
        ],
        metrics: [],
        tableCalculations: [],
      },
    };
    expect((await ld('POST', `/v1/saved/${chart.uuid}/downloadCsv`, body, viewer.key)).status).toBe(403);
    const started = await ld('POST', `/v1/saved/${chart.uuid}/downloadCsv`, body, editor.key);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const { jobId } = started.body.results;
    let status: { status: string; details: { fileUrl?: string } } = { status: 'scheduled', details: {} };
    for (let i = 0; i < 100 && !['completed', 'error'].includes(status.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await ld('GET', `/v1/schedulers/job/${jobId}/status`, undefined, editor.key)).body.results;
    }
    expect(status.status, JSON.stringify(status)).toBe('completed');
    const url = new URL(status.details.fileUrl as string);
    const file = await app.request('GET', url.pathname + url.search, undefined, { token: '' });
    expect(file.status).toBe(200);
    const lines = String(file.body).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(country);
  });
});

describe('dashboard filters in the core', () => {
  it("saves the filters the core can say as the dashboard's own, so Rosetta's screens apply them", async () => {
    const spaceUuid = await space('Core filters', false);
    const chart = (await ld('POST', `/v1/projects/${projectUuid}/saved`, chartBody(spaceUuid))).body.results;
    const all = byCountry((await ld('POST', `/v1/saved/${chart.uuid}/results`, {})).body.results.rows);
    const [country] = Object.keys(all);
    const tileUuid = '31111111-2222-4333-8444-555555555555';
    const rule = (id: string, operator: string, values: unknown[]) => ({
      id,
      target: { fieldId: 'demo_sales_country', tableName: 'demo_sales' },
      operator,
      values,
    });
    const created = await ld('POST', `/v1/projects/${projectUuid}/dashboards`, {
      name: 'Core filters',
      spaceUuid,
      tabs: [],
      tiles: [
        {
          uuid: tileUuid,
          type: 'saved_chart',
          x: 0,
          y: 0,
          w: 12,
          h: 6,
          properties: { savedChartUuid: chart.uuid },
        },
      ],
      filters: {
        dimensions: [rule('same', 'equals', [country]), rule('face-only', 'startsWith', ['x'])],
        metrics: [],
        tableCalculations: [],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const uuid = created.body.results.uuid;
    const native = await app.request('GET', `/api/dashboards/${uuid}`);
    expect(native.body.filters).toEqual([
      expect.objectContaining({
        id: 'same',
        field: 'source.country',
        type: 'values',
        default: [country],
      }),
    ]);
    const tile = await app.request(
      'POST',
      `/api/dashboards/${uuid}/widgets/${tileUuid}/results`,
      {},
      {
        token: viewer.key,
      },
    );
    expect(tile.status, JSON.stringify(tile.body)).toBe(200);
    expect(tile.body.rows.map((row: unknown[]) => row[0])).toEqual([country]);
    expect(tile.body.appliedFilters).toEqual(['same']);

    const patched = await ld('PATCH', `/v1/dashboards/${uuid}`, {
      filters: { dimensions: [], metrics: [], tableCalculations: [] },
    });
    expect(patched.status).toBe(200);
    expect((await app.request('GET', `/api/dashboards/${uuid}`)).body.filters).toEqual([]);
  });
});
