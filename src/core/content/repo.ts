import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { DashboardAccessNode } from './permissions.ts';
import type { DashboardRow } from './tables.ts';
import type {
  AccessEntry,
  ContentRef,
  Dashboard,
  DashboardContent,
  DashboardSummary,
  DashboardVersion,
  DashboardVersionSummary,
} from './types.ts';

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

/** Summary columns only: the definition documents can be large. */
export async function listDashboardRows(db: Db, organizationId: number, folderId?: number | null) {
  let query = db
    .selectFrom('dashboards')
    .select([
      'id',
      'uuid',
      'name',
      'description',
      'folder_id',
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
  if (folderId === null) query = query.where('folder_id', 'is', null);
  else if (folderId !== undefined) query = query.where('folder_id', '=', folderId);
  return query.orderBy('name').orderBy('id').execute();
}

export async function insertDashboard(
  db: Db,
  row: Omit<DashboardRow, 'id' | 'deleted_at' | 'deleted_by'>,
): Promise<number> {
  const { id } = await db.insertInto('dashboards').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Applies the change only if nobody stored a newer version meanwhile; false when someone did. */
export async function updateDashboardRow(
  db: Db,
  id: number,
  expectedVersion: number,
  changes: Partial<Omit<DashboardRow, 'id' | 'uuid' | 'organization_id'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('dashboards')
    .set(changes)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves the dashboard to the trash (`trash.ts` restores and purges). */
export async function trashDashboardRow(db: Db, id: number, userId: number, now: string): Promise<void> {
  await db
    .updateTable('dashboards')
    .set({ deleted_at: now, deleted_by: userId })
    .where('id', '=', id)
    .execute();
}

/** Stores `content` as version `version` of the dashboard. */
export async function insertVersion(
  db: Db,
  version: {
    dashboardId: number;
    version: number;
    authorId: number;
    createdAt: string;
    content: DashboardContent;
  },
): Promise<void> {
  await db
    .insertInto('dashboard_versions')
    .values({
      uuid: randomUUID(),
      dashboard_id: version.dashboardId,
      version: version.version,
      author_id: version.authorId,
      created_at: version.createdAt,
      snapshot: JSON.stringify(version.content),
    })
    .execute();
}

export async function listVersions(db: Db, dashboardId: number): Promise<DashboardVersionSummary[]> {
  const rows = await db
    .selectFrom('dashboard_versions')
    .select(['version', 'author_id', 'created_at', 'snapshot'])
    .where('dashboard_id', '=', dashboardId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => {
    const { snapshot: _, ...summary } = toVersion(row);
    return summary;
  });
}

export async function findVersion(
  db: Db,
  dashboardId: number,
  version: number,
): Promise<DashboardVersion | undefined> {
  const row = await db
    .selectFrom('dashboard_versions')
    .select(['version', 'author_id', 'created_at', 'snapshot'])
    .where('dashboard_id', '=', dashboardId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && toVersion(row);
}

function toVersion(row: {
  version: number;
  author_id: number;
  created_at: string;
  snapshot: string;
}): DashboardVersion {
  const snapshot = JSON.parse(row.snapshot) as DashboardContent;
  return {
    version: row.version,
    authorId: row.author_id,
    createdAt: row.created_at,
    name: snapshot.name,
    snapshot,
  };
}

export const dashboardAccessNode = (
  row: Pick<Selectable<DashboardRow>, 'id' | 'folder_id' | 'owner_id' | 'shares' | 'personal'>,
): DashboardAccessNode => ({
  id: row.id,
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
  'widgets' | 'filters' | 'variables' | 'layout' | 'customCss' | 'headerHtml'
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
  } satisfies Definition),
});
