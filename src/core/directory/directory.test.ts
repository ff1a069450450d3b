import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../auth/bootstrap.ts';
import type { Principal } from '../auth/principal.ts';
import { RosettaError } from '../errors.ts';
import { getDefaultOrganization, getDefaultProject } from './organizations.ts';
import { createDirectoryService, type DirectoryService } from './service.ts';
import { openTestStore, principalOf, storeKinds } from './test-support.ts';
import { getUserByEmail } from './users-read.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) =>
      error instanceof RosettaError ? `${error.code}${error.field ? `:${error.field}` : ''}` : error,
  );

describe.each(storeKinds)('directory service on %s', async (kind) => {
  const env = await openTestStore(kind);
  let directory: DirectoryService;
  let admin: Principal;
  let projectId: number;

  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com', adminPassword: 'admin-password' });
    directory = createDirectoryService(env.store);
    const org = await getDefaultOrganization(env.store.db);
    projectId = (await getDefaultProject(env.store.db, org.id)).id;
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'admin@example.com'), projectId);
  });
  afterAll(() => env.close());

  it.skipIf(!env.available)('runs a user through create, update, delete and restore', async () => {
    const user = await directory.createUser(admin, {
      email: ' Ann@Example.com ',
      name: 'Ann',
      password: 'password1',
      role: 'editor',
    });
    expect(user).toMatchObject({
      email: 'ann@example.com',
      name: 'Ann',
      role: 'editor',
      status: 'active',
      timezone: 'UTC',
    });
    expect(user).not.toHaveProperty('passwordHash');
    expect(user.uuid).toMatch(/^[0-9a-f-]{36}$/);

    expect(await code(directory.createUser(admin, { email: 'ANN@example.com', password: 'password1' }))).toBe(
      'ERR_CONFLICT:email',
    );
    expect((await directory.getUserByEmail(admin, 'ann@EXAMPLE.com')).id).toBe(user.id);
    expect((await directory.getUserByUuid(admin, user.uuid)).id).toBe(user.id);

    const updated = await directory.updateUser(admin, user.id, {
      name: 'Ann B',
      role: 'developer',
      timezone: 'Europe/Paris',
    });
    expect(updated).toMatchObject({ name: 'Ann B', role: 'developer', timezone: 'Europe/Paris' });

    const deleted = await directory.deleteUser(admin, user.id);
    expect(deleted.status).toBe('deleted');
    expect((await directory.listUsers(admin)).map((u) => u.id)).not.toContain(user.id);
    expect((await directory.listUsers(admin, { status: 'deleted' })).map((u) => u.id)).toContain(user.id);
    expect(await code(directory.updateUser(admin, user.id, { status: 'active' }))).toBe(
      'ERR_CONFLICT:status',
    );

    expect((await directory.restoreUser(admin, user.id)).status).toBe('active');
    expect(await code(directory.restoreUser(admin, user.id))).toBe('ERR_CONFLICT:status');
  });

  it.skipIf(!env.available)('validates user input, naming the field', async () => {
    expect(await code(directory.createUser(admin, { email: 'not-an-email' }))).toBe('ERR_VALIDATION:email');
    expect(await code(directory.createUser(admin, { email: 'x@y.z', password: 'short' }))).toBe(
      'ERR_VALIDATION:password',
    );
    expect(await code(directory.createUser(admin, { email: 'x@y.z', role: 'owner' }))).toBe(
      'ERR_VALIDATION:role',
    );
    expect(await code(directory.createUser(admin, { email: 'x@y.z', timezone: 'Mars/Base' }))).toBe(
      'ERR_VALIDATION:timezone',
    );
    expect(await code(directory.createUser(admin, { email: 'x@y.z', name: 'a\u0000b' }))).toBe(
      'ERR_VALIDATION:name',
    );
    expect(await code(directory.getUser(admin, 999_999))).toBe('ERR_NOT_FOUND');
  });

  it.skipIf(!env.available)(
    'starts a user without password as pending and activates them with one',
    async () => {
      const user = await directory.createUser(admin, { email: 'invited@example.com' });
      expect(user).toMatchObject({ status: 'pending', hasPassword: false, name: 'invited' });
      expect((await directory.updateUser(admin, user.id, { password: 'welcome123' })).status).toBe('active');
    },
  );

  it.skipIf(!env.available)('searches and pages users', async () => {
    await directory.createUser(admin, { email: 'search.one@example.com', name: 'Zed 100%' });
    await directory.createUser(admin, { email: 'search.two@example.com', name: 'Zoe' });
    expect((await directory.listUsers(admin, { search: 'SEARCH.' })).map((u) => u.name)).toEqual([
      'Zed 100%',
      'Zoe',
    ]);
    expect((await directory.listUsers(admin, { search: '100%' })).map((u) => u.name)).toEqual(['Zed 100%']);
    expect(await directory.listUsers(admin, { search: '_' })).toEqual([]);
    expect(await directory.listUsers(admin, { search: 'search', limit: 1, offset: 1 })).toHaveLength(1);
    expect(await code(directory.listUsers(admin, { limit: 0 }))).toBe('ERR_VALIDATION:limit');
  });

  it.skipIf(!env.available)('keeps one active admin', async () => {
    expect(await code(directory.deleteUser(admin, admin.userId))).toBe('ERR_CONFLICT');
    expect(await code(directory.updateUser(admin, admin.userId, { role: 'editor' }))).toBe('ERR_CONFLICT');
  });

  it.skipIf(!env.available)('lets users edit their own profile but nothing else', async () => {
    const user = await directory.createUser(admin, { email: 'self@example.com', password: 'password1' });
    const self = principalOf(user, projectId);
    const change = { name: 'Me', password: 'new-password', currentPassword: 'password1' };
    expect((await directory.updateUser(self, user.id, change)).name).toBe('Me');
    expect(await code(directory.updateUser(self, user.id, { role: 'admin' }))).toBe('ERR_FORBIDDEN');
    expect(await code(directory.updateUser(self, admin.userId, { name: 'x' }))).toBe('ERR_FORBIDDEN');
    expect(await code(directory.createUser(self, { email: 'other@example.com' }))).toBe('ERR_FORBIDDEN');
    expect(await code(directory.createGroup(self, { name: 'g' }))).toBe('ERR_FORBIDDEN');
    expect(await code(directory.defineAttribute(self, { key: 'k', type: 'string' }))).toBe('ERR_FORBIDDEN');
    expect(await code(directory.getUserAttributes(self, admin.userId))).toBe('ERR_FORBIDDEN');
    expect(await directory.getUserAttributes(self, user.id)).toEqual({});
  });

  it.skipIf(!env.available)('manages groups and members with strict idempotency rules', async () => {
    const group = await directory.createGroup(admin, { name: 'Sales', description: 'EU\nteam' });
    expect(await code(directory.createGroup(admin, { name: 'Sales' }))).toBe('ERR_CONFLICT:name');
    const user = await directory.createUser(admin, { email: 'member@example.com' });

    await directory.addMember(admin, group.id, user.id);
    expect(await code(directory.addMember(admin, group.id, user.id))).toBe('ERR_CONFLICT:userId');
    expect((await directory.listMembers(admin, group.id)).map((u) => u.id)).toEqual([user.id]);
    await directory.removeMember(admin, group.id, user.id);
    expect(await code(directory.removeMember(admin, group.id, user.id))).toBe('ERR_NOT_FOUND');
    expect(await code(directory.addMember(admin, group.id, 999_999))).toBe('ERR_NOT_FOUND');

    const renamed = await directory.updateGroup(admin, group.id, { name: 'Sales EU' });
    expect(renamed).toMatchObject({ name: 'Sales EU', description: 'EU\nteam' });
    expect((await directory.listGroups(admin)).map((g) => g.name)).toContain('Sales EU');
    await directory.deleteGroup(admin, group.id);
    expect(await code(directory.getGroup(admin, group.id))).toBe('ERR_NOT_FOUND');
  });

  it.skipIf(!env.available)('types attribute values and merges user over group values', async () => {
    await directory.defineAttribute(admin, { key: 'region', type: 'string' });
    const quota = await directory.defineAttribute(admin, { key: 'quota', type: 'number' });
    await directory.defineAttribute(admin, { key: 'since', type: 'date' });
    expect(await code(directory.defineAttribute(admin, { key: 'region', type: 'string' }))).toBe(
      'ERR_CONFLICT:key',
    );
    expect(await code(directory.defineAttribute(admin, { key: 'bad key', type: 'string' }))).toBe(
      'ERR_VALIDATION:key',
    );
    expect(await code(directory.defineAttribute(admin, { key: 'x', type: 'json' }))).toBe(
      'ERR_VALIDATION:type',
    );

    const user = await directory.createUser(admin, { email: 'attrs@example.com' });
    const emea = await directory.createGroup(admin, { name: 'EMEA' });
    const apac = await directory.createGroup(admin, { name: 'APAC' });
    await directory.addMember(admin, emea.id, user.id);
    await directory.addMember(admin, apac.id, user.id);

    expect(await directory.setGroupAttributes(admin, emea.id, { region: ['FR', 'DE'], quota: '10' })).toEqual(
      {
        region: ['FR', 'DE'],
        quota: ['10'],
      },
    );
    await directory.setGroupAttributes(admin, apac.id, { region: 'JP', quota: 2.5 });
    await directory.setUserAttributes(admin, user.id, { quota: [7, '7.0'], since: '2024-02-29' });

    expect(await directory.effectiveAttributes(admin, user.id)).toEqual({
      region: ['FR', 'DE', 'JP'],
      quota: ['7'],
      since: ['2024-02-29'],
    });

    expect(await code(directory.setUserAttributes(admin, user.id, { quota: 'many' }))).toBe(
      'ERR_VALIDATION:attributes.quota',
    );
    expect(await code(directory.setUserAttributes(admin, user.id, { since: '2023-02-29' }))).toBe(
      'ERR_VALIDATION:attributes.since',
    );
    expect(await code(directory.setUserAttributes(admin, user.id, { nope: 'x' }))).toBe(
      'ERR_VALIDATION:attributes.nope',
    );
    // A failed PUT leaves the previous values in place.
    expect(await directory.getUserAttributes(admin, user.id)).toEqual({
      quota: ['7'],
      since: ['2024-02-29'],
    });

    expect(await code(directory.updateAttributeDefinition(admin, quota.id, { type: 'boolean' }))).toBe(
      'ERR_CONFLICT:type',
    );
    expect((await directory.updateAttributeDefinition(admin, quota.id, { type: 'string' })).type).toBe(
      'string',
    );
    await directory.deleteAttributeDefinition(admin, quota.id);
    expect(await directory.effectiveAttributes(admin, user.id)).toEqual({
      region: ['FR', 'DE', 'JP'],
      since: ['2024-02-29'],
    });
  });

  it.skipIf(!env.available)(
    'sets who holds one attribute, leaving their other attributes alone',
    async () => {
      const tier = await directory.defineAttribute(admin, { key: 'tier', type: 'number' });
      await directory.defineAttribute(admin, { key: 'site', type: 'string' });
      const user = await directory.createUser(admin, { email: 'holder@example.com' });
      const other = await directory.createUser(admin, { email: 'other-holder@example.com' });
      const group = await directory.createGroup(admin, { name: 'Holders' });
      await directory.setUserAttributes(admin, user.id, { site: 'Lyon', tier: 1 });
      await directory.setUserAttributes(admin, other.id, { tier: 9 });

      const holders = {
        users: [{ userId: user.id, value: '2.0' }],
        groups: [{ groupId: group.id, value: '3' }],
      };
      expect(await directory.setAttributeHolders(admin, tier.id, holders)).toEqual({
        users: [{ userId: user.id, value: '2' }],
        groups: [{ groupId: group.id, value: '3' }],
      });
      expect(await directory.getUserAttributes(admin, user.id)).toEqual({ site: ['Lyon'], tier: ['2'] });
      expect(await directory.getUserAttributes(admin, other.id)).toEqual({});

      const bad = { users: [{ userId: user.id, value: 'many' }], groups: [] };
      expect(await code(directory.setAttributeHolders(admin, tier.id, bad))).toBe(
        'ERR_VALIDATION:users[0].value',
      );
      expect(
        await code(
          directory.setAttributeHolders(admin, tier.id, {
            users: [{ userId: 999_999, value: '1' }],
            groups: [],
          }),
        ),
      ).toBe('ERR_NOT_FOUND');
      expect((await directory.getAttributeHolders(admin, tier.id)).users).toEqual([
        { userId: user.id, value: '2' },
      ]);
      const viewer = { ...admin, role: 'viewer' as const };
      expect(await code(directory.getAttributeHolders(viewer, tier.id))).toBe('ERR_FORBIDDEN');
    },
  );

  it.skipIf(!env.available)(
    'gives users who hold no value, themselves or by group, the default',
    async () => {
      const level = await directory.defineAttribute(admin, {
        key: 'level',
        type: 'number',
        defaultValue: '1.0',
      });
      expect(level.defaultValue).toBe('1');
      const alone = await directory.createUser(admin, { email: 'alone@example.com' });
      const grouped = await directory.createUser(admin, { email: 'grouped@example.com' });
      const own = await directory.createUser(admin, { email: 'own@example.com' });
      const group = await directory.createGroup(admin, { name: 'Levelled' });
      await directory.addMember(admin, group.id, grouped.id);
      await directory.setGroupAttributes(admin, group.id, { level: 5 });
      await directory.setUserAttributes(admin, own.id, { level: 9 });
      expect((await directory.effectiveAttributes(admin, alone.id)).level).toEqual(['1']);
      expect((await directory.effectiveAttributes(admin, grouped.id)).level).toEqual(['5']);
      expect((await directory.effectiveAttributes(admin, own.id)).level).toEqual(['9']);

      expect(await code(directory.updateAttributeDefinition(admin, level.id, { defaultValue: 'high' }))).toBe(
        'ERR_VALIDATION:defaultValue',
      );
      await directory.updateAttributeDefinition(admin, level.id, { defaultValue: null });
      expect(await directory.effectiveAttributes(admin, alone.id)).not.toHaveProperty('level');
    },
  );
});
