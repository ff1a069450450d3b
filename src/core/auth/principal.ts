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
