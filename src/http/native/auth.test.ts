import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../../core/auth/bootstrap.ts';
import { createAuthService } from '../../core/auth/index.ts';
import { createDirectoryService } from '../../core/directory/index.ts';
import { openTestStore } from '../../core/directory/test-support.ts';
import { type App, createServer } from '../server.ts';
import { registerApiKeyRoutes } from './api-keys.ts';
import { registerAuthRoutes } from './auth.ts';
import { nativeApi } from './index.ts';
import { registerUserRoutes } from './users.ts';

describe('auth and API key routes', async () => {
  const env = await openTestStore('sqlite');
  const auth = createAuthService({ store: env.store });
  const directory = createDirectoryService(env.store);
  let app: App;
  let adminKey: string;

  beforeAll(async () => {
    adminKey = (
      await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com', adminPassword: 'admin-pass' })
    ).generatedApiKey as string;
    app = createServer({ logLevel: 'silent' });
    await nativeApi.register(app, {
      auth: { auth },
      routes(api) {
        registerAuthRoutes(api, { auth, directory });
        registerApiKeyRoutes(api, { auth });
        registerUserRoutes(api, { directory });
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: object) =>
    app.inject({ method, url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('logs in publicly, answers /me with the session, and logs out', async () => {
    const login = await call('POST', '/api/auth/login', undefined, {
      email: 'Admin@example.com',
      password: 'admin-pass',
    });
    expect(login.statusCode).toBe(200);
    const { token, expiresAt, user } = login.json();
    expect(expiresAt).toMatch(/Z$/);
    expect(user).toMatchObject({ email: 'admin@example.com', role: 'admin', hasPassword: true });
    expect(JSON.stringify(login.json())).not.toMatch(/argon2|password_hash|passwordHash/);

    const me = await call('GET', '/api/me', token);
    expect(me.json()).toMatchObject({
      email: 'admin@example.com',
      role: 'admin',
      groupIds: [],
      attributes: {},
    });

    expect((await call('POST', '/api/auth/logout', token)).statusCode).toBe(204);
    const after = await call('GET', '/api/me', token);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('ERR_UNAUTHENTICATED');
  });

  it('refuses bad logins and bad bodies', async () => {
    const wrong = await call('POST', '/api/auth/login', undefined, {
      email: 'admin@example.com',
      password: 'nope-nope',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe('invalid email or password');
    const extra = await call('POST', '/api/auth/login', undefined, {
      email: 'a@b.c',
      password: 'x',
      remember: true,
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.message).toContain('remember');
    const missing = await call('POST', '/api/auth/login', undefined, { email: 'a@b.c' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('password');
  });

  it('needs a bearer on every other route', async () => {
    expect((await call('GET', '/api/me')).statusCode).toBe(401);
    expect((await call('GET', '/api/users', 'rst_not-a-key')).statusCode).toBe(401);
    expect((await call('GET', '/api/me', adminKey)).json()).toMatchObject({ role: 'admin', apiKeyId: 1 });
  });

  it('creates, lists and revokes API keys; the secret is shown once', async () => {
    const created = await call('POST', '/api/api-keys', adminKey, {
      name: 'ci',
      expiresAt: '2999-01-01T00:00:00Z',
    });
    expect(created.statusCode).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key).toMatch(/^rst_/);
    expect(prefix).toBe(key.slice(0, 8));

    const list = await call('GET', '/api/api-keys', key);
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: number }[];
    expect(items.map((k) => k.id)).toContain(id);
    expect(list.body).not.toContain(key);
    expect(list.body).not.toContain('secret');

    expect((await call('DELETE', `/api/api-keys/${id}`, adminKey)).statusCode).toBe(204);
    expect((await call('GET', '/api/me', key)).statusCode).toBe(401);
    expect((await call('DELETE', '/api/api-keys/99999', adminKey)).statusCode).toBe(404);
  });

  it('keeps API keys to their owner unless the caller is an admin', async () => {
    const viewer = await call('POST', '/api/users', adminKey, {
      email: 'v@example.com',
      password: 'viewer-pass',
    });
    const viewerId = viewer.json().id;
    const session = (
      await call('POST', '/api/auth/login', undefined, { email: 'v@example.com', password: 'viewer-pass' })
    ).json();
    const own = await call('POST', '/api/api-keys', session.token, { name: 'mine' });
    expect(own.statusCode).toBe(201);
    expect((await call('GET', '/api/api-keys?userId=1', session.token)).statusCode).toBe(403);
    expect((await call('POST', '/api/api-keys', session.token, { name: 'x', userId: 1 })).statusCode).toBe(
      403,
    );
    const byAdmin = await call('GET', `/api/api-keys?userId=${viewerId}`, adminKey);
    expect(byAdmin.json().items).toHaveLength(1);
    const bad = await call('POST', '/api/api-keys', adminKey, { name: 'x', expiresAt: 'tomorrow' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('expiresAt');
  });
});
