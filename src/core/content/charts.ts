import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, forbidden } from '../errors.ts';
import { type ChartInput, type ChartPatchInput, parseChartCreate, parseChartPatch } from './charts-input.ts';
import * as charts from './charts-repo.ts';
import type { ChartRow } from './charts-tables.ts';
import { dashboardRowsShowing, detachChartTiles } from './charts-tiles.ts';
import { ContentViews, type ViewStats } from './content-views.ts';
import { FolderCatalog } from './folders.ts';
import { canEditChart, canEditFolder, canViewChart, canViewDashboard } from './permissions.ts';
import { type Placement, placementChange, projectOfFiled } from './placement.ts';
import { type Db, dashboardAccessNode } from './repo.ts';
import { checkSqlAuthorship } from './sql-authorship.ts';
import type {
  Chart,
  ChartContent,
  ChartSummary,
  ChartUse,
  ChartVersion,
  ChartVersionSummary,
  ContentRef,
} from './types.ts';
import * as versioned from './versioned-rows.ts';
import { type FiledContent, type FiledFilter, findVisible, listVisible } from './visible.ts';

const filedCharts: FiledContent<Selectable<ChartRow>, Selectable<ChartRow>, ChartSummary> = {
  noun: 'chart',
  find: charts.findChartRow,
  list: charts.listChartRows,
  canView: (principal, index, row) => canViewChart(principal, index, charts.chartAccessNode(row)),
  summary: charts.toChartSummary,
};

/** A chart with the dashboards the caller sees it on, and whether the caller may change it. */
export type ChartDetail = Chart & { usedBy: ChartUse[]; canEdit: boolean };

/**
 * Saved charts: a query and its visualization with an id and versions of their own, shown on
 * dashboards by reference (`Widget.chartId`). Access is folder access and ownership, as for
 * dashboards; every content change stores a version; a chart that dashboards show is deleted
 * only with `force`, which leaves those tiles as plain widgets holding its content.
 */
export class ChartService {
  constructor(
    private readonly db: Db,
    private readonly views: ContentViews = new ContentViews(db),
  ) {}

  /** Summaries of the charts the principal can see, optionally of one folder or project. */
  async list(principal: Principal, options: FiledFilter = {}): Promise<ChartSummary[]> {
    return listVisible(this.db, principal, filedCharts, options);
  }

  /** The chart, and the dashboards showing it that the principal can see; counts as a view of it. */
  async get(principal: Principal, ref: ContentRef): Promise<ChartDetail> {
    const chart = await this.lookup(principal, ref);
    await this.views.record(principal, 'chart', chart.id);
    return chart;
  }

  /** What `get` answers, without counting a view: for listings and lookups that open nothing. */
  async lookup(principal: Principal, ref: ContentRef): Promise<ChartDetail> {
    const { catalog, row, chart } = await this.visible(this.db, principal, ref);
    const showing = await dashboardRowsShowing(this.db, principal.organizationId, chart.uuid);
    const usedBy = showing
      .filter((row) => canViewDashboard(principal, catalog.index, dashboardAccessNode(row)))
      .map((row) => ({ id: row.id, uuid: row.uuid, name: row.name }));
    return { ...chart, usedBy, canEdit: canEditChart(principal, catalog.index, charts.chartAccessNode(row)) };
  }

  async create(principal: Principal, input: ChartInput): Promise<ChartDetail> {
    authorize(principal, 'dashboard.edit');
    const { content, folderRef, personal, projectId: requestedProject } = parseChartCreate(input);
    checkSqlAuthorship(principal, [], [content.query]);
    const id = await this.db.transaction().execute(async (trx) => {
      const catalog = await FolderCatalog.load(trx, principal.organizationId);
      const folder = catalog.target(principal, 'folderId', folderRef);
      if (!personal && !canEditFolder(principal, catalog.index, folder?.id ?? null))
        throw forbidden('create a chart here');
      const projectId = await projectOfFiled(trx, principal, requestedProject, folder, 'folderId');
      const now = nowIso();
      return versioned.insertVersionedRow(
        trx,
        'charts',
        {
          uuid: randomUUID(),
          organization_id: principal.organizationId,
          project_id: projectId,
          folder_id: folder?.id ?? null,
          personal: personal ? 1 : 0,
          ...charts.chartContentColumns(content),
          created_by: principal.userId,
          created_at: now,
          updated_at: now,
          updated_by: principal.userId,
        },
        content,
      );
    });
    return this.lookup(principal, id);
  }

  /** PATCH: the keys given replace the current ones; `version`, when given, must be the current one. */
  async update(principal: Principal, ref: ContentRef, input: ChartPatchInput): Promise<ChartDetail> {
    const { content, baseVersion, ...placement } = parseChartPatch(input);
    const changesContent = Object.keys(content).length > 0;
    return this.change(principal, ref, baseVersion, (current) => ({
      content: changesContent ? { ...current, ...content } : undefined,
      ...placement,
    }));
  }

