import { describe, expect, it } from 'vitest';
import * as can from './permissions.ts';
import { type Principal, type Role, roles } from './principal.ts';

const principal = (role: Role, extra: Partial<Principal> = {}): Principal => ({
  kind: 'user',
  userId: 1,
  userUuid: 'u',
  email: 'a@b.c',
  organizationId: 1,
  projectId: 1,
  role,
  groupIds: [],
  attributes: {},
  ...extra,
});

/** The lowest role allowed, per action; the lattice grants it to every role above. */
const minimumRole: [string, (p: Principal) => boolean, Role][] = [
  ['canViewContent', can.canViewContent, 'viewer'],
  ['canQuery', can.canQuery, 'interactive_viewer'],
  ['canEditContent', can.canEditContent, 'editor'],
  ['canManageSchedules', can.canManageSchedules, 'editor'],
  ['canManageModels', can.canManageModels, 'developer'],
  ['canRunSql', can.canRunSql, 'developer'],
  ['canManageConnections', can.canManageConnections, 'developer'],
  ['canRunScripts', can.canRunScripts, 'developer'],
  ['canManageUsers', can.canManageUsers, 'admin'],
  ['canManageGroups', can.canManageGroups, 'admin'],
  ['canManageAttributes', can.canManageAttributes, 'admin'],
];

describe('permissions', () => {
  it.each(minimumRole)('%s follows the role lattice', (_name, check, minimum) => {
    for (const role of roles) {
      expect(check(principal(role)), role).toBe(roles.indexOf(role) >= roles.indexOf(minimum));
    }
  });

  it('lets users manage their own API keys and admins anyone', () => {
    expect(can.canManageApiKeys(principal('viewer'), 1)).toBe(true);
    expect(can.canManageApiKeys(principal('developer'), 2)).toBe(false);
    expect(can.canManageApiKeys(principal('admin'), 2)).toBe(true);
  });

  it('lets embeds, scripts and data-API keys query but change nothing', () => {
    const limited = [
      principal('admin', { kind: 'embed', embedDashboardId: 4 }),
      principal('admin', { kind: 'script' }),
      principal('admin', { dataSourceIds: [1] }),
    ];
    for (const p of limited) {
      expect(can.canQuery(p)).toBe(true);
      for (const [name, check] of minimumRole.slice(2)) expect(check(p), name).toBe(false);
      expect(can.canManageApiKeys(p, 1)).toBe(false);
      expect(can.canEditOwnProfile(p)).toBe(false);
    }
  });

  it('ensure throws ERR_FORBIDDEN naming the action', () => {
    expect(() => can.ensure(false, 'run SQL')).toThrow('not allowed to run SQL');
    expect(() => can.ensure(true, 'run SQL')).not.toThrow();
  });
});
