import { Type } from 'typebox';
import type { Services } from '../../../app.ts';
import type { Folder, FolderKind } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import { listOf } from './source-json.ts';

/** Serenytics `resource_type` ↔ the kind of a core folder. */
const kindOf: Record<string, FolderKind> = {
  webapp: 'dashboard',
  datasource: 'data_source',
  script: 'script',
};
const resourceTypeOf = Object.fromEntries(Object.entries(kindOf).map(([type, kind]) => [kind, type]));

const folderJson = (folder: Folder) => ({
  uuid: folder.uuid,
  name: folder.name,
  resource_type: resourceTypeOf[folder.kind],
  parent_uuid: folder.parentUuid,
  created_at: folder.createdAt,
});

/**
 * A data source's or script's `folder_uuid` as a PUT body names it: undefined when absent,
 * null to take the item out of its folder.
 */
export function folderUuidOf(body: Record<string, unknown>): string | null | undefined {
  const value = body.folder_uuid;
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value === '')
    throw validationError('folder_uuid', 'must be a folder uuid');
  return value;
}

/** `/api/folder`: core folders of the three kinds Serenytics files things in. */
export function registerFolderRoutes(app: App, services: Services): void {
  const { folders } = services.content;

  app.get('/folder', async (request) => listOf((await folders.list(principalOf(request))).map(folderJson)));
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
      const kind = kindOf[resourceType];
      if (!kind) throw validationError('resource_type', `must be one of ${Object.keys(kindOf).join(', ')}`);
      const folder = await folders.create(principalOf(request), { name, kind });
      return reply.status(201).send(folderJson(folder));
    },
  );
}
