import { Type } from 'typebox';
import type { Organization, Project } from '../../../core/directory/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import { organizationProject, PROJECT_TYPE } from './shapes.ts';

const ProjectUuid = Type.Object({ projectUuid: Type.String({ maxLength: 64 }) });
const SchedulerSettings = Type.Object({ schedulerTimezone: Type.String({ maxLength: 100 }) });
/**
 * `CreateProject`: only the name means something to Rosetta, whose data lives in connections of
 * its own; the dbt and warehouse settings the CLI sends are accepted and not kept.
 */
export const NewProject = Type.Object({
  name: Type.String({ maxLength: 200 }),
  type: Type.Optional(Type.String()),
  dbtVersion: Type.Optional(Type.String()),
  dbtConnection: Type.Optional(Type.Unknown()),
  warehouseConnection: Type.Optional(Type.Unknown()),
  upstreamProjectUuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** `Project` (spec §2.0.2): Rosetta keeps no dbt or warehouse settings per project, so none are shown. */
export const projectJson = (
  project: Project,
  organization: Organization,
  upstream: Project | null = null,
) => ({
  projectUuid: project.uuid,
  organizationUuid: organization.uuid,
  name: project.name,
  type: PROJECT_TYPE,
  createdByUserUuid: null,
  ...(upstream && { upstreamProjectUuid: upstream.uuid }),
  schedulerTimezone: project.schedulerTimezone,
  dbtVersion: 'v1.7',
  dbtConnection: { type: 'none' },
  // One pinned list per project, named by the project's uuid (pins.ts).
  pinnedListUuid: project.uuid,
});

/** Projects are Rosetta projects, read and managed through the core; the default one lists first. */
export function registerProjectRoutes(app: App, services: Pick<Services, 'directory'>): void {
  const { directory } = services;

  app.get('/v1/org/projects', async (request) => {
    const principal = principalOf(request);
    const projects = await directory.projects.list(principal);
    const ordered = [...projects.filter((p) => p.isDefault), ...projects.filter((p) => !p.isDefault)];
    const upstreams = await Promise.all(
      ordered.map((project) => directory.projects.upstreamOf(principal, project.id)),
    );
    return ok(ordered.map((project, index) => organizationProject(project, upstreams[index])));
  });

  app.post('/v1/org/projects', { schema: { body: NewProject } }, async (request) => {
    const principal = principalOf(request);
    const project = await directory.projects.create(principal, { name: request.body.name });
    return ok({
      project: projectJson(project, await directory.getOrganization(principal)),
      hasContentCopy: false,
    });
  });

  app.delete('/v1/org/projects/:projectUuid', { schema: { params: ProjectUuid } }, async (request) => {
    const principal = principalOf(request);
    const project = await directory.projects.getByUuid(principal, request.params.projectUuid);
    await directory.projects.delete(principal, project.id);
    return ok();
  });

  app.get('/v1/projects/:projectUuid', { schema: { params: ProjectUuid } }, async (request) => {
    const principal = principalOf(request);
    const [project, organization] = await Promise.all([
      directory.projects.getByUuid(principal, request.params.projectUuid),
      directory.getOrganization(principal),
    ]);
    const upstream = await directory.projects.upstreamOf(principal, project.id);
    return ok(projectJson(project, organization, upstream));
  });

  // The core moves the project's schedulers still in the old default zone along with it.
  app.patch(
    '/v1/projects/:projectUuid/schedulerSettings',
    { schema: { params: ProjectUuid, body: SchedulerSettings } },
    async (request) => {
      const principal = principalOf(request);
      const project = await directory.projects.getByUuid(principal, request.params.projectUuid);
      await directory.projects.setSchedulerTimezone(principal, project.id, request.body);
      return ok();
    },
  );

  // Rosetta has no personal warehouse credentials, so no project has one chosen: no `results`.
  app.get(
    '/v1/projects/:projectUuid/user-credentials',
    { schema: { params: ProjectUuid } },
    async (request) => {
      await directory.projects.getByUuid(principalOf(request), request.params.projectUuid);
      return ok();
    },
  );
}
