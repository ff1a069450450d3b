import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ChartRow } from './charts-tables.ts';
import type { ChartAccessNode } from './permissions.ts';
import type { Db } from './repo.ts';
import type {
  Chart,
  ChartContent,
  ChartSummary,
  ChartVersion,
  ChartVersionSummary,
  ContentRef,
  Visualization,
  WidgetQuery,
} from './types.ts';

/** Storage of saved charts and their versions; reads are scoped to one organization. */

export async function findChartRow(
  db: Db,
  organizationId: number,
  ref: ContentRef,
): Promise<Selectable<ChartRow> | undefined> {
  return db
    .selectFrom('charts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where(typeof ref === 'number' ? 'id' : 'uuid', '=', ref)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function findChartRowsByUuid(
  db: Db,
  organizationId: number,
  uuids: string[],
): Promise<Selectable<ChartRow>[]> {
  if (uuids.length === 0) return [];
  return db
    .selectFrom('charts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('uuid', 'in', uuids)
    .where('deleted_at', 'is', null)
    .execute();
}

export async function listChartRows(db: Db, organizationId: number, folderId?: number | null) {
  let query = db
    .selectFrom('charts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null);
  if (folderId === null) query = query.where('folder_id', 'is', null);
  else if (folderId !== undefined) query = query.where('folder_id', '=', folderId);
  return query.orderBy('name').orderBy('id').execute();
}

/** The charts filed in those folders. */
export async function chartsInFolders(db: Db, organizationId: number, folderIds: number[]) {
  if (folderIds.length === 0) return [];
  return db
    .selectFrom('charts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('folder_id', 'in', folderIds)
    .where('deleted_at', 'is', null)
    .execute();
}

export async function insertChart(
  db: Db,
  row: Omit<ChartRow, 'id' | 'deleted_at' | 'deleted_by'>,
): Promise<number> {
  const { id } = await db.insertInto('charts').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Applies the change only if nobody stored a newer version meanwhile; false when someone did. */
export async function updateChartRow(
  db: Db,
  id: number,
  expectedVersion: number,
  changes: Partial<Omit<ChartRow, 'id' | 'uuid' | 'organization_id'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('charts')
    .set(changes)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves the chart to the trash (`trash.ts` restores and purges). */
export async function trashChartRow(db: Db, id: number, userId: number, now: string): Promise<void> {
  await db.updateTable('charts').set({ deleted_at: now, deleted_by: userId }).where('id', '=', id).execute();
}

export async function deleteChartRows(db: Db, ids: number[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('charts').where('id', 'in', ids).execute();
}

export async function insertChartVersion(
  db: Db,
  version: { chartId: number; version: number; authorId: number; createdAt: string; content: ChartContent },
): Promise<void> {
  await db
    .insertInto('chart_versions')
    .values({
      uuid: randomUUID(),
      chart_id: version.chartId,
      version: version.version,
      author_id: version.authorId,
      created_at: version.createdAt,
      snapshot: JSON.stringify(version.content),
    })
    .execute();
}

/** Newest first; `version` narrows to that one. */
export async function chartVersions(db: Db, chartId: number, version?: number): Promise<ChartVersion[]> {
  let query = db
    .selectFrom('chart_versions')
    .select(['version', 'author_id', 'created_at', 'snapshot'])
    .where('chart_id', '=', chartId);
  if (version !== undefined) query = query.where('version', '=', version);
  const rows = await query.orderBy('version', 'desc').execute();
  return rows.map((row) => {
    const snapshot = JSON.parse(row.snapshot) as ChartContent;
    return {
      version: row.version,
      authorId: row.author_id,
      createdAt: row.created_at,
      name: snapshot.name,
      snapshot,
    };
  });
}

export const withoutSnapshot = ({ snapshot: _, ...summary }: ChartVersion): ChartVersionSummary => summary;

export const chartAccessNode = (
  row: Pick<Selectable<ChartRow>, 'folder_id' | 'created_by' | 'personal'>,
): ChartAccessNode => ({
  folderId: row.folder_id,
  ownerId: row.created_by,
  personal: row.personal === 1,
});

export function toChartSummary(row: Selectable<ChartRow>, folderUuid: string | null): ChartSummary {
  return {
    id: row.id,
    uuid: row.uuid,
    name: row.name,
    description: row.description,
    folderId: row.folder_id,
    folderUuid,
    createdBy: row.created_by,
    personal: row.personal === 1,
    visualizationType: (JSON.parse(row.visualization) as Visualization).type,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toChart(row: Selectable<ChartRow>, folderUuid: string | null): Chart {
  return {
    ...toChartSummary(row, folderUuid),
    organizationId: row.organization_id,
    query: JSON.parse(row.query) as WidgetQuery,
    visualization: JSON.parse(row.visualization) as Visualization,
    updatedBy: row.updated_by,
  };
}

export const chartContentOf = (chart: Chart): ChartContent => ({
  name: chart.name,
  description: chart.description,
  query: chart.query,
  visualization: chart.visualization,
});

/** Columns of the chart row that hold `content`. */
export const chartContentColumns = (content: ChartContent) => ({
  name: content.name,
  description: content.description,
  query: JSON.stringify(content.query),
  visualization: JSON.stringify(content.visualization),
});

/**
 * The dashboards of the organization whose definition names the uuid (a tile showing the chart,
 * or the uuid in some text: callers check the widgets). Uuids hold no LIKE wildcards.
 */
export async function findDashboardRowsNaming(db: Db, organizationId: number, uuid: string) {
  return db
    .selectFrom('dashboards')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('definition', 'like', `%${uuid}%`)
    .where('deleted_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();
}
