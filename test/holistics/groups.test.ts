import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let viewer: { id: number; key: string };
let member: { id: number };

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  const created = await app.request('POST', '/api/users', {
    email: 'gina.viewer@example.com',
    role: 'viewer',
    password: 'viewer password 123',
  });
  const key = (await app.request('POST', '/api/api-keys', { name: 'groups', userId: created.body.id })).body
    .key;
  viewer = { id: created.body.id, key };
  member = (
    await app.request('POST', '/api/users', { email: 'mo@example.com', password: 'member password 1' })
  ).body;
}, 60_000);
afterAll(() => app?.close());

describe('Holistics groups', () => {
  it('creates, reads, renames and deletes a group; the native API agrees', async () => {
    const created = await hx(app, 'POST', '/groups', { group: { name: 'Finance' } });
    expect(created.status).toBe(201);
    expect(created.body.group).toMatchObject({ name: 'Finance', user_ids: [] });
    const { id } = created.body.group;
    expect((await app.request('GET', `/api/groups/${id}`)).body.name).toBe('Finance');

    const renamed = await hx(app, 'PUT', `/groups/${id}`, { group: { name: 'Finance EU' } });
    expect(renamed.body.group).toEqual({ id, name: 'Finance EU', user_ids: [] });
    expect((await hx(app, 'GET', `/groups/${id}`)).body.group.name).toBe('Finance EU');

    expect((await hx(app, 'DELETE', `/groups/${id}`)).body).toEqual({ message: expect.any(String) });
    expect((await app.request('GET', `/api/groups/${id}`)).status).toBe(404);
    expect((await hx(app, 'GET', `/groups/${id}`)).status).toBe(404);
  });

  it('refuses a taken name and a missing one, naming the field', async () => {
    await hx(app, 'POST', '/groups', { group: { name: 'Taken' } });
    const taken = await hx(app, 'POST', '/groups', { group: { name: 'Taken' } });
    expect(taken.status).toBe(422);
    expect(taken.body).toMatchObject({ type: 'RecordError', details: { field: 'group.name' } });
    const missing = await hx(app, 'POST', '/groups', { group: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.type).toBe('InvalidParameterError');
  });

  it('adds and removes members', async () => {
    const { id } = (await hx(app, 'POST', '/groups', { group: { name: 'Members' } })).body.group;
    expect((await hx(app, 'POST', `/groups/${id}/add_user/${member.id}`)).status).toBe(200);
    expect((await hx(app, 'GET', `/groups/${id}`)).body.group.user_ids).toEqual([member.id]);
    const native = (await app.request('GET', `/api/groups/${id}/members`)).body.items;
    expect(native.map((user: { id: number }) => user.id)).toEqual([member.id]);
    const twice = await hx(app, 'POST', `/groups/${id}/add_user/${member.id}`);
    expect(twice.status).toBe(422);
    expect((await hx(app, 'POST', `/groups/${id}/add_user/999999`)).status).toBe(404);
    expect((await hx(app, 'POST', `/groups/${id}/remove_user/${member.id}`)).status).toBe(200);
    expect((await hx(app, 'GET', `/groups/${id}`)).body.group.user_ids).toEqual([]);
    expect((await hx(app, 'POST', `/groups/${id}/remove_user/${member.id}`)).status).toBe(404);
  });

  it('lists groups with cursors, in either id order, with their users when asked', async () => {
    for (const name of ['Page A', 'Page B', 'Page C']) await hx(app, 'POST', '/groups', { group: { name } });
    const { id } = (await hx(app, 'POST', '/groups', { group: { name: 'With users' } })).body.group;
    await hx(app, 'POST', `/groups/${id}/add_user/${member.id}`);

    const all = await hx(app, 'GET', '/groups?limit=100');
    const ids = all.body.groups.map((group: { id: number }) => group.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(all.body.users).toEqual({});
    const descending = await hx(app, 'GET', '/groups?limit=100&sort=id_desc');
    expect(descending.body.groups.map((group: { id: number }) => group.id)).toEqual([...ids].reverse());

    const pages: number[] = [];
    let after: string | null = null;
    do {
      const page: { body: { groups: { id: number }[]; cursors: { next: string | null } } } = await hx(
        app,
        'GET',
        `/groups?limit=2${after ? `&after=${after}` : ''}`,
      );
      pages.push(...page.body.groups.map((group) => group.id));
      after = page.body.cursors.next;
    } while (after);
    expect(pages).toEqual(ids);

    const withUsers = await hx(app, 'GET', '/groups?limit=100&include_users=true');
    expect(withUsers.body.users[member.id]).toMatchObject({ id: member.id, email: 'mo@example.com' });
  });

  it('lets a viewer read groups but not change them', async () => {
    const { key } = viewer;
    const list = await hx(app, 'GET', '/groups', undefined, { key });
    expect(list.status).toBe(200);
    // Full users are what only admins see of others.
    expect((await hx(app, 'GET', '/groups?include_users=true&limit=100', undefined, { key })).status).toBe(
      403,
    );
    expect((await hx(app, 'POST', '/groups', { group: { name: 'Nope' } }, { key })).status).toBe(403);
    const id = list.body.groups[0].id;
    expect((await hx(app, 'PUT', `/groups/${id}`, { group: { name: 'Nope' } }, { key })).status).toBe(403);
    expect((await hx(app, 'DELETE', `/groups/${id}`, undefined, { key })).status).toBe(403);
    expect((await hx(app, 'POST', `/groups/${id}/add_user/${viewer.id}`, undefined, { key })).status).toBe(
      403,
    );
  });
});
