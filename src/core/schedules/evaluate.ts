import type { Principal } from '../auth/principal.ts';
import { type ChartService, type DashboardService, dashboardVariableValues } from '../content/index.ts';
import { andFilters, type QueryService, type ReduceOptions, withVariables } from '../query/index.ts';
import { scheduledFilters, type ViewFilters, type ViewService } from '../views/index.ts';
import { evaluateConditions } from './conditions.ts';
import { type AlertEvaluation, dashboardOfTarget, type Schedule } from './types.ts';

/**
 * How an alert's conditions are checked, by a run and by the alert dialog's preview alike: the
 * target's query with the schedule's filters and variables, reduced by the warehouse over its
 * whole result, then compared.
 */

export interface EvaluateDeps {
  query: Pick<QueryService, 'reduce' | 'reduceSaved'>;
  dashboards: Pick<DashboardService, 'lookup'>;
  charts: Pick<ChartService, 'lookup'>;
  views: Pick<ViewService, 'widgetRules'>;
}

/** What a target is checked or rendered with: a saved schedule, or an alert not saved yet. */
export type TargetSettings = Pick<Schedule, 'target' | 'filters' | 'filterValues' | 'variables'>;

/**
 * The schedule's rules and filter values, over the filter defaults of the dashboard it shows, as
 * the dashboard opens on screen.
 */
export async function targetFilters(
  deps: Pick<EvaluateDeps, 'dashboards'>,
  settings: Omit<TargetSettings, 'variables'>,
  principal: Principal,
): Promise<ViewFilters> {
  const ref = dashboardOfTarget(settings.target);
  if (ref === null) return scheduledFilters(settings.filters, null);
  const dashboard = await deps.dashboards.lookup(principal, ref);
  return scheduledFilters(settings.filters, dashboard.filters, settings.filterValues);
}

export async function evaluateAlert(
  deps: EvaluateDeps,
  principal: Principal,
  alert: Pick<Schedule, 'target' | 'variables' | 'conditions'>,
  filters: ViewFilters,
  options: Pick<ReduceOptions, 'signal' | 'noCache'>,
): Promise<AlertEvaluation> {
  const { target, conditions } = alert;
  // The warehouse reduces the whole result: a condition holds on every row, never on a cut page.
  const reductions = conditions.map(({ field, aggregation }) => ({ field, aggregation }));
  const reduceOptions = { ...options, path: 'conditions' };
  if ('query' in target) {
    const body = andFilters(target.query, filters.rules);
    return evaluateConditions(
      await deps.query.reduce(principal, body, reductions, reduceOptions),
      conditions,
    );
  }
  if ('widget' in target) {
    const dashboard = await deps.dashboards.lookup(principal, target.widget.dashboard);
    const widget = dashboard.widgets.find((w) => w.id === target.widget.widget);
    if (!widget?.query) throw new Error(`widget "${target.widget.widget}" has no query any more`);
    const body = withVariables(widget.query, dashboardVariableValues(dashboard.variables, alert.variables));
    // The widget's own query: its dashboard's readers may watch it, as they may see it. It takes
    // the filters whose field its data has, as on screen.
    const rules = await deps.views.widgetRules(principal, { id: widget.id, query: body }, filters);
    const reduced = await deps.query.reduceSaved(
      principal,
      andFilters(body, rules),
      reductions,
      reduceOptions,
    );
    return evaluateConditions(reduced, conditions);
  }
  if ('chart' in target) {
    const chart = await deps.charts.lookup(principal, target.chart);
    const body = andFilters(chart.query as Record<string, unknown>, filters.rules);
    return evaluateConditions(
      await deps.query.reduceSaved(principal, body, reductions, reduceOptions),
      conditions,
    );
  }
  throw new Error('an alert watches a widget, a chart or a query');
}
