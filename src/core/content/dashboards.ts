import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, forbidden, isRosettaError, validationError } from '../errors.ts';
import { label, record } from '../input.ts';
import {
  type BindTiles,
  chartUuidsOf,
  checkTileProjects,
  resolveChartTiles,
  tileBinder,
  widgetChartField,
} from './charts-tiles.ts';
import { ContentViews, type ViewStats } from './content-views.ts';
import {
  type DashboardInput,
  type DashboardPatchInput,
  parseDashboardCreate,
  parseDashboardPatch,
  parseWidget,
  type WidgetInput,
} from './dashboard-input.ts';
import { dashboardsQuerying, type QueriedSource } from './dependants.ts';
import { FolderCatalog } from './folders.ts';
import { accessEntry, accessKey, accessList, contentRef } from './input.ts';
import { completeLayout, type LayoutCell, layoutCell } from './layout.ts';
import { canCloneDashboard, canCreateDashboard, canEditDashboard, canViewDashboard } from './permissions.ts';
import { type Placement, placementChange, projectOfFiled } from './placement.ts';
import * as repo from './repo.ts';
import { checkSqlAuthorship } from './sql-authorship.ts';
import type { DashboardRow } from './tables.ts';
import type {
  AccessEntry,
  ContentRef,
  Dashboard,
  DashboardContent,
  DashboardSummary,
  DashboardVersion,
  DashboardVersionSummary,
  Widget,
} from './types.ts';
import * as versioned from './versioned-rows.ts';
import { type FiledContent, type FiledFilter, findVisible, listVisible } from './visible.ts';
import {
  type PlacedWidget,
  placed,
  withFreshWidgetIds,
  withWidgetAdded,
  withWidgetRemoved,
  withWidgetUpdated,
} from './widgets.ts';

/** A data source as a dashboard lists the ones it reads. */
export interface DashboardSource {
  id: number;
  uuid: string;
  name: string;
}

/** The source a widget's query names, if it names one the principal may see. */
export type SourceLookup = (principal: Principal, ref: string) => Promise<DashboardSource | undefined>;

/** What follows a dashboard to another project, written in the transaction `db` that moves it. */
export type DashboardMoved = (
  db: repo.Db,
  dashboard: { id: number; organizationId: number },
  projectId: number,
) => Promise<unknown>;

/** What one edit of a dashboard changes; `content` makes a new version. */
interface Change extends Placement {
  content?: DashboardContent;
  shares?: AccessEntry[];
}

const filedDashboards: FiledContent<Selectable<DashboardRow>, repo.ListedDashboardRow, DashboardSummary> = {
  noun: 'dashboard',
  find: repo.findDashboardRow,
  list: repo.listDashboardRows,
  canView: (principal, index, row) => canViewDashboard(principal, index, repo.dashboardAccessNode(row)),
  summary: repo.toSummary,
};

/**
 * Dashboards: CRUD, clone, widgets, shares and version history. Every change that touches
 * content stores a snapshot as a new version (number = the dashboard's `version`); input is
 * checked before anything is written, and each change runs in one transaction.
 */
export class DashboardService {
  constructor(
    private readonly db: repo.Db,
    /** Called after a dashboard is deleted (its embeds stop). */
    private readonly onDeleted: (dashboardId: number) => Promise<unknown> = async () => {},
    /** The data module's lookup; content alone (no data module) knows no data sources. */
    private readonly findSource: SourceLookup = async () => undefined,
    /** Called in the transaction that moves a dashboard to another project (its schedules follow). */
    private readonly onMoved: DashboardMoved = async () => {},
    private readonly views: ContentViews = new ContentViews(db),
  ) {}

  /** Summaries of the dashboards the principal can see, optionally of one folder or project. */
  async list(principal: Principal, options: FiledFilter = {}): Promise<DashboardSummary[]> {
    return listVisible(this.db, principal, filedDashboards, options);
  }

  /** The dashboard; counts as a view of it. */
  async get(principal: Principal, ref: ContentRef): Promise<Dashboard> {
    const dashboard = await this.lookup(principal, ref);
    await this.views.record(principal, 'dashboard', dashboard.id);
    return dashboard;
  }

  /** What `get` answers, without counting a view: for listings and lookups that open nothing. */
  async lookup(principal: Principal, ref: ContentRef): Promise<Dashboard> {
    const { dashboard } = await this.visible(this.db, principal, ref);
    return dashboard;
  }

