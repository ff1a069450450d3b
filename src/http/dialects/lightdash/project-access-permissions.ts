import type { RoutePermissions } from '../../kit/route-permissions.ts';

/**
 * The rows of the project access routes (`project-access.ts`): managing who holds a role in a
 * project is `project.access`, checked by the core in that project (a project admin by grant passes).
 */
export const projectAccessPermissions: RoutePermissions = {
  'GET /lightdash/api/v1/projects/:projectUuid/access': 'project.access',
  'POST /lightdash/api/v1/projects/:projectUuid/access': 'project.access',
  'GET /lightdash/api/v1/projects/:projectUuid/user/:userUuid': 'project.access',
  'PATCH /lightdash/api/v1/projects/:projectUuid/access/:userUuid': 'project.access',
  'DELETE /lightdash/api/v1/projects/:projectUuid/access/:userUuid': 'project.access',
  'GET /lightdash/api/v1/projects/:projectUuid/groupAccesses': 'project.access',
  'POST /lightdash/api/v1/groups/:groupUuid/projects/:projectUuid': 'project.access',
  'PATCH /lightdash/api/v1/groups/:groupUuid/projects/:projectUuid': 'project.access',
  'DELETE /lightdash/api/v1/groups/:groupUuid/projects/:projectUuid': 'project.access',
};
