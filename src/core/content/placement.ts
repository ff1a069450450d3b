import type { Principal } from '../auth/principal.ts';
import { projectOf } from '../directory/index.ts';
import { forbidden, validationError } from '../errors.ts';
import type { FolderRecord } from './folder-repo.ts';
import type { FolderCatalog } from './folders.ts';
import { canEditFolder } from './permissions.ts';
import type { Db } from './repo.ts';
import type { ContentRef } from './types.ts';

/**
 * Where a dashboard or chart is filed: a project, and in it a folder, the shared top level, or
 * (`personal`) its owner's personal space, which is the top level seen by the owner and admins only.
 */
export interface Placement {
  /** Present when the body names a folder (null = the top level). */
  folderRef?: ContentRef | null;
  /** Present when the body says `personal`. */
  personal?: boolean;
  /** Present when the body names a project (checked against the caller's organization when used). */
  projectId?: unknown;
}

/** The `personal` flag of a request body; personal content is never filed in a folder. */
export function personalFlag(value: unknown, folderRef: ContentRef | null | undefined): boolean {
  if (typeof value !== 'boolean') throw validationError('personal', 'must be true or false');
  if (value && folderRef !== undefined && folderRef !== null)
    throw validationError('personal', 'personal content is not filed in a folder: leave folderId out');
  return value;
}

/** The stored columns of a placement. */
export interface PlacementColumns {
  folder_id: number | null;
  personal: number;
  project_id: number;
}

/**
 * The columns a requested placement stores, checked: moving needs edit rights on the item
 * (`canEditItem`) and on the destination folder, except into the owner's personal space, which
 * is the item's own. An item moved to another project without a folder of that project leaves
 * its folder for the new project's top level. Undefined when the request names no placement.
 */
export async function placementChange(
  db: Db,
  principal: Principal,
  catalog: FolderCatalog,
  current: PlacementColumns,
  placement: Placement,
  canEditItem: boolean,
  what: string,
): Promise<PlacementColumns | undefined> {
  if (
    placement.folderRef === undefined &&
    placement.personal === undefined &&
    placement.projectId === undefined
  )
    return undefined;
  const projectId =
    placement.projectId === undefined
      ? current.project_id
      : await projectOf(db, principal.organizationId, placement.projectId);
  let folderId = placement.personal || projectId !== current.project_id ? null : current.folder_id;
  if (placement.folderRef !== undefined) {
    const folder = catalog.target(principal, 'folderId', placement.folderRef);
    checkFolderProject(folder, projectId, 'folderId');
    folderId = folder?.id ?? null;
  }
  const personal = folderId === null && (placement.personal ?? current.personal === 1);
  const next = { folder_id: folderId, personal: personal ? 1 : 0, project_id: projectId };
  if (
    next.folder_id === current.folder_id &&
    next.personal === current.personal &&
    next.project_id === current.project_id
  )
    return next;
  if (!canEditItem || !(personal || canEditFolder(principal, catalog.index, folderId)))
    throw forbidden(`move this ${what} there`);
  return next;
}

/**
 * The project of an item filed in `folder` (null = the top level): the one the body names, which
 * must be the folder's, else the folder's, else `fallback` (the caller's default project, or the
 * project of the item a copy is made of). Content never sits in a folder of another project.
 */
export async function projectOfFiled(
  db: Db,
  principal: Principal,
  requested: unknown,
  folder: Pick<FolderRecord, 'uuid' | 'projectId'> | null,
  folderField: string,
  fallback = principal.projectId,
): Promise<number> {
  if (requested === undefined) return folder?.projectId ?? fallback;
  const projectId = await projectOf(db, principal.organizationId, requested);
  checkFolderProject(folder, projectId, folderField);
  return projectId;
}

/** Refuses to file something of project `projectId` in a folder of another project. */
export function checkFolderProject(
  folder: Pick<FolderRecord, 'uuid' | 'projectId'> | null,
  projectId: number,
  folderField: string,
): void {
  if (folder && folder.projectId !== projectId)
    throw validationError(
      folderField,
      `folder ${folder.uuid} is in project ${folder.projectId}, not in project ${projectId}`,
    );
}
