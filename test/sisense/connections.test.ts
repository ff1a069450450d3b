import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

/** Connections (CON-01…06) and cube modelling (EC-05/06/F2, EC-01/02/03/F1) through the Sisense face. */

let app: TestApp;
let developerToken: string;
let viewerToken: string;

const PASSWORD = 'a-long-password-1';

async function signIn(email: string, role: string): Promise<string> {
  const created = await app.request('POST', '/api/users', { email, role, password: PASSWORD });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return sisenseLogin(app, email, PASSWORD);
}

beforeAll(async () => {
  app = await startTestApp();
  developerToken = await signIn('developer@connections.test', 'developer');
  viewerToken = await signIn('viewer@connections.test', 'viewer');
}, 120_000);
afterAll(() => app.close());

describe('connections', () => {
  it('lists the built-in connection with a 24-hex oid and no secret, and reads it by id', async () => {
    const list = await sx(app, 'GET', '/api/v1/connection');
    expect(list.status).toBe(200);
    const builtin = list.body.find((connection: { builtin: boolean }) => connection.builtin);
    expect(builtin).toMatchObject({ provider: 'duckdb', parameters: { File: 'warehouse.duckdb' } });
    expect(builtin._id).toMatch(/^[0-9a-f]{24}$/);
    expect(builtin.oid).toBe(builtin._id);
    const one = await sx(app, 'GET', `/api/v1/connection/${builtin._id}`);
    expect(one.status).toBe(200);
    expect(one.body.name).toBe(builtin.name);
    expect((await sx(app, 'GET', '/api/v1/connection', undefined, { token: developerToken })).status).toBe(
      200,
    );
    expect((await sx(app, 'GET', '/api/v1/connection', undefined, { token: viewerToken })).status).toBe(403);
  });

  it('creates, changes and deletes a connection, never echoing its password', async () => {
    const created = await sx(app, 'POST', '/api/v1/connection', {
      provider: 'postgresql',
      name: 'Warehouse',
      parameters: {
        Server: 'db.internal:6543',
        DefaultDatabase: 'sales',
        UserName: 'reporter',
        Password: 's3cret',
        EncryptConnection: true,
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.text).not.toContain('s3cret');
    expect(created.body).toMatchObject({
      provider: 'postgresql',
      parameters: { Server: 'db.internal:6543', DefaultDatabase: 'sales', UserName: 'reporter' },
      protectedParameters: ['Password'],
    });
    const id = created.body._id;
    const native = (await app.request('GET', '/api/connections')).body.items.find(
      (connection: { name: string }) => connection.name === 'Warehouse',
    );
    expect(native).toMatchObject({
      type: 'postgres',
      host: 'db.internal',
      port: 6543,
      ssl: true,
      hasPassword: true,
    });

    const patched = await sx(app, 'PATCH', `/api/v1/connection/${id}`, {
      parameters: { DefaultDatabase: 'finance', Password: null },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.parameters.DefaultDatabase).toBe('finance');
    expect(patched.body.protectedParameters).toEqual([]);

    const recent = await sx(app, 'GET', '/api/v1/connection/recent?limit=1&fields=name');
    expect(recent.body).toEqual([{ _id: id, name: 'Warehouse' }]);

    expect(
      (await sx(app, 'DELETE', `/api/v1/connection/${id}`, undefined, { token: developerToken })).status,
    ).toBe(403);
    expect((await sx(app, 'DELETE', `/api/v1/connection/${id}`)).status).toBe(204);
    expect((await sx(app, 'GET', `/api/v1/connection/${id}`)).status).toBe(404);
  });

  it('takes a connection string and the {connection} wrapper; sorts and pages', async () => {
    const created = await sx(app, 'POST', '/api/v1/connection', {
      connection: { title: 'From string', connectionString: 'jdbc:mysql://reader@maria.internal:3307/shop' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ provider: 'mysql', name: 'From string' });
    expect(created.body.parameters).toMatchObject({ Server: 'maria.internal:3307', DefaultDatabase: 'shop' });
    const sorted = await sx(app, 'GET', '/api/v1/connection?sort=-name&skip=0&limit=1');
    // The built-in "Embedded DuckDB" sorts after "From string" descending.
    expect(sorted.body.map((connection: { name: string }) => connection.name)).toEqual(['From string']);
  });

  it('answers bad input with a 400 naming the field, never a 500', async () => {
    const cases: Array<[unknown, string]> = [
      [{ provider: 'oracle', parameters: {} }, 'provider'],
      [{ parameters: { Server: 'h' } }, 'provider'],
      [{ provider: 'postgresql', parameters: { Server: 'h', UserName: 'u' } }, 'parameters.DefaultDatabase'],
      [{ provider: 'postgresql', parameters: { Server: 'h:99999' } }, 'parameters.Server'],
      [{ provider: 'postgresql', parameters: { Sever: 'h' } }, 'parameters.Sever'],
      [{ provider: 'postgresql', parameters: { EncryptConnection: 'yes' } }, 'parameters.EncryptConnection'],
      [{ provider: 'duckdb', parameters: { File: '../../etc/passwd' } }, 'parameters.File'],
      [{ connectionString: 'not a url' }, 'connectionString'],
      ['text', 'connection'],
    ];
    for (const [body, field] of cases) {
      const answer = await sx(app, 'POST', '/api/v1/connection', body);
      expect(answer.status, `${JSON.stringify(body)} → ${answer.text}`).toBe(400);
      expect(answer.body.error.field, answer.text).toBe(field);
    }
    expect((await sx(app, 'GET', '/api/v1/connection/xyz')).status).toBe(400);
    expect((await sx(app, 'GET', '/api/v1/connection/0123456789abcdef01234567')).status).toBe(404);
    expect((await sx(app, 'GET', '/api/v1/connection?skip=-1')).status).toBe(400);
  });

  it('keeps the built-in connection as it is', async () => {
    const builtin = (await sx(app, 'GET', '/api/v1/connection')).body.find(
      (c: { builtin: boolean }) => c.builtin,
    );
    const answer = await sx(app, 'DELETE', `/api/v1/connection/${builtin._id}`);
    expect(answer.status).toBe(400);
    expect(sisenseError(answer).message).toMatch(/embedded connection/);
  });
});

describe('cube modelling', () => {
  let modelId: number;
  const title = 'Modelled';

  beforeAll(async () => {
    const embedded = (await app.request('GET', '/api/connections')).body.items.find(
      (connection: { builtin: boolean }) => connection.builtin,
    );
    const model = await app.request('POST', '/api/models', {
      name: title,
      connectionId: embedded.id,
      baseTable: 'base',
      tables: [{ name: 'base', sql: 'SELECT 1 AS a, 2 AS b' }],
      dimensions: [
        { name: 'a', table: 'base', column: 'a' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the model's own SQL placeholder
        { name: 'double_a', table: 'base', sql: '${TABLE}.a * 2', type: 'integer' },
      ],
      metrics: [],
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
    modelId = model.body.id;
  });

  it('adds a custom table and a manual SQL table, with a field per column', async () => {
    const custom = await sx(app, 'POST', `/api/v1/elasticubes/LocalHost/${title}/custom_tables`, {
      tableSqlQuery: {
        name: 'extra',
        query: 'SELECT 1 AS c',
        join: { on: [{ left: '[base.a]', right: '[extra.c]' }] },
      },
    });
    expect(custom.status, custom.text).toBe(201);
    expect(custom.body.columns).toEqual([{ name: 'c', type: 'integer' }]);
    const manual = await sx(app, 'POST', `/api/v1/elasticubes/localhost/${title}/sql_manual_query`, {
      manualTableSqlQuery: {
        name: 'imported',
        query: "SELECT 2 AS b, 'x' AS label",
        join: { type: 'inner', on: [{ left: 'base.b', right: 'imported.b' }] },
      },
    });
    expect(manual.status, manual.text).toBe(201);
    const model = (await app.request('GET', `/api/models/${modelId}`)).body;
    expect(model.tables.map((table: { name: string }) => table.name)).toEqual(['base', 'extra', 'imported']);
    expect(model.dimensions.map((d: { table: string; name: string }) => `${d.table}.${d.name}`)).toContain(
      'imported.label',
    );
    const again = await sx(app, 'POST', `/api/v1/elasticubes/LocalHost/${title}/custom_tables`, {
      tableSqlQuery: {
        name: 'extra',
        query: 'SELECT 1',
        join: { on: [{ left: 'base.a', right: 'extra.c' }] },
      },
    });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe(23004);
  });

  it('refuses bad SQL, unknown cubes and servers, and viewers', async () => {
    const bad = await sx(app, 'POST', `/api/v1/elasticubes/LocalHost/${title}/custom_tables`, {
      tableSqlQuery: {
        name: 'broken',
        query: 'SELEC nonsense',
        join: { on: [{ left: 'base.a', right: 'broken.a' }] },
      },
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.error.field).toBe('tableSqlQuery.query');
    const missing = await sx(app, 'POST', `/api/v1/elasticubes/LocalHost/${title}/custom_tables`, {
      tableSqlQuery: { query: 'SELECT 1' },
    });
    expect(missing.body.error.field).toBe('tableSqlQuery.name');
    const unjoined = await sx(app, 'POST', `/api/v1/elasticubes/LocalHost/${title}/custom_tables`, {
      tableSqlQuery: { name: 'alone', query: 'SELECT 1 AS z' },
    });
    expect(unjoined.body.error.field).toBe('tableSqlQuery.join');
    const badJoin = await sx(app, 'POST', `/api/v1/elasticubes/LocalHost/${title}/custom_tables`, {
      tableSqlQuery: {
        name: 'alone',
        query: 'SELECT 1 AS z',
        join: { on: [{ left: '[base.nope]', right: '[alone.z]' }] },
      },
    });
    expect(badJoin.status, badJoin.text).toBe(400);
    expect(badJoin.body.error.field).toBe('tableSqlQuery.join');
    expect((await sx(app, 'POST', '/api/v1/elasticubes/LocalHost/Nope/custom_tables', {})).status).toBe(404);
    expect((await sx(app, 'POST', `/api/v1/elasticubes/Elsewhere/${title}/custom_tables`, {})).status).toBe(
      404,
    );
    const viewer = await sx(
      app,
      'POST',
      `/api/v1/elasticubes/LocalHost/${title}/custom_tables`,
      {},
      { token: viewerToken },
    );
    expect(viewer.status).toBe(403);
  });

  it('deletes a custom field, and refuses to delete a column', async () => {
    const path = `/api/v1/elasticubes/LocalHost/${title}/custom_fields/base`;
    const column = await sx(app, 'DELETE', `${path}/a`);
    expect(column.status).toBe(400);
    expect(column.body.error.field).toBe('fieldName');
    expect((await sx(app, 'DELETE', `${path}/double_a`)).status).toBe(204);
    const model = (await app.request('GET', `/api/models/${modelId}`)).body;
    expect(model.dimensions.map((d: { name: string }) => d.name)).not.toContain('double_a');
    expect((await sx(app, 'DELETE', `${path}/double_a`)).status).toBe(404);
  });

  it('answers the server settings it has, and names the features it has not', async () => {
    const settings = await sx(app, 'GET', '/api/v1/elasticubes/servers/LocalHost/settings', undefined, {
      token: developerToken,
    });
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({ RserverEnabled: false });
    expect(settings.body.ResultLimit).toBeGreaterThan(0);
    const change = await sx(app, 'POST', '/api/v1/elasticubes/servers/LocalHost/settings', {
      QueryTimeout: 5,
    });
    expect(change.status).toBe(400);
    expect(change.body.error.field).toBe('serverSettings');
    const sets = await sx(app, 'POST', '/api/v1/elasticubes/sets', { fullNames: ['LocalHost/Modelled'] });
    expect(sets.status).toBe(400);
    expect(sisenseError(sets).message).toMatch(/ElastiCube sets/);
    const rserver = await sx(app, 'GET', '/api/v1/elasticubes/servers/LocalHost/rserver/test?rserver=r:6311');
    expect(rserver.status).toBe(400);
    expect(rserver.body.error.field).toBe('rserver');
    expect(
      (
        await sx(app, 'GET', '/api/v1/elasticubes/servers/LocalHost/settings', undefined, {
          token: viewerToken,
        })
      ).status,
    ).toBe(403);
  });
});
