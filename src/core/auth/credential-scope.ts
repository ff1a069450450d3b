import { type Principal, type Role, roleAtMost } from './principal.ts';

/**
 * What a queued job keeps of the credential that asked for it (exports, query jobs), so a
 * restricted key stays restricted when the job runs, possibly in another process, later.
 */
export interface CredentialScope {
  kind: Principal['kind'];
  role: Role;
  apiKeyId?: number;
  dataSourceIds?: number[];
  embedDashboardId?: number;
}

export function credentialScope(principal: Principal): CredentialScope {
  const scope: CredentialScope = { kind: principal.kind, role: principal.role };
  if (principal.apiKeyId !== undefined) scope.apiKeyId = principal.apiKeyId;
  if (principal.dataSourceIds !== undefined) scope.dataSourceIds = principal.dataSourceIds;
  if (principal.embedDashboardId !== undefined) scope.embedDashboardId = principal.embedDashboardId;
  return scope;
}

/**
 * The principal a job runs as: its owner as they are now (attributes, groups, a lowered role),
 * but never with more than the credential that queued it.
 */
export function actingWithin(owner: Principal, scope: CredentialScope): Principal {
  const role = roleAtMost(owner.role, scope.role);
  const acting: Principal = { ...owner, ...scope, role };
  if (role !== owner.role) acting.userRole = owner.role;
  return acting;
}
