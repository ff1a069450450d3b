import type { Folder, FolderPatch } from '../../../core/content/index.ts';
import { isRosettaError, notFound, validationError } from '../../../core/errors.ts';
import { object, text } from '../../../core/input.ts';
import { type App, principalOf } from '../../server.ts';
import { type DashboardPorts, SisenseContent } from './dashboard-context.ts';
import { applyListOptions } from './list-options.ts';
import { type QueryParams, queryText } from './query-params.ts';

type FolderJson = Awaited<ReturnType<typeof folderJson>>;
type IdParams = { Params: { id: string }; Querystring: QueryParams };

/** A folder as Sisense shows it: `parentId` is the parent's oid (null at the top). */
async function folderJson(context: SisenseContent, folder: Folder) {
  const [oid, parentId, owner] = await Promise.all([
    context.oidOf('folders', folder.id),
    folder.parentId === null ? null : context.oidOf('folders', folder.parentId),
    context.oidOf('users', folder.createdBy),
  ]);
  return {
    _id: oid,
    oid,
    name: folder.name,
    parentId,
    owner,
    userId: owner,
    created: folder.createdAt,
    lastUpdated: folder.updatedAt,
  };
}

/** The dashboard folders the caller sees (Sisense folders hold dashboards). */
async function visibleFolders(context: SisenseContent): Promise<Array<{ folder: Folder; json: FolderJson }>> {
  const folders = await context.ports.content.folders.list(context.principal, { kind: 'dashboard' });
  return Promise.all(folders.map(async (folder) => ({ folder, json: await folderJson(context, folder) })));
}

/** `folder` with its visible descendants nested in `folders`. */
function nested(json: FolderJson, all: FolderJson[]): FolderJson & { folders: unknown[] } {
  return {
    ...json,
    folders: all.filter((child) => child.parentId === json._id).map((child) => nested(child, all)),
  };
}

async function folderOf(context: SisenseContent, oid: string, field = 'id'): Promise<Folder> {
  const folder = await context.ports.content.folders.get(
    context.principal,
    await context.folderId(oid, field),
  );
  if (folder.kind !== 'dashboard') throw notFound('folder', oid);
  return folder;
}

/** `{name, parentId}` of a create or an update; `parentId` null moves a folder to the top. */
async function folderInput(context: SisenseContent, body: unknown, creating: boolean): Promise<FolderPatch> {
  const input = object('', body);
  const patch: FolderPatch = {};
  if (input.name !== undefined) patch.name = text('name', input.name, 255);
  else if (creating) throw validationError('name', 'is required');
  if (input.parentId !== undefined)
    patch.parentId =
      input.parentId === null ? null : (await folderOf(context, String(input.parentId), 'parentId')).id;
  return patch;
}

/** Folders (FLD-01 to 07): the dashboard folders, as a flat list or a tree. */
export function registerFolderRoutes(api: App, ports: DashboardPorts): void {
  const contextOf = (request: Parameters<typeof principalOf>[0]) =>
    new SisenseContent(ports, principalOf(request));
  const { folders } = ports.content;

  api.get<{ Querystring: QueryParams }>('/api/v1/folders', async (request) => {
    const context = contextOf(request);
    const structure = queryText(request.query, 'structure') ?? 'flat';
    if (structure !== 'flat' && structure !== 'tree')
      throw validationError('structure', 'must be "flat" or "tree"');
    const name = queryText(request.query, 'name');
    const all = (await visibleFolders(context)).map(({ json }) => json);
    const listed = all.filter((json) => name === undefined || json.name.toLowerCase() === name.toLowerCase());
    const shown =
      structure === 'tree' && name === undefined
        ? all
            .filter((json) => json.parentId === null || !all.some((p) => p._id === json.parentId))
            .map((root) => nested(root, all))
        : listed;
    return applyListOptions(shown, request.query);
  });

  api.get<IdParams>('/api/v1/folders/:id', async (request) => {
    const context = contextOf(request);
    return folderJson(context, await folderOf(context, request.params.id));
  });

  api.get<IdParams>('/api/v1/folders/:id/subtree', async (request) => {
    const context = contextOf(request);
    const folder = await folderOf(context, request.params.id);
    const all = (await visibleFolders(context)).map(({ json }) => json);
    return nested(await folderJson(context, folder), all);
  });

  api.get<IdParams>('/api/v1/folders/:id/ancestors', async (request) => {
    const context = contextOf(request);
    const folder = await folderOf(context, request.params.id);
    const byId = new Map((await visibleFolders(context)).map((entry) => [entry.folder.id, entry]));
    // From the top down to the parent; a parent the caller cannot see ends the chain.
    const ancestors: FolderJson[] = [];
    for (let parent = folder.parentId; parent !== null && byId.has(parent); ) {
      const entry = byId.get(parent) as { folder: Folder; json: FolderJson };
      ancestors.unshift(entry.json);
      parent = entry.folder.parentId;
    }
    return ancestors;
  });

  api.post('/api/v1/folders', async (request, reply) => {
    const context = contextOf(request);
    const { name, parentId } = await folderInput(context, request.body, true);
    const folder = await folders.create(context.principal, {
      name: name as string,
      kind: 'dashboard',
      parentId,
    });
    return reply.code(201).send(await folderJson(context, folder));
  });

  api.patch<IdParams>('/api/v1/folders/:id', async (request) => {
    const context = contextOf(request);
    const folder = await folderOf(context, request.params.id);
    const updated = await folders.update(
      context.principal,
      folder.id,
      await folderInput(context, request.body, false),
    );
    return folderJson(context, updated);
  });

  // Sisense deletes a folder with what it holds; Rosetta does so where the core allows a recursive
  // delete (admins), and otherwise deletes only an empty folder.
  api.delete<IdParams>('/api/v1/folders/:id', async (request, reply) => {
    const context = contextOf(request);
    const folder = await folderOf(context, request.params.id);
    try {
      await folders.delete(context.principal, folder.id);
    } catch (error) {
      if (!(isRosettaError(error) && error.code === 'ERR_CONFLICT')) throw error;
      // The core decides who may delete recursively; for whoever may not, the conflict stands.
      await folders.delete(context.principal, folder.id, { recursive: true }).catch((refused) => {
        throw isRosettaError(refused) && refused.code === 'ERR_FORBIDDEN' ? error : refused;
      });
    }
    return reply.code(204).send();
  });
}
