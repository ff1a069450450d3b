import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, startTestApp, type TestApp } from './support/app.ts';

/**
 * Accounts over HTTP: changing one's password, an admin's reset, invitation links, what each
 * role sees of the other users, and the organization's name.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ demo: false });
}, 120_000);
afterAll(() => app?.close());

async function createUser(email: string, role: string, password: string): Promise<number> {
  const created = await app.request('POST', '/api/users', {
    email,
    role,
    password,
    name: email.split('@')[0],
  });
  expect(created.status).toBe(201);
  return created.body.id;
}
const login = async (email: string, password: string) =>
  (await app.request('POST', '/api/auth/login', { email, password }, { token: '' })).body.token as
    | string
    | undefined;
const meStatus = async (token: string) => (await app.request('GET', '/api/me', undefined, { token })).status;
const tokenOf = (url: string) => url.split('/').pop() as string;

describe('changing one’s own password', () => {
  it('needs the current password, and ends the other sessions once changed', async () => {
    const id = await createUser('changer@example.com', 'viewer', 'first password 1');
    const here = (await login('changer@example.com', 'first password 1')) as string;
    const elsewhere = (await login('changer@example.com', 'first password 1')) as string;
    const change = (body: object) => app.request('PATCH', `/api/users/${id}`, body, { token: here });

    const missing = await change({ password: 'second password 2' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('currentPassword');
    const wrong = await change({ password: 'second password 2', currentPassword: 'not it at all' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'ERR_FORBIDDEN', field: 'currentPassword' });
    // Refused changes change nothing.
    expect(await meStatus(elsewhere)).toBe(200);
    expect(await login('changer@example.com', 'first password 1')).toBeDefined();

    const short = await change({ password: 'short', currentPassword: 'first password 1' });
    expect(short.status).toBe(400);
    expect(short.body.error.field).toBe('password');

    const done = await change({ password: 'second password 2', currentPassword: 'first password 1' });
    expect(done.status).toBe(200);
    expect(await meStatus(here)).toBe(200);
    expect(await meStatus(elsewhere)).toBe(401);
    expect(await login('changer@example.com', 'first password 1')).toBeUndefined();
    expect(await login('changer@example.com', 'second password 2')).toBeDefined();
  });

  it('lets an admin set a new password without the old one, ending every session of the user', async () => {
    const id = await createUser('forgetful@example.com', 'editor', 'first password 1');
    const session = (await login('forgetful@example.com', 'first password 1')) as string;
    expect((await app.request('PATCH', `/api/users/${id}`, { password: 'set by admin 1' })).status).toBe(200);
    expect(await meStatus(session)).toBe(401);
    expect(await login('forgetful@example.com', 'set by admin 1')).toBeDefined();
  });
});

describe('invitation and reset links', () => {
  it('invites a user who sets a name and password once, and is signed in', async () => {
    const invited = await app.request('POST', '/api/invitations', {
      email: 'New.Comer@Example.com',
      role: 'editor',
    });
    expect(invited.status).toBe(201);
    expect(invited.body.user).toMatchObject({
      email: 'new.comer@example.com',
      status: 'pending',
      role: 'editor',
    });
    const { link } = invited.body;
    expect(link.purpose).toBe('invitation');
    expect(link.url).toMatch(/^http:\/\/[^/]+\/invite\/rsl_[0-9A-Za-z]{43}$/);
    const token = tokenOf(link.url);
    expect(link.token).toBe(token);
    // A pending user cannot sign in yet.
    expect(await login('new.comer@example.com', 'anything at all')).toBeUndefined();
    // Only the hash is stored.
    const stored = await app.rosetta.store.db.selectFrom('password_links').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const opened = await app.request('POST', '/api/password-links/open', { token }, { token: '' });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({
      purpose: 'invitation',
      email: 'new.comer@example.com',
      organizationName: 'Default',
    });

    const accept = (body: object) => app.request('POST', '/api/password-links/accept', body, { token: '' });
    // A refused password leaves the link usable.
    const short = await accept({ token, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.field).toBe('password');
    const accepted = await accept({ token, password: 'my own password 1', name: 'New Comer' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ name: 'New Comer', status: 'active', role: 'editor' });
    const me = await app.request('GET', '/api/me', undefined, { token: accepted.body.token });
    expect(me.body.email).toBe('new.comer@example.com');
    expect(await login('new.comer@example.com', 'my own password 1')).toBeDefined();

    const again = await accept({ token, password: 'another password 2' });
    expect(again.status).toBe(403);
    expect(again.body.error.message).toContain('already used');
    expect((await app.request('POST', '/api/password-links/open', { token }, { token: '' })).status).toBe(
      403,
    );
    expect(await login('new.comer@example.com', 'another password 2')).toBeUndefined();

    const actions = (
      await app.request('GET', `/api/audit?targetType=user&targetId=${invited.body.user.id}`)
    ).body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.invite', 'user.invitation_accepted', 'auth.login']),
    );
  });

  it('refuses an expired link and a replaced one, and answers an unknown token with 401', async () => {
    const invited = await app.request('POST', '/api/invitations', { email: 'late@example.com' });
    const first = tokenOf(invited.body.link.url);
    const reissued = await app.request('POST', `/api/users/${invited.body.user.id}/password-link`);
    expect(reissued.status).toBe(201);
    expect(reissued.body.purpose).toBe('invitation');
    const second = tokenOf(reissued.body.url);
    const accept = (token: string) =>
      app.request(
        'POST',
        '/api/password-links/accept',
        { token, password: 'late password 1' },
        { token: '' },
      );

    const replaced = await accept(first);
    expect(replaced.status).toBe(403);
    expect(replaced.body.error.message).toContain('expired');
    await app.rosetta.store.db
      .updateTable('password_links')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_id', '=', invited.body.user.id)
      .execute();
    const expired = await accept(second);
    expect(expired.status).toBe(403);
    expect(expired.body.error).toMatchObject({ code: 'ERR_FORBIDDEN', field: 'token' });
    expect(await login('late@example.com', 'late password 1')).toBeUndefined();

    const unknown = await accept('rsl_notarealtokennotarealtokennotarealtoken0');
    expect(unknown.status).toBe(401);
    expect((await app.request('POST', '/api/password-links/open', {}, { token: '' })).status).toBe(400);
  });

  it('gives an active user a reset link that ends their sessions', async () => {
    const id = await createUser('reset.me@example.com', 'viewer', 'first password 1');
    const session = (await login('reset.me@example.com', 'first password 1')) as string;
    const link = await app.request('POST', `/api/users/${id}/password-link`);
    expect(link.body.purpose).toBe('reset');
    expect(link.body.url).toContain('/reset-password/');
    const accepted = await app.request(
      'POST',
      '/api/password-links/accept',
      { token: link.body.token, password: 'fresh password 1' },
      { token: '' },
    );
    expect(accepted.status).toBe(200);
    expect(await meStatus(session)).toBe(401);
    expect(await meStatus(accepted.body.token)).toBe(200);
    expect(await login('reset.me@example.com', 'fresh password 1')).toBeDefined();
  });

  it('keeps invitations and links to admins, and refuses links for deactivated users', async () => {
    await createUser('not.admin@example.com', 'developer', 'developer password 1');
    const developer = (await login('not.admin@example.com', 'developer password 1')) as string;
    const refused = await app.request(
      'POST',
      '/api/invitations',
      { email: 'x@example.com' },
      { token: developer },
    );
    expect(refused.status).toBe(403);
    const id = await createUser('leaving@example.com', 'viewer', 'leaving password 1');
    expect((await app.request('DELETE', `/api/users/${id}`)).status).toBe(200);
    expect((await app.request('POST', `/api/users/${id}/password-link`)).status).toBe(409);
    const taken = await app.request('POST', '/api/invitations', { email: 'leaving@example.com' });
    expect(taken.status).toBe(409);
    expect((await app.request('POST', '/api/invitations', { email: 'not an email' })).body.error.field).toBe(
      'email',
    );
  });
});

describe('unknown link tokens', () => {
  it('count against the address like wrong API keys, up to a 429', async () => {
    const limited = await startTestApp({
      demo: false,
      env: { ROSETTA_CREDENTIAL_FAILURES_PER_ADDRESS: '3' },
    });
    try {
      const statuses: number[] = [];
      for (const path of ['open', 'accept', 'open', 'accept']) {
        const token = `rsl_guess${'0'.repeat(39)}`;
        const body = path === 'open' ? { token } : { token, password: 'a good password' };
        statuses.push(
          (await limited.request('POST', `/api/password-links/${path}`, body, { token: '' })).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  }, 60_000);
});

describe('what each role sees of the other users', () => {
  const sessions: Record<string, string> = {};
  let adminId: number;
  beforeAll(async () => {
    for (const role of ['viewer', 'interactive_viewer', 'editor']) {
      const email = `${role.replace('_', '-')}.lister@example.com`;
      await createUser(email, role, `${role} password 1`);
      sessions[role] = (await login(email, `${role} password 1`)) as string;
    }
    adminId = (await app.request('GET', '/api/me')).body.id;
  });

  const list = async (role: string, query = '') =>
    app.request('GET', `/api/users${query}`, undefined, { token: sessions[role] });

  it('shows viewers and interactive viewers only names of others, all of themselves', async () => {
    for (const role of ['viewer', 'interactive_viewer']) {
      const { status, body } = await list(role);
      expect(status).toBe(200);
      const admin = body.items.find((u: { id: number }) => u.id === adminId);
      expect(Object.keys(admin).sort()).toEqual(['id', 'name', 'uuid']);
      const self = body.items.find((u: { email?: string }) => u.email?.endsWith('.lister@example.com'));
      expect(self.role).toBe(role);
      expect(self).toHaveProperty('lastLoginAt');
      const one = await app.request('GET', `/api/users/${adminId}`, undefined, { token: sessions[role] });
      expect(Object.keys(one.body).sort()).toEqual(['id', 'name', 'uuid']);
      // No finding emails by searching or statuses by filtering.
      expect((await list(role, '?search=admin@')).body.items).toEqual([]);
      expect((await list(role, '?status=pending')).status).toBe(403);
    }
  });

  it('shows editors emails, roles and status (to share and send), and no sign-in times', async () => {
    const { body } = await list('editor');
    const admin = body.items.find((u: { id: number }) => u.id === adminId);
    expect(admin).toEqual({
      id: adminId,
      uuid: admin.uuid,
      name: 'Admin',
      email: ADMIN_EMAIL,
      role: 'admin',
      status: 'active',
    });
    const found = (await list('editor', `?search=${ADMIN_EMAIL}`)).body.items;
    expect(found.map((u: { id: number }) => u.id)).toContain(adminId);
    expect((await list('editor', '?status=pending')).status).toBe(200);
  });

  it('shows admins everything, the last sign-in included', async () => {
    const { body } = await app.request('GET', '/api/users');
    const viewer = body.items.find((u: { email: string }) => u.email === 'viewer.lister@example.com');
    expect(viewer.lastLoginAt).toEqual(expect.any(String));
    expect(viewer).toHaveProperty('timezone', 'UTC');
  });

  it('applies the same rule to group members', async () => {
    const group = (await app.request('POST', '/api/groups', { name: 'Listed' })).body;
    await app.request('POST', `/api/groups/${group.id}/members`, { userId: adminId });
    const members = await app.request('GET', `/api/groups/${group.id}/members`, undefined, {
      token: sessions.viewer,
    });
    expect(members.body.items).toEqual([{ id: adminId, uuid: expect.any(String), name: 'Admin' }]);
  });
});

describe('the organization’s name', () => {
  it('is on /me, and admins rename it', async () => {
    expect((await app.request('GET', '/api/me')).body.organizationName).toBe('Default');
    const renamed = await app.request('PATCH', '/api/organization', { name: '  Acme Analytics ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Acme Analytics');
    expect((await app.request('GET', '/api/organization')).body.name).toBe('Acme Analytics');
    expect((await app.request('GET', '/api/me')).body.organizationName).toBe('Acme Analytics');
    const blank = await app.request('PATCH', '/api/organization', { name: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.field).toBe('name');

    await createUser('org.editor@example.com', 'editor', 'editor password 1');
    const editor = (await login('org.editor@example.com', 'editor password 1')) as string;
    const refused = await app.request('PATCH', '/api/organization', { name: 'Mine' }, { token: editor });
    expect(refused.status).toBe(403);
    expect((await app.request('GET', '/api/organization', undefined, { token: editor })).body.name).toBe(
      'Acme Analytics',
    );
  });
});
