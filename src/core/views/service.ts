import type { JsonScalar } from '../../engines/types.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import {
  type ChartService,
  type ContentRef,
  type Dashboard,
  type DashboardService,
  drawnQuery,
  type Widget,
} from '../content/index.ts';
import { notFound, validationError } from '../errors.ts';
import {
  type FilterRule,
  type Model,
  parseQueryBody,
  type QueryRunResult,
  type QueryService,
  type RunQueryOptions,
} from '../query/index.ts';
import { dashboardFilters, hasField, targetField } from './applied-filters.ts';
import { variablesOf, viewBody } from './context.ts';
import { type TileFilter, type TileView, tileQuery } from './tile-query.ts';
import type { ViewFilters } from './view-filters.ts';

/** What a view asks of a dashboard: its filters' values and its variables' values. */
export interface ViewInput {
  /** Filter id (or field) → a list of values, `{from, to}`, `{min, max}` or `{relative: […]}`. */
  filters?: unknown;
  variables?: unknown;
}

export interface WidgetResults extends QueryRunResult {
  /**
   * Ids of the dashboard filters that apply to this widget, set or not: the others name a field
   * its data lacks, and changing them cannot change its result.
   */
  appliedFilters: string[];
}

/** How a saved chart is run: as saved, one of its versions, or as a tile of a dashboard. */
export interface ChartViewInput {
  /** A version of the chart to run instead of its current content. */
  version?: number;
  /** A dashboard showing the chart: `filters` then target the chart's tile there. */
  dashboard?: ContentRef;
  /** Dashboard filters in force, with their rules (a face maps its vendor's filters to these). */
  filters?: readonly TileFilter[];
  /** The dashboard's sorts and date zoom on the tile. */
  view?: TileView;
  /** Grand totals of every metric beside the rows. */
  totals?: boolean;
}

export interface FilterChoices {
  values: JsonScalar[];
  truncated: boolean;
}

/**
 * What a dashboard shows: each widget's saved query run with the dashboard's filters and
 * variables, and the values a filter offers. Viewers and embeds see data only this way, never
 * through ad-hoc queries (`dashboard.run` against `query.adhoc`): they get what the dashboard's
 * editors built, under the row policies. A filter applies to the widgets whose data has its field.
 */
export interface ViewService {
  widgetResults(
    principal: Principal,
    dashboard: number | string,
    widgetId: string,
    input: ViewInput,
    options?: RunQueryOptions,
  ): Promise<WidgetResults>;
  /**
   * Runs a saved chart the principal may see, as saved or as a dashboard tile: like a widget, a
   * chart's readers see its data without `query.adhoc`. A dashboard that does not show the chart
   * applies its filters on their own fields only (no tile targets).
   */
  chartResults(
    principal: Principal,
    chart: ContentRef,
    input: ChartViewInput,
    options?: RunQueryOptions,
  ): Promise<WidgetResults>;
  filterChoices(
    principal: Principal,
    dashboard: number | string,
    filterId: string,
    options?: RunQueryOptions,
  ): Promise<FilterChoices>;
  /**
   * The rules a dashboard's widget takes from a view's filters: each dashboard filter on its
   * target field for this widget, and each rule whose field its data has.
   */
  widgetRules(
    principal: Principal,
    widget: { id: string; query: Record<string, unknown> },
    filters: Pick<ViewFilters, 'applied' | 'rules'>,
  ): Promise<FilterRule[]>;
}

/** Choices a values filter lists at most. */
export const MAX_FILTER_CHOICES = 1000;

