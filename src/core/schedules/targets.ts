import type { Principal } from '../auth/principal.ts';
import { type ChartService, type DashboardService, dashboardVariableValues } from '../content/index.ts';
import { isRosettaError, validationError } from '../errors.ts';
import type { QueryService } from '../query/index.ts';
import { andFilters, type SavedQuery } from '../query/index.ts';
import { scheduledFilters } from '../views/index.ts';
import type { TargetSettings } from './evaluate.ts';
import type { ScheduleInput, TargetInput } from './input.ts';
import { dashboardOfTarget, type Schedule, type ScheduleTarget } from './types.ts';

/**
 * What a schedule is saved with, checked with its owner's rights: the target (dashboards
 * resolved, a query compiled against its model) and the dashboard filter and variable values
 * kept with it, checked by the rules a view applies and kept as given, so later changes to the
 * dashboard's defaults still apply.
 */
export function createTargetChecks(deps: {
  dashboards: Pick<DashboardService, 'lookup'>;
  charts: Pick<ChartService, 'lookup'>;
  query: Pick<QueryService, 'compile'>;
}) {
  const dashboardOf = (principal: Principal, target: ScheduleTarget, field: string) => {
    const dashboard = dashboardOfTarget(target);
    if (dashboard === null)
      throw validationError(field, 'only a dashboard or widget target has dashboard filters and variables');
    return deps.dashboards.lookup(principal, dashboard);
  };

  return {
    async resolve(principal: Principal, target: TargetInput, input: ScheduleInput): Promise<ScheduleTarget> {
      if ('dashboard' in target)
        return { dashboard: (await deps.dashboards.lookup(principal, target.dashboard)).id };
      if ('widget' in target) {
        const dashboard = await deps.dashboards.lookup(principal, target.widget.dashboard);
        const widget = dashboard.widgets.find((w) => w.id === target.widget.widget);
        if (!widget)
          throw validationError(
            'target.widget.widget',
            `no widget "${target.widget.widget}" on this dashboard`,
          );
        if (!widget.query) throw validationError('target.widget.widget', 'a text widget has no data');
        return { widget: { dashboard: dashboard.id, widget: widget.id } };
      }
      if ('chart' in target) return { chart: (await deps.charts.lookup(principal, target.chart)).id };
      try {
        await deps.query.compile(principal, andFilters(target.query, input.filters ?? []));
      } catch (error) {
        // The query core names fields from its body's root (`body.colour`, `metrics[0].field`).
        if (isRosettaError(error) && error.code === 'ERR_VALIDATION') {
          const inner = (error.field ?? '').replace(/^body\.?/, '');
          throw validationError(
            inner ? `target.query.${inner}` : 'target.query',
            error.problem,
            error.reason,
          );
        }
        throw error;
      }
      // Compiling it checked its `source` names a model.
      return { query: target.query as SavedQuery };
    },

    /** A schedule's target with the filters, filter values and variables it is checked with. */
    async settings(
      principal: Principal,
      input: Pick<ScheduleInput, 'filters' | 'filterValues' | 'variables'> & { target: TargetInput },
    ): Promise<TargetSettings> {
      const filters = input.filters ?? [];
      const target = await this.resolve(principal, input.target, { filters });
      const variables = await this.variables(principal, target, input.variables ?? {});
      const filterValues = await this.filterValues(principal, target, input.filterValues ?? {}, filters);
      return { target, filters, filterValues, variables };
    },

    /** Variable values, checked against the target dashboard's variables as exports check them. */
    async variables(
      principal: Principal,
      target: ScheduleTarget,
      given: Record<string, unknown>,
    ): Promise<Schedule['variables']> {
      if (Object.keys(given).length === 0) return {};
      const dashboard = await dashboardOf(principal, target, 'variables');
      dashboardVariableValues(dashboard.variables, given, 'variables');
      return given as Schedule['variables'];
    },

    /** Filter values by filter id, checked as a run applies them (`filterValues.<id>` on error). */
    async filterValues(
      principal: Principal,
      target: ScheduleTarget,
      given: Record<string, unknown>,
      rules: Schedule['filters'],
    ): Promise<Schedule['filterValues']> {
      if (Object.keys(given).length === 0) return {};
      const dashboard = await dashboardOf(principal, target, 'filterValues');
      scheduledFilters(rules, dashboard.filters, given);
      return given;
    },
  };
}
