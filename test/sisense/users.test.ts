import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

let app: TestApp;
let viewerToken: string;
let viewerOid: string;
let roles: { _id: string; name: string }[];
const roleId = (name: string) => roles.find((role) => role.name === name)?._id;

beforeAll(async () => {
  app = await startTestApp();
  await app.request('POST', '/api/users', {
    email: 'vera@example.com',
    password: 'vera password 1',
    role: 'viewer',
    name: 'Vera Viewer',
  });
  viewerToken = await sisenseLogin(app, 'vera@example.com', 'vera password 1');
  roles = (await sx(app, 'GET', '/api/roles')).body;
  viewerOid = (await sx(app, 'GET', '/api/v1/users?email=vera@example.com')).body[0]._id;
});
afterAll(() => app.close());

/** The native view of a user, by email. */
async function nativeUser(email: string) {
  const list = await app.request('GET', `/api/users?search=${encodeURIComponent(email)}`);
  const items = list.body.items ?? list.body;
  return items.find((user: { email: string }) => user.email === email);
}

describe('Sisense face: roles', () => {
  it('lists the lattice under Sisense names with stable ids', async () => {
    expect(roles.map((role) => role.name)).toEqual([
      'viewer',
      'consumer',
      'contributor',
      'dataDesigner',
      'admin',
    ]);
    for (const role of roles) expect(role._id).toMatch(/^[0-9a-f]{24}$/);
    expect((await sx(app, 'GET', '/api/v1/roles')).body).toEqual(roles);
    expect((await sx(app, 'GET', `/api/roles/${roleId('admin')}`)).body.name).toBe('admin');
    expect((await sx(app, 'GET', '/api/roles/ffffffffffffffffffffffff')).status).toBe(404);
  });
});

