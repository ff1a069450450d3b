import { holisticsPermissions } from '../../src/http/dialects/holistics/permissions.ts';
import { NO_RATE_LIMITS } from '../holistics/support.ts';
import { describeFaceContract } from './contract.ts';

/** The Holistics face passes the contract every face passes. */
describeFaceContract({
  name: 'Holistics',
  permissions: holisticsPermissions,
  prefixes: ['/holistics/api'],
  credential: (secret) => ({ 'x-holistics-key': secret }),
  errorMessage: (body) => {
    // Holistics' `BaseError`: `{type, message, details?}`.
    const { type, message } = (body ?? {}) as { type?: unknown; message?: unknown };
    return typeof type === 'string' && typeof message === 'string' ? message : undefined;
  },
  ids: (fixture) => ({
    users: fixture.numeric.user,
    groups: fixture.numeric.group,
    dashboards: fixture.numeric.dashboard,
    data_sources: fixture.numeric.source,
    data_sets: fixture.numeric.source,
  }),
  missingId: '999999999',
  lists: ['/holistics/api/v2/users', '/holistics/api/v2/groups', '/holistics/api/v2/dashboards'],
  // Users_List also answers `groups` (an object by id), Groups_List `users`: the list is the array.
  itemsOf: (body) => {
    const { users, groups, dashboards } = body as Record<string, unknown>;
    return [users, groups, dashboards].find(Array.isArray);
  },
  // The documented quotas would turn the suite's hundreds of hostile bodies into 429s.
  env: NO_RATE_LIMITS,
});
