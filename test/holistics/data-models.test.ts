import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoSource, userKey } from './dataset-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let source: { id: number; uuid: string; connectionId: number };
let defaultProject: number;
let otherProject: number;
let viewerKey: string;
let developerKey: string;

async function createModel(name: string, projectId: number): Promise<void> {
  const answer = await app.request('POST', '/api/models', {
    name,
    projectId,
    connectionId: source.connectionId,
    baseTable: 'orders',
    tables: [{ name: 'orders', dataSource: source.uuid }],
    joins: [],
    dimensions: [{ name: 'country', table: 'orders', column: 'country', type: 'string' }],
    metrics: [{ name: 'units', table: 'orders', aggregation: 'sum', column: 'quantity' }],
    policies: [],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

type DataModelJson = {
  id: string | number;
  name: string;
  data_source_id: number;
  measures: { name: string }[];
};

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  source = await demoSource(app);
  defaultProject = (await app.request('GET', '/api/projects')).body.items.find(
    (project: { isDefault: boolean }) => project.isDefault,
  ).id;
  const other = await app.request('POST', '/api/projects', { name: 'Elsewhere' });
  expect(other.status).toBe(201);
  otherProject = other.body.id;
  await createModel('home_shop', defaultProject);
  await createModel('far_shop', otherProject);
  viewerKey = (await userKey(app, 'viewer@models.test', 'viewer')).key;
  developerKey = (await userKey(app, 'dev@models.test', 'developer')).key;
}, 60_000);
afterAll(() => app?.close());

describe('GET /data_models', () => {
  it("lists the tables of the project's datasets, with their fields, to any reader", async () => {
    const answer = await hx(app, 'GET', `/data_models?project_id=${defaultProject}`, undefined, {
      key: viewerKey,
    });
    expect(answer.status).toBe(200);
    const models: DataModelJson[] = answer.body.data_models;
    const orders = models.find((model) => model.name === 'orders');
    expect(orders).toMatchObject({ data_source_id: source.connectionId, measures: [{ name: 'units' }] });
    // The demo source is a dataset of every project, with its one table.
    expect(models.some((model) => model.name === 'demo_sales')).toBe(true);
  });

  it("shows another project's models only in that project", async () => {
    const answer = await hx(app, 'GET', `/data_models?project_id=${otherProject}`);
    expect(answer.status).toBe(200);
    const models: DataModelJson[] = answer.body.data_models;
    expect(models.filter((model) => model.name === 'orders')).toHaveLength(1);
    const home = (await hx(app, 'GET', `/data_models?project_id=${defaultProject}`)).body.data_models;
    expect(home.filter((model: DataModelJson) => model.name === 'orders')).toHaveLength(1);
  });

  it('needs a known project, and has no branches or commits to read', async () => {
    const missing = await hx(app, 'GET', '/data_models');
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ type: 'InvalidParameterError', details: { field: 'project_id' } });
    expect((await hx(app, 'GET', '/data_models?project_id=abc')).status).toBe(422);
    expect((await hx(app, 'GET', '/data_models?project_id=987654')).status).toBe(404);
    const branch = await hx(app, 'GET', `/data_models?project_id=${defaultProject}&branch_name=feature`);
    expect(branch.status).toBe(422);
    expect(branch.body.type).toBe('InvalidOperationError');
    const commit = await hx(app, 'GET', `/data_models?project_id=${defaultProject}&commit_oid=abc123`);
    expect(commit.body.type).toBe('InvalidOperationError');
  });
});

describe('POST /data_model_persistences/validate_ddl', () => {
  it('answers as a Holistics tenant without model persistence, after checking the body and the right', async () => {
    const answer = await hx(app, 'POST', '/data_model_persistences/validate_ddl', {
      ddl: 'CREATE TABLE {{ #TABLE }} AS {{ #SELECT }}',
    });
    expect(answer.status).toBe(422);
    expect(answer.body.type).toBe('InvalidOperationError');
    const missing = await hx(app, 'POST', '/data_model_persistences/validate_ddl', {});
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ type: 'InvalidParameterError' });
    const refused = await hx(
      app,
      'POST',
      '/data_model_persistences/validate_ddl',
      { ddl: 'x' },
      { key: viewerKey },
    );
    expect(refused.status).toBe(403);
  });
});

describe('GET /job_queues', () => {
  it("answers each job type's workers and busy ones, to admins only", async () => {
    const answer = await hx(app, 'GET', '/job_queues');
    expect(answer.status).toBe(200);
    const queues: { id: number; queue: string; total_workers: number; busy_workers: number }[] =
      answer.body.job_queues;
    const query = queues.find((queue) => queue.queue === 'query');
    expect(query).toMatchObject({ total_workers: expect.any(Number), busy_workers: 0 });
    expect(query?.total_workers).toBeGreaterThan(0);
    expect(new Set(queues.map((queue) => queue.id)).size).toBe(queues.length);
    const refused = await hx(app, 'GET', '/job_queues', undefined, { key: developerKey });
    expect(refused.status).toBe(403);
  });
});
