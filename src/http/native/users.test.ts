import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../../core/auth/bootstrap.ts';
import { createAuthService } from '../../core/auth/index.ts';
import { createDirectoryService } from '../../core/directory/index.ts';
import { openTestStore } from '../../core/directory/test-support.ts';
import { type App, createServer } from '../server.ts';
import { registerAttributeRoutes } from './attributes.ts';
import { registerGroupRoutes } from './groups.ts';
import { nativeApi } from './index.ts';
import { registerUserRoutes } from './users.ts';

describe('user, group and attribute routes', async () => {
  const env = await openTestStore('sqlite');
  const auth = createAuthService({ store: env.store });
  const directory = createDirectoryService(env.store);
  let app: App;
  let admin: string;

  beforeAll(async () => {
    admin = (await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com' }))
      .generatedApiKey as string;
    app = createServer({ logLevel: 'silent' });
    await nativeApi.register(app, {
      auth: { auth },
      routes(api) {
        registerUserRoutes(api, { directory });
        registerGroupRoutes(api, { directory });
        registerAttributeRoutes(api, { directory });
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await env.close();
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    token = admin,
  ) => app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });

  it('runs the user lifecycle over HTTP', async () => {
    const created = await call('POST', '/api/users', {
      email: 'bo@example.com',
      name: 'Bo',
      role: 'editor',
      password: 'pass-word',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(Object.keys(user).sort()).toEqual(
      [
        'createdAt',
        'email',
        'hasPassword',
        'id',
        'lastLoginAt',
        'name',
        'role',
        'status',
        'timezone',
        'updatedAt',
        'uuid',
      ].sort(),
    );
    expect((await call('POST', '/api/users', { email: 'bo@example.com' })).statusCode).toBe(409);

    const patched = await call('PATCH', `/api/users/${user.id}`, { timezone: 'Asia/Tokyo' });
    expect(patched.json().timezone).toBe('Asia/Tokyo');
    expect((await call('GET', '/api/users?search=bo@')).json().items).toHaveLength(1);

    expect((await call('DELETE', `/api/users/${user.id}`)).json().status).toBe('deleted');
    expect(
      (await call('GET', '/api/users?status=deleted')).json().items.map((u: { id: number }) => u.id),
    ).toEqual([user.id]);
    expect((await call('POST', `/api/users/${user.id}/restore`)).json().status).toBe('active');
    expect((await call('GET', `/api/users/${user.id}`)).json().email).toBe('bo@example.com');
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: [string, string, object | undefined, string][] = [
      ['POST', '/api/users', { email: 'x@y.z', password: 'short' }, 'password'],
      ['POST', '/api/users', { email: 'nope' }, 'email'],
      ['POST', '/api/users', { email: 'x@y.z', role: 'owner' }, 'role'],
      ['POST', '/api/users', { email: 'x@y.z', admin: true }, 'admin'],
      ['PATCH', '/api/users/1', {}, 'body'],
      ['GET', '/api/users/abc', undefined, 'id'],
      ['GET', '/api/users?limit=x', undefined, 'limit'],
      ['POST', '/api/groups', { name: 'g', colour: 'red' }, 'colour'],
      ['POST', '/api/attributes', { key: 'k', type: 'json' }, 'type'],
    ];
    for (const [method, url, payload, field] of cases) {
      const response = await call(method as 'POST', url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      expect(JSON.stringify(response.json().error), `${method} ${url}`).toContain(field);
    }
  });

  it('forbids non-admins from managing the directory', async () => {
    await call('POST', '/api/users', { email: 'ed@example.com', role: 'editor', password: 'pass-word' });
    const { key } = await auth.createApiKey(await auth.authenticate(admin), {
      name: 'ed',
      userId: (await call('GET', '/api/users?search=ed@')).json().items[0].id,
    });
    expect((await call('POST', '/api/users', { email: 'z@example.com' }, key)).statusCode).toBe(403);
    expect((await call('POST', '/api/groups', { name: 'x' }, key)).statusCode).toBe(403);
    expect((await call('POST', '/api/attributes', { key: 'x', type: 'string' }, key)).statusCode).toBe(403);
    expect((await call('GET', '/api/users', undefined, key)).statusCode).toBe(200);
  });

  it('manages groups, members and typed attributes', async () => {
    const user = (await call('POST', '/api/users', { email: 'gm@example.com' })).json();
    const group = (await call('POST', '/api/groups', { name: 'Finance' })).json();
    expect(group).toMatchObject({ name: 'Finance', description: '' });

    expect((await call('POST', `/api/groups/${group.id}/members`, { userId: user.id })).statusCode).toBe(204);
    expect((await call('POST', `/api/groups/${group.id}/members`, { userId: user.id })).statusCode).toBe(409);
    expect((await call('GET', `/api/groups/${group.id}/members`)).json().items[0].id).toBe(user.id);

    const definition = await call('POST', '/api/attributes', { key: 'cost_center', type: 'number' });
    expect(definition.statusCode).toBe(201);
    expect(
      (
        await call('PUT', `/api/groups/${group.id}/attributes`, { attributes: { cost_center: [10, '20'] } })
      ).json(),
    ).toEqual({
      attributes: { cost_center: ['10', '20'] },
    });
    const bad = await call('PUT', `/api/users/${user.id}/attributes`, { attributes: { cost_center: 'ten' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('attributes.cost_center');
    expect((await call('GET', `/api/users/${user.id}/attributes`)).json()).toEqual({
      attributes: {},
      effective: { cost_center: ['10', '20'] },
    });

    expect((await call('DELETE', `/api/groups/${group.id}/members/${user.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/groups/${group.id}/members/${user.id}`)).statusCode).toBe(404);
    expect(
      (await call('PATCH', `/api/attributes/${definition.json().id}`, { description: 'CC' })).json()
        .description,
    ).toBe('CC');
    expect((await call('GET', '/api/attributes')).json().items).toHaveLength(1);
    expect((await call('DELETE', `/api/attributes/${definition.json().id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/groups/${group.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/groups/${group.id}`)).statusCode).toBe(404);
  });
});
