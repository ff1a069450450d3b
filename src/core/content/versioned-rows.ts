import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/database.ts';
import { notFound } from '../errors.ts';
import { integer } from '../input.ts';
import type { Db } from './repo.ts';
import type { ChartContent, DashboardContent } from './types.ts';

/**
 * Content kept in versions (charts, dashboards): the row's `version` is the number of its latest
 * stored version and doubles as an optimistic lock; each version's content is a snapshot in the
 * table of versions, under the column naming the row.
 */
const versionsOf = {
  charts: { table: 'chart_versions', rowColumn: 'chart_id' },
  dashboards: { table: 'dashboard_versions', rowColumn: 'dashboard_id' },
} as const;

export type VersionedTable = keyof typeof versionsOf;

type ContentOf<T extends VersionedTable> = T extends 'charts' ? ChartContent : DashboardContent;

/** A new row: version 1, live; `updated_by` and `created_at` also make the first version's author and date. */
export type NewVersionedRow<T extends VersionedTable> = Omit<
  Database[T],
  'id' | 'version' | 'deleted_at' | 'deleted_by'
>;

export type VersionedRowChanges<T extends VersionedTable> = Partial<
  Omit<Database[T], 'id' | 'uuid' | 'organization_id' | 'version'>
> & { updated_at: string; updated_by: number };

export interface ContentVersion<C> {
  /** Names the version for faces that address versions by uuid. */
  uuid: string;
  version: number;
  authorId: number;
  createdAt: string;
  name: string;
  snapshot: C;
}

/** Inserts the row with `content` as its version 1; returns the new row's id. */
export async function insertVersionedRow<T extends VersionedTable>(
  db: Db,
  table: T,
  row: NewVersionedRow<T>,
  content: ContentOf<T>,
): Promise<number> {
  // Kysely checks a statement's columns against one table; the signature keeps callers to theirs.
  const { id } = await db
    .insertInto(table as VersionedTable)
    .values({ ...row, version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertVersion(db, table, id, 1, row.updated_by, row.created_at, content);
  return id;
}

/**
 * Applies `changes` only if nobody stored a newer version meanwhile (false when someone did).
 * With `content` (whose columns `changes` holds) the row moves to its next version, stored too.
 */
export async function updateVersionedRow<T extends VersionedTable>(
  db: Db,
  table: T,
  row: { id: number; version: number },
  changes: VersionedRowChanges<T>,
  content?: ContentOf<T>,
): Promise<boolean> {
  const next = row.version + 1;
  const result = await db
    .updateTable(table as VersionedTable)
    .set({ ...changes, ...(content && { version: next }) })
    .where('id', '=', row.id)
    .where('version', '=', row.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  if (content) await insertVersion(db, table, row.id, next, changes.updated_by, changes.updated_at, content);
  return true;
}

/** Moves the row to the trash (`trash.ts` restores and purges). */
export async function trashVersionedRow(
  db: Db,
  table: VersionedTable,
  id: number,
  userId: number,
  now: string,
): Promise<void> {
  await db.updateTable(table).set({ deleted_at: now, deleted_by: userId }).where('id', '=', id).execute();
}

/** The row's versions, newest first; `version` narrows to that one. */
export async function listContentVersions<T extends VersionedTable>(
  db: Db,
  table: T,
  rowId: number,
  version?: number,
): Promise<ContentVersion<ContentOf<T>>[]> {
  const { table: versions, rowColumn } = versionsOf[table as VersionedTable];
  let query = db
    .selectFrom(versions)
    .select(['uuid', 'version', 'author_id', 'created_at', 'snapshot'])
    .where(rowColumn, '=', rowId);
  if (version !== undefined) query = query.where('version', '=', version);
  const rows = await query.orderBy('version', 'desc').execute();
  return rows.map((row) => {
    const snapshot = JSON.parse(row.snapshot) as ContentOf<T>;
    return {
      uuid: row.uuid,
      version: row.version,
      authorId: row.author_id,
      createdAt: row.created_at,
      name: snapshot.name,
      snapshot,
    };
  });
}

/** The row's version `version`; a 404 when it has none. */
export async function findContentVersion<T extends VersionedTable>(
  db: Db,
  table: T,
  rowId: number,
  version: number,
): Promise<ContentVersion<ContentOf<T>>> {
  const number = integer('version', version, 1, Number.MAX_SAFE_INTEGER);
  const [found] = await listContentVersions(db, table, rowId, number);
  if (!found) throw notFound('version', number);
  return found;
}

export const withoutSnapshot = <C>({ snapshot: _, ...summary }: ContentVersion<C>) => summary;

async function insertVersion<T extends VersionedTable>(
  db: Db,
  table: T,
  rowId: number,
  version: number,
  authorId: number,
  createdAt: string,
  content: ContentOf<T>,
): Promise<void> {
  const { table: versions, rowColumn } = versionsOf[table as VersionedTable];
  await db
    .insertInto(versions)
    .values({
      uuid: randomUUID(),
      version,
      author_id: authorId,
      created_at: createdAt,
      snapshot: JSON.stringify(content),
      [rowColumn]: rowId,
    })
    .execute();
}
