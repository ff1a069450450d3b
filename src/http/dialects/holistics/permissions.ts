import type { RoutePermissions } from '../../kit/route-permissions.ts';
import { dashboardPermissions } from './dashboard-permissions.ts';
import { datasetPermissions } from './dataset-permissions.ts';
import { directoryPermissions } from './directory-permissions.ts';
import { schedulePermissions } from './schedule-permissions.ts';
import { sourcePermissions } from './source-permissions.ts';

/**
 * The Holistics face's permission table (see kit/route-permissions.ts): each part of the face
 * declares its rows by operation id (`permissionsByOperation`), with the same actions as the
 * native routes doing the same thing.
 */
export const holisticsPermissions: RoutePermissions = {
  // The kit's catch-all that keeps unknown GETs in the face's envelope (its 404).
  'GET /holistics/api/*': 'public',
  ...dashboardPermissions,
  ...datasetPermissions,
  ...schedulePermissions,
  ...sourcePermissions,
  // Last: the contract walk's viewer revokes its own key at Users_RevokeAuthenticationToken.
  ...directoryPermissions,
};
