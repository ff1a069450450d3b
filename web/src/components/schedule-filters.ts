import type { DashboardFilter, Scalar } from '../types.ts';
import { valueFromDefault } from './filter-defaults.ts';
import { DATE_PRESETS, type FilterValue, requestFilters } from './filters.ts';

/*
 * A schedule's `filterValues` ({filter id: value}, as widget results take them) and the filter
 * bar's values. A schedule keeps only the filters set apart from their default (null = cleared),
 * so the others follow the dashboard's defaults when those change.
 */

type Values = Record<string, FilterValue | undefined>;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One stored value as the filter bar holds it. */
function barValue(filter: DashboardFilter, stored: unknown): FilterValue | undefined {
  if (stored === null || stored === undefined) return undefined;
  if (typeof stored === 'object' && !Array.isArray(stored) && 'relative' in stored) {
    const spec = (stored as { relative: Scalar[] }).relative;
    const preset = DATE_PRESETS.find((p) => sameJson(p.values, spec));
    return preset && { kind: 'relative', preset: preset.id };
  }
  return valueFromDefault({ type: filter.type, default: stored });
}

/** The filter bar's values of a saved schedule: its own values over the defaults. */
export function scheduleFilterState(filters: DashboardFilter[], stored: Record<string, unknown>): Values {
  return Object.fromEntries(
    filters.map((f) => [f.id, Object.hasOwn(stored, f.id) ? barValue(f, stored[f.id]) : valueFromDefault(f)]),
  );
}

/** What a schedule keeps of the filter bar's values: those that differ from their default. */
export function scheduleFilterValues(filters: DashboardFilter[], values: Values): Record<string, unknown> {
  const chosen = requestFilters(Object.fromEntries(filters.map((f) => [f.id, values[f.id]])));
  const defaults = requestFilters(Object.fromEntries(filters.map((f) => [f.id, valueFromDefault(f)])));
  return Object.fromEntries(
    filters.filter((f) => !sameJson(chosen[f.id], defaults[f.id])).map((f) => [f.id, chosen[f.id] ?? null]),
  );
}
