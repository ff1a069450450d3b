import type { RoutePermissions } from '../../kit/route-permissions.ts';

const v1 = '/sisense/api/v1';
const dashboard = `${v1}/dashboards/:id`;
const widgets = `${v1}/dashboards/:dashboardId/widgets`;

/**
 * Rows of the dashboards, widgets, shares, folders and reporting routes, with the native routes'
 * actions: reading is `dashboard.view`, rendering a file `dashboard.export`, any change (shares,
 * publish, owner, import included) `dashboard.edit`, every dashboard `content.admin`, and an
 * emailed report a delivery (`schedule.manage`). The core checks the dashboard's own rights.
 */
export const dashboardPermissions: RoutePermissions = {
  [`GET ${v1}/dashboards/admin`]: 'content.admin',
  [`GET ${v1}/dashboards`]: 'dashboard.view',
  [`POST ${v1}/dashboards`]: 'dashboard.edit',
  [`DELETE ${v1}/dashboards/bulk`]: 'dashboard.edit',
  [`GET ${v1}/dashboards/export`]: 'dashboard.view',
  [`POST ${v1}/dashboards/import`]: 'dashboard.edit',
  [`POST ${v1}/dashboards/import/bulk`]: 'dashboard.edit',
  [`GET ${dashboard}`]: 'dashboard.view',
  [`PATCH ${dashboard}`]: 'dashboard.edit',
  [`DELETE ${dashboard}`]: 'dashboard.edit',
  [`GET ${dashboard}/export/png`]: 'dashboard.export',
  [`GET ${dashboard}/export/pdf`]: 'dashboard.export',
  [`GET ${dashboard}/export/dash`]: 'dashboard.view',
  [`POST ${dashboard}/publish`]: 'dashboard.edit',
  [`POST ${dashboard}/restore`]: 'dashboard.edit',
  [`POST ${dashboard}/undo_Import`]: 'dashboard.edit',
  [`POST ${dashboard}/duplicate`]: 'dashboard.edit',
  [`POST ${dashboard}/change_owner`]: 'dashboard.edit',
  [`GET ${v1}/dashboards/:dashboardId/shares`]: 'dashboard.view',
  'POST /sisense/api/shares/dashboard/:id': 'dashboard.edit',
  [`GET ${widgets}`]: 'dashboard.view',
  [`POST ${widgets}`]: 'dashboard.edit',
  [`GET ${widgets}/:widgetId`]: 'dashboard.view',
  [`PATCH ${widgets}/:widgetId`]: 'dashboard.edit',
  [`DELETE ${widgets}/:widgetId`]: 'dashboard.edit',
  [`GET ${widgets}/:widgetId/export/png`]: 'dashboard.export',
  [`GET ${v1}/folders`]: 'dashboard.view',
  [`POST ${v1}/folders`]: 'dashboard.edit',
  [`GET ${v1}/folders/:id`]: 'dashboard.view',
  [`PATCH ${v1}/folders/:id`]: 'dashboard.edit',
  [`DELETE ${v1}/folders/:id`]: 'dashboard.edit',
  [`GET ${v1}/folders/:id/subtree`]: 'dashboard.view',
  [`GET ${v1}/folders/:id/ancestors`]: 'dashboard.view',
  [`POST ${v1}/reporting`]: 'schedule.manage',
};
