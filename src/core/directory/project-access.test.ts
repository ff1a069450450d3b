import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../auth/bootstrap.ts';
import { type Principal, roleInProject } from '../auth/principal.ts';
import { createUserPrincipalLookup } from '../auth/resolve-principal.ts';
import { createContentService } from '../content/index.ts';
import { RosettaError } from '../errors.ts';
import { getDefaultOrganization, getDefaultProject } from './organizations.ts';
import { createDirectoryService } from './service.ts';
import { openTestStore, principalOf, storeKinds } from './test-support.ts';
import { getUserByEmail } from './users-read.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof RosettaError ? error.code : error),
  );

describe('roleInProject', () => {
  const base = { role: 'viewer', projectId: 1 } as Principal;
  it('is the highest of the organization role and the grants, none for members without a grant', () => {
    expect(roleInProject(base, 2)).toBe('viewer');
    expect(roleInProject({ ...base, projectRoles: { 2: 'editor' } }, 2)).toBe('editor');
    expect(roleInProject({ ...base, role: 'developer', projectRoles: { 2: 'editor' } }, 2)).toBe('developer');
    expect(roleInProject({ ...base, projectsByGrant: true }, 2)).toBeUndefined();
    expect(roleInProject({ ...base, projectsByGrant: true, projectRoles: { 2: 'viewer' } }, 2)).toBe(
      'viewer',
    );
  });
  it('keeps a capped credential capped', () => {
    const key = {
      ...base,
      role: 'interactive_viewer',
      userRole: 'admin',
      projectRoles: { 2: 'admin' },
    } as Principal;
    expect(roleInProject(key, 2)).toBe('interactive_viewer');
  });
});

