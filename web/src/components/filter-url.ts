import type { DashboardFilter } from '../types.ts';
import { valueFromDefault } from './filter-defaults.ts';
import { DATE_PRESETS, type FilterValue } from './filters.ts';

/*
 * Dashboard filter values in the page's URL, so a reload keeps them and a filtered view can be
 * linked: `f.<filter id>` per filter that differs from its default. Values filters repeat the
 * parameter (`f.country=France&f.country=Spain`); a relative period is `@<preset>`
 * (`f.when=@year-to-date`); ranges are `from..to` / `min..max` (either side may be empty); an empty
 * parameter clears a filter that has a default.
 */

const PREFIX = 'f.';

function encode(value: FilterValue | undefined): string[] {
  if (!value) return [''];
  switch (value.kind) {
    case 'values':
      return value.values.length ? value.values.map(String) : [''];
    case 'relative':
      return [`@${value.preset}`];
    case 'between':
      return value.from || value.to ? [`${value.from}..${value.to}`] : [''];
    case 'range':
      return value.min !== '' || value.max !== '' ? [`${value.min}..${value.max}`] : [''];
  }
}

function decode(filter: DashboardFilter, params: string[]): FilterValue | undefined {
  const present = params.filter((p) => p !== '');
  if (present.length === 0) return undefined;
  if (filter.type === 'values') return { kind: 'values', values: present };
  const [first] = present;
  if (first.startsWith('@')) {
    const preset = DATE_PRESETS.find((p) => p.id === first.slice(1));
    return preset && filter.type === 'date_range' ? { kind: 'relative', preset: preset.id } : undefined;
  }
  const [low = '', high = ''] = first.split('..');
  if (filter.type === 'number_range') {
    const number = (text: string) => (text === '' || Number.isFinite(Number(text)) ? text : '');
    return { kind: 'range', min: number(low), max: number(high) };
  }
  return { kind: 'between', from: low, to: high };
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The filter values a URL asks for, over the filters' defaults. */
export function filtersFromUrl(
  filters: DashboardFilter[],
  search: URLSearchParams,
): Record<string, FilterValue | undefined> {
  return Object.fromEntries(
    filters.map((filter) => {
      const key = PREFIX + filter.id;
      return [filter.id, search.has(key) ? decode(filter, search.getAll(key)) : valueFromDefault(filter)];
    }),
  );
}

/** `search` with the filter parameters set to `values`: only those that differ from the default. */
export function filtersToUrl(
  filters: DashboardFilter[],
  values: Record<string, FilterValue | undefined>,
  search: URLSearchParams,
): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const key of [...next.keys()]) if (key.startsWith(PREFIX)) next.delete(key);
  for (const filter of filters) {
    const encoded = encode(values[filter.id]);
    if (same(encoded, encode(valueFromDefault(filter)))) continue;
    for (const part of encoded) next.append(PREFIX + filter.id, part);
  }
  return next;
}
