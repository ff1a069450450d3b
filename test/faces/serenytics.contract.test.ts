import { errorOf } from '../../src/http/dialects/serenytics/envelope.ts';
import { serenyticsPermissions } from '../../src/http/dialects/serenytics/permissions.ts';
import { describeFaceContract } from './contract.ts';

/** The Serenytics face (its REST API and its data API) passes the contract every face passes. */
describeFaceContract({
  name: 'Serenytics',
  permissions: serenyticsPermissions,
  prefixes: ['/serenytics/api', '/serenytics/data-api'],
  credential: (secret) => ({ 'x-api-key': secret }),
  errorMessage: (body) => {
    const errors = (body as { errors?: unknown } | undefined)?.errors;
    const message = Array.isArray(errors) ? errors[0] : undefined;
    if (typeof message !== 'string') return undefined;
    // Exactly Serenytics' envelope, nothing more: its client reads `errors[0]`.
    return JSON.stringify(body) === JSON.stringify(errorOf(message)) ? message : undefined;
  },
  ids: (fixture) => ({
    data_source: fixture.source,
    formatted_data: fixture.source,
    'query-model': fixture.source,
    'query-data': fixture.source,
    web_app: fixture.dashboard,
    usersgroup: fixture.group,
    user: fixture.user,
  }),
  missingId: '00000000-0000-4000-8000-000000000000',
  lists: [
    '/serenytics/api/data_source',
    '/serenytics/api/user',
    '/serenytics/api/usersgroup',
    '/serenytics/api/folder',
    '/serenytics/api/web_app',
    '/serenytics/api/script',
  ],
  itemsOf: (body) => (body as { objects?: unknown }).objects,
});