describe.each(storeKinds)('project access on %s', async (kind) => {
  const env = await openTestStore(kind);
  let admin: Principal;
  let growth: number;
  let defaultProject: number;
  const ids: Record<string, number> = {};
  let groupId: number;
  const directory = () => createDirectoryService(env.store);
  const content = () => createContentService(env.store);
  /** The principal as authentication resolves it now: grants and the member flag read fresh. */
  const as = async (name: string) => {
    const principal = await createUserPrincipalLookup(env.store.db)(admin.organizationId, ids[name]);
    if (!principal) throw new Error(`no principal for ${name}`);
    return principal;
  };

  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com', adminPassword: 'admin-password' });
    const org = await getDefaultOrganization(env.store.db);
    defaultProject = (await getDefaultProject(env.store.db, org.id)).id;
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'admin@example.com'), defaultProject);
    growth = (await directory().projects.create(admin, { name: 'Growth' })).id;
    for (const [name, role] of [
      ['viewer', 'viewer'],
      ['member', 'viewer'],
      ['grouped', 'viewer'],
      ['developer', 'developer'],
    ] as const) {
      const user = await directory().createUser(admin, {
        email: `${name}@example.com`,
        role,
        password: 'password-123',
      });
      ids[name] = user.id;
    }
    await directory().updateUser(admin, ids.member, { projectsByGrant: true });
    groupId = (await directory().createGroup(admin, { name: 'Growth team' })).id;
    await directory().addMember(admin, groupId, ids.grouped);
  });
  afterAll(() => env.close());

  it.skipIf(!env.available)(
    'resolves the effective role from organization role, direct and group grants',
    async () => {
      const access = directory().projectAccess;
      await access.grant(admin, growth, { kind: 'user', id: ids.viewer }, 'editor', 'new');
      await access.grant(admin, growth, { kind: 'group', id: groupId }, 'interactive_viewer', 'new');
      await access.grant(admin, growth, { kind: 'user', id: ids.grouped }, 'viewer', 'new');
      await access.grant(admin, growth, { kind: 'user', id: ids.developer }, 'viewer', 'new');

      expect(roleInProject(await as('viewer'), growth)).toBe('editor');
      expect(roleInProject(await as('viewer'), defaultProject)).toBe('viewer');
      // The group's grant beats the user's own lower one.
      expect(roleInProject(await as('grouped'), growth)).toBe('interactive_viewer');
      // The organization role beats a lower grant.
      expect(roleInProject(await as('developer'), growth)).toBe('developer');

      expect((await access.list(admin, growth)).map((g) => [g.subject.kind, g.role])).toEqual([
        ['user', 'editor'],
        ['user', 'viewer'],
        ['user', 'viewer'],
        ['group', 'interactive_viewer'],
      ]);
      expect(await code(access.grant(admin, growth, { kind: 'user', id: ids.viewer }, 'admin', 'new'))).toBe(
        'ERR_CONFLICT',
      );
      expect(
        await code(access.grant(admin, growth, { kind: 'user', id: ids.member }, 'admin', 'change')),
      ).toBe('ERR_NOT_FOUND');
      expect(await code(access.grant(admin, growth, { kind: 'user', id: ids.viewer }, 'owner', 'set'))).toBe(
        'ERR_VALIDATION',
      );
      expect(await code(access.grant(admin, growth, { kind: 'user', id: 9999 }, 'viewer', 'set'))).toBe(
        'ERR_NOT_FOUND',
      );
      // Only admins of the project manage its access.
      expect(await code(access.list(await as('developer'), growth))).toBe('ERR_FORBIDDEN');
    },
  );

  it.skipIf(!env.available)('lets a grant raise the role in its project only', async () => {
    const dashboard = await content().dashboards.create(admin, { name: 'Growth board', projectId: growth });
    const home = await content().dashboards.create(admin, { name: 'Home board' });
    const viewer = await as('viewer');
    expect(await code(content().dashboards.update(viewer, dashboard.id, { name: 'Renamed' }))).toBe('ok');
    expect(await code(content().dashboards.update(viewer, home.id, { name: 'Renamed' }))).toBe(
      'ERR_FORBIDDEN',
    );
    expect(await code(content().folders.create(viewer, { name: 'Growth space', projectId: growth }))).toBe(
      'ok',
    );
    expect(await code(content().folders.create(viewer, { name: 'Home space' }))).toBe('ERR_FORBIDDEN');
  });

  it.skipIf(!env.available)(
    'shows a member nothing of a project until a grant, then what the grant allows',
    async () => {
      const dashboard = await content().dashboards.create(admin, {
        name: 'Members board',
        projectId: growth,
      });
      const names = async () => (await content().dashboards.list(await as('member'))).map((d) => d.name);
      expect(await names()).toEqual([]);
      expect(await code(content().dashboards.get(await as('member'), dashboard.id))).toBe('ERR_NOT_FOUND');

      await directory().projectAccess.grant(admin, growth, { kind: 'user', id: ids.member }, 'viewer', 'set');
      expect(await names()).toContain('Members board');
      expect(await names()).not.toContain('Home board');
      expect(
        await code(content().dashboards.update(await as('member'), dashboard.id, { name: 'Mine now' })),
      ).toBe('ERR_FORBIDDEN');

      expect(await directory().projectAccess.revoke(admin, growth, { kind: 'user', id: ids.member })).toBe(
        true,
      );
      expect(await directory().projectAccess.revoke(admin, growth, { kind: 'user', id: ids.member })).toBe(
        false,
      );
      expect(await names()).toEqual([]);
    },
  );

  it.skipIf(!env.available)("drops a group's grants with the group", async () => {
    const id = (await directory().createGroup(admin, { name: 'Short-lived' })).id;
    await directory().projectAccess.grant(admin, growth, { kind: 'group', id }, 'viewer', 'new');
    await directory().deleteGroup(admin, id);
    const grants = await directory().projectAccess.list(admin, growth);
    expect(grants.some((g) => g.subject.kind === 'group' && g.subject.id === id)).toBe(false);
  });
});