export function createViewService(deps: {
  dashboards: Pick<DashboardService, 'lookup'>;
  charts: Pick<ChartService, 'lookup' | 'getVersion'>;
  query: Pick<QueryService, 'runSavedIr'>;
  resolveModel(principal: Principal, source: string, options: { granted: true }): Promise<Model>;
}): ViewService {
  async function open(principal: Principal, ref: number | string): Promise<Dashboard> {
    const dashboard = await deps.dashboards.lookup(principal, ref);
    authorize(principal, 'dashboard.run');
    return dashboard;
  }

  /**
   * A saved body's model; its `source` was checked when the widget was saved, and the dashboard
   * grants its readers its data, whatever the access lists of the sources under it.
   */
  const modelOf = (principal: Principal, source: unknown) =>
    deps.resolveModel(principal, String(source), { granted: true });

  function rulesOn(model: Model, widgetId: string, filters: Pick<ViewFilters, 'applied' | 'rules'>) {
    const rules: FilterRule[] = [];
    for (const { filter, rules: own } of filters.applied) {
      const field = targetField(filter, widgetId, model);
      if (field !== null) rules.push(...own.map((rule) => ({ ...rule, field })));
    }
    return [...rules, ...filters.rules.filter((rule) => hasField(model, rule.field))];
  }

  /** The tile showing the chart on a dashboard the principal sees; '' when none does (no tile targets). */
  async function tileOf(principal: Principal, dashboardRef: ContentRef, chartUuid: string): Promise<string> {
    const dashboard = await deps.dashboards.lookup(principal, dashboardRef);
    return dashboard.widgets.find((widget) => widget.chartId === chartUuid)?.id ?? '';
  }

  function queryOf(widget: Widget): Record<string, unknown> {
    const query = drawnQuery(widget);
    if (!query) throw validationError('widgetId', `widget "${widget.id}" is text and has no data`);
    return query;
  }

  return {
    async widgetResults(principal, ref, widgetId, input, options) {
      const dashboard = await open(principal, ref);
      const widget = dashboard.widgets.find((w) => w.id === widgetId);
      if (!widget) throw notFound('widget', widgetId);
      const body = queryOf(widget);
      const model = await modelOf(principal, body.source);
      const applying = dashboard.filters.filter((filter) => targetField(filter, widget.id, model) !== null);
      const rules = rulesOn(model, widget.id, {
        applied: dashboardFilters(input.filters, dashboard.filters),
        rules: [],
      });
      const variables = variablesOf(principal, dashboard, input.variables);
      const { ir } = parseQueryBody(viewBody(body, { rules, variables }));
      const result = await deps.query.runSavedIr(principal, model, ir, options);
      return { ...result, appliedFilters: applying.map((filter) => filter.id) };
    },

    async chartResults(principal, ref, input, options) {
      const chart = await deps.charts.lookup(principal, ref);
      authorize(principal, 'dashboard.run');
      const content =
        input.version === undefined
          ? chart
          : (await deps.charts.getVersion(principal, ref, input.version)).snapshot;
      const tileId =
        input.dashboard === undefined ? '' : await tileOf(principal, input.dashboard, chart.uuid);
      const model = await modelOf(principal, content.query.source);
      const { query, applied } = tileQuery(content.query, input.filters ?? [], tileId, model, input.view);
      const { ir } = parseQueryBody(input.totals ? { ...query, totals: true } : query);
      const result = await deps.query.runSavedIr(principal, model, ir, options);
      return { ...result, appliedFilters: applied };
    },

    async filterChoices(principal, ref, filterId, options) {
      const dashboard = await open(principal, ref);
      const filter = dashboard.filters.find((f) => f.id === filterId);
      if (!filter) throw notFound('filter', filterId);
      // The first widget whose data has the field lists its values, as its readers see them.
      for (const widget of dashboard.widgets) {
        if (!widget.query) continue;
        const { source } = widget.query;
        const model = await modelOf(principal, source);
        if (!hasField(model, filter.field)) continue;
        const { ir } = parseQueryBody({ source, dimensions: [filter.field], sorts: [filter.field] });
        const { rows, truncated } = await deps.query.runSavedIr(principal, model, ir, {
          ...options,
          maxRows: MAX_FILTER_CHOICES,
        });
        return { values: rows.map((row) => row[0]), truncated };
      }
      return { values: [], truncated: false };
    },

    async widgetRules(principal, widget, filters) {
      if (filters.applied.length === 0 && filters.rules.length === 0) return [];
      return rulesOn(await modelOf(principal, widget.query.source), widget.id, filters);
    },
  };
}
