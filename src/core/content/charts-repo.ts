import type { Selectable } from 'kysely';
import type { ChartRow } from './charts-tables.ts';
import type { ChartAccessNode } from './permissions.ts';
import type { Db } from './repo.ts';
import type { Chart, ChartContent, ChartSummary, ContentRef, Visualization, WidgetQuery } from './types.ts';

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

export async function listChartRows(
  db: Db,
  organizationId: number,
  folderId?: number | null,
  projectId?: number,
) {
  let query = db
    .selectFrom('charts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null);
  if (projectId !== undefined) query = query.where('project_id', '=', projectId);
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

export const chartAccessNode = (
  row: Pick<Selectable<ChartRow>, 'folder_id' | 'created_by' | 'personal' | 'project_id'>,
): ChartAccessNode => ({
  projectId: row.project_id,
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
    projectId: row.project_id,
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
