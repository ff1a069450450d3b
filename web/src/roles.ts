import type { Me } from './types.ts';

/**
 * The role lattice as the server has it (core/auth/principal.ts). The UI hides what a role may
 * not do, so no one meets buttons the server would refuse; the server decides all the same.
 */
export const ROLES = ['viewer', 'interactive_viewer', 'editor', 'developer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const atLeast = (me: Pick<Me, 'role'>, role: Role): boolean =>
  ROLES.indexOf(me.role) >= ROLES.indexOf(role);

/** How pages name the roles. */
export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'viewers',
  interactive_viewer: 'interactive viewers',
  editor: 'editors',
  developer: 'developers',
  admin: 'admins',
};