  /** How often the dashboard was opened (`get`), for whoever may see it. */
  async viewStats(principal: Principal, ref: ContentRef): Promise<ViewStats> {
    const { row } = await findVisible(this.db, principal, filedDashboards, ref);
    return this.views.statsOne(principal, 'dashboard', row.id);
  }

  /**
   * The data sources the dashboard's widgets query (a chart tile's through its chart), once each
   * in widget order. A widget over a model, or over a source the principal may not see, adds none.
   */
  async dataSources(principal: Principal, ref: ContentRef): Promise<DashboardSource[]> {
    const { widgets } = await this.lookup(principal, ref);
    const refs = new Set(widgets.flatMap((widget) => (widget.query ? [widget.query.source] : [])));
    const found = await Promise.all([...refs].map((source) => this.findSource(principal, source)));
    // An id and a uuid may name the same source.
    const byId = new Map(found.flatMap((source) => (source ? [[source.id, source] as const] : [])));
    return [...byId.values()].map(({ id, uuid, name }) => ({ id, uuid, name }));
  }

  /** The dashboards the principal sees with a widget querying one of `sources` (chart tiles included). */
  async querying(principal: Principal, sources: readonly QueriedSource[]): Promise<DashboardSummary[]> {
    const visible = await this.list(principal);
    return dashboardsQuerying(this.db, principal.organizationId, visible, sources);
  }

  /** For other core services (no permission check): whether the dashboard is in the trash. */
  async inTrash(organizationId: number, ref: ContentRef): Promise<boolean> {
    return repo.isTrashedDashboard(this.db, organizationId, contentRef('id', ref));
  }

  /** Whether the principal may edit a dashboard it can see (ERR_NOT_FOUND when it cannot). */
  async editable(principal: Principal, ref: ContentRef): Promise<{ id: number; editable: boolean }> {
    const { catalog, row } = await this.visible(this.db, principal, ref);
    return {
      id: row.id,
      editable: canEditDashboard(principal, catalog.index, repo.dashboardAccessNode(row)),
    };
  }

  /** The first dashboard of that name the principal can see. */
  async findByName(principal: Principal, name: string): Promise<Dashboard | undefined> {
    authorize(principal, 'dashboard.view');
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    const rows = await repo.findDashboardRowsByName(this.db, principal.organizationId, name);
    const row = rows.find((r) => canViewDashboard(principal, catalog.index, repo.dashboardAccessNode(r)));
    return row && this.read(this.db, row, catalog);
  }

  async create(principal: Principal, input: DashboardInput): Promise<Dashboard> {
    const parsed = parseDashboardCreate(input);
    checkSqlAuthorship(principal, [], ownQueries(parsed.content.widgets));
    return this.insert(principal, parsed.content, parsed, parsed.shares ?? [], new Set());
  }

  /** PATCH: top-level keys given replace the current ones (`widgets` as a whole). */
  async update(principal: Principal, ref: ContentRef, input: DashboardPatchInput): Promise<Dashboard> {
    const { content: patch, ...placement } = parseDashboardPatch(input);
    return this.change(principal, ref, async (current, bind) => {
      const widgets = patch.widgets && (await bind(patch.widgets, widgetChartField));
      const merged = { ...current, ...patch, ...(widgets && { widgets }) };
      // Each face's entry is its own: a PATCH replaces the entries it names and keeps the others.
      if (patch.faceSettings) merged.faceSettings = { ...current.faceSettings, ...patch.faceSettings };
      const layout = completeLayout(
        merged.widgets,
        patch.layout ?? current.layout,
        patch.layout !== undefined,
      );
      return { content: { ...merged, layout }, ...placement };
    });
  }

  /** PUT: the whole content is replaced; folder and shares change only when the body names them. */
  async replace(principal: Principal, ref: ContentRef, input: DashboardInput): Promise<Dashboard> {
    const { content, shares, ...placement } = parseDashboardCreate(input);
    return this.change(principal, ref, async (_, bind) => {
      const widgets = await bind(content.widgets, widgetChartField);
      const layout = completeLayout(widgets, content.layout, true);
      return { content: { ...content, widgets, layout }, shares, ...placement };
    });
  }

