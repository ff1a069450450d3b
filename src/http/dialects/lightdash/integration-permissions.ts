import type { RoutePermissions } from '../../kit/route-permissions.ts';

const v1 = '/lightdash/api/v1';

/**
 * The rows of the integration routes (`integrations.ts`), with the action the same change would
 * take in Rosetta: exporting results, the organization's settings, models, the project.
 */
export const integrationPermissions: RoutePermissions = {
  [`POST ${v1}/gdrive/upload-gsheet`]: 'dashboard.export',
  [`GET ${v1}/gdrive/get-access-token`]: 'dashboard.export',
  [`PUT ${v1}/slack/custom-settings`]: 'organization.manage',
  [`POST ${v1}/projects/:projectUuid/git-integration/pull-requests/custom-metrics`]: 'model.manage',
  [`GET ${v1}/github/oauth/callback`]: 'public',
  [`PATCH ${v1}/projects/:projectUuid/semantic-layer-connection`]: 'project.manage',
  [`POST ${v1}/projects/:projectUuid/createPreview`]: 'model.manage',
  [`PATCH ${v1}/projects/:projectUuid/metadata`]: 'project.manage',
  [`POST ${v1}/user/warehouseCredentials`]: 'profile.edit',
  [`PATCH ${v1}/user/warehouseCredentials/:uuid`]: 'profile.edit',
  [`PUT ${v1}/org`]: 'profile.edit',
};
