import { Type } from 'typebox';
import type { Tag } from '../../../core/content/index.ts';
import type { App } from '../../server.ts';
import { type ContentContext, type ContentPorts, contentContext } from './content-context.ts';
import { ok } from './envelope.ts';

const ProjectParams = Type.Object({ projectUuid: Type.String() });
const TagParams = Type.Object({ projectUuid: Type.String(), tagUuid: Type.String() });

/** `Tag` (spec §2.0.6); `createdBy` is blank when the caller may not know of its author. */
async function tagJson(context: ContentContext, tag: Tag) {
  return {
    tagUuid: tag.uuid,
    projectUuid: context.project.uuid,
    name: tag.name,
    color: tag.color,
    createdAt: tag.createdAt,
    createdBy: (await context.updatedByUser(tag.createdBy)) ?? { userUuid: '', firstName: '', lastName: '' },
  };
}

/** Project tags (spec §2.11, `deleteTag` of Appendix A): labels with a colour, kept by the core. */
export function registerTagRoutes(app: App, ports: ContentPorts): void {
  const { tags } = ports.content;

  app.get('/v1/projects/:projectUuid/tags', { schema: { params: ProjectParams } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const listed = await tags.list(context.principal, context.project.id);
    return ok(await Promise.all(listed.map((tag) => tagJson(context, tag))));
  });

  app.post(
    '/v1/projects/:projectUuid/tags',
    {
      schema: {
        params: ProjectParams,
        body: Type.Object({ name: Type.String(), color: Type.String() }),
      },
    },
    async (request, reply) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const tag = await tags.create(context.principal, context.project.id, request.body);
      return reply.status(201).send(ok({ tagUuid: tag.uuid }));
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/tags/:tagUuid',
    {
      schema: {
        params: TagParams,
        body: Type.Object({ name: Type.Optional(Type.String()), color: Type.Optional(Type.String()) }),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      await tags.update(context.principal, context.project.id, request.params.tagUuid, request.body);
      return ok();
    },
  );

  app.delete(
    '/v1/projects/:projectUuid/tags/:tagUuid',
    { schema: { params: TagParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      await tags.delete(context.principal, context.project.id, request.params.tagUuid);
      return ok();
    },
  );
}
