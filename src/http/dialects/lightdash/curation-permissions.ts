import type { RoutePermissions } from '../../kit/route-permissions.ts';

const v1 = '/lightdash/api/v1';
const project = `${v1}/projects/:projectUuid`;
const pinnedList = `${project}/pinned-lists/:pinnedListUuid/items`;

/**
 * The rows of content organisation and health (`pins.ts`, `tags.ts`, `search.ts`,
 * `validation.ts`, `content-as-code.ts`, `deploy.ts`): pinning, tagging and uploading content is
 * editing it; validating content and deploying explores change or check models, a developer's
 * part as in Lightdash (`manage Validation`) and on the native model routes.
 */
export const curationPermissions: RoutePermissions = {
  [`GET ${pinnedList}`]: 'dashboard.view',
  [`PATCH ${pinnedList}/order`]: 'dashboard.edit',
  [`PATCH ${v1}/saved/:chartUuid/pinning`]: 'dashboard.edit',
  [`PATCH ${v1}/dashboards/:dashboardUuid/pinning`]: 'dashboard.edit',
  [`PATCH ${project}/spaces/:spaceUuid/pinning`]: 'dashboard.edit',

  [`GET ${project}/tags`]: 'dashboard.view',
  [`POST ${project}/tags`]: 'dashboard.edit',
  [`PATCH ${project}/tags/:tagUuid`]: 'dashboard.edit',
  [`DELETE ${project}/tags/:tagUuid`]: 'dashboard.edit',

  [`GET ${project}/search/:query`]: 'dashboard.view',
  [`GET ${project}/most-popular-and-recently-updated`]: 'dashboard.view',

  [`POST ${project}/validate`]: 'model.manage',
  [`GET ${project}/validate`]: 'model.manage',

  [`GET ${project}/charts/code`]: 'dashboard.view',
  [`GET ${project}/dashboards/code`]: 'dashboard.view',
  [`POST ${project}/charts/:slug/code`]: 'dashboard.edit',
  [`POST ${project}/dashboards/:slug/code`]: 'dashboard.edit',

  [`PUT ${project}/explores`]: 'model.manage',
};
