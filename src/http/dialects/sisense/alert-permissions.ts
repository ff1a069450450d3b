import type { RoutePermissions } from '../../kit/route-permissions.ts';

/** Alerts, with the native `/api/alerts` routes' action. */
export const alertPermissions: RoutePermissions = {
  'GET /sisense/api/v1/alerts': 'schedule.manage',
  'GET /sisense/api/v1/alerts/count': 'schedule.manage',
  'GET /sisense/api/v1/alerts/:id': 'schedule.manage',
  'POST /sisense/api/v1/alerts': 'schedule.manage',
  'PATCH /sisense/api/v1/alerts/:id': 'schedule.manage',
  'PATCH /sisense/api/v1/alerts/:id/setReceiveNotification': 'schedule.manage',
  'DELETE /sisense/api/v1/alerts/:id': 'schedule.manage',
};
