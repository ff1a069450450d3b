import { forbidden } from '../errors.ts';

/** The role lattice: each role can do everything the ones before it can. */
export const roles = ['viewer', 'interactive_viewer', 'editor', 'developer', 'admin'] as const;
export type Role = (typeof roles)[number];

export const isRole = (value: unknown): value is Role => roles.includes(value as Role);

export const roleAtLeast = (role: Role, minimum: Role): boolean =>
  roles.indexOf(role) >= roles.indexOf(minimum);

/** Typed user attributes, user and group values merged: key → values. */
export type Attributes = Record<string, string[]>;

/** Who is calling: resolved once per request by the auth service, passed to every core call. */
export interface Principal {
  kind: 'user' | 'embed' | 'script';
  userId: number;
  userUuid: string;
  email: string;
  organizationId: number;
  projectId: number;
  role: Role;
  groupIds: number[];
  attributes: Attributes;
  /** Set when the caller used an API key. */
  apiKeyId?: number;
  /** When set, the caller may only query these data sources (data-API keys, embeds). */
  dataSourceIds?: number[];
  /** When set, the caller is an embed limited to this dashboard. */
  embedDashboardId?: number;
  /** Embed and script credentials expire; checked on every request. */
  expiresAt?: Date;
}

export function requireRole(principal: Principal, minimum: Role, action: string): void {
  if (!roleAtLeast(principal.role, minimum)) throw forbidden(action);
}
