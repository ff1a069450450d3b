import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTempPostgres } from '../support/databases.ts';

/**
 * The Lightdash project lifecycle routes of Appendix B over the demo data: projects created or
 * updated with a compile job, refreshes that check every model against the warehouse (and fail
 * when one no longer holds), the compile job, the table selection `GetExplores?filtered=true`
 * honours, dbt exposures, the old catalog, and filter-value autocomplete checked against the
 * warehouse itself, row policies included.
 */
let app: TestApp;
let project: string;
let demo: { id: number; uuid: string; connectionId: number };
let viewer: string;
let franceViewer: string;
let developer: string;

const ld = (method: string, path: string, body?: unknown, token?: string) =>
  app.request(method, `/lightdash/api${path}`, body, token === undefined ? undefined : { token });
const base = () => `/v1/projects/${project}`;

async function signIn(email: string, role: string, attributes?: Record<string, string[]>): Promise<string> {
  const user = await app.request('POST', '/api/users', { email, role, password: 'a long password 1' });
  expect(user.status).toBe(201);
  if (attributes) await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes });
  const session = await app.request(
    'POST',
    '/api/auth/login',
    { email, password: 'a long password 1' },
    { token: '' },
  );
  return session.body.token;
}

/** Polls `GET /v1/jobs/{jobUuid}` until the job has ended, as the CLI does. */
async function finished(jobUuid: string, token?: string) {
  for (let i = 0; i < 300; i++) {
    const answer = await ld('GET', `/v1/jobs/${jobUuid}`, undefined, token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    if (['DONE', 'ERROR'].includes(answer.body.results.jobStatus)) return answer.body.results;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobUuid} did not end`);
}

/** The truth from the warehouse itself: the SQL console over the demo source's table, as an admin. */
async function distinctCountries(where: string): Promise<string[]> {
  const answer = await app.request('POST', `/api/connections/${demo.connectionId}/sql`, {
    sql: `SELECT DISTINCT country FROM storage.ds_${demo.id} WHERE country IS NOT NULL AND ${where} ORDER BY country`,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.rows.map((row: string[]) => row[0]);
}

beforeAll(async () => {
  app = await startTestApp();
  project = (await ld('GET', '/v1/org/projects')).body.results[0].projectUuid;
  const sources = (await app.request('GET', '/api/data-sources')).body.items;
  demo = sources.find((source: { name: string }) => source.name === 'demo_sales');
  await app.request('PATCH', `/api/data-sources/${demo.id}`, {
    policies: [{ field: 'country', attribute: 'country' }],
  });
  await app.request('POST', '/api/attributes', { key: 'country', type: 'string' });
  viewer = await signIn('viewer@lc.test', 'viewer');
  franceViewer = await signIn('france@lc.test', 'interactive_viewer', { country: ['France', 'Spain'] });
  developer = await signIn('dev@lc.test', 'developer', { country: ['France'] });
  const model = await app.request('POST', '/api/models', {
    name: 'lc_sales',
    connectionId: demo.connectionId,
    baseTable: 'sales',
    tables: [{ name: 'sales', dataSource: demo.uuid }],
    dimensions: [{ name: 'country', table: 'sales', column: 'country' }],
    metrics: [{ name: 'units', table: 'sales', aggregation: 'sum', column: 'quantity' }],
  });
  expect(model.status, JSON.stringify(model.body)).toBe(201);
}, 120_000);
afterAll(() => app?.close());

describe('projects and their compile jobs', () => {
  it('creates a precompiled project and compiles it in a job the caller follows', async () => {
    const created = await ld('POST', '/v1/org/projects/precompiled', { name: 'Lifecycle', type: 'DEFAULT' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { project: made, hasContentCopy, jobUuid } = created.body.results;
    expect(made).toMatchObject({ name: 'Lifecycle', projectUuid: expect.any(String) });
    expect(hasContentCopy).toBe(false);
    const job = await finished(jobUuid);
    expect(job).toMatchObject({
      jobUuid,
      projectUuid: made.projectUuid,
      jobStatus: 'DONE',
      jobType: 'CREATE_PROJECT',
      steps: [{ jobUuid, stepType: 'COMPILING', stepStatus: 'DONE' }],
    });
    const listed = (await ld('GET', '/v1/org/projects')).body.results;
    expect(listed.map((each: { name: string }) => each.name)).toContain('Lifecycle');
    expect((await ld('POST', '/v1/org/projects/precompiled', { name: 'Nope' }, developer)).status).toBe(403);
    expect((await ld('POST', '/v1/org/projects/precompiled', {})).status).toBe(400);
  });

  it('renames a project on PATCH and recompiles it', async () => {
    const created = await ld('POST', '/v1/org/projects', { name: 'Before' });
    const uuid = created.body.results.project.projectUuid;
    const updated = await ld('PATCH', `/v1/projects/${uuid}`, {
      name: 'After',
      dbtConnection: { type: 'none' },
      warehouseConnection: { type: 'postgres' },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(await finished(updated.body.results.jobUuid)).toMatchObject({
      jobStatus: 'DONE',
      jobType: 'COMPILE_PROJECT',
    });
    expect((await ld('GET', `/v1/projects/${uuid}`)).body.results.name).toBe('After');
    expect((await ld('PATCH', `/v1/projects/${uuid}`, { name: 'x' }, developer)).status).toBe(403);
    expect(
      (await ld('PATCH', '/v1/projects/00000000-0000-4000-8000-000000000000', { name: 'x' })).status,
    ).toBe(404);
    expect((await ld('PATCH', `/v1/projects/${uuid}`, { name: '' })).status).toBe(400);
  });

  it('refreshes: every model checked against the warehouse, a broken one failing the job', async () => {
    const refreshed = await ld('POST', `${base()}/refresh`, undefined, developer);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const job = await finished(refreshed.body.results.jobUuid, developer);
    expect(job).toMatchObject({ jobStatus: 'DONE', jobType: 'COMPILE_PROJECT', projectUuid: project });
    // Another user's job is not theirs to follow; a viewer may not compile.
    expect((await ld('GET', `/v1/jobs/${job.jobUuid}`, undefined, viewer)).status).toBe(404);
    expect((await ld('POST', `${base()}/refresh`, undefined, viewer)).status).toBe(403);
    expect((await ld('GET', '/v1/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    // A model over a table that then disappears from the warehouse no longer compiles.
    const items = await app.request('POST', '/api/data-sources', {
      name: 'lc_items',
      type: 'storage',
      columns: [{ name: 'label', type: 'string' }],
    });
    expect(items.status).toBe(201);
    await app.request('POST', `/api/data-sources/${items.body.id}/rows`, {
      mode: 'insert',
      rows: [{ label: 'a' }],
    });
    const broken = await app.request('POST', '/api/models', {
      name: 'lc_doomed',
      connectionId: items.body.connectionId,
      baseTable: 'items',
      tables: [{ name: 'items', schema: 'storage', table: `ds_${items.body.id}` }],
      dimensions: [{ name: 'label', table: 'items', column: 'label' }],
    });
    expect(broken.status, JSON.stringify(broken.body)).toBe(201);
    expect((await app.request('DELETE', `/api/data-sources/${items.body.id}`)).status).toBe(204);
    const purged = await app.request('DELETE', `/api/trash/data_source/${items.body.id}`);
    expect(purged.status, JSON.stringify(purged.body)).toBe(204);
    const failing = await ld('POST', `${base()}/refresh`);
    const failed = await finished(failing.body.results.jobUuid);
    expect(failed.jobStatus).toBe('ERROR');
    expect(failed.steps[0]).toMatchObject({
      stepStatus: 'ERROR',
      stepError: expect.stringContaining('lc_doomed'),
    });
    expect(failed.steps[0].stepError).not.toContain('lc_sales');
    expect((await app.request('DELETE', `/api/models/${broken.body.id}`)).status).toBe(204);
    expect((await finished((await ld('POST', `${base()}/refresh`)).body.results.jobUuid)).jobStatus).toBe(
      'DONE',
    );
  });
});

describe('table selection', () => {
  const names = async (query = '') =>
    (await ld('GET', `${base()}/explores${query}`)).body.results.map(
      (explore: { name: string }) => explore.name,
    );

  it('starts with every table, keeps a selection by name, and filters explores only when asked', async () => {
    const initial = await ld('GET', `${base()}/tablesConfiguration`, undefined, viewer);
    expect(initial.status).toBe(200);
    expect(initial.body.results).toEqual({ tableSelection: { type: 'ALL_TABLES', value: null } });
    const all = await names();
    expect(all).toEqual(expect.arrayContaining(['lc_sales', 'demo_sales']));
    expect(await names('?filtered=true')).toEqual(all);

    const set = await ld(
      'PATCH',
      `${base()}/tablesConfiguration`,
      { tableSelection: { type: 'WITH_NAMES', value: ['lc_sales', 'lc_sales'] } },
      developer,
    );
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.results).toEqual({ tableSelection: { type: 'WITH_NAMES', value: ['lc_sales'] } });
    expect((await ld('GET', `${base()}/tablesConfiguration`)).body.results.tableSelection).toEqual({
      type: 'WITH_NAMES',
      value: ['lc_sales'],
    });
    expect(await names('?filtered=true')).toEqual(['lc_sales']);
    expect(await names()).toEqual(all);

    // Explores carry no tags in Rosetta, so a selection by tags offers none of them.
    await ld('PATCH', `${base()}/tablesConfiguration`, {
      tableSelection: { type: 'WITH_TAGS', value: ['core'] },
    });
    expect(await names('?filtered=true')).toEqual([]);
    await ld('PATCH', `${base()}/tablesConfiguration`, {
      tableSelection: { type: 'ALL_TABLES', value: null },
    });
    expect(await names('?filtered=true')).toEqual(all);
  });

  it('refuses bad selections naming the field, and viewers', async () => {
    const path = `${base()}/tablesConfiguration`;
    const bad = await ld('PATCH', path, { tableSelection: { type: 'SOME', value: [] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('tableSelection.type');
    const noList = await ld('PATCH', path, { tableSelection: { type: 'WITH_NAMES', value: 'lc_sales' } });
    expect(noList.status).toBe(400);
    expect(JSON.stringify(noList.body)).toContain('tableSelection.value');
    const blank = await ld('PATCH', path, { tableSelection: { type: 'WITH_NAMES', value: [' '] } });
    expect(blank.status).toBe(400);
    const refused = await ld('PATCH', path, { tableSelection: { type: 'ALL_TABLES', value: null } }, viewer);
    expect(refused.status).toBe(403);
    expect(
      (await ld('GET', '/v1/projects/00000000-0000-4000-8000-000000000000/tablesConfiguration')).status,
    ).toBe(404);
  });
});

describe('dbt exposures and the catalog', () => {
  it('exposes the charts and dashboards with the dbt models they read', async () => {
    const space = await ld('POST', `${base()}/spaces`, { name: 'Exposed' });
    expect(space.status, JSON.stringify(space.body)).toBe(200);
    const chart = await ld('POST', `${base()}/saved`, {
      name: 'Countries',
      tableName: 'lc_sales',
      metricQuery: {
        exploreName: 'lc_sales',
        dimensions: ['sales_country'],
        metrics: ['sales_units'],
        filters: {},
        sorts: [],
        limit: 10,
        tableCalculations: [],
      },
      chartConfig: { type: 'table' },
      tableConfig: { columnOrder: [] },
      spaceUuid: space.body.results.uuid,
    });
    expect(chart.status, JSON.stringify(chart.body)).toBe(200);
    const answer = await ld('GET', `${base()}/dbt-exposures`, undefined, developer);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const exposures = Object.values(answer.body.results) as Array<Record<string, unknown>>;
    const dashboard = exposures.find((exposure) => exposure.label === 'Demo sales');
    expect(dashboard).toMatchObject({
      type: 'dashboard',
      dependsOn: ["ref('demo_sales')"],
      tags: ['lightdash', 'dashboard'],
      owner: { name: expect.any(String), email: expect.any(String) },
      url: expect.stringMatching(/\/projects\/[^/]+\/dashboards\/[^/]+\/view$/),
    });
    for (const [key, exposure] of Object.entries(answer.body.results))
      expect((exposure as { name: string }).name).toBe(key);
    const name = `ld_chart_${chart.body.results.uuid.replaceAll('-', '_')}`;
    expect(answer.body.results[name]).toMatchObject({
      name,
      type: 'analysis',
      label: 'Countries',
      dependsOn: ["ref('sales')"],
      tags: ['lightdash', 'chart'],
      url: expect.stringContaining(`/saved/${chart.body.results.uuid}/view`),
    });
    expect((await ld('GET', `${base()}/dbt-exposures`, undefined, viewer)).status).toBe(200);
  });

  it('lists the tables of every explore by database and schema', async () => {
    const answer = await ld('GET', `${base()}/catalog`, undefined, viewer);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const tables = Object.values(answer.body.results).flatMap((schemas) =>
      Object.values(schemas as Record<string, Record<string, { sqlTable: string }>>).flatMap((each) =>
        Object.entries(each),
      ),
    );
    const names = tables.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['sales', 'demo_sales']));
    for (const [, table] of tables) expect(table.sqlTable).toEqual(expect.any(String));
  });
});

describe('filter-value autocomplete', () => {
  const search = (body: Record<string, unknown>, token?: string, fieldId = 'demo_sales_country') =>
    ld('POST', `${base()}/field/${fieldId}/search`, { table: 'demo_sales', limit: 100, ...body }, token);

  it('answers the distinct values containing the text, as SQL over the demo data does', async () => {
    const answer = await search({ search: 'AN' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.results).toMatchObject({
      search: 'AN',
      cached: expect.any(Boolean),
      refreshedAt: expect.any(String),
    });
    const expected = await distinctCountries(`country ILIKE '%an%'`);
    expect(expected.length).toBeGreaterThan(3);
    expect(answer.body.results.results).toEqual(expected);
    const everything = await search({ search: '' });
    expect(everything.body.results.results).toEqual(await distinctCountries('TRUE'));
    const limited = await search({ search: '', limit: 3 });
    expect(limited.body.results.results).toEqual((await distinctCountries('TRUE')).slice(0, 3));
  });

  it('applies the filters on the same explore and ignores those on others', async () => {
    const answer = await search({
      search: '',
      filters: {
        id: 'f',
        and: [
          { id: 'a', target: { fieldId: 'demo_sales_category' }, operator: 'equals', values: ['Furniture'] },
          { id: 'b', target: { fieldId: 'other_field' }, operator: 'equals', values: ['x'] },
        ],
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.results.results).toEqual(await distinctCountries(`category = 'Furniture'`));
  });

  it('shows a user with a row filter only their values, through a joined model too', async () => {
    const mine = await search({ search: '' }, franceViewer);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.results.results).toEqual(['France', 'Spain']);
    const narrowed = await search({ search: 'fr' }, franceViewer);
    expect(narrowed.body.results.results).toEqual(['France']);
    const throughModel = await search({ search: '', table: 'lc_sales' }, developer, 'sales_country');
    expect(throughModel.status, JSON.stringify(throughModel.body)).toBe(200);
    expect(throughModel.body.results.results).toEqual(['France']);
  });

  it('refuses viewers, metrics, unknown fields and explores, and limits above the cap', async () => {
    expect((await search({ search: '' }, viewer)).status).toBe(403);
    expect((await search({ search: '' }, undefined, 'demo_sales_nothing')).status).toBe(404);
    expect((await search({ search: '', table: 'nothing' })).status).toBe(404);
    const metric = await search({ search: '', table: 'lc_sales' }, undefined, 'sales_units');
    expect(metric.status).toBe(400);
    const tooMany = await search({ search: '', limit: 10_000_000 });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('limit');
    const numeric = await search({ search: '1' }, undefined, 'demo_sales_quantity');
    expect(numeric.status).toBe(400);
    expect(
      (await ld('POST', `${base()}/field/demo_sales_country/search`, { table: 'demo_sales' })).status,
    ).toBe(400);
  });
});

describe('with PostgreSQL metadata', async () => {
  const database = await createTempPostgres('rosetta_lifecycle');
  let pgApp: TestApp | undefined;
  afterAll(async () => {
    await pgApp?.close();
    await database.drop();
  });

  it.skipIf(!database.available)('keeps the table selection and runs compile jobs', async () => {
    pgApp = await startTestApp({ databaseUrl: database.url });
    const call = (method: string, path: string, body?: unknown) =>
      (pgApp as TestApp).request(method, `/lightdash/api${path}`, body);
    const uuid = (await call('GET', '/v1/org/projects')).body.results[0].projectUuid;
    const selection = { type: 'WITH_NAMES', value: ['demo_sales'] };
    expect(
      (await call('PATCH', `/v1/projects/${uuid}/tablesConfiguration`, { tableSelection: selection })).status,
    ).toBe(200);
    expect(
      (await call('GET', `/v1/projects/${uuid}/tablesConfiguration`)).body.results.tableSelection,
    ).toEqual(selection);
    const filtered = await call('GET', `/v1/projects/${uuid}/explores?filtered=true`);
    expect(filtered.body.results.map((explore: { name: string }) => explore.name)).toEqual(['demo_sales']);
    const { jobUuid } = (await call('POST', `/v1/projects/${uuid}/refresh`)).body.results;
    let job = (await call('GET', `/v1/jobs/${jobUuid}`)).body.results;
    for (let i = 0; i < 300 && !['DONE', 'ERROR'].includes(job.jobStatus); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await call('GET', `/v1/jobs/${jobUuid}`)).body.results;
    }
    expect(job).toMatchObject({ jobStatus: 'DONE', projectUuid: uuid });
  });
});
