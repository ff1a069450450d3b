// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder of Lightdash SQL
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COLUMNS, demoRows } from '../../src/core/data/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTempPostgres } from '../support/databases.ts';
import { ld } from './support.ts';

/**
 * The SQL runner's hidden controller on the demo warehouse, every number computed here from the
 * demo rows: tables and fields, pivot runs, saved SQL charts, virtual views as explores, and who
 * may do what (a viewer or an editor has no `sql.run`).
 */
let app: TestApp;
let project: string;
let demoTable: string;
let space: string;
const keys: Record<'viewer' | 'editor' | 'developer', string> = { viewer: '', editor: '', developer: '' };

const runner = (path = '') => `/v1/projects/${project}/sqlRunner${path}`;
const col = (name: string) => DEMO_COLUMNS.findIndex((column) => column.name === name);
const rows = demoRows();

async function keyOf(role: string): Promise<string> {
  const email = `${role}@sql-runner.test`;
  const password = `${role} password 123`;
  expect((await app.request('POST', '/api/users', { email, password, role })).status).toBe(201);
  // A session token is a credential the face takes as `ApiKey` too.
  const login = await app.request('POST', '/api/auth/login', { email, password }, { token: '' });
  return login.body.token;
}

/** Polls the job until it ends; its results file's rows. */
async function finished(jobId: string, key?: string) {
  let status = { status: 'scheduled', details: {} as Record<string, unknown> };
  for (let i = 0; i < 200 && !['completed', 'error'].includes(status.status); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    status = (await ld(app, 'GET', `/v1/schedulers/job/${jobId}/status`, undefined, { key })).body.results;
  }
  expect(status.status, JSON.stringify(status)).toBe('completed');
  const file = await app.request('GET', new URL(status.details.fileUrl as string).pathname, undefined, {
    token: key,
  });
  expect(file.status).toBe(200);
  const lines = (file.body as string).split('\n').filter(Boolean);
  return { details: status.details, rows: lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

beforeAll(async () => {
  app = await startTestApp();
  project = (await ld(app, 'GET', '/v1/org/projects')).body.results[0].projectUuid;
  const sources = (await app.request('GET', '/api/data-sources')).body;
  const demo = (Array.isArray(sources) ? sources : sources.items).find(
    (source: { name: string }) => source.name === 'demo_sales',
  );
  demoTable = `"${demo.schema}"."${demo.table}"`;
  for (const role of ['viewer', 'editor', 'developer'] as const) keys[role] = await keyOf(role);
  space = (await ld(app, 'POST', `/v1/projects/${project}/spaces`, { name: 'SQL charts' })).body.results.uuid;
}, 60_000);
afterAll(() => app?.close());

describe('the warehouse catalogue', () => {
  it('lists the tables by database and schema, and a table’s columns with Lightdash types', async () => {
    const tables = await ld(app, 'GET', runner('/tables'));
    expect(tables.status, JSON.stringify(tables.body)).toBe(200);
    const [database] = Object.keys(tables.body.results);
    const demo = demoTable.split('.').map((part) => part.replaceAll('"', ''));
    expect(tables.body.results[database][demo[0]][demo[1]]).toEqual({});
    const fields = await ld(app, 'GET', runner(`/fields?tableName=${demo[1]}&schemaName=${demo[0]}`));
    expect(fields.status, JSON.stringify(fields.body)).toBe(200);
    expect(fields.body.results).toMatchObject({
      date: 'timestamp',
      country: 'string',
      quantity: 'number',
      price: 'number',
    });
    expect((await ld(app, 'GET', runner('/fields'))).status).toBe(400);
    expect((await ld(app, 'GET', runner('/fields?tableName=no_such_table'))).status).toBe(404);
    expect((await ld(app, 'POST', runner('/refresh-catalog'))).status).toBe(200);
  });

  it('refuses callers without sql.run', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      expect((await ld(app, 'GET', runner('/tables'), undefined, { key: keys[role] })).status).toBe(403);
      expect(
        (await ld(app, 'GET', runner('/fields?tableName=x'), undefined, { key: keys[role] })).status,
      ).toBe(403);
    }
    expect((await ld(app, 'GET', runner('/tables'), undefined, { key: keys.developer })).status).toBe(200);
  });
});

