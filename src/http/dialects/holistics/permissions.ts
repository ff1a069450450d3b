import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * The Holistics face's permission table (see kit/route-permissions.ts): each part of the face
 * declares its rows by operation id (`permissionsByOperation`), with the same actions as the
 * native routes doing the same thing.
 */
export const holisticsPermissions: RoutePermissions = {};
