import type { RoutePermissions } from '../../kit/route-permissions.ts';

const comments = '/lightdash/api/v1/comments/dashboards/:dashboardUuid';

/**
 * The rows of the comment and notification routes (`comments.ts`, `notifications.ts`): whoever
 * sees a dashboard reads its comments and is notified of them; commenting, resolving and deleting
 * are `comment.create` (the core leaves others' comments to who may edit the dashboard).
 */
export const commentPermissions: RoutePermissions = {
  [`POST ${comments}/:dashboardTileUuid`]: 'comment.create',
  [`GET ${comments}`]: 'dashboard.view',
  [`PATCH ${comments}/:commentId`]: 'comment.create',
  [`DELETE ${comments}/:commentId`]: 'comment.create',
  'GET /lightdash/api/v1/notifications': 'dashboard.view',
  'PATCH /lightdash/api/v1/notifications/:notificationId': 'dashboard.view',
};