describe('pivot runs', () => {
  it('sums each category’s quantity per country, as the demo rows add up', async () => {
    const countries = [...new Set(rows.map((row) => row[col('country')] as string))].sort();
    const categories = [...new Set(rows.map((row) => row[col('category')] as string))].sort();
    const started = await ld(
      app,
      'POST',
      runner('/runPivotQuery'),
      {
        sql: `SELECT category, country, quantity FROM ${demoTable};`,
        indexColumn: { reference: 'category', type: 'category' },
        valuesColumns: [{ reference: 'quantity', aggregation: 'sum' }],
        groupByColumns: [{ reference: 'country' }],
        sortBy: [{ reference: 'category', direction: 'ASC' }],
        limit: 100,
      },
      { key: keys.developer },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const { details, rows: pivoted } = await finished(started.body.results.jobId, keys.developer);
    expect(pivoted.map((row) => row.category)).toEqual(categories);
    for (const row of pivoted)
      for (const country of countries) {
        const expected = rows
          .filter((r) => r[col('category')] === row.category && r[col('country')] === country)
          .reduce((total, r) => total + (r[col('quantity')] as number), 0);
        expect(row[`quantity_sum_${country}`] ?? 0, `${row.category} ${country}`).toBe(expected);
      }
    expect(details.indexColumn).toEqual({ reference: 'category', type: 'category' });
    const values = details.valuesColumns as Array<{ pivotColumnName: string; pivotValues: unknown[] }>;
    expect(values.map((value) => value.pivotColumnName)).toEqual(countries.map((c) => `quantity_sum_${c}`));
    expect(values[0].pivotValues).toEqual([{ referenceField: 'country', value: countries[0] }]);
  });

  it('averages without a group, and names what is wrong', async () => {
    const started = await ld(app, 'POST', runner('/runPivotQuery'), {
      sql: `SELECT country, price FROM ${demoTable}`,
      indexColumn: { reference: 'country', type: 'category' },
      valuesColumns: [{ reference: 'price', aggregation: 'avg' }],
      groupByColumns: [],
      sortBy: [],
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const { rows: averaged } = await finished(started.body.results.jobId);
    for (const row of averaged) {
      const prices = rows
        .filter((r) => r[col('country')] === row.country)
        .map((r) => r[col('price')] as number);
      expect(row.price_avg as number).toBeCloseTo(prices.reduce((a, b) => a + b, 0) / prices.length, 6);
    }
    const unknown = await ld(app, 'POST', runner('/runPivotQuery'), {
      sql: `SELECT country FROM ${demoTable}`,
      indexColumn: { reference: 'country', type: 'category' },
      valuesColumns: [{ reference: 'no_such_column', aggregation: 'sum' }],
    });
    expect(unknown.status, JSON.stringify(unknown.body)).toBe(400);
    const badSql = await ld(app, 'POST', runner('/runPivotQuery'), {
      sql: 'SELECT FROM WHERE',
      valuesColumns: [],
    });
    expect(badSql.status).toBe(400);
    expect(badSql.body.error.data).toHaveProperty('sql');
    const badAggregation = await ld(app, 'POST', runner('/runPivotQuery'), {
      sql: 'SELECT 1 AS x',
      valuesColumns: [{ reference: 'x', aggregation: 'median' }],
    });
    expect(badAggregation.status).toBe(400);
    const viewer = await ld(
      app,
      'POST',
      runner('/runPivotQuery'),
      { sql: 'SELECT 1 AS x', valuesColumns: [{ reference: 'x', aggregation: 'sum' }] },
      { key: keys.viewer },
    );
    expect(viewer.status).toBe(403);
  });
});

describe('saved SQL charts', () => {
  const chart = () => ({
    name: 'Quantity by country',
    description: 'From the demo rows',
    sql: `SELECT country, SUM(quantity) AS quantity FROM ${demoTable} GROUP BY 1`,
    limit: 500,
    config: { type: 'vertical_bar', metadata: { version: 1 } },
    spaceUuid: space,
  });

  it('round-trips: create, read by uuid and slug, change, delete', async () => {
    const created = await ld(app, 'POST', runner('/saved'), chart(), { key: keys.developer });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { savedSqlUuid, slug } = created.body.results;
    expect(slug).toBe('quantity-by-country');
    const byUuid = await ld(app, 'GET', runner(`/saved/${savedSqlUuid}`));
    expect(byUuid.status).toBe(200);
    expect(byUuid.body.results).toMatchObject({
      savedSqlUuid,
      slug,
      name: 'Quantity by country',
      description: 'From the demo rows',
      sql: chart().sql,
      limit: 500,
      config: chart().config,
      chartKind: 'vertical_bar',
      space: { uuid: space, name: 'SQL charts', isPrivate: false },
      project: { projectUuid: project },
      createdBy: { userUuid: expect.any(String) },
    });
    expect((await ld(app, 'GET', runner(`/saved/slug/${slug}`))).body.results.savedSqlUuid).toBe(
      savedSqlUuid,
    );
    // The same name again gets a slug of its own.
    const again = await ld(app, 'POST', runner('/saved'), chart());
    expect(again.body.results.slug).toBe('quantity-by-country-1');

    const renamed = await ld(app, 'PATCH', runner(`/saved/${savedSqlUuid}`), {
      unversionedData: { name: 'Units by country', description: null, spaceUuid: space },
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.results).toEqual({ savedSqlUuid, savedSqlVersionUuid: null });
    const changed = await ld(app, 'PATCH', runner(`/saved/${savedSqlUuid}`), {
      versionedData: { sql: 'SELECT 1 AS one', limit: 10, config: { type: 'table' } },
    });
    expect(changed.body.results.savedSqlVersionUuid).toEqual(expect.any(String));
    const read = (await ld(app, 'GET', runner(`/saved/${savedSqlUuid}`))).body.results;
    expect(read).toMatchObject({
      name: 'Units by country',
      description: null,
      slug,
      sql: 'SELECT 1 AS one',
      limit: 10,
      config: { type: 'table' },
      chartKind: 'table',
    });

    // A viewer reads it, but neither a viewer nor an editor may write SQL.
    expect(
      (await ld(app, 'GET', runner(`/saved/${savedSqlUuid}`), undefined, { key: keys.viewer })).status,
    ).toBe(200);
    expect((await ld(app, 'POST', runner('/saved'), chart(), { key: keys.viewer })).status).toBe(403);
    expect((await ld(app, 'POST', runner('/saved'), chart(), { key: keys.editor })).status).toBe(403);
    const editorSql = await ld(
      app,
      'PATCH',
      runner(`/saved/${savedSqlUuid}`),
      { versionedData: { sql: 'SELECT 2 AS two', limit: 10, config: {} } },
      { key: keys.editor },
    );
    expect(editorSql.status).toBe(403);

    expect((await ld(app, 'DELETE', runner(`/saved/${savedSqlUuid}`))).status).toBe(200);
    expect((await ld(app, 'GET', runner(`/saved/${savedSqlUuid}`))).status).toBe(404);
    expect((await ld(app, 'GET', runner(`/saved/slug/${slug}`))).status).toBe(404);
  });

  it('names bad input and unknown ids', async () => {
    const noSpace = await ld(app, 'POST', runner('/saved'), { ...chart(), spaceUuid: crypto.randomUUID() });
    expect(noSpace.status).toBe(404);
    const badLimit = await ld(app, 'POST', runner('/saved'), { ...chart(), limit: 0 });
    expect(badLimit.status).toBe(400);
    const noName = await ld(app, 'POST', runner('/saved'), { ...chart(), name: undefined });
    expect(noName.status).toBe(400);
    expect((await ld(app, 'PATCH', runner(`/saved/${crypto.randomUUID()}`), {})).status).toBe(404);
    expect((await ld(app, 'DELETE', runner(`/saved/${crypto.randomUUID()}`))).status).toBe(404);
  });
});

describe('virtual views', () => {
  it('is an explore that runs metric queries, until it is changed and deleted', async () => {
    const sql = `SELECT country, quantity FROM ${demoTable} WHERE quantity > 5`;
    const created = await ld(app, 'POST', runner('/virtual-view'), { name: 'Big Orders', sql, columns: [] });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.results).toEqual({ name: 'big_orders' });
    const explores = (await ld(app, 'GET', `/v1/projects/${project}/explores`)).body.results;
    expect(explores.map((explore: { name: string }) => explore.name)).toContain('big_orders');

    const run = await ld(app, 'POST', `/v1/projects/${project}/explores/big_orders/runQuery`, {
      exploreName: 'big_orders',
      dimensions: ['big_orders_country'],
      metrics: ['big_orders_total'],
      additionalMetrics: [{ name: 'total', table: 'big_orders', type: 'sum', sql: '${TABLE}.quantity' }],
      filters: {},
      sorts: [{ fieldId: 'big_orders_country', descending: false }],
      limit: 500,
      tableCalculations: [],
    });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const big = rows.filter((row) => (row[col('quantity')] as number) > 5);
    const countries = [...new Set(big.map((row) => row[col('country')] as string))].sort();
    expect(
      run.body.results.rows.map((row: Record<string, { value: { raw: unknown } }>) => [
        row.big_orders_country.value.raw,
        row.big_orders_total.value.raw,
      ]),
    ).toEqual(
      countries.map((country) => [
        country,
        big
          .filter((row) => row[col('country')] === country)
          .reduce((t, row) => t + (row[col('quantity')] as number), 0),
      ]),
    );

    const taken = await ld(app, 'POST', runner('/virtual-view'), { name: 'big orders', sql });
    expect(taken.status).toBe(409);
    const updated = await ld(app, 'PUT', runner('/virtual-view/big_orders'), {
      name: 'Huge orders',
      sql: `SELECT country FROM ${demoTable} WHERE quantity > 50`,
      columns: [],
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.results).toEqual({ name: 'huge_orders' });
    const names = (await ld(app, 'GET', `/v1/projects/${project}/explores`)).body.results.map(
      (explore: { name: string }) => explore.name,
    );
    expect(names).toContain('huge_orders');
    expect(names).not.toContain('big_orders');
    // A table source is no virtual view.
    expect((await ld(app, 'DELETE', runner('/virtual-view/demo_sales'))).status).toBe(404);
    expect(
      (await ld(app, 'POST', runner('/virtual-view'), { name: 'x', sql }, { key: keys.editor })).status,
    ).toBe(403);
    expect((await ld(app, 'DELETE', runner('/virtual-view/huge_orders'))).status).toBe(200);
    expect((await ld(app, 'GET', `/v1/projects/${project}/explores/huge_orders`)).status).toBe(404);
  });

  it('answers dbt write-back as a server without GitHub', async () => {
    for (const route of ['/preview', '/pull-request']) {
      const answer = await ld(app, 'POST', runner(route), { name: 'v', sql: 'SELECT 1', columns: [] });
      expect(answer.status).toBe(422);
      expect(answer.body.error.name).toBe('MissingConfigError');
    }
  });
});

describe('saved SQL charts with PostgreSQL metadata', async () => {
  const database = await createTempPostgres('rosetta_sql_charts');
  let pg: TestApp | undefined;
  afterAll(async () => {
    await pg?.close();
    await database.drop();
  });

  it.skipIf(!database.available)('are stored, found by slug, changed and deleted', async () => {
    pg = await startTestApp({ databaseUrl: database.url, demo: false });
    const projectUuid = (await ld(pg, 'GET', '/v1/org/projects')).body.results[0].projectUuid;
    const base = `/v1/projects/${projectUuid}/sqlRunner/saved`;
    const spaceUuid = (await ld(pg, 'POST', `/v1/projects/${projectUuid}/spaces`, { name: 'PG' })).body
      .results.uuid;
    const body = { name: 'Ones', sql: 'SELECT 1 AS one', limit: 5, config: { type: 'table' }, spaceUuid };
    const first = (await ld(pg, 'POST', base, body)).body.results;
    const second = (await ld(pg, 'POST', base, body)).body.results;
    expect([first.slug, second.slug]).toEqual(['ones', 'ones-1']);
    const patched = await ld(pg, 'PATCH', `${base}/${first.savedSqlUuid}`, {
      versionedData: { sql: 'SELECT 2 AS two', limit: 7, config: {} },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await ld(pg, 'GET', `${base}/slug/ones`)).body.results).toMatchObject({
      sql: 'SELECT 2 AS two',
      limit: 7,
    });
    expect((await ld(pg, 'DELETE', `${base}/${second.savedSqlUuid}`)).status).toBe(200);
    expect((await ld(pg, 'GET', `${base}/slug/ones-1`)).status).toBe(404);
    // Concurrent creates race for the same free slug: each still gets a chart and a slug of its own.
    const raced = await Promise.all(
      Array.from({ length: 6 }, () => ld(pg as TestApp, 'POST', base, { ...body, name: 'Raced' })),
    );
    expect(
      raced.map((answer) => answer.status),
      JSON.stringify(raced.map((a) => a.body)),
    ).toEqual([200, 200, 200, 200, 200, 200]);
    const slugs = raced.map((answer) => answer.body.results.slug as string);
    expect(new Set(slugs).size).toBe(6);
    expect(slugs.every((slug) => /^raced(-\d+)?$/.test(slug))).toBe(true);
  });
});
