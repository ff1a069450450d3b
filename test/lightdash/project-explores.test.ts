// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder of Lightdash SQL
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ld as request } from './support.ts';

/**
 * `lightdash deploy` of one dbt project into two Lightdash projects (production and a preview),
 * as teams do: each project holds its own explore of the same name, with its own fields, and a
 * query in one runs on that project's model only.
 */
let app: TestApp;
let productionUuid: string;
let previewUuid: string;

const ld = (method: string, path: string, body?: unknown) => request(app, method, path, body);

const explore = (metrics: Record<string, { type: string; sql: string }>) => ({
  // An explore is named by its dbt model, the base table.
  name: 'demo_sales',
  label: 'Sales',
  baseTable: 'demo_sales',
  joinedTables: [],
  tables: {
    demo_sales: {
      name: 'demo_sales',
      dimensions: { country: { type: 'string', sql: '${TABLE}.country' } },
      metrics,
    },
  },
});

const runQuery = (projectUuid: string, metric: string) =>
  ld('POST', `/v1/projects/${projectUuid}/explores/demo_sales/runQuery`, {
    exploreName: 'demo_sales',
    dimensions: ['demo_sales_country'],
    metrics: [`demo_sales_${metric}`],
    filters: {},
    sorts: [{ fieldId: 'demo_sales_country', descending: false }],
    limit: 500,
    tableCalculations: [],
  });

type Rows = Array<Record<string, { value: { raw: unknown } }>>;
const column = (rows: Rows, field: string) => rows.map((row) => row[field].value.raw);

beforeAll(async () => {
  app = await startTestApp();
  productionUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  previewUuid = (await ld('POST', '/v1/org/projects', { name: 'Preview' })).body.results.project.projectUuid;
  const deployed = await ld('PUT', `/v1/projects/${productionUuid}/explores`, [
    explore({ total_quantity: { type: 'sum', sql: '${TABLE}.quantity' } }),
  ]);
  expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
  const preview = await ld('PUT', `/v1/projects/${previewUuid}/explores`, [
    explore({
      total_quantity: { type: 'sum', sql: '${TABLE}.quantity' },
      largest_quantity: { type: 'max', sql: '${TABLE}.quantity' },
    }),
  ]);
  expect(preview.status, JSON.stringify(preview.body)).toBe(200);
}, 120_000);
afterAll(() => app?.close());

describe('one explore name in two projects', () => {
  it('lists each project’s own explore and fields', async () => {
    const metricsOf = async (projectUuid: string) => {
      const answer = await ld('GET', `/v1/projects/${projectUuid}/explores/demo_sales`);
      expect(answer.status).toBe(200);
      return Object.keys(answer.body.results.tables.demo_sales.metrics).sort();
    };
    expect(await metricsOf(productionUuid)).toEqual(['total_quantity']);
    expect(await metricsOf(previewUuid)).toEqual(['largest_quantity', 'total_quantity']);
  });

  it('runs each query on its project’s model, with the numbers of the data', async () => {
    const explore = (await ld('GET', `/v1/projects/${previewUuid}/explores/demo_sales`)).body.results;
    const connections = await app.request('GET', '/api/connections');
    const connection = connections.body.items.find((c: { builtin?: boolean }) => c.builtin);
    const expected = await app.request('POST', `/api/connections/${connection.id}/sql`, {
      sql: `SELECT country, SUM(quantity), MAX(quantity) FROM ${explore.tables.demo_sales.sqlTable} GROUP BY country ORDER BY country`,
    });
    expect(expected.status, JSON.stringify(expected.body)).toBe(200);
    const [totals, largest] = [1, 2].map((i) => expected.body.rows.map((row: unknown[]) => Number(row[i])));
    expect(totals.length).toBeGreaterThan(1);

    for (const projectUuid of [productionUuid, previewUuid]) {
      const answer = await runQuery(projectUuid, 'total_quantity');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(column(answer.body.results.rows, 'demo_sales_total_quantity')).toEqual(totals);
    }
    const preview = await runQuery(previewUuid, 'largest_quantity');
    expect(column(preview.body.results.rows, 'demo_sales_largest_quantity')).toEqual(largest);
    // Production's explore has no such metric: the preview's model is not reached from there.
    const production = await runQuery(productionUuid, 'largest_quantity');
    expect(production.status).toBe(400);
    expect(production.body.error.name).toBe('FieldReferenceError');
  });
});

