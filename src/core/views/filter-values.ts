/**
 * Dashboard filter values → filter rules `and`-ed to a widget's query, for the screen, embeds,
 * exports and deliveries alike: a list of values is `in`; a number range is `between` (or `>=` /
 * `<=` when one bound is open); a date range is `>= from` and, for a `to` day, `<` the next day,
 * so the whole last day counts on date and datetime fields alike; `{"relative": ["last", 7,
 * "day"]}` is the `relative` operator. An empty list or an open range filters nothing.
 */
import type { JsonScalar } from '../../engines/types.ts';
import type { DashboardFilter } from '../content/index.ts';
import { validationError } from '../errors.ts';
import { type FilterRule, maxFilterValues } from '../query/index.ts';
import { dashboardFilters } from './applied-filters.ts';

type Range = { from?: JsonScalar; to?: JsonScalar; dates?: boolean };

const isScalar = (value: unknown): value is JsonScalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

function valueList(value: unknown[], path: string): JsonScalar[] {
  if (value.length > maxFilterValues) throw validationError(path, `at most ${maxFilterValues} values`);
  value.forEach((item, i) => {
    if (!isScalar(item)) throw validationError(`${path}[${i}]`, 'must be a string, number, boolean or null');
  });
  return value as JsonScalar[];
}

/** `{from, to}` for dates, `{min, max}` for numbers; either bound may be left out. */
function range(value: Record<string, unknown>, path: string, type: 'date' | 'number'): Range {
  const [low, high] = type === 'date' ? ['from', 'to'] : ['min', 'max'];
  for (const key of Object.keys(value)) {
    if (key !== low && key !== high) throw validationError(`${path}.${key}`, 'is not a known property');
  }
  const bound = (key: string) => {
    const v = value[key];
    if (v === undefined || v === null) return undefined;
    if (type === 'date' ? typeof v !== 'string' : typeof v !== 'number' || !Number.isFinite(v)) {
      throw validationError(`${path}.${key}`, type === 'date' ? 'must be a date string' : 'must be a number');
    }
    return v as JsonScalar;
  };
  return { from: bound(low), to: bound(high), dates: type === 'date' };
}

/** A relative period as the query's `relative` operator takes it (it checks the words). */
function relative(value: Record<string, unknown>, path: string): FilterRule['values'] {
  const keys = Object.keys(value).filter((key) => key !== 'relative');
  if (keys.length > 0) throw validationError(`${path}.${keys[0]}`, 'is not a known property');
  if (!Array.isArray(value.relative) || value.relative.length < 2 || value.relative.length > 3)
    throw validationError(`${path}.relative`, 'must be like ["last", 7, "day"] or ["this", "month"]');
  return valueList(value.relative, `${path}.relative`);
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day after a `YYYY-MM-DD` day, or undefined for anything else (a date-time is taken as is). */
function nextDay(value: JsonScalar | undefined): string | undefined {
  const match = typeof value === 'string' ? DAY.exec(value) : null;
  if (!match) return undefined;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1));
  return Number.isNaN(day.getTime()) ? undefined : day.toISOString().slice(0, 10);
}

function rangeRules(field: string, { from, to, dates }: Range): FilterRule[] {
  const end = dates ? nextDay(to) : undefined;
  if (end !== undefined) {
    const before: FilterRule = { field, operator: '<', values: [end] };
    return from === undefined ? [before] : [{ field, operator: '>=', values: [from] }, before];
  }
  if (from !== undefined && to !== undefined) return [{ field, operator: 'between', values: [from, to] }];
  if (from !== undefined) return [{ field, operator: '>=', values: [from] }];
  if (to !== undefined) return [{ field, operator: '<=', values: [to] }];
  return [];
}

export function rulesFor(
  field: string,
  value: unknown,
  path: string,
  type?: DashboardFilter['type'],
): FilterRule[] {
  if (Array.isArray(value)) {
    if (type && type !== 'values') throw validationError(path, `a ${type} filter takes a range object`);
    const values = valueList(value, path);
    return values.length === 0 ? [] : [{ field, operator: 'in', values }];
  }
  if (value === null || typeof value !== 'object') {
    throw validationError(path, 'must be a list of values or a range object');
  }
  if (type === 'values') throw validationError(path, 'a values filter takes a list of values');
  const record = value as Record<string, unknown>;
  const numeric = type === 'number_range' || (!type && ('min' in record || 'max' in record));
  if (!numeric && 'relative' in record)
    return [{ field, operator: 'relative', values: relative(record, path) }];
  return rangeRules(field, range(record, path, numeric ? 'number' : 'date'));
}

export const isUnset = (value: unknown) =>
  value === null ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => v === null || v === undefined));

/**
 * `values` maps a query's fields (a query export) to values; with `definitions`, a dashboard
 * filter's id or field, defaults included (`dashboardFilters`, on each filter's own field).
 */
export function filterRules(values: unknown, definitions: readonly DashboardFilter[] | null): FilterRule[] {
  if (definitions) return dashboardFilters(values, definitions).flatMap((applied) => applied.rules);
  if (values === undefined || values === null) return [];
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw validationError('filters', 'must be an object of filter id or field → values');
  }
  return Object.entries(values).flatMap(([key, value]) =>
    isUnset(value) ? [] : rulesFor(key, value, `filters.${key}`),
  );
}
