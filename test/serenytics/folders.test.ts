import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await startTestApp();
  // The doc's Python examples call the API over HTTP.
  const address = await app.rosetta.server.listen({ port: 0, host: '127.0.0.1' });
  base = `${address}/serenytics`;
}, 120_000);
afterAll(() => app?.close());

/** The doc's two folder examples, pointed at Rosetta. */
const docExamples = (key: string) => `
import requests
import json

YOUR_API_KEY = ${JSON.stringify(key)}
headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

route = "${base}/api/folder"
data = {
   "name": "My new folder",
   "resource_type": "datasource"
   }
r = requests.post(route, headers=headers, data=json.dumps(data))
if r.status_code == 201:
    print(r.json()["resource_type"])

r = requests.get(route, headers=headers)
if r.status_code == 200:
    folders = r.json()["objects"]
    for f in folders:
        print(f["name"], "--> ", f["resource_type"])
`;

/** The face's home folder of a resource type: where unfiled items are shown. */
async function homeOf(resourceType: string, key?: string): Promise<string> {
  const listed = (await seren(app, 'GET', '/api/folder', undefined, key ? { key } : {})).body.objects;
  return listed.find(
    (f: { name: string; resource_type: string }) => f.name === 'home' && f.resource_type === resourceType,
  ).uuid;
}

async function keyOf(category: string, username: string): Promise<string> {
  const user = await seren(app, 'POST', '/api/user', { username, password: 'longEnoughPassword', category });
  const users = await app.request('GET', '/api/users');
  const id = users.body.items.find((u: { uuid: string }) => u.uuid === user.body.uuid).id;
  return (await app.request('POST', '/api/api-keys', { name: username, userId: id })).body.key;
}

