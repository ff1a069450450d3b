import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';

/** The policy of every response but the embed page, directive by directive. */
const APP_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

type Headers = Record<string, string | string[] | number | undefined>;

const directives = (headers: Headers) => String(headers['content-security-policy']).split('; ');

describe('security headers on every face of the real server', () => {
  let app: TestApp;
  let embedToken: string;

  beforeAll(async () => {
    app = await startTestApp();
    const dashboards = await app.request('GET', '/api/dashboards');
    const created = await app.request('POST', `/api/dashboards/${dashboards.body.items[0].id}/embeds`, {
      expiresInSeconds: 600,
    });
    embedToken = created.body.token;
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.rosetta.server.inject({ method: 'GET', url, headers });

  const expectAppHeaders = (headers: Headers) => {
    expect(directives(headers)).toEqual(APP_POLICY);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  };

  it('sends the policy with the web app, its assets, the API, the faces, errors and 404s', async () => {
    const answers = {
      page: await get('/'),
      route: await get('/dashboards/1'),
      missingAsset: await get('/assets/nothing-here.js'),
      health: await get('/health'),
      api: await get('/api/me', { authorization: `Bearer ${ADMIN_KEY}` }),
      apiUnauthenticated: await get('/api/me'),
      apiUnknownRoute: await get('/api/no-such-route', { authorization: `Bearer ${ADMIN_KEY}` }),
      serenytics: await get('/serenytics/api/data_source', { 'x-api-key': ADMIN_KEY }),
      serenyticsUnauthenticated: await get('/serenytics/api/data_source'),
      dataApi: await get('/serenytics/data-api/datasources_list', { 'x-api-key': ADMIN_KEY }),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([name, r]) => [name, r.statusCode]))).toEqual({
      page: 200,
      route: 200,
      missingAsset: 404,
      health: 200,
      api: 200,
      apiUnauthenticated: 401,
      apiUnknownRoute: 404,
      serenytics: 200,
      serenyticsUnauthenticated: 401,
      dataApi: 200,
    });
    for (const answer of Object.values(answers)) expectAppHeaders(answer.headers);
  });

  it('lets any site frame the embed page by default, and nothing else', async () => {
    const embed = await get(`/embed/${embedToken}`);
    expect(embed.statusCode).toBe(200);
    expect(embed.headers['content-type']).toContain('text/html');
    expect(directives(embed.headers)).toEqual([...APP_POLICY.slice(0, -1), 'frame-ancestors *']);
    expect(embed.headers['x-frame-options']).toBeUndefined();
    expect(embed.headers['x-content-type-options']).toBe('nosniff');
    expect(embed.headers['referrer-policy']).toBe('no-referrer');
    // The page's own calls are API answers like any other: never framed.
    const open = await app.rosetta.server.inject({
      method: 'POST',
      url: '/api/embed/open',
      payload: { token: embedToken },
    });
    expect(open.statusCode).toBe(200);
    expectAppHeaders(open.headers);
  });
});

describe('ROSETTA_EMBED_ORIGINS', () => {
  it('limits who may frame the embed page to the origins listed', async () => {
    const app = await startTestApp({
      demo: false,
      env: { ROSETTA_EMBED_ORIGINS: "https://intranet.example.com, https://*.example.org:8443 'self'" },
    });
    try {
      const embed = await app.rosetta.server.inject({ method: 'GET', url: '/embed/some-token' });
      expect(directives(embed.headers)).toContain(
        "frame-ancestors https://intranet.example.com https://*.example.org:8443 'self'",
      );
      expect(embed.headers['x-frame-options']).toBeUndefined();
      const page = await app.rosetta.server.inject({ method: 'GET', url: '/' });
      expect(directives(page.headers)).toContain("frame-ancestors 'none'");
      expect(page.headers['x-frame-options']).toBe('DENY');
    } finally {
      await app.close();
    }
  });

  it('stops the server on a value that is not a list of origins, naming the variable', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-config-'));
    try {
      for (const value of [
        'https://example.com; script-src *',
        'https://example.com/path',
        'javascript:alert(1)',
        "'unsafe-inline'",
        ' , ',
      ]) {
        expect(() => loadConfig({ ROSETTA_DATA_DIR: dataDir, ROSETTA_EMBED_ORIGINS: value }), value).toThrow(
          /^ROSETTA_EMBED_ORIGINS/,
        );
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
