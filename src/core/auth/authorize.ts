import { RosettaError } from '../errors.ts';
import { type Action, actions } from './actions.ts';
import { type Principal, roleAtLeast } from './principal.ts';

/** What an action is taken on, as far as permissions care: what it reads. */
export interface AuthorizedResource {
  dataSourceIds: readonly number[];
  /** True when it also reads warehouse tables or SQL that are no data source. */
  readsOtherTables?: boolean;
}

/**
 * Whether a principal restricted to some data sources (a data-API key) may reach a resource:
 * it must read only data sources, all of them among the key's. Unrestricted principals reach all.
 */
export function inScope(principal: Principal, resource: AuthorizedResource): boolean {
  const allowed = principal.dataSourceIds;
  if (allowed === undefined) return true;
  const { dataSourceIds, readsOtherTables } = resource;
  return !readsOtherTables && dataSourceIds.length > 0 && dataSourceIds.every((id) => allowed.includes(id));
}

export function can(principal: Principal, action: Action, resource?: AuthorizedResource): boolean {
  const rule = actions[action];
  if (!(rule.credentials as readonly string[]).includes(principal.kind)) return false;
  if (!roleAtLeast(principal.role, rule.role)) return false;
  return resource === undefined || inScope(principal, resource);
}

/** The one permission check of Rosetta: ERR_FORBIDDEN naming what the caller may not do. */
export function authorize(principal: Principal, action: Action, resource?: AuthorizedResource): void {
  if (can(principal, action)) {
    if (resource === undefined || inScope(principal, resource)) return;
    const outside = resource.dataSourceIds.filter((id) => !principal.dataSourceIds?.includes(id));
    throw new RosettaError(
      'ERR_FORBIDDEN',
      outside.length > 0
        ? `not allowed to read the data source(s) ${outside.join(', ')} with this key`
        : 'not allowed to read this with a key restricted to data sources',
      'source',
    );
  }
  const rule = actions[action];
  const why = (rule.credentials as readonly string[]).includes(principal.kind)
    ? `needs the ${rule.role} role`
    : `not with ${credentialNames[principal.kind]}`;
  throw new RosettaError('ERR_FORBIDDEN', `not allowed to ${rule.label} (${why})`);
}

const credentialNames: Record<Principal['kind'], string> = {
  session: 'a session',
  apiKey: 'an API key',
  script: "a script run's key",
  dataKey: 'a data-API key',
  embed: 'an embed link',
};
