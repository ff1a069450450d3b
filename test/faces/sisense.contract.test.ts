import { sisensePermissions } from '../../src/http/dialects/sisense/permissions.ts';
import { describeFaceContract } from './contract.ts';

interface SisenseErrorBody {
  error?: { code?: unknown; message?: unknown; status?: unknown };
}

/** The Sisense face passes the contract every face passes. */
describeFaceContract({
  name: 'Sisense',
  permissions: sisensePermissions,
  prefixes: ['/sisense/api', '/sisense/engine'],
  credential: (secret) => ({ authorization: `Bearer ${secret}` }),
  errorMessage: (body) => {
    // Sisense's REST envelope: `{error: {code, message, status, httpMessage}}`.
    const { error } = (body ?? {}) as SisenseErrorBody;
    if (typeof error?.status !== 'number' || typeof error.code !== 'number') return undefined;
    return typeof error.message === 'string' ? error.message : undefined;
  },
  ids: (fixture) => ({
    users: fixture.hex.user,
    groups: fixture.hex.group,
    dashboards: fixture.hex.dashboard,
    folders: fixture.hex.folder,
    datasets: fixture.hex.source,
    datasources: encodeURIComponent(fixture.sourceName),
    localhost: encodeURIComponent(fixture.sourceName),
  }),
  missingId: '0123456789abcdef01234567',
  lists: [
    '/sisense/api/v1/users',
    '/sisense/api/v1/groups',
    '/sisense/api/v1/dashboards',
    '/sisense/api/v1/folders',
    '/sisense/api/v1/datasets',
    '/sisense/api/v1/connection',
    '/sisense/api/v1/alerts',
    '/sisense/api/datasources',
  ],
  itemsOf: (body) => body,
});
