import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * Sign-in, users, groups, roles and account flows, with the native routes' actions. The login and
 * the pre-login account flows are public (the emailed token is the credential), as is the
 * application status.
 */
export const directoryPermissions: RoutePermissions = {
  'POST /sisense/api/v1/authentication/login': 'public',
  // Ending credentials is personal, as the native logout and key routes; the core asks
  // `apikey.all` (admins) for other users' sessions and keys, so a viewer naming another user is refused.
  'GET /sisense/api/v1/authentication/logout': 'profile.edit',
  'GET /sisense/api/v1/authentication/logout_all': 'apikey.own',
  'GET /sisense/api/v1/authentication/admin/logout': 'apikey.own',
  'DELETE /sisense/api/v1/authentication/admin/tokens/:tokenType': 'apikey.own',
  'GET /sisense/api/v1/authentication/tokens/api': 'apikey.own',
  'GET /sisense/api/v1/authentication/server_access': 'organization.manage',
  'POST /sisense/api/v1/authentication/server_access': 'organization.manage',
  'PATCH /sisense/api/v1/authentication/server_access/:id': 'organization.manage',
  'DELETE /sisense/api/v1/authentication/server_access/:id': 'organization.manage',
  'POST /sisense/api/v1/authentication/login_saml_callback': 'public',
  'GET /sisense/api/v1/users': 'directory.read',
  'POST /sisense/api/v1/users': 'directory.manage',
  'POST /sisense/api/v1/users/bulk': 'directory.manage',
  'POST /sisense/api/v1/users/ad': 'directory.manage',
  'GET /sisense/api/v1/users/:id': 'directory.read',
  // The core lets users change their own name and password, admins anything.
  'PATCH /sisense/api/v1/users/:id': 'profile.edit',
  'DELETE /sisense/api/v1/users/:id': 'directory.manage',
  'GET /sisense/api/v1/groups': 'directory.read',
  'POST /sisense/api/v1/groups': 'directory.manage',
  'GET /sisense/api/v1/groups/:id': 'directory.read',
  'PATCH /sisense/api/v1/groups/:id': 'directory.manage',
  'DELETE /sisense/api/v1/groups/:id': 'directory.manage',
  'POST /sisense/api/v1/account/begin_activate': 'public',
  'POST /sisense/api/v1/account/begin_reset_password': 'public',
  'POST /sisense/api/v1/account/begin_activate_bulk': 'public',
  'GET /sisense/api/v1/account/activate/:token': 'public',
  'GET /sisense/api/v1/account/reset_password/:token': 'public',
  'POST /sisense/api/v1/account/activate/:token': 'public',
  'POST /sisense/api/v1/account/reset_password/:token': 'public',
  'GET /sisense/api/v1/account/get_license_info': 'organization.manage',
  'GET /sisense/api/v1/application/status': 'public',
  'GET /sisense/api/roles': 'directory.read',
  'GET /sisense/api/v1/roles': 'directory.read',
  'GET /sisense/api/roles/:id': 'directory.read',
};
