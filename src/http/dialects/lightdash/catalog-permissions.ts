import type { RoutePermissions } from '../../kit/route-permissions.ts';

const catalog = '/lightdash/api/v1/projects/:projectUuid/dataCatalog';

/**
 * The rows of the catalog routes (`catalog.ts`): reading the catalog is reading the models;
 * labelling its items with the project's tags or an icon is an editor's, as tags are.
 */
export const catalogPermissions: RoutePermissions = {
  [`GET ${catalog}`]: 'model.read',
  [`GET ${catalog}/metrics`]: 'model.read',
  [`GET ${catalog}/:table/metadata`]: 'model.read',
  [`GET ${catalog}/:table/analytics`]: 'model.read',
  [`GET ${catalog}/:table/analytics/:field`]: 'model.read',
  [`POST ${catalog}/:catalogSearchUuid/categories`]: 'dashboard.edit',
  [`DELETE ${catalog}/:catalogSearchUuid/categories/:tagUuid`]: 'dashboard.edit',
  [`PATCH ${catalog}/:catalogSearchUuid/icon`]: 'dashboard.edit',
};
