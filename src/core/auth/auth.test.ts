import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDefaultOrganization, getDefaultProject } from '../directory/organizations.ts';
import { createDirectoryService, type DirectoryService } from '../directory/service.ts';
import { openTestStore, principalOf, storeKinds } from '../directory/test-support.ts';
import { getUserByEmail } from '../directory/users-read.ts';
import { RosettaError } from '../errors.ts';
import { bootstrapDirectory } from './bootstrap.ts';
import type { Principal } from './principal.ts';
import { type AuthService, createAuthService } from './service.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof RosettaError ? error.code : error),
  );
const message = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: Error) => error.message,
  );

describe.each(storeKinds)('auth service on %s', async (kind) => {
  const env = await openTestStore(kind);
  let clock = new Date('2030-01-01T00:00:00Z');
  let auth: AuthService;
  let directory: DirectoryService;
  let admin: Principal;

  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'root@example.com', adminPassword: 'root-password' });
    auth = createAuthService({ store: env.store, sessionHours: 2, now: () => clock });
    directory = createDirectoryService(env.store);
    const org = await getDefaultOrganization(env.store.db);
    const project = await getDefaultProject(env.store.db, org.id);
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'root@example.com'), project.id);
  });
  afterAll(() => env.close());

  it.skipIf(!env.available)('logs in, authenticates the session, expires it and logs out', async () => {
    const user = await directory.createUser(admin, {
      email: 'li@example.com',
      password: 'password1',
      role: 'editor',
    });
    const login = await auth.login('LI@example.com', 'password1');
    expect(login.token).toMatch(/^rss_[0-9A-Za-z]{43}$/);
    expect(login.expiresAt).toBe('2030-01-01T02:00:00.000Z');
    expect(login.user).toMatchObject({ id: user.id, lastLoginAt: clock.toISOString() });

    const principal = await auth.authenticate(login.token);
    expect(principal).toMatchObject({
      kind: 'session',
      userId: user.id,
      role: 'editor',
      email: 'li@example.com',
    });
    expect(principal.apiKeyId).toBeUndefined();

    await auth.logout(login.token);
    expect(await code(auth.authenticate(login.token))).toBe('ERR_UNAUTHENTICATED');

    const second = await auth.login('li@example.com', 'password1');
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    expect(await message(auth.authenticate(second.token))).toBe('session expired');
  });

  it.skipIf(!env.available)('refuses bad logins with one message', async () => {
    await directory.createUser(admin, { email: 'gone@example.com', password: 'password1' });
    const gone = await getUserByEmail(env.store.db, admin.organizationId, 'gone@example.com');
    await directory.deleteUser(admin, gone.id);
    await directory.createUser(admin, { email: 'nopass@example.com' });
    const attempts: [string, string][] = [
      ['li@example.com', 'wrong-password'],
      ['unknown@example.com', 'password1'],
      ['gone@example.com', 'password1'],
      ['nopass@example.com', 'password1'],
      ['bad\u0000email', 'x'.repeat(5000)],
    ];
    for (const [email, password] of attempts) {
      expect(await message(auth.login(email, password))).toBe('invalid email or password');
    }
  });

  it.skipIf(!env.available)('creates, authenticates, lists and revokes API keys', async () => {
    const user = await directory.createUser(admin, {
      email: 'keys@example.com',
      password: 'password1',
      role: 'developer',
    });
    const owner = principalOf(user, admin.projectId);
    const { key, apiKey } = await auth.createApiKey(owner, { name: 'ci' });
    expect(key).toMatch(/^rst_[0-9A-Za-z]{40}$/);
    expect(apiKey).toMatchObject({ userId: user.id, name: 'ci', prefix: key.slice(0, 8), revokedAt: null });
    expect(JSON.stringify(await auth.listApiKeys(owner))).not.toContain(key.slice(8));

    const principal = await auth.authenticate(key);
    expect(principal).toMatchObject({ userId: user.id, role: 'developer', apiKeyId: apiKey.id });

    // last_used_at is written once, then not again within the minute.
    const firstUse = (await auth.listApiKeys(owner))[0].lastUsedAt;
    expect(firstUse).toBe(clock.toISOString());
    clock = new Date(clock.getTime() + 30_000);
    await auth.authenticate(key);
    expect((await auth.listApiKeys(owner))[0].lastUsedAt).toBe(firstUse);
    clock = new Date(clock.getTime() + 60_000);
    await auth.authenticate(key);
    expect((await auth.listApiKeys(owner))[0].lastUsedAt).toBe(clock.toISOString());

    const stranger = await directory.createUser(admin, { email: 'stranger@example.com', role: 'admin' });
    const strangerPrincipal = principalOf(stranger, admin.projectId, { role: 'viewer' });
    expect(await code(auth.revokeApiKey(strangerPrincipal, apiKey.id))).toBe('ERR_NOT_FOUND');
    expect(await code(auth.listApiKeys(strangerPrincipal, user.id))).toBe('ERR_FORBIDDEN');
    expect(await code(auth.createApiKey(strangerPrincipal, { name: 'x', userId: user.id }))).toBe(
      'ERR_FORBIDDEN',
    );

    const revoked = await auth.revokeApiKey(owner, apiKey.id);
    expect(revoked.revokedAt).toBe(clock.toISOString());
    expect((await auth.revokeApiKey(admin, apiKey.id)).revokedAt).toBe(revoked.revokedAt);
    expect(await code(auth.authenticate(key))).toBe('ERR_UNAUTHENTICATED');
  });

  it.skipIf(!env.available)(
    'expires keys, refuses keys of deleted users and restricts data-API keys',
    async () => {
      const user = await directory.createUser(admin, { email: 'exp@example.com', password: 'password1' });
      expect(
        await code(
          auth.createApiKey(admin, { name: 'past', userId: user.id, expiresAt: '2000-01-01T00:00:00Z' }),
        ),
      ).toBe('ERR_VALIDATION');
      const soon = new Date(clock.getTime() + 60_000);
      const expiring = await auth.createApiKey(admin, { name: 'soon', userId: user.id, expiresAt: soon });
      const data = await auth.createApiKey(admin, {
        name: 'data',
        userId: user.id,
        dataSourceIds: [3, 1, 3],
      });
      expect((await auth.authenticate(data.key)).dataSourceIds).toEqual([3, 1]);
      expect(await code(auth.authenticate(expiring.key))).toBe('ok');

      clock = new Date(soon.getTime());
      expect(await message(auth.authenticate(expiring.key))).toBe('API key expired');

      const session = await auth.login('exp@example.com', 'password1');
      await directory.deleteUser(admin, user.id);
      expect(await code(auth.authenticate(data.key))).toBe('ERR_UNAUTHENTICATED');
      expect(await code(auth.authenticate(session.token))).toBe('ERR_UNAUTHENTICATED');
      expect(await code(auth.createApiKey(admin, { name: 'x', userId: user.id }))).toBe('ERR_CONFLICT');
    },
  );

  it.skipIf(!env.available)('carries group ids and effective attributes in the principal', async () => {
    const user = await directory.createUser(admin, { email: 'rls@example.com', password: 'password1' });
    const group = await directory.createGroup(admin, { name: 'RLS team' });
    await directory.addMember(admin, group.id, user.id);
    await directory.defineAttribute(admin, { key: 'country', type: 'string' });
    await directory.setGroupAttributes(admin, group.id, { country: ['FR', 'BE'] });
    const { token } = await auth.login('rls@example.com', 'password1');
    const principal = await auth.authenticate(token);
    expect(principal.groupIds).toEqual([group.id]);
    expect(principal.attributes).toEqual({ country: ['FR', 'BE'] });
    expect(principal.projectId).toBe(admin.projectId);
  });

  it.skipIf(!env.available)('refuses garbage bearers', async () => {
    for (const bearer of ['', 'x', 'rss_nothing', 'rst_nothing', 'a'.repeat(600), '\u0000']) {
      expect(await code(auth.authenticate(bearer))).toBe('ERR_UNAUTHENTICATED');
    }
  });
});

