import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetIdOf } from '../../src/http/dialects/holistics/dataset-ids.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoSource, userKey } from './dataset-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

/**
 * Datasets: Rosetta models (keeping their ids) and data sources (offset ids), with their data
 * models, fields and joins; listed with cursors, read, deleted as the native API deletes them.
 */

let app: TestApp;
let source: { id: number; uuid: string; connectionId: number };
let sourceDataset: number;
let modelId: number;
let viewer: string;

async function createModel(name: string) {
  const answer = await app.request('POST', '/api/models', {
    name,
    connectionId: source.connectionId,
    baseTable: 'sales',
    tables: [
      { name: 'sales', dataSource: source.uuid },
      { name: 'again', dataSource: source.uuid },
    ],
    joins: [{ table: 'again', type: 'left', on: [{ left: 'sales.country', right: 'again.country' }] }],
    dimensions: [
      { name: 'country', table: 'sales', column: 'country', type: 'string' },
      { name: 'date', table: 'sales', column: 'date', type: 'datetime' },
      { name: 'country', table: 'again', column: 'country', type: 'string' },
    ],
    metrics: [{ name: 'lines', table: 'sales', aggregation: 'count', label: 'Order lines' }],
    policies: [],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id as number;
}

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  source = await demoSource(app);
  sourceDataset = datasetIdOf({ kind: 'source', id: source.id });
  modelId = await createModel('shop');
  viewer = (await userKey(app, 'viewer@hx.test', 'viewer')).key;
}, 120_000);
afterAll(() => app?.close());

describe('GET /data_sets/{id}', () => {
  it('reads a model as a dataset: its tables are data models with dimensions and measures', async () => {
    const answer = await hx(app, 'GET', `/data_sets/${modelId}`);
    expect(answer.status).toBe(200);
    const dataSet = answer.body.data_set;
    expect(dataSet).toMatchObject({
      id: modelId,
      name: 'shop',
      data_source_id: source.connectionId,
      from_aml: false,
      permission: { can_crud: true, can_read: true },
    });
    expect(dataSet.data_models.map((model: { name: string }) => model.name)).toEqual(['sales', 'again']);
    const sales = dataSet.data_models[0];
    expect(sales.dimensions.map((field: { name: string }) => field.name)).toEqual(['country', 'date']);
    expect(sales.dimensions[1]).toMatchObject({ type: 'datetime', label: 'Date', model: { name: 'sales' } });
    expect(sales.measures).toEqual([
      expect.objectContaining({
        name: 'lines',
        label: 'Order lines',
        aggregation_type: 'count',
        type: 'number',
      }),
    ]);
    expect(dataSet.related_joins).toEqual([
      expect.objectContaining({
        link_type: 'left',
        join_on: 'sales.country = again.country',
        // Both tables read the demo source: its id is their data model's, as /dependencies has it.
        dest_model_id: source.id,
        dest_model: { id: source.id, name: 'again' },
      }),
    ]);
    expect(sales.id).toBe(source.id);
  });

  it('reads a data source as a one-model dataset named like it, and leaves models out on request', async () => {
    const answer = await hx(app, 'GET', `/data_sets/${sourceDataset}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data_set).toMatchObject({ id: sourceDataset, name: 'demo_sales', project_id: null });
    const [model] = answer.body.data_set.data_models;
    expect(model.name).toBe('demo_sales');
    expect(model.fields.map((field: { name: string }) => field.name)).toEqual([
      'date',
      'country',
      'category',
      'subcategory',
      'quantity',
      'price',
      'cost_of_goods',
    ]);
    expect(model.fields.find((field: { name: string }) => field.name === 'quantity').type).toBe('number');
    expect(model.id).toBe(source.id);
    const bare = await hx(app, 'GET', `/data_sets/${sourceDataset}?include_models=false`);
    expect(bare.body.data_set.data_models).toBeUndefined();
  });

  it('includes the query reports reading it on request (the demo dashboard reads the demo source)', async () => {
    const answer = await hx(app, 'GET', `/data_sets/${sourceDataset}?include_reports=true`);
    expect(answer.status).toBe(200);
    const { reports } = answer.body.data_set;
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports)
      expect(report).toMatchObject({ id: expect.any(Number), data_set_id: sourceDataset });
    const none = await hx(app, 'GET', `/data_sets/${modelId}?include_reports=true`);
    expect(none.body.data_set.reports).toEqual([]);
    const plain = await hx(app, 'GET', `/data_sets/${modelId}`);
    expect(plain.body.data_set.reports).toBeUndefined();
  });

  it('answers 404 for an id naming nothing, 422 for one that is not an integer', async () => {
    for (const id of [987654, 2 ** 30 + 987654]) {
      const answer = await hx(app, 'GET', `/data_sets/${id}`);
      expect(answer.status).toBe(404);
    }
    expect((await hx(app, 'GET', '/data_sets/abc')).status).toBe(422);
  });
});

describe('GET /data_sets', () => {
  it('lists the models and sources the caller sees, page by page with cursors', async () => {
    const all = await hx(app, 'GET', '/data_sets?limit=100');
    expect(all.status).toBe(200);
    const ids = all.body.data_sets.map((dataSet: { id: number }) => dataSet.id);
    expect(ids).toEqual(expect.arrayContaining([modelId, sourceDataset]));
    const first = await hx(app, 'GET', '/data_sets?limit=1');
    expect(first.body.data_sets).toHaveLength(1);
    expect(first.body.cursors.next).toEqual(expect.any(String));
    const second = await hx(app, 'GET', `/data_sets?limit=1&after=${first.body.cursors.next}`);
    expect(second.body.data_sets[0].id).toBe(ids[1]);
    expect((await hx(app, 'GET', '/data_sets?limit=0')).status).toBe(422);
  });

  it('shows a viewer the datasets as read-only', async () => {
    const answer = await hx(app, 'GET', '/data_sets', undefined, { key: viewer });
    expect(answer.status).toBe(200);
    const shop = answer.body.data_sets.find((dataSet: { id: number }) => dataSet.id === modelId);
    expect(shop.permission).toEqual({ can_crud: false, can_read: true });
  });
});

describe('queries of a viewer', () => {
  it('refuses a viewer ad-hoc queries and their SQL, as the native API does', async () => {
    const query = { dimensions: [{ field: 'demo_sales.country' }] };
    for (const operation of ['submit_query', 'generate_sql']) {
      const answer = await hx(
        app,
        'POST',
        `/data_sets/${sourceDataset}/${operation}`,
        { query },
        { key: viewer },
      );
      expect(answer.status, operation).toBe(403);
      expect(answer.body.type).toBe('PermissionDeniedError');
    }
    const native = await app.request(
      'POST',
      '/api/query',
      { source: source.uuid, dimensions: ['country'] },
      { token: viewer },
    );
    expect(native.status).toBe(403);
  });
});

describe('DELETE /data_sets/{id}', () => {
  it('deletes the model, refused to a viewer', async () => {
    const doomed = await createModel('doomed');
    const refused = await hx(app, 'DELETE', `/data_sets/${doomed}`, undefined, { key: viewer });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('PermissionDeniedError');
    const deleted = await hx(app, 'DELETE', `/data_sets/${doomed}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.message).toEqual(expect.any(String));
    expect((await app.request('GET', `/api/models/${doomed}`)).status).toBe(404);
    expect((await hx(app, 'DELETE', `/data_sets/${doomed}`)).status).toBe(404);
  });
});
