import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * Project access on the native API: admins of a project set the roles users and groups hold
 * there, and those roles decide what the users may do with the project's content.
 */
let app: TestApp;
let growth: number;
let home: number;
const users: Record<string, { id: number; key: string }> = {};

async function userWithKey(name: string, role: string) {
  const created = await app.request('POST', '/api/users', {
    email: `${name}@example.com`,
    role,
    password: 'longEnoughPassword',
    name,
  });
  expect(created.status).toBe(201);
  const key = (await app.request('POST', '/api/api-keys', { name, userId: created.body.id })).body.key;
  users[name] = { id: created.body.id, key };
}

beforeAll(async () => {
  app = await startTestApp();
  home = (await app.request('GET', '/api/projects')).body.items[0].id;
  growth = (await app.request('POST', '/api/projects', { name: 'Growth' })).body.id;
  await userWithKey('vera', 'viewer');
  await userWithKey('dev', 'developer');
}, 120_000);
afterAll(() => app?.close());

describe('project access', () => {
  it('sets, reads, lists and removes the roles of users and groups', async () => {
    const url = `/api/projects/${growth}/access`;
    expect((await app.request('GET', url)).body).toEqual({ items: [] });
    const set = await app.request('PUT', `${url}/user/${users.vera.id}`, { role: 'editor' });
    expect(set).toMatchObject({
      status: 200,
      body: { subject: 'user', subjectId: users.vera.id, role: 'editor', createdAt: expect.any(String) },
    });
    expect((await app.request('PUT', `${url}/user/${users.vera.id}`, { role: 'developer' })).body.role).toBe(
      'developer',
    );
    const group = (await app.request('POST', '/api/groups', { name: 'Growth team' })).body;
    expect((await app.request('PUT', `${url}/group/${group.id}`, { role: 'viewer' })).status).toBe(200);
    expect((await app.request('GET', url)).body.items.map((g: { subject: string }) => g.subject)).toEqual([
      'user',
      'group',
    ]);
    expect((await app.request('GET', `${url}/group/${group.id}`)).body.role).toBe('viewer');
    expect((await app.request('DELETE', `${url}/group/${group.id}`)).status).toBe(204);
    expect((await app.request('DELETE', `${url}/group/${group.id}`)).status).toBe(404);
    expect((await app.request('GET', `${url}/group/${group.id}`)).status).toBe(404);
    expect((await app.request('DELETE', `${url}/user/${users.vera.id}`)).status).toBe(204);
  });

  it('answers bad input with a 4xx naming it', async () => {
    const url = `/api/projects/${growth}/access`;
    const badRole = await app.request('PUT', `${url}/user/${users.vera.id}`, { role: 'owner' });
    expect(badRole.status).toBe(400);
    expect(JSON.stringify(badRole.body)).toContain('role');
    expect((await app.request('PUT', `${url}/robot/1`, { role: 'viewer' })).status).toBe(400);
    expect((await app.request('PUT', `${url}/user/99999`, { role: 'viewer' })).status).toBe(404);
    expect((await app.request('GET', '/api/projects/99999/access')).status).toBe(404);
  });

  it('lets only admins of the project manage its access', async () => {
    const url = `/api/projects/${growth}/access`;
    expect((await app.request('GET', url, undefined, { token: users.dev.key })).status).toBe(403);
    await app.request('PUT', `${url}/user/${users.dev.id}`, { role: 'admin' });
    expect((await app.request('GET', url, undefined, { token: users.dev.key })).status).toBe(200);
    const home_ = await app.request('GET', `/api/projects/${home}/access`, undefined, {
      token: users.dev.key,
    });
    expect(home_.status).toBe(403);
    await app.request('DELETE', `${url}/user/${users.dev.id}`);
  });

  it("raises a user's role in the project's content only", async () => {
    const inGrowth = (
      await app.request('POST', '/api/dashboards', { name: 'Growth board', projectId: growth })
    ).body;
    const inHome = (await app.request('POST', '/api/dashboards', { name: 'Home board' })).body;
    const rename = (id: number) =>
      app.request('PATCH', `/api/dashboards/${id}`, { name: 'Renamed' }, { token: users.vera.key });
    expect((await rename(inGrowth.id)).status).toBe(403);
    await app.request('PUT', `/api/projects/${growth}/access/user/${users.vera.id}`, { role: 'editor' });
    expect((await rename(inGrowth.id)).status).toBe(200);
    expect((await rename(inHome.id)).status).toBe(403);
  });
});
