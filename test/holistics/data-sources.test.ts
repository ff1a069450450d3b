import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoSource, userKey } from './dataset-support.ts';
import { hx, NO_RATE_LIMITS, waitForJob } from './support.ts';

let app: TestApp;
let developerKey: string;
let viewerKey: string;
let embeddedId: number;

/** A PostgreSQL connection created through the native API (never opened: only stored). */
async function remoteConnection(name: string): Promise<number> {
  const created = await app.request('POST', '/api/connections', {
    name,
    type: 'postgres',
    host: 'db.internal',
    database: 'sales',
    user: 'reader',
    password: 'old secret',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  developerKey = (await userKey(app, 'dev@sources.test', 'developer')).key;
  viewerKey = (await userKey(app, 'viewer@sources.test', 'viewer')).key;
  embeddedId = (await demoSource(app)).connectionId;
}, 60_000);
afterAll(() => app?.close());

describe('GET /data_sources/{id}', () => {
  it('answers the connection as a DataSource, to developers, without any secret', async () => {
    const id = await remoteConnection('Warehouse read');
    const answer = await hx(app, 'GET', `/data_sources/${id}`, undefined, { key: developerKey });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data_source: {
        id,
        name: 'Warehouse read',
        dbtype: 'postgresql',
        settings: {
          require_ssl: false,
          query_timeout: null,
          enable_schema_info: true,
          use_connection_str: false,
        },
        is_sample: false,
        is_default: false,
      },
    });
    expect(answer.text).not.toContain('secret');
    const embedded = await hx(app, 'GET', `/data_sources/${embeddedId}`);
    expect(embedded.body.data_source).toMatchObject({ dbtype: 'duckdb', is_default: true });
  });

  it('is a 404 for an id naming nothing and a 403 for a viewer', async () => {
    const missing = await hx(app, 'GET', '/data_sources/987654');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('BaseError');
    const refused = await hx(app, 'GET', `/data_sources/${embeddedId}`, undefined, { key: viewerKey });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('PermissionDeniedError');
    const malformed = await hx(app, 'GET', '/data_sources/abc');
    expect(malformed.status).toBe(422);
  });
});

describe('PUT /data_sources/{id}', () => {
  it('changes the name, SSL and server of the connection, the password kept write-only', async () => {
    const id = await remoteConnection('Warehouse to change');
    const answer = await hx(app, 'PUT', `/data_sources/${id}`, {
      data_source: {
        name: 'Warehouse changed',
        settings: { require_ssl: true, query_timeout: null, enable_schema_info: true },
        dbconfig: {
          host: 'db2.internal',
          port: '6543',
          username: 'writer',
          password: 'new secret',
          database: null,
        },
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.data_source).toMatchObject({
      id,
      name: 'Warehouse changed',
      settings: { require_ssl: true },
    });
    expect(answer.text).not.toContain('secret');
    const stored = await app.request('GET', `/api/connections/${id}`);
    expect(stored.body).toMatchObject({
      name: 'Warehouse changed',
      ssl: true,
      host: 'db2.internal',
      port: 6543,
      user: 'writer',
      database: 'sales',
      hasPassword: true,
    });
  });

  it('refuses what a Rosetta connection cannot keep, naming the field, and changes nothing', async () => {
    const id = await remoteConnection('Warehouse kept');
    const cases: Array<[unknown, string]> = [
      [{ settings: { timezone: 'Europe/Paris' } }, 'data_source.settings.timezone'],
      [{ settings: { query_timeout: 30 } }, 'data_source.settings.query_timeout'],
      [{ settings: { use_connection_str: true } }, 'data_source.settings.use_connection_str'],
      [{ dbconfig: { port: 'eighty' } }, 'data_source.dbconfig.port'],
      [{ dbconfig: { port: '70000' } }, 'data_source.dbconfig.port'],
      [{ name: '' }, 'data_source.name'],
    ];
    for (const [change, field] of cases) {
      const answer = await hx(app, 'PUT', `/data_sources/${id}`, { data_source: change });
      expect(answer.status, JSON.stringify(change)).toBe(422);
      expect(answer.body).toMatchObject({ type: 'InvalidParameterError', details: { field } });
    }
    const missing = await hx(app, 'PUT', `/data_sources/${id}`, {});
    expect(missing.status).toBe(422);
    expect((await app.request('GET', `/api/connections/${id}`)).body).toMatchObject({
      name: 'Warehouse kept',
      port: 5432,
    });
  });

  it('keeps the embedded warehouse fixed, and lets only admins change a connection', async () => {
    const fixed = await hx(app, 'PUT', `/data_sources/${embeddedId}`, { data_source: { name: 'Mine' } });
    expect(fixed.status).toBe(422);
    const server = await hx(app, 'PUT', `/data_sources/${embeddedId}`, {
      data_source: { dbconfig: { host: 'elsewhere' } },
    });
    expect(server.body).toMatchObject({ details: { field: 'data_source.dbconfig.host' } });
    const id = await remoteConnection('Warehouse of admins');
    const refused = await hx(
      app,
      'PUT',
      `/data_sources/${id}`,
      { data_source: { name: 'x' } },
      { key: developerKey },
    );
    expect(refused.status).toBe(403);
    const missing = await hx(app, 'PUT', '/data_sources/987654', { data_source: { name: 'x' } });
    expect(missing.status).toBe(404);
  });
});

describe('DELETE /data_sources/{id}', () => {
  it('moves an unused connection to the trash, and refuses one that sources read', async () => {
    const id = await remoteConnection('Warehouse to drop');
    const refused = await hx(app, 'DELETE', `/data_sources/${id}`, undefined, { key: developerKey });
    expect(refused.status).toBe(403);
    const answer = await hx(app, 'DELETE', `/data_sources/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.body.message).toEqual(expect.any(String));
    expect((await app.request('GET', `/api/connections/${id}`)).status).toBe(404);
    expect((await hx(app, 'DELETE', `/data_sources/${id}`)).status).toBe(404);
    const used = await hx(app, 'DELETE', `/data_sources/${embeddedId}`);
    expect(used.status).toBe(422);
    expect((await app.request('GET', `/api/connections/${embeddedId}`)).status).toBe(200);
  });
});

describe('POST /data_sources/{id}/bust_exploration_cache', () => {
  it("answers a job that drops the connection's cached results", async () => {
    const demo = await demoSource(app);
    const query = { source: demo.uuid, metrics: [{ aggregation: 'count' }] };
    await app.request('POST', '/api/query', query);
    expect((await app.request('POST', '/api/query', query)).body.cached).toBe(true);
    const answer = await hx(app, 'POST', `/data_sources/${embeddedId}/bust_exploration_cache`, undefined, {
      key: developerKey,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.job).toMatchObject({ id: expect.any(Number), status: expect.any(String) });
    const job = await waitForJob(app, answer.body.job.id, developerKey);
    expect(job.status).toBe('success');
    expect((await app.request('POST', '/api/query', query)).body.cached).toBe(false);
  });

  it('is a 403 for a viewer and a 404 for an unknown data source', async () => {
    const refused = await hx(app, 'POST', `/data_sources/${embeddedId}/bust_exploration_cache`, undefined, {
      key: viewerKey,
    });
    expect(refused.status).toBe(403);
    expect((await hx(app, 'POST', '/data_sources/987654/bust_exploration_cache')).status).toBe(404);
  });
});
