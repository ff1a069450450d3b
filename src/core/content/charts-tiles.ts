import type { Selectable } from 'kysely';
import { nowIso } from '../../store/schema.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, validationError } from '../errors.ts';
import {
  chartAccessNode,
  chartsInFolders,
  findChartRow,
  findChartRowsByUuid,
  findDashboardRowsNaming,
  toChart,
} from './charts-repo.ts';
import type { ChartRow } from './charts-tables.ts';
import { contentRef } from './input.ts';
import { canViewChart, type FolderIndex } from './permissions.ts';
import * as repo from './repo.ts';
import type { DashboardRow } from './tables.ts';
import type { Chart, Widget } from './types.ts';
import { updateVersionedRow } from './versioned-rows.ts';

/**
 * Dashboard tiles that show a saved chart (`Widget.chartId`). A tile is stored with a copy of the
 * chart's query and visualization as they were when the dashboard was last written, and shows the
 * chart's current ones whenever the dashboard is read; the copy only serves when the chart is gone.
 */

export const chartUuidsOf = (widgets: Widget[]): Set<string> =>
  new Set(widgets.flatMap((widget) => (widget.chartId === undefined ? [] : [widget.chartId])));

const showing = (widget: Widget, chart: Chart): Widget => ({
  ...widget,
  chartId: chart.uuid,
  query: chart.query,
  visualization: chart.visualization,
});

const plain = ({ chartId: _, ...widget }: Widget): Widget => widget;

/** The widgets as a dashboard shows them: each chart tile with its chart's current content. */
export async function resolveChartTiles(db: repo.Db, organizationId: number, widgets: Widget[]) {
  const uuids = chartUuidsOf(widgets);
  if (uuids.size === 0) return widgets;
  const rows = await findChartRowsByUuid(db, organizationId, [...uuids]);
  const charts = new Map(rows.map((row) => [row.uuid, toChart(row, null)]));
  return widgets.map((widget) => {
    if (widget.chartId === undefined) return widget;
    const chart = charts.get(widget.chartId);
    return chart ? showing(widget, chart) : plain(widget);
  });
}

export interface TileBinding {
  principal: Principal;
  index: FolderIndex;
  /** Charts the dashboard shows already: kept whether or not the principal may see them. */
  inherited: Set<string>;
  /** The dashboard's project: a tile shows a chart of the same project. */
  projectId: number;
  /** The field that names a widget's chart in errors, by the widget's position. */
  field: (position: number) => string;
  /**
   * A restored version may name a chart deleted since: its tile becomes a plain widget with the
   * copy it was stored with. Otherwise an unknown chart is a 400.
   */
  restoring?: boolean;
}

/**
 * The widgets as they are stored: each `chartId` (an id or uuid from the request, or a uuid
 * already stored) becomes the chart's uuid, with a copy of its content and its name as the
 * default title. A new tile needs a chart the principal may see.
 */
export async function bindChartTiles(db: repo.Db, widgets: Widget[], binding: TileBinding) {
  const { principal, index, inherited } = binding;
  const bound: Widget[] = [];
  for (const [position, widget] of widgets.entries()) {
    if (widget.chartId === undefined) {
      bound.push(widget);
      continue;
    }
    const field = binding.field(position);
    const row = await findChartRow(db, principal.organizationId, contentRef(field, widget.chartId));
    if (!row && binding.restoring) {
      bound.push(plain(widget));
      continue;
    }
    if (!row || !(inherited.has(row.uuid) || canViewChart(principal, index, chartAccessNode(row))))
      throw validationError(field, `chart ${JSON.stringify(widget.chartId)} not found`);
    // A version restored after the chart moved to another project keeps the copy, as for a deleted one.
    if (binding.restoring && row.project_id !== binding.projectId) {
      bound.push(plain(widget));
      continue;
    }
    checkChartProject(row, binding.projectId, field);
    const chart = toChart(row, null);
    bound.push({ ...showing(widget, chart), title: widget.title || chart.name });
  }
  return bound;
}

/** Binds the chart tiles of the widgets one dashboard edit stores; `field` names them by position. */
export type BindTiles = (
  widgets: Widget[],
  field: (position: number) => string,
  restoring?: boolean,
) => Promise<Widget[]>;

export const widgetChartField = (position: number): string => `widgets[${position}].chartId`;

function checkChartProject(chart: Pick<ChartRow, 'uuid' | 'project_id'>, projectId: number, field: string) {
  if (chart.project_id !== projectId)
    throw validationError(
      field,
      `chart ${chart.uuid} is in project ${chart.project_id}, not in the dashboard's project ${projectId}`,
    );
}

/** Refuses to move a dashboard to project `projectId` while it shows charts of another project. */
export async function checkTileProjects(
  db: repo.Db,
  organizationId: number,
  widgets: Widget[],
  projectId: number,
): Promise<void> {
  for (const row of await findChartRowsByUuid(db, organizationId, [...chartUuidsOf(widgets)]))
    checkChartProject(row, projectId, 'projectId');
}

/**
 * `bindChartTiles` for an edit of a dashboard that shows the charts `shown` (a new dashboard: none,
 * a clone: its original's). A restored version keeps the charts it showed, as the dashboard did.
 */
export const tileBinder =
  (db: repo.Db, principal: Principal, index: FolderIndex, shown: Set<string>, projectId: number): BindTiles =>
  (widgets, field, restoring) =>
    bindChartTiles(db, widgets, {
      principal,
      index,
      projectId,
      inherited: restoring ? new Set([...shown, ...chartUuidsOf(widgets)]) : shown,
      field,
      restoring,
    });

/** The dashboards of the organization that show the chart, whoever may see them. */
export async function dashboardRowsShowing(db: repo.Db, organizationId: number, chartUuid: string) {
  const rows = await findDashboardRowsNaming(db, organizationId, chartUuid);
  return rows.filter((row) => chartUuidsOf(repo.toDashboard(row, null).widgets).has(chartUuid));
}

/**
 * Turns the dashboards' tiles of the chart into plain widgets holding its current query and
 * visualization, so they show what they showed; each dashboard gets a version by `principal`.
 */
export async function detachChartTiles(
  db: repo.Db,
  principal: Principal,
  chart: Chart,
  dashboards: Selectable<DashboardRow>[],
): Promise<void> {
  const now = nowIso();
  for (const row of dashboards) {
    const content = repo.contentOf(repo.toDashboard(row, null));
    content.widgets = content.widgets.map((w) => (w.chartId === chart.uuid ? plain(showing(w, chart)) : w));
    const changes = { ...repo.contentColumns(content), updated_at: now, updated_by: principal.userId };
    if (!(await updateVersionedRow(db, 'dashboards', row, changes, content)))
      throw conflict(
        `dashboard "${row.name}" was changed meanwhile; retry`,
        undefined,
        'content.version_conflict',
      );
  }
}

/**
 * Before the folders are deleted (which trashes the charts filed in them): the charts' tiles on
 * dashboards become plain widgets, as a forced chart deletion does.
 */
export async function detachChartsIn(db: repo.Db, principal: Principal, folderIds: number[]): Promise<void> {
  for (const row of await chartsInFolders(db, principal.organizationId, folderIds)) {
    const dashboards = await dashboardRowsShowing(db, principal.organizationId, row.uuid);
    await detachChartTiles(db, principal, toChart(row, null), dashboards);
  }
}
