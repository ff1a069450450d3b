import type { RoutePermissions } from '../../kit/route-permissions.ts';
import { accountPermissions } from './account-permissions.ts';
import { catalogPermissions } from './catalog-permissions.ts';
import { commentPermissions } from './comment-permissions.ts';
import { contentExtrasPermissions } from './content-extras-permissions.ts';
import { contentPermissions } from './content-permissions.ts';
import { curationPermissions } from './curation-permissions.ts';
import { identityPermissions } from './identity-permissions.ts';
import { integrationPermissions } from './integration-permissions.ts';
import { projectAccessPermissions } from './project-access-permissions.ts';
import { projectLifecyclePermissions } from './project-lifecycle-permissions.ts';
import { promotionPermissions } from './promotion-permissions.ts';
import { queryPermissions } from './query-permissions.ts';
import { schedulerPermissions } from './scheduler-permissions.ts';
import { sqlRunnerPermissions } from './sql-runner-permissions.ts';

/**
 * The Lightdash face's permission table (see kit/route-permissions.ts): each part of the face
 * declares its own rows, with the same actions as the native routes doing the same thing.
 */
export const lightdashPermissions: RoutePermissions = {
  ...identityPermissions,
  ...accountPermissions,
  ...projectAccessPermissions,
  ...projectLifecyclePermissions,
  ...queryPermissions,
  ...contentPermissions,
  ...contentExtrasPermissions,
  ...catalogPermissions,
  ...commentPermissions,
  ...integrationPermissions,
  ...curationPermissions,
  ...schedulerPermissions,
  ...promotionPermissions,
  ...sqlRunnerPermissions,
};
