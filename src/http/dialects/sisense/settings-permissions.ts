import type { RoutePermissions } from '../../kit/route-permissions.ts';

/** Email server settings: the organization's admin action, as the core checks it. */
export const settingsPermissions: RoutePermissions = {
  'GET /sisense/api/v1/settings/email_server': 'organization.manage',
  'POST /sisense/api/v1/settings/email_server': 'organization.manage',
  'PATCH /sisense/api/v1/settings/email_server': 'organization.manage',
  'DELETE /sisense/api/v1/settings/email_server': 'organization.manage',
};