describe('folder', () => {
  it('runs the doc examples: a datasource folder is created (201) and listed with its resource_type', async () => {
    const { stdout } = await promisify(execFile)('python3', ['-c', docExamples(ADMIN_KEY)]);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('datasource');
    expect(lines).toContain('My new folder -->  datasource');
    // Serenytics files everything somewhere: unfiled items show in each type's home folder.
    expect(lines).toEqual(
      expect.arrayContaining(['home -->  webapp', 'home -->  datasource', 'home -->  script']),
    );
  }, 30_000);

  it("runs the client doc's get_webapps example: folder_name is the web app's folder", async () => {
    const folder = (await seren(app, 'POST', '/api/folder', { name: 'Reports', resource_type: 'webapp' }))
      .body;
    const webApp = (await seren(app, 'GET', '/api/web_app')).body.objects[0];
    expect(
      (await seren(app, 'PUT', `/api/web_app/${webApp.uuid}`, { folder_uuid: folder.uuid })).status,
    ).toBe(200);
    const example =
      'import serenytics\nclient = serenytics.Client()\n\nwebapps = client.get_webapps()\nfor webapp in webapps:\n    print(webapp.folder_name, webapp.name)\n';
    const { stdout } = await promisify(execFile)('python3', ['-c', example], {
      env: {
        PATH: process.env.PATH,
        PYTHONPATH: new URL('../../python', import.meta.url).pathname,
        SERENYTICS_API_DOMAIN: base,
        SERENYTICS_API_KEY: ADMIN_KEY,
      },
    });
    expect(stdout).toContain(`Reports ${webApp.name}`);
  }, 30_000);

  it('creates folders of the three resource types; any other is a 400 naming resource_type', async () => {
    for (const type of ['webapp', 'datasource', 'script']) {
      const created = await seren(app, 'POST', '/api/folder', {
        name: `${type} folder`,
        resource_type: type,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: `${type} folder`,
        resource_type: type,
        uuid: expect.any(String),
      });
    }
    const listed = (await seren(app, 'GET', '/api/folder')).body.objects;
    expect(listed).toContainEqual(
      expect.objectContaining({ name: 'script folder', resource_type: 'script' }),
    );
    const bad = await seren(app, 'POST', '/api/folder', { name: 'x', resource_type: 'dataset' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toContain('resource_type');
    // The core keeps the kind: the native API shows it too.
    const native = await app.request('GET', '/api/folders');
    expect(JSON.stringify(native.body)).toContain('"kind":"data_source"');
  });

  it('files a data source through its PUT (folder_uuid), only in a datasource folder', async () => {
    const folder = (
      await seren(app, 'POST', '/api/folder', { name: 'Sales data', resource_type: 'datasource' })
    ).body;
    const webapps = (await seren(app, 'POST', '/api/folder', { name: 'Boards', resource_type: 'webapp' }))
      .body;
    const source = (await seren(app, 'POST', '/api/data_source', { name: 'filed', type: 'Storage' })).body;
    const home = await homeOf('datasource');
    expect(source.folder_uuid).toBe(home);

    // The client's save(): the whole config back, with the folder set.
    const moved = await seren(app, 'PUT', `/api/data_source/${source.uuid}`, {
      ...source,
      folder_uuid: folder.uuid,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.folder_uuid).toBe(folder.uuid);
    expect((await seren(app, 'GET', `/api/data_source/${source.uuid}`)).body.folder_uuid).toBe(folder.uuid);
    const listed = (await seren(app, 'GET', '/api/data_source')).body.objects;
    expect(listed.find((s: { uuid: string }) => s.uuid === source.uuid).folder_uuid).toBe(folder.uuid);

    const wrongKind = await seren(app, 'PUT', `/api/data_source/${source.uuid}`, {
      folder_uuid: webapps.uuid,
    });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.errors[0]).toMatch(/^folder_uuid: .*holds dashboards/);
    const unknown = await seren(app, 'PUT', `/api/data_source/${source.uuid}`, { folder_uuid: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toContain('folder_uuid');
    expect((await seren(app, 'GET', `/api/data_source/${source.uuid}`)).body.folder_uuid).toBe(folder.uuid);

    // null or the home folder takes it out again; a webapp's folder cannot be a datasource folder.
    const out = await seren(app, 'PUT', `/api/data_source/${source.uuid}`, { folder_uuid: null });
    expect(out.body.folder_uuid).toBe(home);
    await seren(app, 'PUT', `/api/data_source/${source.uuid}`, { folder_uuid: folder.uuid });
    const home2 = await seren(app, 'PUT', `/api/data_source/${source.uuid}`, { folder_uuid: home });
    expect(home2.status).toBe(200);
    expect(home2.body.folder_uuid).toBe(home);
    const webApp = (await seren(app, 'GET', '/api/web_app')).body.objects[0];
    const misfiled = await seren(app, 'PUT', `/api/web_app/${webApp.uuid}`, { folder_uuid: folder.uuid });
    expect(misfiled.status).toBe(400);
    expect(misfiled.body.errors[0]).toMatch(/^folder_uuid: .*holds data_sources/);
  });

  it('files a script through its PUT and keeps folder access rules', async () => {
    const folder = (await seren(app, 'POST', '/api/folder', { name: 'ETL', resource_type: 'script' })).body;
    const script = (
      await seren(app, 'POST', '/api/script', { name: 'nightly', code: 'print(1)', language: 'python' })
    ).body;
    const moved = await seren(app, 'PUT', `/api/script/${script.uuid}`, {
      ...script,
      folder_uuid: folder.uuid,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ name: 'nightly', folder_uuid: folder.uuid });
    const listed = (await seren(app, 'GET', '/api/script')).body.objects;
    expect(listed.find((s: { uuid: string }) => s.uuid === script.uuid).folder_uuid).toBe(folder.uuid);

    // Restrict the folder to its creator (the admin): a studio user neither sees it nor files into it.
    const native = (await app.request('GET', '/api/folders')).body;
    const folderId = native.items.find((f: { uuid: string }) => f.uuid === folder.uuid).id;
    const studio = await keyOf('studio', 'dev@doe.com');
    const other = (await app.request('GET', '/api/users')).body.items.find(
      (u: { email: string }) => u.email === 'admin@example.com',
    );
    expect(
      (
        await app.request('PUT', `/api/folders/${folderId}/access`, {
          access: [{ subject: 'user', id: other.id, level: 'edit' }],
        })
      ).status,
    ).toBe(200);
    const seen = (await seren(app, 'GET', '/api/folder', undefined, { key: studio })).body.objects;
    expect(seen.map((f: { uuid: string }) => f.uuid)).not.toContain(folder.uuid);
    const asStudio = (await seren(app, 'GET', `/api/script/${script.uuid}`, undefined, { key: studio })).body;
    expect(asStudio.folder_uuid).toBe(await homeOf('script', studio));
    const own = (
      await seren(app, 'POST', '/api/script', { name: 'mine', code: '', language: 'python' }, { key: studio })
    ).body;
    const refused = await seren(
      app,
      'PUT',
      `/api/script/${own.uuid}`,
      { folder_uuid: folder.uuid },
      { key: studio },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toContain('folder_uuid');

    // A studio_dashboard user (editor) may not change scripts, so may not file them either.
    const open = (await seren(app, 'POST', '/api/folder', { name: 'Open ETL', resource_type: 'script' }))
      .body;
    const editor = await keyOf('studio_dashboard', 'ed@doe.com');
    const denied = await seren(
      app,
      'PUT',
      `/api/script/${own.uuid}`,
      { folder_uuid: open.uuid },
      { key: editor },
    );
    expect(denied.status).toBe(403);
    expect((await seren(app, 'GET', `/api/script/${own.uuid}`)).body.folder_uuid).toBe(
      await homeOf('script'),
    );
  });
  it('forgets where a script was filed when it is deleted, and a data source when it leaves the trash', async () => {
    const filedItems = async () =>
      (await app.rosetta.store.db.selectFrom('folder_items').select('item_uuid').execute()).map(
        (row) => row.item_uuid,
      );
    const sources = (await seren(app, 'POST', '/api/folder', { name: 'Gone', resource_type: 'datasource' }))
      .body;
    const jobs = (await seren(app, 'POST', '/api/folder', { name: 'Gone jobs', resource_type: 'script' }))
      .body;
    const source = (await seren(app, 'POST', '/api/data_source', { name: 'ephemeral', type: 'Storage' }))
      .body;
    const script = (
      await seren(app, 'POST', '/api/script', { name: 'ephemeral', code: '', language: 'python' })
    ).body;
    await seren(app, 'PUT', `/api/data_source/${source.uuid}`, { folder_uuid: sources.uuid });
    await seren(app, 'PUT', `/api/script/${script.uuid}`, { folder_uuid: jobs.uuid });
    expect(await filedItems()).toEqual(expect.arrayContaining([source.uuid, script.uuid]));

    expect((await seren(app, 'DELETE', `/api/data_source/${source.uuid}`)).status).toBe(204);
    expect((await seren(app, 'DELETE', `/api/script/${script.uuid}`)).status).toBe(204);
    // A deleted data source waits in the trash where it was filed, so a restore puts it back.
    expect(await filedItems()).toContain(source.uuid);
    expect(await filedItems()).not.toContain(script.uuid);
    const { body } = await app.request('GET', '/api/data-sources');
    expect(body.items.map((s: { uuid: string }) => s.uuid)).not.toContain(source.uuid);
    const trashed = (await app.request('GET', '/api/trash')).body.items.find(
      (item: { kind: string; uuid?: string; name: string }) =>
        item.kind === 'data_source' && item.name === 'ephemeral',
    );
    expect((await app.request('DELETE', `/api/trash/data_source/${trashed.id}`)).status).toBe(204);
    expect(await filedItems()).not.toContain(source.uuid);
  });
});