  /** Moves the dashboard to the trash (`ContentTrash` restores or purges it); its embeds stop. */
  async delete(principal: Principal, ref: ContentRef): Promise<void> {
    authorize(principal, 'dashboard.edit');
    const id = await this.db.transaction().execute(async (trx) => {
      const { catalog, row } = await this.visible(trx, principal, ref);
      if (!canEditDashboard(principal, catalog.index, repo.dashboardAccessNode(row)))
        throw forbidden('delete this dashboard');
      await versioned.trashVersionedRow(trx, 'dashboards', row.id, principal.userId, nowIso());
      await recordAudit(trx, principal, {
        action: 'dashboard.trash',
        target: { type: 'dashboard', id: row.id },
        details: { name: row.name },
      });
      return row.id;
    });
    await this.onDeleted(id);
  }

  /** A copy with new uuids (its own and its widgets'), owned by the caller, without the original's shares. */
  async clone(
    principal: Principal,
    ref: ContentRef,
    options: { name?: string; folderId?: ContentRef | null } = {},
  ): Promise<Dashboard> {
    authorize(principal, 'dashboard.edit');
    const body = record('', options, ['name', 'folderId']);
    const name = body.name === undefined ? undefined : label('name', body.name);
    const { catalog, row, dashboard } = await this.visible(this.db, principal, ref);
    const target =
      body.folderId === undefined
        ? dashboard.folderId
        : (catalog.target(principal, 'folderId', body.folderId)?.id ?? null);
    if (!canCloneDashboard(principal, catalog.index, repo.dashboardAccessNode(row), target))
      throw forbidden('clone into this folder');
    const content = withFreshWidgetIds(repo.contentOf(dashboard));
    content.name = name ?? `Copy of ${dashboard.name}`.slice(0, 255);
    // A copy of personal content left where it was stays personal (the caller's); a copy at the
    // top level stays in its original's project.
    const placement = { folderRef: target, personal: body.folderId === undefined && dashboard.personal };
    return this.insert(
      principal,
      content,
      placement,
      [],
      chartUuidsOf(dashboard.widgets),
      dashboard.projectId,
    );
  }

