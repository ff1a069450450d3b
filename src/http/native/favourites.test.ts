import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { type ContentService, createContentService } from '../../core/content/index.ts';
import { contentBackends, organization } from '../../core/content/test-support.ts';
import type { Store } from '../../store/database.ts';
import { type App, createServer } from '../server.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerFavouriteRoutes } from './favourites.ts';

// HTTP tests of the native favourite routes on both metadata stores.
const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_favourite_routes'));
afterAll(cleanup);

describe.each(backends)('native favourite routes on $kind', ({ available, open }) => {
  let store: Store;
  let app: App;
  let content: ContentService;
  const org = organization();
  const users: Record<string, Principal> = { editor: org.editor, viewer: org.viewer };

  beforeAll(async () => {
    if (!available) return;
    store = await open();
    app = createServer({ logLevel: 'silent' });
    // Stands in for the real auth hook: the caller is named by a header.
    app.addHook('onRequest', async (request) => {
      request.principal = users[String(request.headers['x-test-user'] ?? 'editor')];
    });
    content = createContentService(store);
    const deps = { content };
    registerDashboardRoutes(app, deps);
    registerFavouriteRoutes(app, deps);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    user = 'editor',
  ) => {
    const response = await app.inject({ method, url, payload, headers: { 'x-test-user': user } });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };

  it.skipIf(!available)('stars, lists and unstars the caller’s dashboards', async () => {
    const sales = await call('POST', '/dashboards', { name: 'Sales' });
    const costs = await call('POST', '/dashboards', { name: 'Costs' });
    expect((await call('PUT', `/dashboards/${sales.body.id}/favourite`)).status).toBe(204);
    expect((await call('PUT', `/dashboards/${costs.body.uuid}/favourite`)).status).toBe(204);
    expect((await call('PUT', `/dashboards/${costs.body.id}/favourite`)).status).toBe(204);
    const listed = await call('GET', '/me/favourites');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { name: string }) => d.name)).toEqual(['Costs', 'Sales']);
    expect(listed.body.items[0]).toMatchObject({ id: costs.body.id, uuid: costs.body.uuid, tags: [] });
    expect((await call('GET', '/me/favourites', undefined, 'viewer')).body).toEqual({ items: [] });

    expect((await call('DELETE', `/dashboards/${costs.body.id}/favourite`)).status).toBe(204);
    expect((await call('DELETE', `/dashboards/${costs.body.id}/favourite`)).status).toBe(204);
    expect((await call('GET', '/me/favourites')).body.items).toMatchObject([{ name: 'Sales' }]);
  });

  it.skipIf(!available)(
    'answers 404 for a dashboard the caller cannot see or that does not exist',
    async () => {
      const missing = await call('PUT', '/dashboards/999999/favourite');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('ERR_NOT_FOUND');
      const board = await content.folders.create(org.admin, {
        name: 'Board',
        access: [{ subject: 'user', id: org.editor.userId, level: 'edit' }],
      });
      const own = await call('POST', '/dashboards', { name: 'Private', folderId: board.id });
      expect((await call('PUT', `/dashboards/${own.body.id}/favourite`, undefined, 'viewer')).status).toBe(
        404,
      );
      await call('PUT', `/dashboards/${own.body.id}/shares`, {
        shares: [{ subject: 'user', id: org.viewer.userId, level: 'view' }],
      });
      expect((await call('PUT', `/dashboards/${own.body.id}/favourite`, undefined, 'viewer')).status).toBe(
        204,
      );
      expect((await call('GET', '/me/favourites', undefined, 'viewer')).body.items).toMatchObject([
        { name: 'Private' },
      ]);
      expect((await call('DELETE', `/dashboards/${own.body.id}`)).status).toBe(204);
      expect((await call('GET', '/me/favourites', undefined, 'viewer')).body.items).toEqual([]);
      expect((await call('DELETE', `/dashboards/${own.body.id}/favourite`, undefined, 'viewer')).status).toBe(
        404,
      );
    },
  );
});
