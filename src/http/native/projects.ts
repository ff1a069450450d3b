import { Type } from 'typebox';
import type { DirectoryService } from '../../core/directory/index.ts';
import { listReply, NextField, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';

const ProjectView = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  name: Type.String(),
  isDefault: Type.Boolean({ description: 'The project faces without projects use; it cannot be deleted' }),
  schedulerTimezone: Type.String({ description: 'IANA zone of the schedules created without one' }),
  createdAt: Type.String(),
});
const ProjectParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) });
const ProjectName = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'Unique in the organization; trimmed',
});
const NameBody = Type.Object({ name: ProjectName }, { additionalProperties: false });
const ProjectPatch = Type.Object(
  {
    name: Type.Optional(ProjectName),
    schedulerTimezone: Type.Optional(
      Type.String({
        maxLength: 100,
        description: "IANA zone; the project's schedules in the previous one move to it",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * The organization's projects: models, folders, dashboards, charts and schedules belong to one.
 * Every member lists them; admins create, rename and delete them (an empty one, not the default).
 */
export function registerProjectRoutes(
  app: App,
  deps: { directory: Pick<DirectoryService, 'projects'> },
): void {
  const { projects } = deps.directory;
  const one = { 200: ProjectView };

  app.get(
    '/projects',
    {
      schema: {
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Object({ items: Type.Array(ProjectView), ...NextField }) },
      },
    },
    async (request) => listReply(await projects.list(principalOf(request)), request.query),
  );

  app.get('/projects/:id', { schema: { params: ProjectParams, response: one } }, async (request) =>
    projects.get(principalOf(request), Number(request.params.id)),
  );

  app.post(
    '/projects',
    { schema: { body: NameBody, response: { 201: ProjectView } } },
    async (request, reply) =>
      reply.status(201).send(await projects.create(principalOf(request), request.body)),
  );

  app.patch(
    '/projects/:id',
    { schema: { params: ProjectParams, body: ProjectPatch, response: one } },
    async (request) => {
      const principal = principalOf(request);
      const id = Number(request.params.id);
      const { name, schedulerTimezone } = request.body;
      // The zone first: a bad one is refused before the name changes.
      if (schedulerTimezone !== undefined)
        await projects.setSchedulerTimezone(principal, id, { schedulerTimezone });
      return name === undefined ? projects.get(principal, id) : projects.rename(principal, id, { name });
    },
  );

  app.delete('/projects/:id', { schema: { params: ProjectParams } }, async (request, reply) => {
    await projects.delete(principalOf(request), Number(request.params.id));
    return reply.status(204).send();
  });
}