  /**
   * Moves the chart to the trash. Without `force`, a chart that dashboards show is a 409 naming
   * them; with it, those tiles become plain widgets first (a restore does not re-link them).
   */
  async delete(principal: Principal, ref: ContentRef, options: { force?: boolean } = {}): Promise<void> {
    authorize(principal, 'dashboard.edit');
    await this.db.transaction().execute(async (trx) => {
      const { catalog, row, chart } = await this.visible(trx, principal, ref);
      if (!canEditChart(principal, catalog.index, charts.chartAccessNode(row)))
        throw forbidden('delete this chart');
      const showing = await dashboardRowsShowing(trx, principal.organizationId, chart.uuid);
      if (showing.length > 0 && !options.force) {
        const seen = showing.filter((d) =>
          canViewDashboard(principal, catalog.index, dashboardAccessNode(d)),
        );
        const names = seen.map((d) => JSON.stringify(d.name)).join(', ');
        const unseen = showing.length - seen.length;
        throw conflict(
          `the chart is shown on ${showing.length} dashboard${showing.length > 1 ? 's' : ''}` +
            `${names ? `: ${names}` : ''}${unseen && seen.length ? ` and ${unseen} you cannot see` : ''}; ` +
            'delete it with force=true to turn those tiles into plain widgets holding its query',
        );
      }
      await detachChartTiles(trx, principal, chart, showing);
      await versioned.trashVersionedRow(trx, 'charts', row.id, principal.userId, nowIso());
      await recordAudit(trx, principal, {
        action: 'chart.trash',
        target: { type: 'chart', id: row.id },
        details: { name: row.name, detachedFrom: showing.map((d) => d.id) },
      });
    });
  }

  /** How often the chart was opened (`get`), for whoever may see it. */
  async viewStats(principal: Principal, ref: ContentRef): Promise<ViewStats> {
    const { row } = await this.visible(this.db, principal, ref);
    return this.views.statsOne(principal, 'chart', row.id);
  }

  /** Newest first. */
  async listVersions(principal: Principal, ref: ContentRef): Promise<ChartVersionSummary[]> {
    const { row } = await this.visible(this.db, principal, ref);
    return (await versioned.listContentVersions(this.db, 'charts', row.id)).map(versioned.withoutSnapshot);
  }

  async getVersion(principal: Principal, ref: ContentRef, version: number): Promise<ChartVersion> {
    const { row } = await this.visible(this.db, principal, ref);
    return versioned.findContentVersion(this.db, 'charts', row.id, version);
  }

  /** Brings back a version's content as a new version; the folder stays as it is. */
  async restoreVersion(principal: Principal, ref: ContentRef, version: number): Promise<ChartDetail> {
    const { row } = await this.visible(this.db, principal, ref);
    const found = await versioned.findContentVersion(this.db, 'charts', row.id, version);
    return this.change(principal, ref, undefined, () => ({ content: found.snapshot }));
  }

  private async visible(db: Db, principal: Principal, ref: ContentRef) {
    const { catalog, row } = await findVisible(db, principal, filedCharts, ref);
    return { catalog, row, chart: charts.toChart(row, catalog.uuidOf(row.folder_id)) };
  }

  /** Loads, checks edit rights and the base version, applies `edit`, stores with an optimistic lock. */
  private async change(
    principal: Principal,
    ref: ContentRef,
    baseVersion: number | undefined,
    edit: (current: ChartContent) => Placement & { content?: ChartContent },
  ): Promise<ChartDetail> {
    authorize(principal, 'dashboard.edit');
    const id = await this.db.transaction().execute(async (trx) => {
      const { catalog, row, chart } = await this.visible(trx, principal, ref);
      const node = charts.chartAccessNode(row);
      if (!canEditChart(principal, catalog.index, node)) throw forbidden('edit this chart');
      if (baseVersion !== undefined && baseVersion !== row.version) {
        throw conflict(
          `the chart is at version ${row.version}, not ${baseVersion}; reload and retry`,
          'version',
          'content.version_conflict',
        );
      }
      const { content, ...placement } = edit(charts.chartContentOf(chart));
      if (content) checkSqlAuthorship(principal, [chart.query], [content.query]);
      const changes: versioned.VersionedRowChanges<'charts'> = {
        updated_at: nowIso(),
        updated_by: principal.userId,
      };
      const canEdit = canEditChart(principal, catalog.index, node);
      const moved = await placementChange(trx, principal, catalog, row, placement, canEdit, 'chart');
      Object.assign(changes, moved);
      if (moved && moved.project_id !== row.project_id) {
        const showing = await dashboardRowsShowing(trx, principal.organizationId, chart.uuid);
        if (showing.length > 0)
          throw conflict(
            `the chart is shown on ${showing.length} dashboard${showing.length > 1 ? 's' : ''} of its project: ` +
              'a tile shows a chart of its own project, so remove those tiles (or move the dashboards) first',
            'projectId',
          );
      }
      if (content) Object.assign(changes, charts.chartContentColumns(content));
      if (!(await versioned.updateVersionedRow(trx, 'charts', row, changes, content)))
        throw conflict(
          'the chart was changed by someone else meanwhile; reload and retry',
          undefined,
          'content.version_conflict',
        );
      return row.id;
    });
    return this.lookup(principal, id);
  }
}
