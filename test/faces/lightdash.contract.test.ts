import { lightdashPermissions } from '../../src/http/dialects/lightdash/permissions.ts';
import { describeFaceContract } from './contract.ts';

interface LightdashErrorBody {
  status?: unknown;
  error?: { statusCode?: unknown; name?: unknown; message?: unknown };
}

/** The Lightdash face passes the contract every face passes. */
describeFaceContract({
  name: 'Lightdash',
  permissions: lightdashPermissions,
  prefixes: ['/lightdash/api'],
  credential: (secret) => ({ authorization: `ApiKey ${secret}` }),
  errorMessage: (body) => {
    const { status, error } = (body ?? {}) as LightdashErrorBody;
    // Lightdash's envelope: `{status: 'error', error: {statusCode, name, message, data?}}`.
    if (status !== 'error' || typeof error?.statusCode !== 'number' || typeof error.name !== 'string')
      return undefined;
    return typeof error.message === 'string' ? error.message : undefined;
  },
  ids: (fixture) => ({
    groups: fixture.group,
    users: fixture.user,
    members: fixture.user,
    spaces: fixture.folder,
    dashboards: fixture.dashboard,
  }),
  missingId: '00000000-0000-4000-8000-000000000000',
  lists: [
    '/lightdash/api/v1/org/projects',
    '/lightdash/api/v1/org/users',
    '/lightdash/api/v1/org/groups',
    '/lightdash/api/v1/org/attributes',
  ],
  itemsOf: (body) => {
    const { results } = body as { results?: unknown };
    return Array.isArray(results) ? results : (results as { data?: unknown } | undefined)?.data;
  },
});
