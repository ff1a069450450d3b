import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { isUniqueViolation } from '../directory/validation.ts';
import { forbidden, notFound, validationError } from '../errors.ts';
import { filledText, integer, jsonDocument, label, nullableText, object, record } from '../input.ts';
import { FolderCatalog } from './folders.ts';
import { type ChartAccessNode, canEditFolder, chartAccess } from './permissions.ts';
import type { Db } from './repo.ts';
import type { SqlChartRow } from './sql-chart-tables.ts';

/** Most rows a saved SQL chart asks for. */
export const MAX_SQL_CHART_LIMIT = 1_000_000;
const MAX_SQL_CHARS = 100_000;
const MAX_CONFIG_CHARS = 200_000;

export interface SqlChart {
  id: number;
  uuid: string;
  projectId: number;
  folderId: number;
  folderUuid: string;
  name: string;
  description: string | null;
  slug: string;
  sql: string;
  limit: number;
  config: Record<string, unknown>;
  version: number;
  createdBy: number;
  updatedBy: number;
  createdAt: string;
  updatedAt: string;
  canEdit: boolean;
}

export interface SqlChartInput {
  name: string;
  description?: string | null;
  sql: string;
  limit: number;
  config: Record<string, unknown>;
  /** A dashboard folder of the project. */
  folderId: number | string;
}

export type SqlChartPatch = Partial<SqlChartInput>;

/** The name in lower case, words joined by dashes: the handle clients address a chart by. */
const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'untitled';

/** Tries at a free slug when concurrent creates race for the same one. */
const SLUG_ATTEMPTS = 20;

const accessNode = (row: Selectable<SqlChartRow>): ChartAccessNode => ({
  projectId: row.project_id,
  folderId: row.folder_id,
  ownerId: row.created_by,
  personal: false,
});

/**
 * Saved SQL charts (a SQL runner's charts): a statement, its row limit and a visualization
 * config filed in a project's dashboard folder. Who sees and edits one is decided as for saved
 * charts (folder access, ownership); writing SQL that runs for every reader is `query.sql`, as
 * for any saved query holding SQL, so editors may rename or move a developer's chart but not
 * change its statement. Every change of the SQL, limit or config is a new version number.
 */
export class SqlChartService {
  constructor(private readonly db: Db) {}

  async get(principal: Principal, uuid: string): Promise<SqlChart> {
    return this.visible(principal, { uuid }, uuid);
  }

  async getBySlug(principal: Principal, projectId: number, slug: string): Promise<SqlChart> {
    return this.visible(principal, { projectId, slug }, slug);
  }

