import type { RoutePermissions } from '../../kit/route-permissions.ts';

const v1 = '/lightdash/api/v1';
const space = `${v1}/projects/:projectUuid/spaces/:spaceUuid`;
const saved = `${v1}/saved/:chartUuid`;

/**
 * The rows of the content routes (`spaces.ts`, `charts.ts`, `dashboards.ts`): the actions of the
 * native folder, chart and dashboard routes doing the same. Running a saved chart is an ad-hoc
 * query there (`POST /api/charts/:id/results`), so it is here, as a tile of a dashboard too.
 */
export const contentPermissions: RoutePermissions = {
  [`GET ${v1}/projects/:projectUuid/spaces`]: 'dashboard.view',
  [`POST ${v1}/projects/:projectUuid/spaces`]: 'dashboard.edit',
  [`GET ${space}`]: 'dashboard.view',
  [`PATCH ${space}`]: 'dashboard.edit',
  [`DELETE ${space}`]: 'dashboard.edit',
  [`POST ${space}/share`]: 'dashboard.edit',
  [`DELETE ${space}/share/:userUuid`]: 'dashboard.edit',
  [`POST ${space}/group/share`]: 'dashboard.edit',
  [`DELETE ${space}/group/share/:groupUuid`]: 'dashboard.edit',

  [`GET ${v1}/projects/:projectUuid/charts`]: 'dashboard.view',
  [`GET ${v1}/projects/:projectUuid/chart-summaries`]: 'dashboard.view',
  [`POST ${v1}/projects/:projectUuid/saved`]: 'dashboard.edit',
  [`PATCH ${v1}/projects/:projectUuid/saved`]: 'dashboard.edit',
  [`GET ${saved}`]: 'dashboard.view',
  [`PATCH ${saved}`]: 'dashboard.edit',
  [`DELETE ${saved}`]: 'dashboard.edit',
  [`POST ${saved}/version`]: 'dashboard.edit',
  [`GET ${saved}/history`]: 'dashboard.view',
  [`GET ${saved}/version/:versionUuid`]: 'dashboard.view',
  [`POST ${saved}/version/:versionUuid/results`]: 'dashboard.run',
  [`POST ${saved}/results`]: 'dashboard.run',
  [`POST ${saved}/chart-and-results`]: 'dashboard.run',
  [`POST ${saved}/calculate-total`]: 'dashboard.run',
  [`POST ${saved}/downloadCsv`]: 'query.adhoc',

  [`GET ${v1}/projects/:projectUuid/dashboards`]: 'dashboard.view',
  [`POST ${v1}/projects/:projectUuid/dashboards`]: 'dashboard.edit',
  [`PATCH ${v1}/projects/:projectUuid/dashboards`]: 'dashboard.edit',
  [`GET ${v1}/dashboards/:dashboardUuid`]: 'dashboard.view',
  [`PATCH ${v1}/dashboards/:dashboardUuid`]: 'dashboard.edit',
  [`DELETE ${v1}/dashboards/:dashboardUuid`]: 'dashboard.edit',
};
