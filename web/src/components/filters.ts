import type { Scalar } from '../types.ts';

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
  { id: 'month-to-date', label: 'Month to date', values: ['this', 'month', 'to date'] },
  { id: 'last-1-month', label: 'Previous month', values: ['last', 1, 'month'] },
  { id: 'last-3-month', label: 'Last 3 months', values: ['last', 3, 'month'] },
  { id: 'last-12-month', label: 'Last 12 months', values: ['last', 12, 'month'] },
  { id: 'this-quarter', label: 'This quarter', values: ['this', 'quarter'] },
  { id: 'this-year', label: 'This year', values: ['this', 'year'] },
  { id: 'year-to-date', label: 'Year to date', values: ['this', 'year', 'to date'] },
  { id: 'last-1-year', label: 'Last year', values: ['last', 1, 'year'] },
  { id: 'last-2-year', label: 'Last 2 years', values: ['last', 2, 'year'] },
];

/** One filter's value as the server takes it (`core/views/filter-values.ts`), or undefined when unset. */
function requestValue(value: FilterValue | undefined): unknown {
  if (!value) return undefined;
  switch (value.kind) {
    case 'values':
      return value.values.length ? value.values : undefined;
    case 'between':
      return value.from || value.to ? { from: value.from || null, to: value.to || null } : undefined;
    case 'relative': {
      const preset = DATE_PRESETS.find((p) => p.id === value.preset);
      return preset ? { relative: preset.values } : undefined;
    }
    case 'range':
      return value.min !== '' || value.max !== ''
        ? {
            min: value.min === '' ? null : Number(value.min),
            max: value.max === '' ? null : Number(value.max),
          }
        : undefined;
  }
}

/**
 * The filter values of a view as widget results and exports take them (`{id: value}`); the server
 * applies each to the widgets whose data has its field, the same way on screen and in files. A
 * filter the user cleared is sent as `null`: a filter left out takes its default on the server.
 */
export function requestFilters(values: Record<string, FilterValue | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(values)) out[id] = requestValue(value) ?? null;
  return out;
}

/** The part of the request one widget depends on: the values of the filters that apply to it. */
export function filtersFor(
  request: Record<string, unknown>,
  applying: string[] | null,
): Record<string, unknown> {
  if (applying === null) return request;
  return Object.fromEntries(Object.entries(request).filter(([id]) => applying.includes(id)));
}