describe('Sisense face: users', () => {
  it('creates a user (a Sisense viewer, consumer, without roleId), persisted in the directory', async () => {
    const created = await sx(app, 'POST', '/api/v1/users', {
      email: 'Nina@Example.com',
      firstName: 'Nina',
      lastName: 'New',
      password: 'nina password 1',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'nina@example.com',
      userName: 'nina@example.com',
      firstName: 'Nina',
      lastName: 'New',
      roleId: roleId('consumer'),
      roleName: 'consumer',
      groups: [],
      active: true,
    });
    expect(await nativeUser('nina@example.com')).toMatchObject({
      name: 'Nina New',
      role: 'interactive_viewer',
    });
    const read = await sx(app, 'GET', `/api/v1/users/${created.body._id}`);
    expect(read.body).toMatchObject({ _id: created.body._id, email: 'nina@example.com' });
    // The new user signs in through the face.
    expect(await sisenseLogin(app, 'nina@example.com', 'nina password 1')).toEqual(expect.any(String));
  });

  it('refuses bad input naming the field, and a taken email', async () => {
    const noEmail = await sx(app, 'POST', '/api/v1/users', { firstName: 'X' });
    expect(noEmail.status).toBe(400);
    expect(JSON.stringify(noEmail.body)).toContain('email');
    const badRole = await sx(app, 'POST', '/api/v1/users', { email: 'r@example.com', roleId: 'wizard' });
    expect(badRole.status).toBe(400);
    expect(sisenseError(badRole)).toMatchObject({ status: 400 });
    expect(badRole.body.error.field).toBe('roleId');
    const userName = await sx(app, 'POST', '/api/v1/users', { email: 'u@example.com', userName: 'other' });
    expect(userName.body.error.field).toBe('userName');
    const taken = await sx(app, 'POST', '/api/v1/users', { email: 'vera@example.com' });
    expect(taken.status).toBe(400);
    expect((await sx(app, 'GET', '/api/v1/users/zzz')).status).toBe(400);
    expect((await sx(app, 'GET', '/api/v1/users/ffffffffffffffffffffffff')).status).toBe(404);
  });

  it('bulk-creates users, checking every item first', async () => {
    const refused = await sx(app, 'POST', '/api/v1/users/bulk', [
      { email: 'b1@example.com' },
      { email: 'b2@example.com', roleId: 'nope' },
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('[1].roleId');
    expect(await nativeUser('b1@example.com')).toBeUndefined();
    for (const [body, field] of [
      [[{ email: 'b1@example.com' }, { email: 'vera@example.com' }], '[1].email'],
      [[{ email: 'b1@example.com' }, { email: 'B1@example.com' }], '[1].email'],
    ] as const) {
      const taken = await sx(app, 'POST', '/api/v1/users/bulk', body);
      expect(taken.status).toBe(400);
      expect(taken.body.error.field).toBe(field);
    }
    expect(await nativeUser('b1@example.com')).toBeUndefined();
    const created = await sx(app, 'POST', '/api/v1/users/bulk', [
      { email: 'b1@example.com', roleId: roleId('contributor') },
      { email: 'b2@example.com', roleId: 'dataDesigner' },
    ]);
    expect(created.status).toBe(201);
    expect(created.body.map((user: { roleName: string }) => user.roleName)).toEqual([
      'contributor',
      'dataDesigner',
    ]);
    // Without a password the user waits for activation.
    expect(created.body[0].active).toBe(false);
    expect(await nativeUser('b2@example.com')).toMatchObject({ role: 'developer', status: 'pending' });
  });

  it('filters, pages, projects and expands the list', async () => {
    const byRole = await sx(app, 'GET', `/api/v1/users?roleId=${roleId('contributor')}`);
    expect(byRole.body.map((user: { email: string }) => user.email)).toEqual(['b1@example.com']);
    const inactive = await sx(app, 'GET', '/api/v1/users?active=false&sort=-email&fields=email');
    expect(inactive.body).toEqual([
      { _id: expect.any(String), email: 'b2@example.com' },
      { _id: expect.any(String), email: 'b1@example.com' },
    ]);
    const paged = await sx(app, 'GET', '/api/v1/users?sort=email&skip=1&limit=2');
    expect(paged.body).toHaveLength(2);
    const named = await sx(app, 'GET', '/api/v1/users?firstName=vera&expand=role');
    expect(named.body).toEqual([
      expect.objectContaining({ _id: viewerOid, role: expect.objectContaining({ name: 'viewer' }) }),
    ]);
    expect((await sx(app, 'GET', '/api/v1/users?origin=ad')).body).toEqual([]);
    expect((await sx(app, 'GET', `/api/v1/users?ids=${viewerOid}`)).body).toHaveLength(1);
    expect((await sx(app, 'GET', '/api/v1/users?active=maybe')).body.error.field).toBe('active');
    expect((await sx(app, 'GET', '/api/v1/users?expand=nonsense')).body.error.field).toBe('expand');
  });

  it('patches names, role and groups; a viewer may rename itself but not change roles', async () => {
    const group = await sx(app, 'POST', '/api/v1/groups', { name: 'Analysts' });
    expect(group.status).toBe(201);
    const patched = await sx(app, 'PATCH', `/api/v1/users/${viewerOid}`, {
      lastName: 'Valid',
      roleId: roleId('contributor'),
      groups: [group.body._id],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      firstName: 'Vera',
      lastName: 'Valid',
      roleName: 'contributor',
      groups: [group.body._id],
    });
    expect(await nativeUser('vera@example.com')).toMatchObject({ name: 'Vera Valid', role: 'editor' });
    const expanded = await sx(app, 'GET', `/api/v1/users/${viewerOid}?expand=groups`);
    expect(expanded.body.groups).toEqual([{ _id: group.body._id, name: 'Analysts' }]);
    const members = await sx(app, 'GET', `/api/v1/users?groupId=${group.body._id}`);
    expect(members.body.map((user: { _id: string }) => user._id)).toEqual([viewerOid]);
    // Back to a viewer, out of the group.
    await sx(app, 'PATCH', `/api/v1/users/${viewerOid}`, { roleId: 'viewer', groups: [] });
    expect((await sx(app, 'GET', `/api/v1/users/${viewerOid}`)).body.groups).toEqual([]);

    const self = await sx(
      app,
      'PATCH',
      `/api/v1/users/${viewerOid}`,
      { firstName: 'V.' },
      { token: viewerToken },
    );
    expect(self.status).toBe(200);
    const promote = await sx(
      app,
      'PATCH',
      `/api/v1/users/${viewerOid}`,
      { roleId: 'admin' },
      { token: viewerToken },
    );
    expect(promote.status).toBe(403);
    const email = await sx(app, 'PATCH', `/api/v1/users/${viewerOid}`, { email: 'x@example.com' });
    expect(email.body.error.field).toBe('email');
  });

  it('refuses a viewer the admin routes', async () => {
    const as = { token: viewerToken };
    expect((await sx(app, 'POST', '/api/v1/users', { email: 'v2@example.com' }, as)).status).toBe(403);
    expect((await sx(app, 'POST', '/api/v1/users/bulk', [{ email: 'v3@example.com' }], as)).status).toBe(403);
    expect((await sx(app, 'DELETE', `/api/v1/users/${viewerOid}`, undefined, as)).status).toBe(403);
    expect((await sx(app, 'POST', '/api/v1/groups', { name: 'Mine' }, as)).status).toBe(403);
  });

  it("lets a viewer list users, without others' emails and roles", async () => {
    const listed = await sx(app, 'GET', '/api/v1/users', undefined, { token: viewerToken });
    expect(listed.status).toBe(200);
    const nina = listed.body.find((user: { firstName: string }) => user.firstName === 'Nina');
    expect(nina).toMatchObject({ _id: expect.any(String), lastName: 'New' });
    expect(nina.email).toBeUndefined();
    expect(nina.roleId).toBeUndefined();
  });

  it('answers Active Directory as not available', async () => {
    const ad = await sx(app, 'POST', '/api/v1/users/ad', [{ objectSid: 'x' }]);
    expect(ad.status).toBe(400);
    expect(sisenseError(ad).message).toMatch(/Active Directory/);
  });

  it('deletes a user', async () => {
    const created = await sx(app, 'POST', '/api/v1/users', { email: 'gone@example.com' });
    expect((await sx(app, 'DELETE', `/api/v1/users/${created.body._id}`)).status).toBe(204);
    expect((await sx(app, 'GET', `/api/v1/users/${created.body._id}`)).status).toBe(404);
    expect(await nativeUser('gone@example.com')).toBeUndefined();
  });
});
