import type { JsonScalar } from '../../engines/types.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { Dashboard, DashboardService, Widget } from '../content/index.ts';
import { notFound, validationError } from '../errors.ts';
import {
  type FilterRule,
  type Model,
  parseQueryBody,
  type QueryRunResult,
  type QueryService,
  type RunQueryOptions,
} from '../query/index.ts';
import { resolveField } from '../query/resolve.ts';
import { variablesOf, viewBody } from './context.ts';
import { filterRules } from './filter-values.ts';

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
  filterChoices(
    principal: Principal,
    dashboard: number | string,
    filterId: string,
    options?: RunQueryOptions,
  ): Promise<FilterChoices>;
  /** The rules that apply to a saved query body: those whose field its model has. */
  applicableRules(
    principal: Principal,
    body: Record<string, unknown>,
    rules: readonly FilterRule[],
  ): Promise<FilterRule[]>;
}

/** Choices a values filter lists at most. */
export const MAX_FILTER_CHOICES = 1000;

const hasField = (model: Model, field: string): boolean => {
  try {
    resolveField(model, field, 'field');
    return true;
  } catch {
    return false;
  }
};

export function createViewService(deps: {
  dashboards: Pick<DashboardService, 'get'>;
  query: Pick<QueryService, 'runSavedIr'>;
  resolveModel(principal: Principal, source: string): Promise<Model>;
}): ViewService {
  async function open(principal: Principal, ref: number | string): Promise<Dashboard> {
    const dashboard = await deps.dashboards.get(principal, ref);
    authorize(principal, 'dashboard.run');
    return dashboard;
  }

  /** A saved body's model; its `source` was checked when the widget was saved. */
  const modelOf = (principal: Principal, body: Record<string, unknown>) =>
    deps.resolveModel(principal, String(body.source));

  async function applicableRules(
    principal: Principal,
    body: Record<string, unknown>,
    rules: readonly FilterRule[],
  ): Promise<FilterRule[]> {
    if (rules.length === 0) return [];
    const model = await modelOf(principal, body);
    return rules.filter((rule) => hasField(model, rule.field));
  }

  function queryOf(widget: Widget): Record<string, unknown> {
    if (!widget.query) throw validationError('widgetId', `widget "${widget.id}" is text and has no data`);
    return widget.query;
  }

  return {
    async widgetResults(principal, ref, widgetId, input, options) {
      const dashboard = await open(principal, ref);
      const widget = dashboard.widgets.find((w) => w.id === widgetId);
      if (!widget) throw notFound('widget', widgetId);
      const body = queryOf(widget);
      const model = await modelOf(principal, body);
      const applying = dashboard.filters.filter((filter) => hasField(model, filter.field));
      const rules = filterRules(input.filters, dashboard.filters).filter((rule) =>
        hasField(model, rule.field),
      );
      const variables = variablesOf(principal, dashboard, input.variables);
      const { ir } = parseQueryBody(viewBody(body, { rules, variables }));
      const result = await deps.query.runSavedIr(principal, model, ir, options);
      return { ...result, appliedFilters: applying.map((filter) => filter.id) };
    },

    async filterChoices(principal, ref, filterId, options) {
      const dashboard = await open(principal, ref);
      const filter = dashboard.filters.find((f) => f.id === filterId);
      if (!filter) throw notFound('filter', filterId);
      // The first widget whose data has the field lists its values, as its readers see them.
      for (const widget of dashboard.widgets) {
        if (!widget.query) continue;
        const { source } = widget.query;
        const model = await deps.resolveModel(principal, source);
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

    applicableRules,
  };
}