describe('required attributes of a deployed explore', () => {
  let financeKey: string;
  let plainKey: string;

  /** A user with these attributes and a personal access token. */
  async function keyFor(email: string, role: string, attributes: Record<string, string[]>): Promise<string> {
    const user = await app.request('POST', '/api/users', {
      email,
      role,
      password: 'a long password 1',
    });
    expect(user.status).toBe(201);
    expect((await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes })).status).toBe(
      200,
    );
    return (await app.request('POST', '/api/api-keys', { name: email, userId: user.body.id })).body.key;
  }

  beforeAll(async () => {
    await app.request('POST', '/api/attributes', { key: 'department', type: 'string' });
    financeKey = await keyFor('fin@example.com', 'interactive_viewer', { department: ['finance'] });
    // A developer may write SQL in queries, but not over a table holding a field hidden from them.
    plainKey = await keyFor('plain@example.com', 'developer', { department: ['sales'] });
    const guarded = {
      ...explore({
        total_quantity: { type: 'sum', sql: '${TABLE}.quantity' },
        largest_quantity: { type: 'max', sql: '${TABLE}.quantity' },
      }),
      name: 'demo_sales',
    };
    guarded.tables.demo_sales.metrics.largest_quantity = {
      ...guarded.tables.demo_sales.metrics.largest_quantity,
      requiredAttributes: { department: 'finance' },
    } as never;
    (guarded.tables.demo_sales.dimensions as Record<string, unknown>).quantity = {
      type: 'number',
      sql: '${TABLE}.quantity',
      requiredAttributes: { department: ['finance'] },
    };
    const deployed = await ld('PUT', `/v1/projects/${previewUuid}/explores`, [guarded]);
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
  });

  const as = (key: string, method: string, path: string, body?: unknown) =>
    request(app, method, path, body, { key });

  it('shows the field and its requirement to a holder, hides it from anyone else', async () => {
    const metricsAs = async (key: string) => {
      const answer = await as(key, 'GET', `/v1/projects/${previewUuid}/explores/demo_sales`);
      expect(answer.status).toBe(200);
      return answer.body.results.tables.demo_sales.metrics;
    };
    const forFinance = await metricsAs(financeKey);
    expect(forFinance.largest_quantity.requiredAttributes).toEqual({ department: ['finance'] });
    expect(Object.keys(await metricsAs(plainKey))).toEqual(['total_quantity']);
  });

  it('runs the field for a holder and answers a FieldReferenceError to anyone else', async () => {
    const body = {
      exploreName: 'demo_sales',
      dimensions: ['demo_sales_country'],
      metrics: ['demo_sales_largest_quantity'],
      filters: {},
      sorts: [],
      limit: 500,
      tableCalculations: [],
    };
    const path = `/v1/projects/${previewUuid}/explores/demo_sales/runQuery`;
    const allowed = await as(financeKey, 'POST', path, body);
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    expect(allowed.body.results.rows.length).toBeGreaterThan(1);
    const refused = await as(plainKey, 'POST', path, body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.name).toBe('FieldReferenceError');
    // A custom metric cannot read the hidden dimension's column around it.
    const peek = {
      ...body,
      metrics: ['demo_sales_peek'],
      additionalMetrics: [{ name: 'peek', table: 'demo_sales', type: 'max', sql: '${TABLE}.quantity' }],
    };
    const sneaky = await as(plainKey, 'POST', path, peek);
    expect(sneaky.status).toBe(400);
    const entitled = await as(financeKey, 'POST', path, peek);
    expect(entitled.status, JSON.stringify(entitled.body)).toBe(200);
    const rows = (answer: typeof allowed, id: string) =>
      answer.body.results.rows.map((row: Record<string, { value: { raw: unknown } }>) => row[id].value.raw);
    expect(rows(entitled, 'demo_sales_peek')).toEqual(rows(allowed, 'demo_sales_largest_quantity'));
  });
});
