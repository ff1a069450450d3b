import type { RoutePermissions } from '../../kit/route-permissions.ts';
import { contentPermissions } from './content-permissions.ts';
import { identityPermissions } from './identity-permissions.ts';
import { queryPermissions } from './query-permissions.ts';

/**
 * The Lightdash face's permission table (see kit/route-permissions.ts): each part of the face
 * declares its own rows, with the same actions as the native routes doing the same thing.
 */
export const lightdashPermissions: RoutePermissions = {
  ...identityPermissions,
  ...queryPermissions,
  ...contentPermissions,
};
