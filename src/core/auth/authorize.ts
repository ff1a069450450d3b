import { RosettaError } from '../errors.ts';
import { type Action, actions, projectActions } from './actions.ts';
import { atBest, inProject, type Principal, roleAtLeast } from './principal.ts';

/** What an action is taken on, as far as permissions care: what it reads. */
export interface AuthorizedResource {
  /** The data sources it reads; absent when it reads none (content, schedules). */
  dataSourceIds?: readonly number[];
  /** True when it also reads warehouse tables or SQL that are no data source. */
  readsOtherTables?: boolean;
  /** The project it belongs to: the principal acts with its role there (`roleInProject`). */
  projectId?: number;
}

/**
 * Whether a principal restricted to some data sources (a data-API key) may reach a resource:
 * it must read only data sources, all of them among the key's. Unrestricted principals reach all.
 */
export function inScope(principal: Principal, resource: AuthorizedResource): boolean {
  const allowed = principal.dataSourceIds;
  const { dataSourceIds, readsOtherTables } = resource;
  if (allowed === undefined || dataSourceIds === undefined) return true;
  return !readsOtherTables && dataSourceIds.length > 0 && dataSourceIds.every((id) => allowed.includes(id));
}

/**
 * The principal as it acts: with its role in the resource's project; for an action of projects
 * checked before its project is known, with its best role in any project (`projectActions`).
 */
function actingOn(
  principal: Principal,
  action: Action,
  resource?: AuthorizedResource,
): Principal | undefined {
  if (resource?.projectId !== undefined) return inProject(principal, resource.projectId);
  return projectActions.has(action) ? atBest(principal) : principal;
}

export function can(principal: Principal, action: Action, resource?: AuthorizedResource): boolean {
  const rule = actions[action];
  const acting = actingOn(principal, action, resource);
  if (!acting) return false;
  if (!(rule.credentials as readonly string[]).includes(acting.kind)) return false;
  if (!roleAtLeast(acting.role, rule.role)) return false;
  return resource === undefined || inScope(acting, resource);
}

/** The one permission check of Rosetta: ERR_FORBIDDEN naming what the caller may not do. */
export function authorize(principal: Principal, action: Action, resource?: AuthorizedResource): void {
  const acting = actingOn(principal, action, resource);
  if (!acting)
    throw new RosettaError(
      'ERR_FORBIDDEN',
      `not allowed to ${actions[action].label} (no access to this project)`,
    );
  if (can(acting, action)) {
    if (resource === undefined || inScope(acting, resource)) return;
    const outside = (resource.dataSourceIds ?? []).filter((id) => !acting.dataSourceIds?.includes(id));
    throw new RosettaError(
      'ERR_FORBIDDEN',
      outside.length > 0
        ? `not allowed to read the data source(s) ${outside.join(', ')} with this key`
        : 'not allowed to read this with a key restricted to data sources',
      'source',
    );
  }
  const rule = actions[action];
  const why = (rule.credentials as readonly string[]).includes(acting.kind)
    ? `needs the ${rule.role} role`
    : `not with ${credentialNames[acting.kind]}`;
  throw new RosettaError('ERR_FORBIDDEN', `not allowed to ${rule.label} (${why})`);
}

const credentialNames: Record<Principal['kind'], string> = {
  session: 'a session',
  apiKey: 'an API key',
  script: "a script run's key",
  dataKey: 'a data-API key',
  embed: 'an embed link',
};
