import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * The rows of `account.ts`. One's own email, setup and password are `profile.edit` (any member,
 * signed in or by key); the organization's self-join domains are its admins' to change, as its
 * name is; invitations are user management. A reset link and an invite code are themselves the
 * credential, so their routes are public.
 */
export const accountPermissions: RoutePermissions = {
  'PUT /lightdash/api/v1/user/me/email/otp': 'profile.edit',
  'GET /lightdash/api/v1/user/me/email/status': 'profile.edit',
  'POST /lightdash/api/v1/user/me/joinOrganization/:organizationUuid': 'profile.edit',
  'PATCH /lightdash/api/v1/user/me/complete': 'profile.edit',
  'GET /lightdash/api/v1/org/allowedEmailDomains': 'directory.read',
  'PATCH /lightdash/api/v1/org/allowedEmailDomains': 'organization.manage',
  'GET /lightdash/api/v1/user/password': 'profile.edit',
  'POST /lightdash/api/v1/user/password': 'profile.edit',
  'POST /lightdash/api/v1/user/password/reset': 'public',
  'POST /lightdash/api/v1/invite-links': 'directory.manage',
  'GET /lightdash/api/v1/invite-links/:inviteCode': 'public',
  'DELETE /lightdash/api/v1/invite-links': 'directory.manage',
};
