import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { DashboardAccessNode } from './permissions.ts';
import type { DashboardRow } from './tables.ts';
import type { AccessEntry, ContentRef, Dashboard, DashboardContent, DashboardSummary } from './types.ts';

/** Storage of dashboards and their versions; reads are scoped to one organization. */
export type Db = Kysely<Database>;

const refColumn = (ref: ContentRef) => (typeof ref === 'number' ? ('id' as const) : ('uuid' as const));

export async function findDashboardRow(
  db: Db,
  organizationId: number,
  ref: ContentRef,
): Promise<Selectable<DashboardRow> | undefined> {
  return db
    .selectFrom('dashboards')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where(refColumn(ref), '=', ref)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Stores the share list only if it is still the one the change was computed from: share changes
 * do not move the content version, so without this two concurrent edits of the list would each
 * overwrite the other's (false when another change stored a different list meanwhile).
 */
export async function replaceShares(
  db: Db,
  row: { id: number; shares: string },
  shares: AccessEntry[],
): Promise<boolean> {
  const result = await db
    .updateTable('dashboards')
    .set({ shares: JSON.stringify(shares) })
    .where('id', '=', row.id)
    .where('shares', '=', row.shares)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function isTrashedDashboard(db: Db, organizationId: number, ref: ContentRef): Promise<boolean> {
  const row = await db
    .selectFrom('dashboards')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where(refColumn(ref), '=', ref)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function findDashboardRowsByName(db: Db, organizationId: number, name: string) {
  return db
    .selectFrom('dashboards')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .execute();
}

/** A listed dashboard: its summary columns and those of access. */
export type ListedDashboardRow = Awaited<ReturnType<typeof listDashboardRows>>[number];

/** Summary columns only: the definition documents can be large. */
export async function listDashboardRows(
  db: Db,
  organizationId: number,
  folderId?: number | null,
  projectId?: number,
) {
  let query = db
    .selectFrom('dashboards')
    .select([
      'id',
      'uuid',
      'name',
      'description',
      'folder_id',
      'project_id',
      'owner_id',
      'tags',
      'shares',
      'personal',
      'version',
      'created_at',
      'updated_at',
    ])
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null);
  if (projectId !== undefined) query = query.where('project_id', '=', projectId);
  if (folderId === null) query = query.where('folder_id', 'is', null);
  else if (folderId !== undefined) query = query.where('folder_id', '=', folderId);
  return query.orderBy('name').orderBy('id').execute();
}

export const dashboardAccessNode = (
  row: Pick<Selectable<DashboardRow>, 'id' | 'folder_id' | 'owner_id' | 'shares' | 'personal' | 'project_id'>,
): DashboardAccessNode => ({
  id: row.id,
  projectId: row.project_id,
  folderId: row.folder_id,
  ownerId: row.owner_id,
  shares: JSON.parse(row.shares) as AccessEntry[],
  personal: row.personal === 1,
});

type SummaryRow = Pick<
  Selectable<DashboardRow>,
  | 'id'
  | 'uuid'
  | 'name'
  | 'description'
  | 'folder_id'
  | 'project_id'
  | 'owner_id'
  | 'tags'
  | 'personal'
  | 'version'
  | 'created_at'
  | 'updated_at'
>;

export function toSummary(row: SummaryRow, folderUuid: string | null): DashboardSummary {
  return {
    id: row.id,
    uuid: row.uuid,
    name: row.name,
    description: row.description,
    folderId: row.folder_id,
    folderUuid,
    projectId: row.project_id,
    ownerId: row.owner_id,
    personal: row.personal === 1,
    tags: JSON.parse(row.tags) as string[],
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The stored definition column: the content that is not a column of its own. */
export type Definition = Pick<
  DashboardContent,
  'widgets' | 'filters' | 'variables' | 'layout' | 'customCss' | 'headerHtml' | 'faceSettings'
>;

export function toDashboard(row: Selectable<DashboardRow>, folderUuid: string | null): Dashboard {
  const definition = JSON.parse(row.definition) as Definition;
  return {
    ...toSummary(row, folderUuid),
    organizationId: row.organization_id,
    ...definition,
    shares: JSON.parse(row.shares) as AccessEntry[],
    updatedBy: row.updated_by,
  };
}

export const contentOf = (dashboard: Dashboard): DashboardContent => ({
  name: dashboard.name,
  description: dashboard.description,
  tags: dashboard.tags,
  widgets: dashboard.widgets,
  filters: dashboard.filters,
  variables: dashboard.variables,
  layout: dashboard.layout,
  customCss: dashboard.customCss,
  headerHtml: dashboard.headerHtml,
  ...(dashboard.faceSettings && { faceSettings: dashboard.faceSettings }),
});

/** Columns of the dashboard row that hold `content`. */
export const contentColumns = (content: DashboardContent) => ({
  name: content.name,
  description: content.description,
  tags: JSON.stringify(content.tags),
  definition: JSON.stringify({
    widgets: content.widgets,
    filters: content.filters,
    variables: content.variables,
    layout: content.layout,
    customCss: content.customCss,
    headerHtml: content.headerHtml,
    faceSettings: content.faceSettings,
  } satisfies Definition),
});
