import { createHash } from 'node:crypto';
import { isRole, type Role } from '../../../core/auth/principal.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import type { App } from '../../server.ts';

/**
 * Sisense's roles onto Rosetta's lattice. Sisense's viewer (`consumer`) runs the JAQL of the
 * dashboards shared with it, and JAQL is an ad-hoc query here (`query.adhoc`), so `consumer` is
 * Rosetta's interactive viewer; its designer `contributor` is an editor and its data designer
 * `dataDesigner` a developer. Rosetta's plain viewer, who only opens dashboards, has no Sisense
 * counterpart and keeps its own name, `viewer`.
 */
const ROLE_NAMES: Record<Role, string> = {
  viewer: 'viewer',
  interactive_viewer: 'consumer',
  editor: 'contributor',
  developer: 'dataDesigner',
  admin: 'admin',
};

/** What Sisense's UI calls each role. */
const DISPLAY_NAMES: Record<Role, string> = {
  viewer: 'Dashboard Viewer',
  interactive_viewer: 'Viewer',
  editor: 'Designer',
  developer: 'Data Designer',
  admin: 'Admin',
};

/**
 * Sisense names Rosetta accepts on input besides the listed ones: its system admin and data admin
 * are the nearest Rosetta roles (one admin role; data admins manage models and sources).
 */
const ROLE_ALIASES: Record<string, Role> = { super: 'admin', dataAdmin: 'developer' };

/** A role's `_id`: stable across runs and servers (a digest of its name, never random). */
const roleOid = (name: string): string =>
  createHash('sha256').update(`sisense.role:${name}`).digest('hex').slice(0, 24);

const byOid = new Map<string, Role>(
  Object.entries(ROLE_NAMES).map(([role, name]) => [roleOid(name), role as Role]),
);
const byName = new Map<string, Role>([
  ...Object.entries(ROLE_NAMES).map(([role, name]) => [name.toLowerCase(), role as Role] as const),
  ...Object.entries(ROLE_ALIASES).map(([name, role]) => [name.toLowerCase(), role] as const),
]);

export const roleName = (role: Role): string => ROLE_NAMES[role];
export const roleIdOf = (role: Role): string => roleOid(ROLE_NAMES[role]);

/** Sisense's role object. */
export const roleJson = (role: Role) => ({
  _id: roleIdOf(role),
  name: ROLE_NAMES[role],
  displayName: DISPLAY_NAMES[role],
  // Sisense marks its own roles as system roles; Rosetta has no custom roles.
  systemRole: true,
});

/** The role a value names: its `_id` or its name (Sisense's or Rosetta's). */
export function findRole(value: unknown): Role | undefined {
  if (typeof value !== 'string') return undefined;
  if (isRole(value)) return value;
  return byOid.get(value.toLowerCase()) ?? byName.get(value.toLowerCase());
}

/** `findRole`, where anything else is a 400 naming `field`. */
export function roleOf(value: unknown, field: string): Role {
  const role = findRole(value);
  if (role !== undefined) return role;
  throw validationError(field, `must be a role _id or one of ${Object.values(ROLE_NAMES).join(', ')}`);
}

/** `GET /api/roles` (the one Sisense's clients call) and `GET /api/v1/roles`: the lattice's roles. */
export function registerRoleRoutes(app: App): void {
  const list = async () => (Object.keys(ROLE_NAMES) as Role[]).map(roleJson);
  app.get('/api/roles', list);
  app.get('/api/v1/roles', list);
  app.get<{ Params: { id: string } }>('/api/roles/:id', async (request) => {
    const role = findRole(request.params.id);
    if (role === undefined) throw notFound('role', request.params.id);
    return roleJson(role);
  });
}
