import type { DashboardFilter, Scalar } from '../types.ts';
import { DATE_PRESETS, type FilterValue } from './filters.ts';

/*
 * A dashboard filter's stored `default` and the value the filter bar holds are two shapes of one
 * thing. Stored: values → `[scalar…]`; number_range → `{min?, max?}`; date_range → `{from?, to?}`
 * with ISO dates, or a relative period written as the query's `relative` spec joined by spaces
 * (`{from: "last 7 day"}`, `{from: "this month"}`), so the JSON stays readable.
 */

const relativeText = (values: Scalar[]) => values.join(' ');

/** The stored default of a filter value (undefined = no default). */
export function defaultOf(value: FilterValue | undefined): unknown {
  if (!value) return undefined;
  switch (value.kind) {
    case 'relative': {
      const preset = DATE_PRESETS.find((p) => p.id === value.preset);
      return preset ? { from: relativeText(preset.values) } : undefined;
    }
    case 'between':
      return value.from || value.to
        ? { ...(value.from && { from: value.from }), ...(value.to && { to: value.to }) }
        : undefined;
    case 'values':
      return value.values.length ? value.values : undefined;
    case 'range':
      return value.min !== '' || value.max !== ''
        ? {
            ...(value.min !== '' && { min: Number(value.min) }),
            ...(value.max !== '' && { max: Number(value.max) }),
          }
        : undefined;
  }
}

/** The filter bar's value for a stored default; defaults it cannot read start unset. */
export function valueFromDefault(filter: Pick<DashboardFilter, 'type' | 'default'>): FilterValue | undefined {
  const stored = filter.default;
  if (filter.type === 'values')
    return Array.isArray(stored) && stored.length
      ? { kind: 'values', values: stored as Scalar[] }
      : undefined;
  if (!stored || typeof stored !== 'object') return undefined;
  const range = stored as Record<string, unknown>;
  if (filter.type === 'number_range') {
    const text = (n: unknown) => (typeof n === 'number' ? String(n) : '');
    const value = { kind: 'range' as const, min: text(range.min), max: text(range.max) };
    return value.min || value.max ? value : undefined;
  }
  const from = typeof range.from === 'string' ? range.from : '';
  const to = typeof range.to === 'string' ? range.to : '';
  const preset = DATE_PRESETS.find((p) => relativeText(p.values) === from);
  if (preset && !to) return { kind: 'relative', preset: preset.id };
  return from || to ? { kind: 'between', from, to } : undefined;
}
