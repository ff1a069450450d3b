import type { RoutePermissions } from '../../kit/route-permissions.ts';
import { HOLISTICS_PREFIX, permissionsByOperation } from './routes.ts';

/**
 * Rows of the dataset and job routes, with the native routes' actions: reading a dataset is
 * reading models (`GET /api/models/:id`), deleting one managing them, a dataset query (and its
 * SQL) an ad-hoc query (`POST /api/query`, `/api/query/sql`), jobs are followed as
 * `GET /api/jobs/:id` follows them.
 */
export const datasetPermissions: RoutePermissions = {
  [`GET ${HOLISTICS_PREFIX}/v2/data_sets`]: 'model.read',
  ...permissionsByOperation({
    DataSets_Get: 'model.read',
    DataSets_Delete: 'model.manage',
    DataSets_SubmitQuery: 'query.adhoc',
    DataSets_Sql: 'query.adhoc',
    Jobs_List: 'job.own',
    Jobs_Get: 'job.own',
    Jobs_GetLogs: 'job.own',
    Jobs_GetResult: 'job.own',
  }),
};