  /**
   * Hands the dashboard to another active user of the organization: only its owner or a content
   * admin may. The previous owner keeps the access `previousOwnerAccess` grants (a share), or none.
   */
  async changeOwner(
    principal: Principal,
    ref: ContentRef,
    newOwnerId: number,
    previousOwnerAccess: AccessEntry['level'] | null = null,
  ): Promise<Dashboard> {
    authorize(principal, 'dashboard.edit');
    // Read back as written: after the change, the caller may no longer see the dashboard.
    return this.db.transaction().execute(async (trx) => {
      const { row, dashboard } = await this.visible(trx, principal, ref);
      if (row.owner_id !== principal.userId) authorize(principal, 'content.admin');
      const owner = await trx
        .selectFrom('users')
        .select('id')
        .where('organization_id', '=', row.organization_id)
        .where('id', '=', newOwnerId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (!owner)
        throw validationError('ownerId', `user ${newOwnerId} is not an active user of the organization`);
      const kept = withoutSubject(dashboard.shares, { subject: 'user', id: newOwnerId });
      const shares =
        previousOwnerAccess && row.owner_id !== newOwnerId
          ? [
              ...withoutSubject(kept, { subject: 'user', id: row.owner_id }),
              accessEntry('', { subject: 'user', id: row.owner_id, level: previousOwnerAccess }),
            ]
          : kept;
      const updatedAt = nowIso();
      await trx
        .updateTable('dashboards')
        .set({
          owner_id: newOwnerId,
          shares: JSON.stringify(shares),
          updated_at: updatedAt,
          updated_by: principal.userId,
        })
        .where('id', '=', row.id)
        .execute();
      await recordAudit(trx, principal, {
        action: 'dashboard.owner',
        target: { type: 'dashboard', id: row.id },
        details: { before: row.owner_id, after: newOwnerId },
      });
      return { ...dashboard, ownerId: newOwnerId, shares, updatedAt, updatedBy: principal.userId };
    });
  }

  async setShares(principal: Principal, ref: ContentRef, shares: AccessEntry[]): Promise<Dashboard> {
    const entries = accessList('shares', shares);
    return this.change(principal, ref, () => ({ shares: entries }));
  }

  /** Adds one entry to the share list, or sets the level of the subject's entry. */
  async grant(principal: Principal, ref: ContentRef, input: AccessEntry): Promise<Dashboard> {
    const entry = accessEntry('', input);
    return this.editShares(principal, ref, (shares) => [...withoutSubject(shares, entry), entry]);
  }

  /** Removes the subject's entry from the share list (nothing to do when it has none). */
  async revoke(principal: Principal, ref: ContentRef, input: Omit<AccessEntry, 'level'>): Promise<Dashboard> {
    const key = accessKey('', input);
    return this.editShares(principal, ref, (shares) => withoutSubject(shares, key));
  }

  async addWidget(
    principal: Principal,
    ref: ContentRef,
    input: WidgetInput & { layout?: LayoutCell },
  ): Promise<PlacedWidget> {
    const { widget, cell } = parseWidget('', input, true);
    const dashboard = await this.change(principal, ref, async (current, bind) => ({
      content: withWidgetAdded(current, (await bind([widget], () => 'chartId'))[0], cell),
    }));
    return placed(dashboard, widget.id);
  }

  async updateWidget(
    principal: Principal,
    ref: ContentRef,
    widgetId: string,
    input: Partial<WidgetInput> & { layout?: LayoutCell },
  ): Promise<PlacedWidget> {
    const { layout, ...body } = record('', input, ['title', 'query', 'visualization', 'chartId', 'layout']);
    const cell = layout === undefined ? undefined : layoutCell('layout', layout);
    const dashboard = await this.change(principal, ref, async (current, bind) => {
      const content = withWidgetUpdated(current, widgetId, body, cell);
      return { content: { ...content, widgets: await bind(content.widgets, () => 'chartId') } };
    });
    return placed(dashboard, widgetId);
  }

  async deleteWidget(principal: Principal, ref: ContentRef, widgetId: string): Promise<void> {
    await this.change(principal, ref, (current) => ({ content: withWidgetRemoved(current, widgetId) }));
  }

  /** Newest first. */
  async listVersions(principal: Principal, ref: ContentRef): Promise<DashboardVersionSummary[]> {
    const { row } = await this.visible(this.db, principal, ref);
    return (await versioned.listContentVersions(this.db, 'dashboards', row.id)).map(
      versioned.withoutSnapshot,
    );
  }

  async getVersion(principal: Principal, ref: ContentRef, version: number): Promise<DashboardVersion> {
    const { row } = await this.visible(this.db, principal, ref);
    return versioned.findContentVersion(this.db, 'dashboards', row.id, version);
  }

  /** Brings back a version's content as a new version; folder and shares stay as they are. */
  async restoreVersion(principal: Principal, ref: ContentRef, version: number): Promise<Dashboard> {
    const { snapshot } = await this.getVersion(principal, ref, version);
    return this.change(principal, ref, async (_, bind) => ({
      content: { ...snapshot, widgets: await bind(snapshot.widgets, widgetChartField, true) },
    }));
  }

  /**
   * One entry of the list changes, computed from the list as stored: when a concurrent change
   * stored another list first (ERR_CONFLICT), the edit is applied again to that one, so
   * concurrent grants all land instead of the last one winning.
   */
  private async editShares(
    principal: Principal,
    ref: ContentRef,
    edit: (shares: AccessEntry[]) => AccessEntry[],
  ): Promise<Dashboard> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.change(principal, ref, (_, __, shares) => ({
          shares: accessList('shares', edit(shares)),
        }));
      } catch (error) {
        if (!(isRosettaError(error) && error.code === 'ERR_CONFLICT') || attempt === SHARE_ATTEMPTS)
          throw error;
        // Writers that collided retry at staggered times, or they collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  private async visible(db: repo.Db, principal: Principal, ref: ContentRef) {
    const { catalog, row } = await findVisible(db, principal, filedDashboards, ref);
    return { catalog, row, dashboard: await this.read(db, row, catalog) };
  }

  /** The dashboard as shown: chart tiles hold their chart's current query and visualization. */
  private async read(db: repo.Db, row: Selectable<DashboardRow>, catalog: FolderCatalog): Promise<Dashboard> {
    const dashboard = repo.toDashboard(row, catalog.uuidOf(row.folder_id));
    return { ...dashboard, widgets: await resolveChartTiles(db, row.organization_id, dashboard.widgets) };
  }

