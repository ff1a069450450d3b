import type { Me, QueryAccessEntry } from './types.ts';

/**
 * The role lattice as the server has it (core/auth/principal.ts). The UI hides what a role may
 * not do, so no one meets buttons the server would refuse; the server decides all the same.
 */
export const ROLES = ['viewer', 'interactive_viewer', 'editor', 'developer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const atLeast = (me: Pick<Me, 'role'>, role: Role): boolean =>
  ROLES.indexOf(me.role) >= ROLES.indexOf(role);

/**
 * Whether the user may change a data source or model with this access list (core/data/access.ts):
 * its `manage` role (developers up) and `edit` on the list, unless the list is empty or they are
 * an admin.
 */
export function mayChangeSource(
  me: Pick<Me, 'role' | 'id' | 'groupIds'>,
  access: QueryAccessEntry[],
): boolean {
  if (!atLeast(me, 'developer')) return false;
  if (me.role === 'admin' || access.length === 0) return true;
  return access.some(
    (entry) =>
      entry.level === 'edit' &&
      (entry.subject === 'user' ? entry.id === me.id : me.groupIds.includes(entry.id)),
  );
}

/** How pages name the roles. */
export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'viewers',
  interactive_viewer: 'interactive viewers',
  editor: 'editors',
  developer: 'developers',
  admin: 'admins',
};
