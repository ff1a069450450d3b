import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { Folder, FolderItemKind, FolderKind, FolderService } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { derivedUuid, renameFields } from '../../kit/index.ts';
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
 * Serenytics files every object in a folder, and its clients rely on it (the doc's backup script
 * reads the folder of each object). What Rosetta leaves unfiled is shown in its kind's `home`
 * folder, which exists in this face only: filing an item there takes it out of its core folder.
 */
export function homeFolderUuid(organizationId: number, kind: FolderKind): string {
  return derivedUuid('serenytics-home', `${organizationId}:${kind}`);
}

const homeFolderJson = (organizationId: number, kind: FolderKind) => ({
  uuid: homeFolderUuid(organizationId, kind),
  name: 'home',
  resource_type: resourceTypeOf[kind],
  parent_uuid: null,
  created_at: null,
});

/** A `folder_uuid` as the core takes it: a home folder is no folder. */
export function unhomed(value: unknown, organizationId: number): unknown {
  const kinds = Object.values(kindOf);
  return kinds.some((kind) => value === homeFolderUuid(organizationId, kind)) ? null : value;
}

/**
 * A data source's or script's `folder_uuid` as a PUT body names it: undefined when absent,
 * null (or its home folder) to take the item out of its folder.
 */
export function folderUuidOf(
  body: Record<string, unknown>,
  organizationId: number,
): string | null | undefined {
  const value = unhomed(body.folder_uuid, organizationId);
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value === '')
    throw validationError('folder_uuid', 'must be a folder uuid');
  return value;
}

/** A core update that may file the item, with its `folderId` errors named `folder_uuid`. */
export function filedAsFolderUuid<T>(update: Promise<T>): Promise<T> {
  return update.catch((error: unknown) => {
    throw renameFields(error, (path) => (path === 'folderId' ? 'folder_uuid' : path));
  });
}

/** The `folder_uuid` this face shows for each item of a kind: its core folder, else its home. */
export async function folderLookup(
  folders: FolderService,
  principal: Principal,
  kind: FolderItemKind,
): Promise<(uuid: string) => string> {
  const placed = await folders.placements(principal, kind);
  const home = homeFolderUuid(principal.organizationId, kind);
  return (uuid) => placed.get(uuid) ?? home;
}

/** `/api/folder`: core folders of the three kinds Serenytics files things in. */
export function registerFolderRoutes(app: App, services: Pick<Services, 'content'>): void {
  const { folders } = services.content;

  app.get('/folder', async (request) => {
    const principal = principalOf(request);
    const homes = Object.values(kindOf).map((kind) => homeFolderJson(principal.organizationId, kind));
    return listOf([...homes, ...(await folders.list(principal)).map(folderJson)]);
  });
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