describe.each(storeKinds)('bootstrap on %s', async (kind) => {
  const env = await openTestStore(kind);
  afterAll(() => env.close());

  it.skipIf(!env.available)(
    'creates everything once and registers the configured key exactly once',
    async () => {
      const first = await bootstrapDirectory(env.store, { adminEmail: 'Boss@Example.com' });
      expect(first).toMatchObject({ created: true, adminEmail: 'boss@example.com' });
      expect(first.generatedPassword).toMatch(/^[0-9A-Za-z]{20}$/);
      expect(first.generatedApiKey).toMatch(/^rst_[0-9A-Za-z]{40}$/);

      const auth = createAuthService({ store: env.store });
      expect((await auth.login('boss@example.com', first.generatedPassword ?? '')).user.role).toBe('admin');
      expect((await auth.authenticate(first.generatedApiKey ?? '')).role).toBe('admin');

      const configured = 'configured-bootstrap-key-0123456789abcdef';
      for (let i = 0; i < 2; i++) {
        const again = await bootstrapDirectory(env.store, {
          adminEmail: 'boss@example.com',
          bootstrapApiKey: configured,
        });
        expect(again).toEqual({ created: false, adminEmail: 'boss@example.com' });
      }
      const principal = await auth.authenticate(configured);
      expect(await auth.listApiKeys(principal)).toHaveLength(2);
      expect(await env.store.db.selectFrom('organizations').selectAll().execute()).toHaveLength(1);

      // A revoked configured key stays revoked across restarts.
      await auth.revokeApiKey(principal, principal.apiKeyId ?? 0);
      await bootstrapDirectory(env.store, { adminEmail: 'boss@example.com', bootstrapApiKey: configured });
      expect(await code(auth.authenticate(configured))).toBe('ERR_UNAUTHENTICATED');
    },
  );

  it.skipIf(!env.available)('refuses a short configured key', async () => {
    const other = await openTestStore(kind);
    try {
      expect(
        await code(bootstrapDirectory(other.store, { adminEmail: 'a@b.c', bootstrapApiKey: 'short' })),
      ).toBe('ERR_VALIDATION');
      expect(await other.store.db.selectFrom('organizations').selectAll().execute()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});
