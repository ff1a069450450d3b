import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * The JAQL routes (`jaql-routes.ts`), with the native routes' actions: a JAQL query, its CSV,
 * its explanation (the SQL, as `POST /api/query/sql`), its xlsx export and cancelling one's own
 * queries are ad-hoc queries; usage events are sent by anyone viewing dashboards.
 */
export const jaqlPermissions: RoutePermissions = {
  'POST /sisense/api/datasources/:title/jaql': 'query.adhoc',
  'POST /sisense/api/datasources/:title/jaql/csv': 'query.adhoc',
  'POST /sisense/api/datasources/localhost/:title/cancel_queries': 'query.adhoc',
  'POST /sisense/api/v1/elasticubes/:elasticube/jaql/explain': 'query.adhoc',
  'POST /sisense/engine/excelExport': 'query.adhoc',
  'POST /sisense/api/v1/engine/excelExport': 'query.adhoc',
  'POST /sisense/api/activities': 'dashboard.view',
};
