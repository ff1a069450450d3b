import type { RoutePermissions } from '../../kit/route-permissions.ts';
import { peripheralRoutes } from './peripheral.ts';

/**
 * The peripheral endpoints' rows, from their table in peripheral.ts: reads of what does not exist
 * here take a viewer's action, writes the admin action of the nearest native concept (LDAP and
 * SSO: the directory; settings, plug-ins, custom data: the organization; OAuth: connections).
 */
export const peripheralPermissions: RoutePermissions = Object.fromEntries(
  peripheralRoutes.map(({ method, path, rule }) => [`${method} /sisense/api/v1${path}`, rule]),
);
