import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { createContentService } from '../../core/content/index.ts';
import { contentBackends, organization } from '../../core/content/test-support.ts';
import type { Store } from '../../store/database.ts';
import { type App, createServer } from '../server.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerFolderRoutes } from './folders.ts';

// HTTP tests of the native content routes.
const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_content'));
const sqlite = backends[0];
afterAll(cleanup);

describe('native content routes', () => {
  let store: Store;
  let app: App;
  const org = organization();
  const users: Record<string, Principal> = { admin: org.admin, editor: org.editor, viewer: org.viewer };

  beforeAll(async () => {
    store = await sqlite.open();
    app = createServer({ logLevel: 'silent' });
    // Stands in for the real auth hook: the caller is named by a header.
    app.addHook('onRequest', async (request) => {
      request.principal = users[String(request.headers['x-test-user'] ?? 'editor')];
    });
    const deps = { content: createContentService(store) };
    registerFolderRoutes(app, deps);
    registerDashboardRoutes(app, deps);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    user = 'editor',
  ) => {
    const response = await app.inject({ method, url, payload, headers: { 'x-test-user': user } });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };

  it('serves folders: create, tree, access, delete', async () => {
    const parent = await call('POST', '/folders', { name: 'Finance' });
    expect(parent.status).toBe(201);
    const child = await call('POST', '/folders', { name: 'Budget', parentId: parent.body.uuid });
    expect(child.body).toMatchObject({ parentId: parent.body.id, restricted: false });
    const tree = await call('GET', '/folders?format=tree');
    expect(tree.body.items[0].children[0].name).toBe('Budget');
    const scripts = await call('POST', '/folders', { name: 'Jobs', kind: 'script' });
    expect(scripts.body.kind).toBe('script');
    const dashboardFolders = await call('GET', '/folders?kind=dashboard');
    expect(dashboardFolders.body.items.map((f: { name: string }) => f.name)).toEqual(['Finance', 'Budget']);
    const scriptFolders = await call('GET', '/folders?kind=script');
    expect(scriptFolders.body.items.map((f: { name: string }) => f.name)).toEqual(['Jobs']);
    expect((await call('GET', '/folders?kind=webapp')).status).toBe(400);
    const access = await call('PUT', `/folders/${parent.body.id}/access`, {
      access: [{ subject: 'group', id: 7, level: 'view' }],
    });
    expect(access.body).toMatchObject({
      restricted: true,
      access: [{ subject: 'group', id: 7, level: 'view' }],
    });
    expect((await call('GET', `/folders/${child.body.id}`, undefined, 'viewer')).status).toBe(404);
    expect(
      (await call('PATCH', `/folders/${parent.body.id}`, { parentId: child.body.id })).body.error,
    ).toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'parentId',
    });
    expect((await call('DELETE', `/folders/${parent.body.id}`)).status).toBe(409);
    expect(
      (await call('DELETE', `/folders/${parent.body.id}?recursive=yes`, undefined, 'admin')).body.error.field,
    ).toBe('recursive');
    expect(
      (await call('DELETE', `/folders/${parent.body.id}?recursive=true`, undefined, 'admin')).status,
    ).toBe(204);
  });

  it('serves dashboards: CRUD, widgets, clone, shares, versions', async () => {
    const query = { source: 'ds', dimensions: ['country'], metrics: [] };
    const created = await call('POST', '/dashboards', {
      name: 'Ops',
      widgets: [{ id: 'w1', title: 'Table', query, visualization: { type: 'table' } }],
    });
    expect(created.status).toBe(201);
    const { id, uuid } = created.body;
    expect((await call('GET', '/dashboards')).body.items).toEqual([
      expect.objectContaining({ id, uuid, name: 'Ops' }),
    ]);
    expect((await call('GET', `/dashboards/${uuid}`)).body.widgets[0].id).toBe('w1');
    expect((await call('PATCH', `/dashboards/${id}`, { description: 'daily' })).body).toMatchObject({
      name: 'Ops',
      version: 2,
    });
    const widget = await call('POST', `/dashboards/${id}/widgets`, {
      query,
      visualization: { type: 'kpi' },
      layout: { x: 0, y: 9, w: 3, h: 2 },
    });
    expect(widget).toMatchObject({ status: 201, body: { layout: { x: 0, y: 9, w: 3, h: 2 } } });
    expect((await call('PATCH', `/dashboards/${id}/widgets/w1`, { title: 'Renamed' })).body.title).toBe(
      'Renamed',
    );
    expect((await call('DELETE', `/dashboards/${id}/widgets/${widget.body.id}`)).status).toBe(204);
    const clone = await call('POST', `/dashboards/${id}/clone`);
    expect(clone).toMatchObject({ status: 201, body: { name: 'Copy of Ops' } });
    expect((await call('PATCH', `/dashboards/${id}`, { name: 'x' }, 'viewer')).status).toBe(403);
    const shared = await call('PUT', `/dashboards/${id}/shares`, {
      shares: [{ subject: 'user', id: 4, level: 'view' }],
    });
    expect(shared.body.shares).toHaveLength(1);
    const granted = await call('PUT', `/dashboards/${id}/shares/group/50`, { level: 'edit' });
    expect(granted.body.shares).toEqual([
      { subject: 'user', id: 4, level: 'view' },
      { subject: 'group', id: 50, level: 'edit' },
    ]);
    expect((await call('PUT', `/dashboards/${id}/shares/team/50`, { level: 'edit' })).status).toBe(400);
    expect((await call('PUT', `/dashboards/${id}/shares/user/4`, { level: 'edit' }, 'viewer')).status).toBe(
      403,
    );
    expect((await call('DELETE', `/dashboards/${id}/shares/group/50`)).body.shares).toHaveLength(1);
    const versions = await call('GET', `/dashboards/${id}/versions`);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([5, 4, 3, 2, 1]);
    expect((await call('GET', `/dashboards/${id}/versions/1`)).body.snapshot.description).toBeNull();
    const restored = await call('POST', `/dashboards/${id}/versions/1/restore`);
    expect(restored.body).toMatchObject({ version: 6, description: null, widgets: [{ title: 'Table' }] });
    expect((await call('PUT', `/dashboards/${id}`, { name: 'Replaced' })).body).toMatchObject({
      widgets: [],
      version: 7,
    });
    expect((await call('DELETE', `/dashboards/${id}`)).status).toBe(204);
    expect((await call('GET', `/dashboards/${id}`)).status).toBe(404);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: Array<[object, string]> = [
      [{ name: 'x', widgets: [{ visualization: { type: 'radar' } }] }, 'widgets[0].visualization.type'],
      [{ name: 'x', colour: 'red' }, 'colour'],
      [{ description: 'no name' }, 'name'],
      [
        {
          name: 'x',
          widgets: [{ query: { source: 's' }, visualization: { type: 'bar' } }],
          layout: [{ widgetId: 'w', x: 0, y: 0, w: 6, h: 1 }],
        },
        'layout[0].widgetId',
      ],
      [{ name: 'x', layout: [{ widgetId: 'w', x: 9, y: 0, w: 6, h: 1 }] }, 'layout[0].w'],
    ];
    for (const [payload, field] of cases) {
      const response = await call('POST', '/dashboards', payload);
      expect(response.status, JSON.stringify(payload)).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'ERR_VALIDATION', field });
    }
    expect((await call('GET', '/dashboards/1/versions/abc')).body.error.field).toBe('version');
  });
});
