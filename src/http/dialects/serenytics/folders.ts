import { Type } from 'typebox';
import type { Services } from '../../../app.ts';
import { validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import { listOf } from './source-json.ts';

/**
 * `/api/folder`. Rosetta's folders hold dashboards, so they are Serenytics `webapp` folders;
 * data sources and scripts are not filed in folders yet, and creating such folders says so.
 */
export function registerFolderRoutes(app: App, services: Services): void {
  const { folders } = services.content;

  app.get('/folder', async (request) =>
    listOf(
      (await folders.list(principalOf(request))).map((folder) => ({
        uuid: folder.uuid,
        name: folder.name,
        resource_type: 'webapp',
        parent_uuid: folder.parentUuid,
        created_at: folder.createdAt,
      })),
    ),
  );
  app.post(
    '/folder',
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1 }), resource_type: Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
      },
    },
    async (request, reply) => {
      const { name, resource_type: resourceType = 'webapp' } = request.body;
      if (resourceType !== 'webapp')
        throw validationError('resource_type', 'only "webapp" folders are supported (dashboards)');
      const folder = await folders.create(principalOf(request), { name });
      return reply.status(201).send({
        uuid: folder.uuid,
        name: folder.name,
        resource_type: 'webapp',
        created_at: folder.createdAt,
      });
    },
  );
}
