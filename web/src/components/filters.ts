import type { FilterNode, Query, Scalar } from '../types.ts';

/** A dashboard filter's current value, as the UI holds it. */
export type FilterValue =
  | { kind: 'relative'; preset: string }
  | { kind: 'between'; from: string; to: string }
  | { kind: 'values'; values: Scalar[] }
  | { kind: 'range'; min: string; max: string };

export const DATE_PRESETS: { id: string; label: string; values: Scalar[] }[] = [
  { id: 'last-7-day', label: 'Last 7 days', values: ['last', 7, 'day'] },
  { id: 'last-30-day', label: 'Last 30 days', values: ['last', 30, 'day'] },
  { id: 'this-month', label: 'This month', values: ['this', 'month'] },
  { id: 'last-1-month', label: 'Last month', values: ['last', 1, 'month'] },
  { id: 'last-3-month', label: 'Last 3 months', values: ['last', 3, 'month'] },
  { id: 'this-quarter', label: 'This quarter', values: ['this', 'quarter'] },
  { id: 'this-year', label: 'This year', values: ['this', 'year'] },
  { id: 'last-1-year', label: 'Last year', values: ['last', 1, 'year'] },
  { id: 'last-2-year', label: 'Last 2 years', values: ['last', 2, 'year'] },
];

/** The filter rule for a value, or null when the filter is not set. */
export function ruleFor(field: string, value: FilterValue | undefined): FilterNode | null {
  if (!value) return null;
  switch (value.kind) {
    case 'relative': {
      const preset = DATE_PRESETS.find((p) => p.id === value.preset);
      return preset ? { field, operator: 'relative', values: preset.values } : null;
    }
    case 'between':
      if (value.from && value.to)
        return { field, operator: 'between', values: [value.from, `${value.to}T23:59:59`] };
      if (value.from) return { field, operator: '>=', values: [value.from] };
      if (value.to) return { field, operator: '<=', values: [`${value.to}T23:59:59`] };
      return null;
    case 'values':
      return value.values.length ? { field, operator: 'in', values: value.values } : null;
    case 'range':
      if (value.min !== '' && value.max !== '')
        return { field, operator: 'between', values: [Number(value.min), Number(value.max)] };
      if (value.min !== '') return { field, operator: '>=', values: [Number(value.min)] };
      if (value.max !== '') return { field, operator: '<=', values: [Number(value.max)] };
      return null;
  }
}

/** The widget's query with the extra rules and-ed to its own filters. */
export function withFilters(query: Query, extra: FilterNode[]): Query {
  if (extra.length === 0) return query;
  const own = query.filters;
  return { ...query, filters: { and: own ? [own, ...extra] : extra } };
}

/** A relative preset as a UTC date range [from, to), the way the server computes `relative`. */
function presetRange(preset: string, now = new Date()): { from: string; to: string } | null {
  const spec = DATE_PRESETS.find((p) => p.id === preset)?.values;
  if (!spec) return null;
  const [direction, a, b] = spec;
  const unit = String(direction === 'this' ? a : b);
  const count = direction === 'this' ? 1 : Number(a);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const start =
    unit === 'year'
      ? Date.UTC(y, 0, 1)
      : unit === 'quarter'
        ? Date.UTC(y, m - (m % 3), 1)
        : unit === 'month'
          ? Date.UTC(y, m, 1)
          : Date.UTC(y, m, now.getUTCDate());
  const shift = (t: number, n: number) => {
    const d = new Date(t);
    if (unit === 'year') d.setUTCFullYear(d.getUTCFullYear() + n);
    else if (unit === 'quarter') d.setUTCMonth(d.getUTCMonth() + 3 * n);
    else if (unit === 'month') d.setUTCMonth(d.getUTCMonth() + n);
    else d.setUTCDate(d.getUTCDate() + n);
    return d.getTime();
  };
  const [from, to] = direction === 'this' ? [start, shift(start, 1)] : [shift(start, -count), start];
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  // The export's `to` bound is inclusive: the last day before the half-open end.
  return { from: day(from), to: day(to - 86_400_000) };
}

/** Dashboard filter values as `POST /api/exports` takes them (`{id: values | {from,to} | {min,max}}`). */
export function exportFilters(values: Record<string, FilterValue | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(values)) {
    if (!value) continue;
    if (value.kind === 'values' && value.values.length) out[id] = value.values;
    else if (value.kind === 'between' && (value.from || value.to))
      out[id] = { from: value.from || null, to: value.to || null };
    else if (value.kind === 'relative') {
      const range = presetRange(value.preset);
      if (range) out[id] = range;
    } else if (value.kind === 'range' && (value.min !== '' || value.max !== ''))
      out[id] = {
        min: value.min === '' ? null : Number(value.min),
        max: value.max === '' ? null : Number(value.max),
      };
  }
  return out;
}
