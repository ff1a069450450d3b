import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createServer } from './server.ts';
import { registerWebApp } from './web.ts';

describe('web app serving', () => {
  const dist = mkdtempSync(join(tmpdir(), 'rosetta-web-'));
  let app: App;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    app = createServer({ logLevel: 'silent' });
    app.get('/api/ping', async () => ({ ok: true }));
    await registerWebApp(app, { distDir: dist });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for app paths, never cached', async () => {
    for (const url of ['/', '/dashboards/12', '/admin?tab=keys', '/data/']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('id="root"');
    }
  });

  it('serves hashed assets with a long immutable cache, other files briefly', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('public, max-age=300');
  });

  it('answers a missing asset with 404, not the app', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/index-old.js' });
    expect(response.statusCode).toBe(404);
  });

  it('leaves API and dialect paths to their own 404', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/ping' })).json()).toEqual({ ok: true });
    for (const url of ['/api/nothing', '/serenytics/api/nothing', '/lightdash/x', '/health/x']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code).toBe('ERR_NOT_FOUND');
    }
  });

  it('answers a malformed path with a 4xx, not a 500', async () => {
    for (const url of ['/%E0%A4%A', '/dashboards/%E0%A4%A']) {
      const status = (await app.inject({ method: 'GET', url })).statusCode;
      expect(status, url).toBeGreaterThanOrEqual(400);
      expect(status, url).toBeLessThan(500);
    }
  });

  it('refuses paths that climb out of the build directory', async () => {
    for (const url of ['/../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd']) {
      const response = await app.inject({ method: 'GET', url });
      expect([200, 404]).toContain(response.statusCode);
      expect(response.body).not.toContain('"name"');
      expect(response.body).not.toContain('root:');
    }
  });
});
