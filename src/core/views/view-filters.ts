/** The filters of a view without a screen (exports, emails, deliveries): what applies, what to print. */
import type { DashboardFilter } from '../content/index.ts';
import type { FilterRule } from '../query/index.ts';
import { type AppliedFilter, dashboardFilters, defaultsBeside } from './applied-filters.ts';
import { appliedSummary, type FilterSummary, ruleSummary } from './filter-text.ts';
import { filterRules } from './filter-values.ts';

/**
 * What a view applies: the dashboard filters in force (each widget takes them on its own target
 * field), rules on fields (a query export's filters, a schedule's own rules), and the summaries
 * a file or an email prints.
 */
export interface ViewFilters {
  applied: AppliedFilter[];
  rules: FilterRule[];
  summaries: FilterSummary[];
}

/** Requested filter values over a dashboard's filters (defaults included), or a query's fields. */
export function requestedFilters(
  values: unknown,
  definitions: readonly DashboardFilter[] | null,
): ViewFilters {
  if (!definitions) {
    const rules = filterRules(values, null);
    const summaries = rules.map((rule) => ({ ...ruleSummary(rule), origin: 'request' as const }));
    return { applied: [], rules, summaries };
  }
  const applied = dashboardFilters(values, definitions);
  return { applied, rules: [], summaries: applied.map(appliedSummary) };
}

/**
 * A schedule's own rules and, when it shows a dashboard, its filter values (`filterValues`: id →
 * value) over the dashboard's filter defaults. Errors name `filterValues.<id>`.
 */
export function scheduledFilters(
  rules: readonly FilterRule[],
  definitions: readonly DashboardFilter[] | null,
  values: Record<string, unknown> = {},
): ViewFilters {
  const applied = definitions ? defaultsBeside(rules, definitions, values, 'filterValues') : [];
  return {
    applied,
    rules: [...rules],
    summaries: [...rules.map(ruleSummary), ...applied.map(appliedSummary)],
  };
}
