import type { Principal } from '../auth/principal.ts';
import { forbidden, validationError } from '../errors.ts';
import type { FolderCatalog } from './folders.ts';
import { canEditFolder } from './permissions.ts';
import type { ContentRef } from './types.ts';

/**
 * Where a dashboard or chart is filed: a folder, the shared top level, or (`personal`) its
 * owner's personal space, which is the top level seen by the owner and admins only.
 */
export interface Placement {
  /** Present when the body names a folder (null = the top level). */
  folderRef?: ContentRef | null;
  /** Present when the body says `personal`. */
  personal?: boolean;
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
}

/**
 * The columns a requested placement stores, checked: moving needs edit rights on the item
 * (`canEditItem`) and on the destination folder, except into the owner's personal space, which
 * is the item's own. Undefined when the request names no placement.
 */
export function placementChange(
  principal: Principal,
  catalog: FolderCatalog,
  current: PlacementColumns,
  placement: Placement,
  canEditItem: boolean,
  what: string,
): PlacementColumns | undefined {
  if (placement.folderRef === undefined && placement.personal === undefined) return undefined;
  const folderId =
    placement.folderRef === undefined
      ? placement.personal
        ? null
        : current.folder_id
      : (catalog.target(principal, 'folderId', placement.folderRef)?.id ?? null);
  const personal = folderId === null && (placement.personal ?? current.personal === 1);
  const next = { folder_id: folderId, personal: personal ? 1 : 0 };
  if (next.folder_id === current.folder_id && next.personal === current.personal) return next;
  if (!canEditItem || !(personal || canEditFolder(principal, catalog.index, folderId)))
    throw forbidden(`move this ${what} there`);
  return next;
}
