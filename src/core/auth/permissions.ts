import { forbidden } from '../errors.ts';
import { type Principal, type Role, roleAtLeast } from './principal.ts';

/**
 * Every permission rule of Rosetta, one function per action, used by every face so the five
 * APIs agree. Rules stack on the role lattice viewer < interactive_viewer < editor < developer < admin.
 *
 * | action                         | who                                                        |
 * |--------------------------------|------------------------------------------------------------|
 * | canViewContent                 | any principal (embeds: only their dashboard, checked by content) |
 * | canQuery (ad-hoc, explore)     | interactive_viewer+; restricted keys and embeds too (scoped by dataSourceIds) |
 * | canEditContent                 | editor+, user credential                                   |
 * | canManageSchedules             | editor+, user credential                                   |
 * | canManageModels                | developer+, user credential                                |
 * | canRunSql                      | developer+, user credential                                |
 * | canManageConnections           | developer+, user credential                                |
 * | canRunScripts                  | developer+, user credential                                |
 * | canManageUsers / Groups / Attributes | admin, user credential                               |
 * | canManageApiKeys(owner)        | the owner themself (any role), or an admin for anyone     |
 * | canEditOwnProfile              | any user credential (name, password, timezone)             |
 *
 * "User credential" = a session or an unrestricted API key. Embed tokens, script tokens and
 * data-API keys (restricted to data sources) only ever read and query; they never change anything.
 */

const actsAsUser = (p: Principal): boolean => p.kind === 'user' && p.dataSourceIds === undefined;
const userWith = (p: Principal, minimum: Role): boolean => actsAsUser(p) && roleAtLeast(p.role, minimum);

export const canViewContent = (_p: Principal): boolean => true;
export const canQuery = (p: Principal): boolean =>
  p.kind !== 'user' || p.dataSourceIds !== undefined || roleAtLeast(p.role, 'interactive_viewer');
export const canEditContent = (p: Principal): boolean => userWith(p, 'editor');
export const canManageSchedules = (p: Principal): boolean => userWith(p, 'editor');
export const canManageModels = (p: Principal): boolean => userWith(p, 'developer');
export const canRunSql = (p: Principal): boolean => userWith(p, 'developer');
export const canManageConnections = (p: Principal): boolean => userWith(p, 'developer');
export const canRunScripts = (p: Principal): boolean => userWith(p, 'developer');
export const canManageUsers = (p: Principal): boolean => userWith(p, 'admin');
export const canManageGroups = (p: Principal): boolean => userWith(p, 'admin');
export const canManageAttributes = (p: Principal): boolean => userWith(p, 'admin');
export const canManageApiKeys = (p: Principal, ownerId: number): boolean =>
  actsAsUser(p) && (p.userId === ownerId || roleAtLeast(p.role, 'admin'));

export const canEditOwnProfile = (p: Principal): boolean => actsAsUser(p);

/** Throws ERR_FORBIDDEN naming the action when `allowed` is false: `ensure(canRunSql(p), 'run SQL')`. */
export function ensure(allowed: boolean, action: string): void {
  if (!allowed) throw forbidden(action);
}