  async create(principal: Principal, input: SqlChartInput): Promise<SqlChart> {
    authorize(principal, 'dashboard.edit');
    const body = record('', input, ['name', 'description', 'sql', 'limit', 'config', 'folderId']);
    const name = label('name', body.name);
    const content = parseContent(body);
    authorize(principal, 'query.sql');
    const uuid = randomUUID();
    // Two creates may pick the same free slug at once: the loser's insert fails, and it picks again.
    for (let attempt = 1; ; attempt++)
      try {
        await this.insert(principal, uuid, name, body, content);
        return this.get(principal, uuid);
      } catch (error) {
        if (!isUniqueViolation(error) || attempt === SLUG_ATTEMPTS) throw error;
        // Jittered, so the racers that lost do not meet on the next free slug again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
  }

  private async insert(
    principal: Principal,
    uuid: string,
    name: string,
    body: Record<string, unknown>,
    content: ReturnType<typeof parseContent>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const catalog = await FolderCatalog.load(trx, principal.organizationId);
      const folder = catalog.target(principal, 'folderId', body.folderId);
      if (!folder) throw validationError('folderId', 'is required: a SQL chart is filed in a folder');
      if (!canEditFolder(principal, catalog.index, folder.id)) throw forbidden('create a chart here');
      const now = nowIso();
      const row = await trx
        .insertInto('sql_charts')
        .values({
          uuid,
          organization_id: principal.organizationId,
          project_id: folder.projectId,
          folder_id: folder.id,
          name,
          description:
            body.description === undefined ? null : nullableText('description', body.description, 10_000),
          slug: await freeSlug(trx, folder.projectId, slugOf(name)),
          sql_text: content.sql!,
          row_limit: content.limit!,
          config: JSON.stringify(content.config),
          version: 1,
          created_by: principal.userId,
          updated_by: principal.userId,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: 'sql_chart.create',
        target: { type: 'sql_chart', id: row.id },
        details: { name },
      });
    });
  }

  /** The keys given replace the current ones; a rename keeps the slug clients saved. */
  async update(principal: Principal, uuid: string, patch: SqlChartPatch): Promise<SqlChart> {
    authorize(principal, 'dashboard.edit');
    const body = record('', patch, ['name', 'description', 'sql', 'limit', 'config', 'folderId']);
    const content = parseContent(body, true);
    await this.db.transaction().execute(async (trx) => {
      const { row, catalog } = await this.editable(trx, principal, uuid);
      if (content.sql !== undefined && content.sql !== row.sql_text) authorize(principal, 'query.sql');
      let folderId = row.folder_id;
      if (body.folderId !== undefined) {
        const folder = catalog.target(principal, 'folderId', body.folderId);
        if (!folder) throw validationError('folderId', 'a SQL chart stays filed in a folder');
        if (folder.projectId !== row.project_id)
          throw validationError('folderId', `folder ${folder.uuid} is in another project`);
        if (folder.id !== row.folder_id && !canEditFolder(principal, catalog.index, folder.id))
          throw forbidden('move the chart there');
        folderId = folder.id;
      }
      const versioned =
        content.sql !== undefined || content.limit !== undefined || content.config !== undefined;
      await trx
        .updateTable('sql_charts')
        .set({
          folder_id: folderId,
          ...(body.name !== undefined && { name: label('name', body.name) }),
          ...(body.description !== undefined && {
            description: nullableText('description', body.description, 10_000),
          }),
          ...(content.sql !== undefined && { sql_text: content.sql }),
          ...(content.limit !== undefined && { row_limit: content.limit }),
          ...(content.config !== undefined && { config: JSON.stringify(content.config) }),
          version: versioned ? row.version + 1 : row.version,
          updated_by: principal.userId,
          updated_at: nowIso(),
        })
        .where('id', '=', row.id)
        .execute();
    });
    return this.get(principal, uuid);
  }

  async delete(principal: Principal, uuid: string): Promise<void> {
    authorize(principal, 'dashboard.edit');
    await this.db.transaction().execute(async (trx) => {
      const { row } = await this.editable(trx, principal, uuid);
      await trx.deleteFrom('sql_charts').where('id', '=', row.id).execute();
      await recordAudit(trx, principal, {
        action: 'sql_chart.delete',
        target: { type: 'sql_chart', id: row.id },
        details: { name: row.name },
      });
    });
  }

  private async editable(db: Db, principal: Principal, uuid: string) {
    const catalog = await FolderCatalog.load(db, principal.organizationId);
    const row = await db
      .selectFrom('sql_charts')
      .selectAll()
      .where('organization_id', '=', principal.organizationId)
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    const access = row ? chartAccess(principal, catalog.index, accessNode(row)) : 'none';
    if (!row || access === 'none') throw notFound('sql chart', uuid);
    if (access !== 'edit') throw forbidden('change this chart');
    return { row, catalog };
  }

  private async visible(
    principal: Principal,
    by: { uuid: string } | { projectId: number; slug: string },
    ref: string,
  ): Promise<SqlChart> {
    authorize(principal, 'dashboard.view');
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    let query = this.db
      .selectFrom('sql_charts')
      .selectAll()
      .where('organization_id', '=', principal.organizationId);
    query =
      'uuid' in by
        ? query.where('uuid', '=', by.uuid)
        : query.where('project_id', '=', by.projectId).where('slug', '=', by.slug);
    const row = await query.executeTakeFirst();
    const access = row ? chartAccess(principal, catalog.index, accessNode(row)) : 'none';
    if (!row || access === 'none') throw notFound('sql chart', ref);
    return {
      id: row.id,
      uuid: row.uuid,
      projectId: row.project_id,
      folderId: row.folder_id ?? 0,
      folderUuid: catalog.uuidOf(row.folder_id) ?? '',
      name: row.name,
      description: row.description,
      slug: row.slug,
      sql: row.sql_text,
      limit: row.row_limit,
      config: JSON.parse(row.config) as Record<string, unknown>,
      version: row.version,
      createdBy: row.created_by,
      updatedBy: row.updated_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      canEdit: access === 'edit',
    };
  }
}

function parseContent(body: Record<string, unknown>, partial = false) {
  const given = (key: string) => body[key] !== undefined || !partial;
  return {
    sql: given('sql') ? filledText('sql', body.sql, MAX_SQL_CHARS) : undefined,
    limit: given('limit') ? integer('limit', body.limit, 1, MAX_SQL_CHART_LIMIT) : undefined,
    config: given('config')
      ? (jsonDocument('config', object('config', body.config), MAX_CONFIG_CHARS) as Record<string, unknown>)
      : undefined,
  };
}

/** The slug, or the first `slug-N` no chart of the project holds. */
async function freeSlug(db: Db, projectId: number, slug: string): Promise<string> {
  const taken = new Set(
    (
      await db
        .selectFrom('sql_charts')
        .select('slug')
        .where('project_id', '=', projectId)
        .where((eb) => eb.or([eb('slug', '=', slug), eb('slug', 'like', `${slug}-%`)]))
        .execute()
    ).map((row) => row.slug),
  );
  if (!taken.has(slug)) return slug;
  for (let n = 1; ; n++) if (!taken.has(`${slug}-${n}`)) return `${slug}-${n}`;
}
