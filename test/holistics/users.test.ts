import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, startTestApp, type TestApp } from '../support/app.ts';
import { hx, NO_RATE_LIMITS, waitForJob } from './support.ts';

let app: TestApp;
let viewer: { id: number; key: string };

async function nativeUser(email: string, role: string, password?: string) {
  const answer = await app.request('POST', '/api/users', {
    email,
    role,
    name: email.split('@')[0],
    password,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; uuid: string };
}

async function keyOf(userId: number) {
  return (await app.request('POST', '/api/api-keys', { name: 'holistics', userId })).body.key as string;
}

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  const user = await nativeUser('vera.viewer@example.com', 'viewer', 'viewer password 123');
  viewer = { id: user.id, key: await keyOf(user.id) };
}, 60_000);
afterAll(() => app?.close());

describe('Holistics users', () => {
  it('answers the caller at /users/me, with its Holistics role', async () => {
    const me = await hx(app, 'GET', '/users/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({
      email: ADMIN_EMAIL,
      role: 'admin',
      is_deleted: false,
      is_activated: true,
    });
    expect(me.body.user.has_authentication_token).toBe(true);
    const asViewer = await hx(app, 'GET', '/users/me', undefined, { key: viewer.key });
    expect(asViewer.body.user).toMatchObject({
      id: viewer.id,
      role: 'user',
      email: 'vera.viewer@example.com',
    });
  });

  it('lists users with counters, group ids, their groups and cursors', async () => {
    const group = (await app.request('POST', '/api/groups', { name: 'Listers' })).body;
    await app.request('POST', `/api/groups/${group.id}/members`, { userId: viewer.id });
    const all = await hx(app, 'GET', '/users?limit=100');
    expect(all.status).toBe(200);
    const listed = all.body.users.find((user: { id: number }) => user.id === viewer.id);
    expect(listed.group_ids).toEqual([group.id]);
    expect(all.body.groups[group.id]).toEqual({ id: group.id, name: 'Listers', user_ids: [viewer.id] });
    expect(all.body.counters.total).toBe(all.body.users.length);
    expect(all.body.counters.by_role.user).toBeGreaterThanOrEqual(1);

    const first = await hx(app, 'GET', '/users?limit=1');
    expect(first.body.users).toHaveLength(1);
    expect(first.body.cursors.previous).toBeNull();
    const second = await hx(app, 'GET', `/users?limit=1&after=${first.body.cursors.next}`);
    expect(second.body.users[0].id).toBeGreaterThan(first.body.users[0].id);
    const back = await hx(app, 'GET', `/users?limit=1&before=${second.body.cursors.previous}`);
    expect(back.body.users[0].id).toBe(first.body.users[0].id);
  });

  it('filters by search term (group names too), role, ids, status and API key, and sorts', async () => {
    const search = await hx(app, 'GET', '/users?search_term=listers');
    expect(search.body.users.map((user: { id: number }) => user.id)).toEqual([viewer.id]);
    const byRole = await hx(app, 'GET', '/users?role=user&limit=100');
    expect(byRole.body.users.every((user: { role: string }) => user.role === 'user')).toBe(true);
    const byIds = await hx(app, 'GET', `/users?ids[]=${viewer.id}&ids[]=1`);
    expect(byIds.body.users.map((user: { id: number }) => user.id).sort()).toEqual([1, viewer.id].sort());
    const noKey = await nativeUser('no.key@example.com', 'developer', 'developer password 1');
    const withKeys = await hx(app, 'GET', '/users?has_authentication_token=true&limit=100');
    const ids = withKeys.body.users.map((user: { id: number }) => user.id);
    expect(ids).toContain(viewer.id);
    expect(ids).not.toContain(noKey.id);
    const sorted = await hx(app, 'GET', '/users?sort=name_desc&limit=100');
    const names = sorted.body.users.map((user: { name: string }) => user.name.toLowerCase());
    expect(names).toEqual([...names].sort().reverse());
    const pending = await hx(app, 'GET', '/users?status=pending&limit=100');
    expect(pending.body.users.every((user: { is_activated: boolean }) => !user.is_activated)).toBe(true);
  });

  it('refuses a limit outside 1–100 and a foreign cursor, naming the field', async () => {
    const tooMany = await hx(app, 'GET', '/users?limit=101');
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.type).toBe('InvalidParameterError');
    const cursor = await hx(app, 'GET', '/users?after=nonsense');
    expect(cursor.status).toBe(422);
    expect(cursor.body.details.field).toBe('after');
  });

  it('updates name, role, password and groups; the native API reads them back', async () => {
    const target = await nativeUser('ursula@example.com', 'viewer', 'first password 1');
    const group = (await app.request('POST', '/api/groups', { name: 'Analysts' })).body;
    const updated = await hx(app, 'PUT', `/users/${target.id}`, {
      user: { name: 'Ursula Update', role: 'analyst', password: 'second password 2', group_ids: [group.id] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Ursula Update', role: 'analyst', initials: 'UU' });
    const native = (await app.request('GET', `/api/users/${target.id}`)).body;
    expect(native).toMatchObject({ name: 'Ursula Update', role: 'developer' });
    const login = await app.rosetta.services.auth.login('ursula@example.com', 'second password 2');
    expect(login.user.id).toBe(target.id);
    const members = (await app.request('GET', `/api/groups/${group.id}/members`)).body.items;
    expect(members.map((user: { id: number }) => user.id)).toEqual([target.id]);
    // An empty list removes every group.
    await hx(app, 'PUT', `/users/${target.id}`, { user: { group_ids: [] } });
    expect((await app.request('GET', `/api/groups/${group.id}/members`)).body.items).toEqual([]);
    // The narrower admin kinds are admins.
    const admin = await hx(app, 'PUT', `/users/${target.id}`, { user: { role: 'it_admin' } });
    expect(admin.body.role).toBe('admin');
  });

  it('refuses what Rosetta does not keep, and a bad field, naming it', async () => {
    const target = await nativeUser('tilda@example.com', 'viewer', 'tilda password 12');
    const title = await hx(app, 'PUT', `/users/${target.id}`, { user: { title: 'CFO' } });
    expect(title.status).toBe(422);
    expect(title.body).toMatchObject({ type: 'InvalidOperationError', details: { field: 'user.title' } });
    const roundTrip = await hx(app, 'PUT', `/users/${target.id}`, {
      user: { title: null, job_title: null, allow_authentication_token: true, enable_export_data: true },
    });
    expect(roundTrip.status).toBe(200);
    const badRole = await hx(app, 'PUT', `/users/${target.id}`, { user: { role: 'boss' } });
    expect(badRole.status).toBe(422);
    const shortPassword = await hx(app, 'PUT', `/users/${target.id}`, { user: { password: 'x' } });
    expect(shortPassword.status).toBe(422);
    expect(shortPassword.body.details.field).toBe('user.password');
    const missing = await hx(app, 'PUT', '/users/999999', { user: { name: 'Nobody' } });
    expect(missing.status).toBe(404);
  });

  it('deletes (soft) and restores a user; refuses deleting oneself', async () => {
    const target = await nativeUser('dora@example.com', 'viewer', 'dora password 123');
    const deleted = await hx(app, 'DELETE', `/users/${target.id}`);
    expect(deleted.status).toBe(200);
    expect((await app.request('GET', `/api/users/${target.id}`)).body.status).toBe('deleted');
    const listed = await hx(app, 'GET', `/users?ids[]=${target.id}`);
    expect(listed.body.users[0].is_deleted).toBe(true);
    const excluded = await hx(app, 'GET', `/users?ids[]=${target.id}&exclude_deleted=true`);
    expect(excluded.body.users).toEqual([]);
    const byStatuses = await hx(app, 'GET', '/users?statuses[]=deleted&statuses[]=pending&limit=100');
    expect(byStatuses.body.users.map((user: { id: number }) => user.id)).toContain(target.id);
    expect(
      byStatuses.body.users.every(
        (user: { is_deleted: boolean; is_activated: boolean }) => user.is_deleted || !user.is_activated,
      ),
    ).toBe(true);
    expect((await hx(app, 'POST', `/users/${target.id}/restore`)).status).toBe(200);
    expect((await app.request('GET', `/api/users/${target.id}`)).body.status).toBe('active');
    const again = await hx(app, 'POST', `/users/${target.id}/restore`);
    expect(again.status).toBe(422);
    const self = await hx(app, 'DELETE', '/users/1');
    expect(self.status).toBe(422);
    expect((await hx(app, 'DELETE', '/users/999999')).status).toBe(404);
  });

  it('revokes API keys: admins anyone’s, users their own, others refused', async () => {
    const target = await nativeUser('kit@example.com', 'viewer', 'kit password 1234');
    const key = await keyOf(target.id);
    expect((await hx(app, 'GET', '/users/me', undefined, { key })).status).toBe(200);
    const refused = await hx(app, 'POST', `/users/${target.id}/revoke_authentication_token`, undefined, {
      key: viewer.key,
    });
    expect(refused.status).toBe(403);
    const revoked = await hx(app, 'POST', `/users/${target.id}/revoke_authentication_token`);
    expect(revoked.status).toBe(200);
    expect((await hx(app, 'GET', '/users/me', undefined, { key })).status).toBe(401);
    const listed = await hx(app, 'GET', `/users?ids[]=${target.id}`);
    expect(listed.body.users[0].has_authentication_token).toBe(false);
    const ownKey = await keyOf(target.id);
    const own = await hx(app, 'POST', `/users/${target.id}/revoke_authentication_token`, undefined, {
      key: ownKey,
    });
    expect(own.status).toBe(200);
  });

  it('checks whether an email is a user', async () => {
    const yes = await hx(
      app,
      'GET',
      `/users/check_holistics_user?email=${encodeURIComponent('VERA.viewer@example.com')}`,
    );
    expect(yes.body).toEqual({ is_already_user: true });
    const no = await hx(app, 'GET', '/users/check_holistics_user?email=nobody%40example.com');
    expect(no.body).toEqual({ is_already_user: false });
    const viewerAsks = await hx(app, 'GET', '/users/check_holistics_user?email=a%40b.c', undefined, {
      key: viewer.key,
    });
    expect(viewerAsks.status).toBe(403);
  });

  it('refuses a viewer the admin operations', async () => {
    const key = viewer.key;
    expect((await hx(app, 'GET', '/users', undefined, { key })).status).toBe(403);
    expect((await hx(app, 'DELETE', '/users/1', undefined, { key })).status).toBe(403);
    expect((await hx(app, 'PUT', '/users/1', { user: { name: 'Mallory' } }, { key })).status).toBe(403);
    const role = await hx(app, 'PUT', `/users/${viewer.id}`, { user: { role: 'admin' } }, { key });
    expect(role.status).toBe(403);
    const name = await hx(app, 'PUT', `/users/${viewer.id}`, { user: { name: 'Vera V' } }, { key });
    expect(name.status).toBe(200);
    expect(name.body.name).toBe('Vera V');
  });
});

describe('Holistics invitations', () => {
  it('invites emails as a job: pending users in the groups named, activated by their link', async () => {
    const group = (await app.request('POST', '/api/groups', { name: 'Invited' })).body;
    const answer = await hx(app, 'POST', '/users/invite', {
      emails: ['new.one@example.com', 'New.Two@example.com'],
      role: 'explorer',
      group_ids: [group.id],
      message: 'Welcome',
    });
    expect(answer.status).toBe(200);
    const job = await waitForJob(app, answer.body.job.id);
    expect(job.status).toBe('success');
    const pending = (await app.request('GET', '/api/users?status=pending')).body.items;
    const invited = pending.filter((user: { email: string }) => user.email.startsWith('new.'));
    expect(invited.map((user: { role: string }) => user.role)).toEqual([
      'interactive_viewer',
      'interactive_viewer',
    ]);
    const members = (await app.request('GET', `/api/groups/${group.id}/members`)).body.items;
    expect(members).toHaveLength(2);
    const listed = await hx(app, 'GET', `/users?ids[]=${invited[0].id}`);
    expect(listed.body.users[0]).toMatchObject({ is_activated: false, role: 'explorer' });

    // Setting a password through an invitation link activates the user.
    const link = (await app.request('POST', `/api/users/${invited[1].id}/password-link`)).body;
    const accepted = await app.request('POST', '/api/password-links/accept', {
      token: link.token,
      password: 'invited password 1',
    });
    expect(accepted.status).toBe(200);
    const activated = await hx(app, 'GET', `/users?ids[]=${invited[1].id}`);
    expect(activated.body.users[0].is_activated).toBe(true);

    const resent = await hx(app, 'POST', `/users/${invited[0].id}/resend_invite`);
    expect(resent.status).toBe(200);
    expect((await waitForJob(app, resent.body.job.id)).status).toBe('success');
    const notPending = await hx(app, 'POST', `/users/${viewer.id}/resend_invite`);
    expect(notPending.status).toBe(422);
    expect((await hx(app, 'POST', '/users/999999/resend_invite')).status).toBe(404);
  });

  it('refuses bad and taken emails, listing each with its reason, before inviting anyone', async () => {
    const answer = await hx(app, 'POST', '/users/invite', {
      emails: ['not an email', 'vera.viewer@example.com', 'fine@example.com'],
      role: 'user',
    });
    expect(answer.status).toBe(422);
    expect(answer.body.data.map((entry: { email: string }) => entry.email)).toEqual([
      'not an email',
      'vera.viewer@example.com',
    ]);
    const noGroup = await hx(app, 'POST', '/users/invite', {
      emails: ['fine@example.com'],
      role: 'user',
      group_ids: [999999],
    });
    expect(noGroup.status).toBe(422);
    expect(noGroup.body).toMatchObject({ data: [], details: { field: 'group_ids[0]' } });
    const check = await hx(app, 'GET', '/users/check_holistics_user?email=fine%40example.com');
    expect(check.body.is_already_user).toBe(false);
    const viewerInvites = await hx(
      app,
      'POST',
      '/users/invite',
      { emails: ['x@example.com'], role: 'user' },
      {
        key: viewer.key,
      },
    );
    expect(viewerInvites.status).toBe(403);
  });
});
