import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * The rows of the query routes (`query-routes.ts`), with the native routes' actions: reading
 * explores is reading models, every query is an ad-hoc query (compiling one too, as
 * `POST /api/query/sql`), raw SQL is `sql.run`, a CSV download is an export of an ad-hoc query.
 */
export const queryPermissions: RoutePermissions = {
  'GET /lightdash/api/v1/projects/:projectUuid/explores': 'model.read',
  'GET /lightdash/api/v1/projects/:projectUuid/explores/:exploreId': 'model.read',
  'POST /lightdash/api/v1/projects/:projectUuid/explores/:exploreId/compileQuery': 'query.adhoc',
  'POST /lightdash/api/v1/projects/:projectUuid/explores/:exploreId/runQuery': 'query.adhoc',
  'POST /lightdash/api/v1/projects/:projectUuid/explores/:exploreId/runUnderlyingDataQuery': 'query.adhoc',
  'POST /lightdash/api/v1/projects/:projectUuid/calculate-total': 'query.adhoc',
  'POST /lightdash/api/v1/projects/:projectUuid/explores/:exploreId/downloadCsv': 'query.adhoc',
  'GET /lightdash/api/v1/schedulers/job/:jobId/status': 'job.own',
  'POST /lightdash/api/v1/projects/:projectUuid/sqlQuery': 'sql.run',
  'POST /lightdash/api/v1/projects/:projectUuid/sqlRunner/run': 'sql.run',
  'GET /lightdash/api/v1/projects/:projectUuid/sqlRunner/results/:fileId': 'sql.run',
  'POST /lightdash/api/v2/projects/:projectUuid/query/metric-query': 'query.adhoc',
  'GET /lightdash/api/v2/projects/:projectUuid/query/:queryUuid': 'query.adhoc',
  'POST /lightdash/api/v2/projects/:projectUuid/query/:queryUuid/cancel': 'query.adhoc',
};
