import type { RoutePermissions } from '../../kit/route-permissions.ts';

const runner = '/lightdash/api/v1/projects/:projectUuid/sqlRunner';

/**
 * The rows of the SQL runner's hidden controller (`sql-runner.ts`, `sql-runner-saved.ts`) with the
 * native routes' actions: browsing and running the warehouse is `sql.run`; a virtual view is a
 * SQL data source (`source.manage`); saved SQL charts are content, read with `dashboard.view`
 * and written with `dashboard.edit` (the core also asks `query.sql` of whoever writes their SQL);
 * writing back to dbt is a model change.
 */
export const sqlRunnerPermissions: RoutePermissions = {
  [`GET ${runner}/tables`]: 'sql.run',
  [`GET ${runner}/fields`]: 'sql.run',
  [`POST ${runner}/runPivotQuery`]: 'sql.run',
  [`POST ${runner}/refresh-catalog`]: 'sql.run',
  [`GET ${runner}/saved/:uuid`]: 'dashboard.view',
  [`GET ${runner}/saved/slug/:slug`]: 'dashboard.view',
  [`POST ${runner}/saved`]: 'dashboard.edit',
  [`PATCH ${runner}/saved/:uuid`]: 'dashboard.edit',
  [`DELETE ${runner}/saved/:uuid`]: 'dashboard.edit',
  [`POST ${runner}/virtual-view`]: 'source.manage',
  [`PUT ${runner}/virtual-view/:name`]: 'source.manage',
  [`DELETE ${runner}/virtual-view/:name`]: 'source.manage',
  [`POST ${runner}/preview`]: 'model.manage',
  [`POST ${runner}/pull-request`]: 'model.manage',
};
