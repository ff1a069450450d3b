import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTempPostgres } from '../support/databases.ts';
import { pgConnection, seren } from './support.ts';

/*
 * The connection properties of a SQL source's `jsonContent` (`set_property` + `save()` of the
 * Python client): GET shows the source's connection, PUT changes it through the core connection
 * service, with its permissions, validation and sealed password.
 */
const database = await createTempPostgres('rosetta_seren_conn');
let app: TestApp;
const keys: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  for (const category of ['viewer', 'studio_dashboard', 'studio']) {
    const user = await seren(app, 'POST', '/api/user', {
      username: `${category}@example.com`,
      password: 'longEnoughPassword',
      category,
    });
    const users = await app.request('GET', '/api/users');
    const userId = users.body.items.find((u: { uuid: string }) => u.uuid === user.body.uuid).id;
    keys[category] = (await app.request('POST', '/api/api-keys', { name: category, userId })).body.key;
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  await database.drop();
});

/** A SQL source on a new connection of its own (answers both, as the native API does). */
async function sqlSource(name: string, connectionId?: number) {
  const connection =
    connectionId === undefined
      ? (await app.request('POST', '/api/connections', pgConnection(database, name))).body
      : (await app.request('GET', `/api/connections/${connectionId}`)).body;
  const body = { type: 'sql', name, connectionId: connection.id, sql: 'SELECT 1 AS one' };
  const source = (await app.request('POST', '/api/data-sources', body)).body;
  return { connection, source };
}

const config = async (uuid: string, key?: string) =>
  (await seren(app, 'GET', `/api/data_source/${uuid}`, undefined, { key })).body;
const save = (uuid: string, body: object, key?: string) =>
  seren(app, 'PUT', `/api/data_source/${uuid}`, body, { key });
const connectionOf = async (id: number) => (await app.request('GET', `/api/connections/${id}`)).body;

describe.skipIf(!database.available)('connection properties of a SQL source', () => {
  it('GET shows server_ip, port, login and database, never the password; a viewer sees none', async () => {
    const { connection, source } = await sqlSource('shown');
    const { jsonContent } = await config(source.uuid);
    expect(jsonContent).toMatchObject({
      server_ip: connection.host,
      port: connection.port,
      login: connection.user,
      database: database.name,
    });
    expect(jsonContent).not.toHaveProperty('password');
    const seen = (await config(source.uuid, keys.viewer)).jsonContent;
    expect(Object.keys(seen).sort()).toEqual(['columns', 'measures', 'primaryKey']);
  });

  it('an admin changes host, port, login, database and password in one save', async () => {
    const { connection, source } = await sqlSource('moved');
    const saved = await config(source.uuid);
    Object.assign(saved.jsonContent, {
      server_ip: 'db.example.org',
      port: '6543',
      user: 'reporting',
      db_name: 'sales',
      password: 's3cret',
    });
    const answer = await save(source.uuid, saved);
    expect(answer.status).toBe(200);
    expect(answer.body.jsonContent).toMatchObject({
      server_ip: 'db.example.org',
      port: 6543,
      login: 'reporting',
      database: 'sales',
    });
    expect(answer.body.jsonContent).not.toHaveProperty('password');
    expect(await connectionOf(connection.id)).toMatchObject({
      host: 'db.example.org',
      port: 6543,
      user: 'reporting',
      database: 'sales',
      hasPassword: true,
    });
  });

  it('a studio user saves other changes of the config as it came; only an admin moves the server', async () => {
    const { connection, source } = await sqlSource('studio');
    const saved = await config(source.uuid, keys.studio);
    expect((await save(source.uuid, { ...saved, name: 'studio renamed' }, keys.studio)).status).toBe(200);
    for (const category of ['studio', 'studio_dashboard', 'viewer']) {
      const moved = { ...saved, jsonContent: { ...saved.jsonContent, server_ip: 'elsewhere.example.org' } };
      const answer = await save(source.uuid, moved, keys[category]);
      expect(answer.status, category).toBe(403);
    }
    expect(await connectionOf(connection.id)).toEqual(connection);
    expect((await config(source.uuid)).name).toBe('studio renamed');
  });

  it('refuses values it cannot use, naming the property (400), and keeps the connection', async () => {
    const { connection, source } = await sqlSource('checked');
    const cases: [object, string][] = [
      [{ server_ip: '' }, 'jsonContent.server_ip: is required for postgres'],
      [{ server_ip: 42 }, 'jsonContent.server_ip: must be a string'],
      [{ port: 'five' }, 'jsonContent.port: must be a port number'],
      [{ port: 70000 }, 'jsonContent.port: must be an integer between 1 and 65535'],
      [{ login: 'a', user: 'b' }, 'jsonContent.user: disagrees with jsonContent.login'],
    ];
    for (const [jsonContent, message] of cases) {
      const answer = await save(source.uuid, { jsonContent });
      expect(answer.status, message).toBe(400);
      expect(answer.body.errors[0]).toContain(message);
    }
    expect(await connectionOf(connection.id)).toEqual(connection);
  });

  it('refuses to move a connection other sources read, naming them; the connection can be moved itself', async () => {
    const { connection, source } = await sqlSource('first');
    await sqlSource('second', connection.id);
    const answer = await save(source.uuid, { jsonContent: { server_ip: 'elsewhere.example.org' } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toContain(
      `jsonContent.server_ip: connection "first" also serves data source "second"`,
    );
    expect(await connectionOf(connection.id)).toEqual(connection);
  });

  it('moves a connection its models read only through this source; one a model reads directly stays', async () => {
    const model = (name: string, connectionId: number, table: object) =>
      app.request('POST', '/api/models', {
        name,
        connectionId,
        baseTable: 't',
        tables: [{ name: 't', ...table }],
      });
    const followed = await sqlSource('followed');
    expect(
      (await model('on the source', followed.connection.id, { dataSource: followed.source.uuid })).status,
    ).toBe(201);
    const moved = await save(followed.source.uuid, { jsonContent: { server_ip: 'db.example.org' } });
    expect(moved.status).toBe(200);
    expect((await connectionOf(followed.connection.id)).host).toBe('db.example.org');

    const kept = await sqlSource('kept');
    expect((await model('direct', kept.connection.id, { sql: 'SELECT 2 AS two' })).status).toBe(201);
    const refused = await save(kept.source.uuid, { jsonContent: { server_ip: 'db.example.org' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toContain('also serves model "direct"');
    expect(await connectionOf(kept.connection.id)).toEqual(kept.connection);
  });

  it('a Storage source has no server (400 naming jsonContent.server_ip)', async () => {
    const source = (await seren(app, 'POST', '/api/data_source', { name: 'stored', type: 'Storage' })).body;
    const answer = await save(source.uuid, { jsonContent: { server_ip: 'db.example.org' } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toContain('jsonContent.server_ip: a storage source has no server');
    expect((await config(source.uuid)).jsonContent).not.toHaveProperty('server_ip');
  });
});
