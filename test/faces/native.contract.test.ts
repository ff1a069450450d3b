import { nativePermissions } from '../../src/http/native/permissions.ts';
import { describeFaceContract } from './contract.ts';

/** The native API passes the contract every face passes. */
describeFaceContract({
  name: 'native',
  permissions: nativePermissions,
  prefixes: ['/api'],
  credential: (secret) => ({ authorization: `Bearer ${secret}` }),
  errorMessage: (body) => {
    const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
    const shaped =
      typeof error?.code === 'string' &&
      typeof error.reason === 'string' &&
      (error.field === undefined || typeof error.field === 'string') &&
      Object.keys(error).every((key) => ['code', 'reason', 'message', 'field'].includes(key));
    return shaped && typeof error.message === 'string' ? error.message : undefined;
  },
  ids: (fixture) => ({
    'data-sources': fixture.source,
    dashboards: fixture.dashboard,
    folders: fixture.folder,
    groups: fixture.group,
    users: fixture.user,
  }),
  missingId: '00000000-0000-4000-8000-000000000000',
  lists: [
    '/api/users',
    '/api/groups',
    '/api/attributes',
    '/api/api-keys',
    '/api/audit',
    '/api/connections',
    '/api/data-sources',
    '/api/models',
    '/api/folders',
    '/api/dashboards',
    '/api/charts',
    '/api/jobs',
    '/api/schedules',
    '/api/alerts',
    '/api/outbox',
    '/api/trash',
    '/api/me/favourites',
  ],
  itemsOf: (body) => (body as { items?: unknown }).items,
  paged: true,
});
