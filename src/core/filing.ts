import type { Principal } from './auth/principal.ts';
import { validationError } from './errors.ts';

/** The items a folder files by uuid for another module: data sources (join models too) and scripts. */
export type FiledItemKind = 'data_source' | 'script';

/** A folder by id or uuid; null = the top level. */
export type FolderRef = number | string;

/**
 * Files an item of the data or scripts module in a folder of its kind, with the folder rules:
 * edit access on the folder the item leaves and on the one it enters. `change` is the item's own
 * update; it runs after the folder checks and before the item is filed (told whether it moves),
 * so a refused move or a refused change stores neither.
 *
 * Folders are the content module's, and content already reaches into data at run time (the
 * sources a dashboard reads): data and scripts importing content would tie the modules both
 * ways. So they declare this narrow port and the composition root hands them the content
 * module's `FolderService`, which implements it.
 */
export interface ItemFiling {
  place<T>(
    principal: Principal,
    item: { kind: FiledItemKind; uuid: string; field: string },
    folder: FolderRef | null,
    change: (moves: boolean) => Promise<T>,
  ): Promise<T>;
}

/** Where no folders are wired (command-line tools, module tests): naming a folder is refused. */
export const noFiling: ItemFiling = {
  place: async (_principal, item) => {
    throw validationError(item.field, 'folders are not available here');
  },
};

/**
 * The update of a filed item with its `folderId` (undefined = it stays): without a folder it
 * is just `change`; with one, `change` runs inside the filing, and is skipped when the item
 * neither moves nor has anything else to change (a client saving its whole config back).
 */
export function updateFiled<T>(
  filing: ItemFiling,
  principal: Principal,
  item: { kind: FiledItemKind; uuid: string },
  request: { folderId: FolderRef | null | undefined; changes: boolean; current: T },
  change: () => Promise<T>,
): Promise<T> {
  if (request.folderId === undefined) return change();
  return filing.place(principal, { ...item, field: 'folderId' }, request.folderId, (moves) =>
    moves || request.changes ? change() : Promise.resolve(request.current),
  );
}
