import type { RoutePermissions } from '../../kit/route-permissions.ts';

const project = '/lightdash/api/v1/projects/:projectUuid';

/**
 * The rows of the project lifecycle routes (`project-lifecycle.ts`, `project-exposures.ts`,
 * `field-search.ts`), with the core's actions: creating or renaming a project is an admin's
 * (`project.manage`, as `POST /org/projects`); compiling, which checks the models, and choosing
 * the tables the explore list offers are a developer's, as models are; a compile job is followed
 * by its owner; reading the catalog or the exposures is reading the models (the exposures list
 * only content the caller sees); a value search is an ad-hoc query.
 */
export const projectLifecyclePermissions: RoutePermissions = {
  'POST /lightdash/api/v1/org/projects/precompiled': 'project.manage',
  [`PATCH ${project}`]: 'project.manage',
  [`POST ${project}/refresh`]: 'model.manage',
  'GET /lightdash/api/v1/jobs/:jobUuid': 'job.own',
  [`GET ${project}/tablesConfiguration`]: 'model.read',
  [`PATCH ${project}/tablesConfiguration`]: 'model.manage',
  [`GET ${project}/dbt-exposures`]: 'model.read',
  [`GET ${project}/catalog`]: 'model.read',
  [`POST ${project}/field/:fieldId/search`]: 'query.adhoc',
};
