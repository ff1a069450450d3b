import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { FolderCatalog } from './folders.ts';
import { contentRef } from './input.ts';
import type { FolderIndex } from './permissions.ts';
import type { Db } from './repo.ts';
import type { ContentRef } from './types.ts';

type Filed = { folder_id: number | null };

/** How dashboards or charts, filed in folders, are read and who sees them. */
export interface FiledContent<Row extends Listed, Listed extends Filed, Summary> {
  /** The word of `notFound`. */
  noun: string;
  find(db: Db, organizationId: number, ref: ContentRef): Promise<Row | undefined>;
  /**
   * The live rows of the organization, of one folder when `folderId` is given (null = top level),
   * of one project when `projectId` is.
   */
  list(db: Db, organizationId: number, folderId?: number | null, projectId?: number): Promise<Listed[]>;
  canView(principal: Principal, index: FolderIndex, row: Listed): boolean;
  summary(row: Listed, folderUuid: string | null): Summary;
}

/** Where a list of dashboards or charts looks: one folder (null = top level), one project. */
export interface FiledFilter {
  folderId?: ContentRef | null;
  projectId?: number;
}

/** Summaries of what the principal can see, optionally of one folder or project. */
export async function listVisible<R extends L, L extends Filed, S>(
  db: Db,
  principal: Principal,
  kind: FiledContent<R, L, S>,
  { folderId: folderRef, projectId }: FiledFilter,
): Promise<S[]> {
  authorize(principal, 'dashboard.view');
  const catalog = await FolderCatalog.load(db, principal.organizationId);
  const folderId =
    folderRef === undefined ? undefined : (catalog.target(principal, 'folderId', folderRef)?.id ?? null);
  const rows = await kind.list(db, principal.organizationId, folderId, projectId);
  return rows
    .filter((row) => kind.canView(principal, catalog.index, row))
    .map((row) => kind.summary(row, catalog.uuidOf(row.folder_id)));
}

/** The row the principal can see, with the folders; unknown and invisible are the same 404. */
export async function findVisible<R extends L, L extends Filed, S>(
  db: Db,
  principal: Principal,
  kind: FiledContent<R, L, S>,
  ref: ContentRef,
): Promise<{ catalog: FolderCatalog; row: R }> {
  authorize(principal, 'dashboard.view');
  const id = contentRef('id', ref);
  const catalog = await FolderCatalog.load(db, principal.organizationId);
  const row = await kind.find(db, principal.organizationId, id);
  if (!row || !kind.canView(principal, catalog.index, row)) throw notFound(kind.noun, ref);
  return { catalog, row };
}
