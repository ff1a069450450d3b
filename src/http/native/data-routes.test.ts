import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../core/auth/principal.ts';
import { openHarness, principalFor } from '../../core/data/test-support.ts';
import { type App, createServer } from '../server.ts';
import { registerConnectionRoutes } from './connections.ts';
import { registerDataSourceRoutes } from './data-sources.ts';
import { registerModelRoutes } from './models.ts';

describe('native data routes', async () => {
  const harness = await openHarness('sqlite');
  const h = harness!;
  const app = createServer({ logLevel: 'silent' });
  await app.register(
    async (api) => {
      // Stands in for the lead's auth hook: the role comes from a test header.
      api.addHook('onRequest', async (request) => {
        request.principal = principalFor((request.headers['x-role'] as Role | undefined) ?? 'admin');
      });
      const scoped = api as unknown as App;
      registerConnectionRoutes(scoped, { connections: h.data.connections });
      registerDataSourceRoutes(scoped, {
        sources: h.data.sources,
        query: h.query,
        ingestor: h.data.ingestor,
        filesDir: h.dataDir,
        maxUploadBytes: 4096,
      });
      registerModelRoutes(scoped, { models: h.data.models });
    },
    { prefix: '/api' },
  );
  afterAll(async () => {
    await app.close();
    await harness?.close();
  });

  it('creates a storage source, pushes rows and CSV, previews them', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/data-sources',
      payload: {
        type: 'storage',
        name: 'shops',
        columns: [
          { name: 'shop', type: 'string' },
          { name: 'n', type: 'integer' },
        ],
        primaryKey: ['shop'],
      },
    });
    expect(created.statusCode).toBe(201);
    const { id, uuid } = created.json();
    const list = await app.inject({ url: '/api/data-sources', headers: { 'x-role': 'viewer' } });
    expect(list.json().items).toEqual([
      expect.objectContaining({ id, uuid, name: 'shops', type: 'storage' }),
    ]);

    const pushed = await app.inject({
      method: 'POST',
      url: `/api/data-sources/${uuid}/rows`,
      headers: { 'x-role': 'editor' },
      payload: { mode: 'upsert', rows: [{ shop: 'A', n: 1 }] },
    });
    expect(pushed.json()).toEqual({ rows: 1, version: 2 });
    const bad = await app.inject({
      method: 'POST',
      url: `/api/data-sources/${id}/rows`,
      payload: { mode: 'insert', rows: [{ shop: 'C', n: 'x' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'ERR_VALIDATION',
      message: 'rows[1].n: expected integer, got "x"',
    });

    const csv = await app.inject({
      method: 'POST',
      url: `/api/data-sources/${id}/csv?mode=append&delimiter=;`,
      headers: { 'content-type': 'text/csv', 'x-role': 'editor' },
      payload: 'shop;n\nB;2\n',
    });
    expect(csv.json()).toEqual({ rows: 1, version: 3 });
    const gz = await app.inject({
      method: 'POST',
      url: `/api/data-sources/${id}/csv?mode=append`,
      headers: { 'content-type': 'application/gzip' },
      payload: gzipSync('shop,n\nC,3\n'),
    });
    expect(gz.statusCode).toBe(200);
    const tooBig = await app.inject({
      method: 'POST',
      url: `/api/data-sources/${id}/csv`,
      headers: { 'content-type': 'text/csv' },
      payload: `shop,n\n${'D,4\n'.repeat(2000)}`,
    });
    expect(tooBig.statusCode).toBe(413);

    // A preview is an ad-hoc query: interactive viewers and up.
    const preview = await app.inject({
      url: `/api/data-sources/${id}/preview?limit=2`,
      headers: { 'x-role': 'interactive_viewer' },
    });
    expect(preview.json()).toMatchObject({ truncated: true });
    expect(preview.json().rows).toHaveLength(2);
    const columns = await app.inject({ url: `/api/data-sources/${id}/columns` });
    expect(columns.json().items.map((c: { name: string }) => c.name)).toEqual(['shop', 'n']);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(`${h.dataDir}/uploads`)).toEqual([]);
  });

  it('enforces roles and never renders passwords', async () => {
    const forbidden = await app.inject({
      method: 'POST',
      url: '/api/data-sources',
      headers: { 'x-role': 'editor' },
      payload: { type: 'storage', name: 'x' },
    });
    expect(forbidden.statusCode).toBe(403);
    const connection = await app.inject({
      method: 'POST',
      url: '/api/connections',
      payload: {
        name: 'pg',
        type: 'postgres',
        host: 'h',
        database: 'd',
        user: 'u',
        password: 'top-secret-pw',
      },
    });
    expect(connection.statusCode).toBe(201);
    const all = await app.inject({ url: '/api/connections', headers: { 'x-role': 'developer' } });
    expect(all.body).not.toContain('top-secret-pw');
    expect(all.json().items[1]).toMatchObject({ name: 'pg', hasPassword: true });
    const tested = await app.inject({ method: 'POST', url: `/api/connections/${h.embedded.uuid}/test` });
    expect(tested.json()).toEqual({ ok: true });
  });

  it('manages models', async () => {
    const source = (await app.inject({ url: '/api/data-sources' })).json().items[0];
    const payload = {
      name: 'shops',
      connectionId: h.embedded.id,
      baseTable: 's',
      tables: [{ name: 's', dataSource: source.uuid }],
      dimensions: [{ name: 'shop', table: 's', column: 'shop' }],
      metrics: [{ name: 'total', table: 's', aggregation: 'sum', column: 'n' }],
    };
    expect((await app.inject({ method: 'POST', url: '/api/models', payload })).statusCode).toBe(201);
    const bad = await app.inject({
      method: 'PATCH',
      url: '/api/models/shops',
      payload: { metrics: [{ name: 't', table: 's', formula: 'nope' }] },
    });
    expect(bad.json().error.message).toBe('metrics[0].formula: unknown metric "nope"');
    expect(
      (await app.inject({ url: '/api/models', headers: { 'x-role': 'viewer' } })).json().items,
    ).toHaveLength(1);
    expect((await app.inject({ method: 'DELETE', url: '/api/models/shops' })).statusCode).toBe(204);
  });
});
