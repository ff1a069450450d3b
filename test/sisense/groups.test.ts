import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { sisenseLogin, sx } from './support.ts';

let app: TestApp;
let ann: string;
let ben: string;
let viewerToken: string;
beforeAll(async () => {
  app = await startTestApp();
  ann = (await sx(app, 'POST', '/api/v1/users', { email: 'ann@example.com', password: 'ann password 1' }))
    .body._id;
  ben = (await sx(app, 'POST', '/api/v1/users', { email: 'ben@example.com' })).body._id;
  viewerToken = await sisenseLogin(app, 'ann@example.com', 'ann password 1');
});
afterAll(() => app.close());

/** The native group of that name and its members' emails. */
async function nativeGroup(name: string) {
  const groups = await app.request('GET', '/api/groups');
  const group = (groups.body.items ?? groups.body).find((item: { name: string }) => item.name === name);
  if (!group) return undefined;
  const members = await app.request('GET', `/api/groups/${group.id}/members`);
  return {
    ...group,
    emails: (members.body.items ?? members.body).map((user: { email: string }) => user.email).sort(),
  };
}

describe('Sisense face: groups', () => {
  it('creates, reads, renames, sets members and deletes a group', async () => {
    const created = await sx(app, 'POST', '/api/v1/groups', { name: 'Sales', users: [ann] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'Sales',
      users: [ann],
    });
    expect(await nativeGroup('Sales')).toMatchObject({ emails: ['ann@example.com'] });
    const id = created.body._id;

    const patched = await sx(app, 'PATCH', `/api/v1/groups/${id}`, { name: 'Sales EU', users: [ben] });
    expect(patched.body).toMatchObject({ name: 'Sales EU', users: [ben] });
    expect(await nativeGroup('Sales EU')).toMatchObject({ emails: ['ben@example.com'] });
    // The user side agrees.
    expect((await sx(app, 'GET', `/api/v1/users/${ben}`)).body.groups).toEqual([id]);

    const expanded = await sx(app, 'GET', `/api/v1/groups/${id}?expand=users`);
    expect(expanded.body.users).toEqual([expect.objectContaining({ _id: ben, email: 'ben@example.com' })]);

    expect((await sx(app, 'DELETE', `/api/v1/groups/${id}`)).status).toBe(204);
    expect((await sx(app, 'GET', `/api/v1/groups/${id}`)).status).toBe(404);
    expect(await nativeGroup('Sales EU')).toBeUndefined();
  });

  it('lists with filters and list options', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma']) await sx(app, 'POST', '/api/v1/groups', { name });
    const byName = await sx(app, 'GET', '/api/v1/groups?name=beta');
    expect(byName.body.map((group: { name: string }) => group.name)).toEqual(['Beta']);
    const sorted = await sx(app, 'GET', '/api/v1/groups?sort=-name&limit=2&fields=name');
    expect(sorted.body.map((group: { name: string }) => group.name)).toEqual(['Gamma', 'Beta']);
    expect((await sx(app, 'GET', '/api/v1/groups?origin=ad')).body).toEqual([]);
    expect((await sx(app, 'GET', '/api/v1/groups?mail=a@example.com')).body).toEqual([]);
    expect((await sx(app, 'GET', '/api/v1/groups?origin=ldap')).body.error.field).toBe('origin');
  });

  it('refuses bad input naming the field, and a taken name', async () => {
    expect((await sx(app, 'POST', '/api/v1/groups', {})).body.error.field).toBe('name');
    expect((await sx(app, 'POST', '/api/v1/groups', { name: 'R', roleId: 'admin' })).body.error.field).toBe(
      'roleId',
    );
    expect(
      (await sx(app, 'POST', '/api/v1/groups', { name: 'M', mail: 'm@example.com' })).body.error.field,
    ).toBe('mail');
    const badUser = await sx(app, 'POST', '/api/v1/groups', {
      name: 'U',
      users: ['ffffffffffffffffffffffff'],
    });
    expect(badUser.status).toBe(404);
    expect((await sx(app, 'GET', '/api/v1/groups?name=U')).body).toEqual([]);
    await sx(app, 'POST', '/api/v1/groups', { name: 'Twice' });
    const taken = await sx(app, 'POST', '/api/v1/groups', { name: 'Twice' });
    expect(taken.status).toBe(400);
    expect((await sx(app, 'PATCH', '/api/v1/groups/nope', { name: 'x' })).status).toBe(400);
  });

  it('lets a viewer read groups but not change them', async () => {
    const as = { token: viewerToken };
    expect((await sx(app, 'GET', '/api/v1/groups', undefined, as)).status).toBe(200);
    const group = (await sx(app, 'GET', '/api/v1/groups?name=Alpha')).body[0]._id;
    expect((await sx(app, 'PATCH', `/api/v1/groups/${group}`, { name: 'Mine' }, as)).status).toBe(403);
    expect((await sx(app, 'DELETE', `/api/v1/groups/${group}`, undefined, as)).status).toBe(403);
    expect((await sx(app, 'PATCH', `/api/v1/users/${ann}`, { groups: [group] }, as)).status).toBe(403);
  });
});