  private async insert(
    principal: Principal,
    parsed: DashboardContent,
    placement: Placement,
    shares: AccessEntry[],
    /** Charts the copied dashboard showed (a clone keeps them even where the caller cannot see them). */
    inherited: Set<string>,
    /** Where it goes when neither the body nor a folder says: the original's project for a copy. */
    fallbackProject = principal.projectId,
  ): Promise<Dashboard> {
    authorize(principal, 'dashboard.edit');
    const id = await this.db.transaction().execute(async (trx) => {
      const catalog = await FolderCatalog.load(trx, principal.organizationId);
      const folder = catalog.target(principal, 'folderId', placement.folderRef);
      const projectId = await projectOfFiled(
        trx,
        principal,
        placement.projectId,
        folder,
        'folderId',
        fallbackProject,
      );
      if (!placement.personal && !canCreateDashboard(principal, catalog.index, folder?.id ?? null, projectId))
        throw forbidden('create a dashboard here');
      const bind = tileBinder(trx, principal, catalog.index, inherited, projectId);
      const widgets = await bind(parsed.widgets, widgetChartField);
      const content = { ...parsed, widgets, layout: completeLayout(widgets, parsed.layout, true) };
      const now = nowIso();
      return versioned.insertVersionedRow(
        trx,
        'dashboards',
        {
          uuid: randomUUID(),
          organization_id: principal.organizationId,
          project_id: projectId,
          folder_id: folder?.id ?? null,
          owner_id: principal.userId,
          personal: placement.personal ? 1 : 0,
          ...repo.contentColumns(content),
          shares: JSON.stringify(shares),
          created_at: now,
          updated_at: now,
          updated_by: principal.userId,
        },
        content,
      );
    });
    return this.lookup(principal, id);
  }

  /** Loads, checks edit rights, applies `edit`, and stores the result with an optimistic lock. */
  private async change(
    principal: Principal,
    ref: ContentRef,
    edit: (current: DashboardContent, bind: BindTiles, shares: AccessEntry[]) => Change | Promise<Change>,
  ): Promise<Dashboard> {
    authorize(principal, 'dashboard.edit');
    const id = await this.db.transaction().execute(async (trx) => {
      const { catalog, row, dashboard } = await this.visible(trx, principal, ref);
      const node = repo.dashboardAccessNode(row);
      if (!canEditDashboard(principal, catalog.index, node)) throw forbidden('edit this dashboard');
      const bind = tileBinder(trx, principal, catalog.index, chartUuidsOf(dashboard.widgets), row.project_id);
      const { content, shares, ...placement } = await edit(repo.contentOf(dashboard), bind, dashboard.shares);
      if (content) checkSqlAuthorship(principal, ownQueries(dashboard.widgets), ownQueries(content.widgets));
      const changes: versioned.VersionedRowChanges<'dashboards'> = {
        updated_at: nowIso(),
        updated_by: principal.userId,
      };
      const canEdit = canEditDashboard(principal, catalog.index, node);
      const moved = await placementChange(trx, principal, catalog, row, placement, canEdit, 'dashboard');
      Object.assign(changes, moved);
      if (moved && moved.project_id !== row.project_id) {
        await checkTileProjects(trx, row.organization_id, (content ?? dashboard).widgets, moved.project_id);
        await this.onMoved(trx, { id: row.id, organizationId: row.organization_id }, moved.project_id);
      }
      if (shares) {
        if (!(await repo.replaceShares(trx, row, shares))) {
          throw conflict('the shares were changed by someone else meanwhile; reload and retry');
        }
        await recordAudit(trx, principal, {
          action: 'dashboard.shares',
          target: { type: 'dashboard', id: row.id },
          details: { before: JSON.parse(row.shares), after: shares },
        });
      }
      if (content) Object.assign(changes, repo.contentColumns(content));
      if (!(await versioned.updateVersionedRow(trx, 'dashboards', row, changes, content))) {
        throw conflict(
          'the dashboard was changed by someone else meanwhile; reload and retry',
          undefined,
          'content.version_conflict',
        );
      }
      return row.id;
    });
    return this.lookup(principal, id);
  }
}

/**
 * How many times a share edit is recomputed after concurrent changes before ERR_CONFLICT reaches
 * the caller: each round lets at least one writer through, so N concurrent grants need up to N.
 */
const SHARE_ATTEMPTS = 20;

const withoutSubject = (shares: AccessEntry[], key: Omit<AccessEntry, 'level'>): AccessEntry[] =>
  shares.filter((share) => !(share.subject === key.subject && share.id === key.id));

/** The queries a dashboard's widgets hold themselves (a chart tile's query is the chart's). */
const ownQueries = (widgets: readonly Widget[]): unknown[] =>
  widgets.filter((widget) => !widget.chartId).map((widget) => widget.query);
