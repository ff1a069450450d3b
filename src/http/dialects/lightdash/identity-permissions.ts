import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * The rows of the account, organization and project routes (`identity.ts`, `organization.ts`,
 * `projects.ts`): the actions of the native routes doing the same thing.
 */
export const identityPermissions: RoutePermissions = {
  'GET /lightdash/api/*': 'public',
  'GET /lightdash/api/v1/health': 'public',
  'GET /lightdash/api/v1/livez': 'public',
  'POST /lightdash/api/v1/login': 'public',
  'POST /lightdash/api/v1/user': 'public',
  'GET /lightdash/api/v1/logout': 'profile.edit',
  'GET /lightdash/api/v1/user': 'directory.read',
  'PATCH /lightdash/api/v1/user/me': 'profile.edit',
  'GET /lightdash/api/v1/user/warehouseCredentials': 'directory.read',
  'GET /lightdash/api/v1/user/me/allowedOrganizations': 'directory.read',
  'GET /lightdash/api/v1/user/me/personal-access-tokens': 'apikey.personal',
  'POST /lightdash/api/v1/user/me/personal-access-tokens': 'apikey.personal',
  'DELETE /lightdash/api/v1/user/me/personal-access-tokens/:personalAccessTokenUuid': 'apikey.personal',
  'PATCH /lightdash/api/v1/user/me/personal-access-tokens/:personalAccessTokenUuid/rotate': 'apikey.own',

  'GET /lightdash/api/v1/org': 'directory.read',
  'PATCH /lightdash/api/v1/org': 'organization.manage',
  'GET /lightdash/api/v1/org/users': 'directory.read',
  'GET /lightdash/api/v1/org/users/:userUuid': 'directory.read',
  'PATCH /lightdash/api/v1/org/users/:userUuid': 'directory.manage',
  'DELETE /lightdash/api/v1/org/user/:userUuid': 'directory.manage',
  'POST /lightdash/api/v1/org/groups': 'directory.manage',
  'GET /lightdash/api/v1/org/groups': 'directory.read',
  'GET /lightdash/api/v1/groups/:groupUuid': 'directory.read',
  'PATCH /lightdash/api/v1/groups/:groupUuid': 'directory.manage',
  'DELETE /lightdash/api/v1/groups/:groupUuid': 'directory.manage',
  'GET /lightdash/api/v1/groups/:groupUuid/members': 'directory.read',
  'PUT /lightdash/api/v1/groups/:groupUuid/members/:userUuid': 'directory.manage',
  'DELETE /lightdash/api/v1/groups/:groupUuid/members/:userUuid': 'directory.manage',
  'GET /lightdash/api/v1/org/attributes': 'directory.manage',
  'POST /lightdash/api/v1/org/attributes': 'directory.manage',
  'PUT /lightdash/api/v1/org/attributes/:userAttributeUuid': 'directory.manage',
  'DELETE /lightdash/api/v1/org/attributes/:userAttributeUuid': 'directory.manage',

  'GET /lightdash/api/v1/org/projects': 'project.read',
  'POST /lightdash/api/v1/org/projects': 'project.manage',
  'DELETE /lightdash/api/v1/org/projects/:projectUuid': 'project.manage',
  'GET /lightdash/api/v1/projects/:projectUuid': 'project.read',
  'GET /lightdash/api/v1/projects/:projectUuid/user-credentials': 'project.read',
  // It rewrites every user's schedulers of the project: the project's admins' setting, as its access is.
  'PATCH /lightdash/api/v1/projects/:projectUuid/schedulerSettings': 'project.access',
};
