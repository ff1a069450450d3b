import type { FolderAccessNode } from './permissions.ts';
import type { Db } from './repo.ts';
import type { FolderRow } from './tables.ts';
import type { AccessEntry, FolderItemKind, FolderKind } from './types.ts';

/** Storage of folders; every read and write is scoped to one organization. */
export interface FolderRecord extends FolderAccessNode {
  uuid: string;
  kind: FolderKind;
  projectId: number;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

/** All folders of an organization: access checks walk the parent chain, so they are loaded together. */
export async function loadFolders(db: Db, organizationId: number): Promise<FolderRecord[]> {
  const rows = await db
    .selectFrom('folders')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    uuid: row.uuid,
    kind: row.kind as FolderKind,
    projectId: row.project_id,
    parentId: row.parent_id,
    name: row.name,
    description: row.description,
    createdBy: row.created_by,
    access: JSON.parse(row.access) as AccessEntry[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export async function insertFolder(
  db: Db,
  row: Omit<FolderRow, 'id' | 'kind'> & { kind: FolderKind },
): Promise<number> {
  const { id } = await db.insertInto('folders').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateFolder(
  db: Db,
  organizationId: number,
  id: number,
  changes: Partial<
    Pick<FolderRow, 'name' | 'description' | 'parent_id' | 'project_id' | 'access' | 'updated_at'>
  >,
): Promise<void> {
  await db
    .updateTable('folders')
    .set(changes)
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Dashboards and saved charts filed in the folders (those in the trash only when `trashed`). */
export async function countDashboardsIn(
  db: Db,
  organizationId: number,
  folderIds: number[],
  options: { trashed?: boolean } = {},
): Promise<number> {
  if (folderIds.length === 0) return 0;
  let total = 0;
  for (const table of ['dashboards', 'charts'] as const) {
    let query = db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('organization_id', '=', organizationId)
      .where('folder_id', 'in', folderIds);
    if (!options.trashed) query = query.where('deleted_at', 'is', null);
    const { count } = await query.executeTakeFirstOrThrow();
    total += Number(count);
  }
  return total;
}

/**
 * Deletes the folders; the dashboards and charts in them go to the trash, and whatever is in the trash comes
 * out of them, so a restore brings it back at the top level.
 */
export async function deleteFolders(
  db: Db,
  organizationId: number,
  folderIds: number[],
  trash: { by: number; at: string },
): Promise<void> {
  for (const table of ['dashboards', 'charts'] as const) {
    await db
      .updateTable(table)
      .set({ deleted_at: trash.at, deleted_by: trash.by })
      .where('organization_id', '=', organizationId)
      .where('folder_id', 'in', folderIds)
      .where('deleted_at', 'is', null)
      .execute();
    await db
      .updateTable(table)
      .set({ folder_id: null })
      .where('organization_id', '=', organizationId)
      .where('folder_id', 'in', folderIds)
      .execute();
  }
  // One statement, so the parent references inside the subtree are checked only once it is all gone.
  await db
    .deleteFrom('folders')
    .where('organization_id', '=', organizationId)
    .where('id', 'in', folderIds)
    .execute();
}

/** Item uuid → folder id of every filed item of one kind. */
export async function loadItemFolders(
  db: Db,
  organizationId: number,
  kind: FolderItemKind,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('folder_items')
    .select(['item_uuid', 'folder_id'])
    .where('organization_id', '=', organizationId)
    .where('kind', '=', kind)
    .execute();
  return new Map(rows.map((row) => [row.item_uuid, row.folder_id]));
}

/** Files the item in `folderId`, or takes it out of any folder (null). */
export async function setItemFolder(
  db: Db,
  organizationId: number,
  kind: FolderItemKind,
  itemUuid: string,
  folderId: number | null,
  now: string,
): Promise<void> {
  await db
    .deleteFrom('folder_items')
    .where('organization_id', '=', organizationId)
    .where('kind', '=', kind)
    .where('item_uuid', '=', itemUuid)
    .execute();
  if (folderId === null) return;
  await db
    .insertInto('folder_items')
    .values({
      organization_id: organizationId,
      folder_id: folderId,
      kind,
      item_uuid: itemUuid,
      created_at: now,
    })
    .execute();
}
