import type { RoutePermissions } from '../../kit/route-permissions.ts';

const v1 = '/lightdash/api/v1';

/**
 * The rows of promotion (`promotion.ts`): a developer's right, as changing models is; the
 * copies upstream are then checked as any edit of content there.
 */
export const promotionPermissions: RoutePermissions = {
  [`POST ${v1}/saved/:chartUuid/promote`]: 'model.manage',
  [`GET ${v1}/saved/:chartUuid/promoteDiff`]: 'model.manage',
  [`POST ${v1}/dashboards/:dashboardUuid/promote`]: 'model.manage',
  [`GET ${v1}/dashboards/:dashboardUuid/promoteDiff`]: 'model.manage',
};
