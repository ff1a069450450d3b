import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetIdOf } from '../../src/http/dialects/holistics/dataset-ids.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoSource, userKey } from './dataset-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let source: { id: number; uuid: string; connectionId: number };
let model: { id: number; uuid: string };
let demoDashboard: number;
const dashboards: Record<string, number> = {};
let viewerKey: string;

async function dashboardOn(name: string, sources: string[]): Promise<number> {
  const widgets = sources.map((ref, index) => ({
    id: `w${index}`,
    title: `Widget ${index}`,
    query: { source: ref, dimensions: ['country'], metrics: [] },
    visualization: { type: 'table' },
  }));
  const answer = await app.request('POST', '/api/dashboards', { name, widgets });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id;
}

const dependants = async (type: string, id: number, key?: string) => {
  const answer = await hx(
    app,
    'GET',
    `/dependencies/downstream_dependencies?type=${type}&id=${id}`,
    undefined,
    {
      key,
    },
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.dependants;
};

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  source = await demoSource(app);
  const created = await app.request('POST', '/api/models', {
    name: 'dep_shop',
    connectionId: source.connectionId,
    baseTable: 'orders',
    tables: [{ name: 'orders', dataSource: source.uuid }],
    joins: [],
    dimensions: [{ name: 'country', table: 'orders', column: 'country', type: 'string' }],
    metrics: [],
    policies: [],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  model = created.body;
  const listed = await app.request('GET', '/api/dashboards');
  demoDashboard = listed.body.items[0].id;
  dashboards.byModelUuid = await dashboardOn('On the model', [model.uuid]);
  dashboards.byModelName = await dashboardOn('On the model by name', ['dep_shop']);
  dashboards.bySource = await dashboardOn('On the source', [source.uuid]);
  dashboards.unrelated = (await app.request('POST', '/api/dashboards', { name: 'Empty' })).body.id;
  viewerKey = (await userKey(app, 'viewer@dependencies.test', 'viewer')).key;
}, 60_000);
afterAll(() => app?.close());

describe('GET /dependencies/downstream_dependencies', () => {
  it("of a dataset: the dashboards querying it, by uuid or by the model's name", async () => {
    expect(await dependants('DataSet', datasetIdOf({ kind: 'model', id: model.id }))).toEqual({
      dashboard_ids: sorted([dashboards.byModelUuid, dashboards.byModelName]),
    });
    expect(await dependants('DataSet', datasetIdOf({ kind: 'source', id: source.id }))).toEqual({
      dashboard_ids: sorted([demoDashboard, dashboards.bySource]),
    });
  });

  it("of a data model (a source's table): the datasets reading it and their dashboards", async () => {
    expect(await dependants('DataModel', source.id)).toEqual({
      data_set_ids: sorted([model.id, datasetIdOf({ kind: 'source', id: source.id })]),
      dashboard_ids: sorted([
        demoDashboard,
        dashboards.byModelUuid,
        dashboards.byModelName,
        dashboards.bySource,
      ]),
    });
  });

  it('of a data source (a connection): its data models, datasets and dashboards', async () => {
    const answer = await dependants('DataSource', source.connectionId);
    expect(answer.data_model_ids).toContain(source.id);
    expect(answer.data_set_ids).toEqual(
      expect.arrayContaining([model.id, datasetIdOf({ kind: 'source', id: source.id })]),
    );
    expect(answer.dashboard_ids).toEqual(
      sorted([demoDashboard, dashboards.byModelUuid, dashboards.byModelName, dashboards.bySource]),
    );
    expect(answer.dashboard_ids).not.toContain(dashboards.unrelated);
  });

  it('is a 404 for ids naming nothing, a 422 for a bad type or id, and a 403 on connections for viewers', async () => {
    for (const type of ['DataSource', 'DataModel', 'DataSet']) {
      const missing = await hx(app, 'GET', `/dependencies/downstream_dependencies?type=${type}&id=987654`);
      expect(missing.status, type).toBe(404);
    }
    const badType = await hx(app, 'GET', '/dependencies/downstream_dependencies?type=Dashboard&id=1');
    expect(badType.status).toBe(422);
    expect(badType.body.details.field).toBe('type');
    expect((await hx(app, 'GET', '/dependencies/downstream_dependencies?type=DataSet')).status).toBe(422);
    const refused = await hx(
      app,
      'GET',
      `/dependencies/downstream_dependencies?type=DataSource&id=${source.connectionId}`,
      undefined,
      { key: viewerKey },
    );
    expect(refused.status).toBe(403);
    expect(await dependants('DataSet', datasetIdOf({ kind: 'model', id: model.id }), viewerKey)).toEqual({
      dashboard_ids: sorted([dashboards.byModelUuid, dashboards.byModelName]),
    });
  });
});
