import type { RoutePermissions } from '../../kit/route-permissions.ts';

const v1 = '/lightdash/api/v1';

/**
 * The rows of `content-extras.ts` and `content-listing.ts`: reading counts and filter targets is
 * viewing content; a dashboard's picture or CSV bundle is an export of it, as on the native
 * `POST /api/exports`; an export's file is its job's, which only the job's owner (or an admin) follows.
 */
export const contentExtrasPermissions: RoutePermissions = {
  [`GET ${v1}/saved/:chartUuid/views`]: 'dashboard.view',
  [`GET ${v1}/dashboards/:dashboardUuid/views`]: 'dashboard.view',
  [`GET ${v1}/saved/:chartUuid/availableFilters`]: 'dashboard.view',
  [`POST ${v1}/dashboards/availableFilters`]: 'dashboard.view',
  [`POST ${v1}/dashboards/:dashboardUuid/export`]: 'dashboard.export',
  [`POST ${v1}/dashboards/:dashboardUuid/exportCsv`]: 'dashboard.export',
  [`GET ${v1}/projects/:projectUuid/csv/:nanoId`]: 'job.own',
  [`GET ${v1}/projects/:projectUuid/exports/:fileId`]: 'job.own',
  'GET /lightdash/api/v2/content': 'dashboard.view',
};
