import type { RoutePermissions } from '../../kit/route-permissions.ts';
import { alertPermissions } from './alert-permissions.ts';
import { connectionPermissions } from './connection-permissions.ts';
import { dashboardPermissions } from './dashboard-permissions.ts';
import { datasetPermissions } from './dataset-permissions.ts';
import { directoryPermissions } from './directory-permissions.ts';
import { jaqlPermissions } from './jaql-permissions.ts';
import { peripheralPermissions } from './peripheral-permissions.ts';
import { settingsPermissions } from './settings-permissions.ts';

/**
 * The Sisense face's permission table (see kit/route-permissions.ts): each part of the face
 * declares its own rows, with the same actions as the native routes doing the same thing.
 */
export const sisensePermissions: RoutePermissions = {
  ...settingsPermissions,
  ...peripheralPermissions,
  ...alertPermissions,
  ...connectionPermissions,
  ...directoryPermissions,
  ...dashboardPermissions,
  ...jaqlPermissions,
  ...datasetPermissions,
  // Unknown GETs under the face: its own 404, whoever asks.
  'GET /sisense/*': 'public',
};
