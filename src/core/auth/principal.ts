import type { CredentialKind } from './actions.ts';

/** The role lattice: each role can do everything the ones before it can. */
export const roles = ['viewer', 'interactive_viewer', 'editor', 'developer', 'admin'] as const;
export type Role = (typeof roles)[number];

export const isRole = (value: unknown): value is Role => roles.includes(value as Role);

export const roleAtLeast = (role: Role, minimum: Role): boolean =>
  roles.indexOf(role) >= roles.indexOf(minimum);

/** The lesser of two roles. */
export const roleAtMost = (role: Role, ceiling: Role): Role => (roleAtLeast(role, ceiling) ? ceiling : role);

/** Typed user attributes, user and group values merged: key → values. */
export type Attributes = Record<string, string[]>;

/** Who is calling: resolved once per request by the auth service, passed to every core call. */
export interface Principal {
  /** The credential used; what it may carry is in `actions.ts`. */
  kind: CredentialKind;
  userId: number;
  userUuid: string;
  email: string;
  organizationId: number;
  projectId: number;
  /** What the credential may do: the user's role, capped for some credentials (data-API keys). */
  role: Role;
  /**
   * Set when `role` is capped below the user's own role: the user's role now. Access lists judge
   * the user behind the credential (an admin passes every list); the cap limits only the actions.
   */
  userRole?: Role;
  groupIds: number[];
  /**
   * The best role project grants give the user (directly or through a group), by project id;
   * absent when there are none. See `roleInProject`.
   */
  projectRoles?: Readonly<Record<number, Role>>;
  /** Set for a Lightdash `member`: `role` gives no project access, only `projectRoles` do. */
  projectsByGrant?: boolean;
  /** The values row policies filter on. */
  attributes: Attributes;
  /** Set when the caller used an API key (full, data or script key). */
  apiKeyId?: number;
  /** Set when the caller used a session: the stored hash of its token (not the secret). */
  sessionHash?: string;
  /** The network address the request came from, for the audit log. */
  address?: string;
  /** Set on data-API keys: the only data sources the caller may read. */
  dataSourceIds?: number[];
  /** Set on embeds: the one dashboard the caller may see. */
  embedDashboardId?: number;
  /** Set on embeds: the embed's id, so revoking it ends its sessions. */
  embedId?: number;
  /** Set on embeds: the values of the dashboard's variables the embed link carries. */
  variables?: Attributes;
  /** Embed credentials expire; checked on every request. */
  expiresAt?: Date;
}

/** The higher of two roles. */
export const higherRole = (a: Role, b: Role): Role => (roleAtLeast(a, b) ? a : b);

/**
 * The principal's role in a project: the highest of its organization role (unless it reaches
 * projects only by grant) and its project grants; undefined when it has no access to the project.
 * Capped credentials (data-API keys) stay capped: a grant raises the user, not the key.
 */
export function roleInProject(principal: Principal, projectId: number): Role | undefined {
  const granted = principal.projectRoles?.[projectId];
  const implied = principal.projectsByGrant ? undefined : principal.role;
  if (granted === undefined) return implied;
  const cap = principal.userRole === undefined ? undefined : principal.role;
  const raised = implied === undefined ? granted : higherRole(implied, granted);
  return cap === undefined ? raised : roleAtMost(raised, cap);
}

/** The principal with its best role in any project (organization role included). */
export function atBest(principal: Principal): Principal {
  const granted = Object.keys(principal.projectRoles ?? {}).map((id) => roleInProject(principal, Number(id)));
  const role = granted.reduce<Role>((best, next) => (next ? higherRole(best, next) : best), principal.role);
  return role === principal.role ? principal : { ...principal, role };
}

/**
 * The principal as it acts in a project, or undefined without access to it: its role is its role
 * there and no grant raises it further, so checks made with it judge that project alone.
 */
export function inProject(principal: Principal, projectId: number): Principal | undefined {
  const role = roleInProject(principal, projectId);
  if (role === undefined) return undefined;
  if (principal.projectRoles === undefined && !principal.projectsByGrant) return principal;
  const { projectRoles: _grants, projectsByGrant: _byGrant, ...acting } = principal;
  return { ...acting, role };
}
