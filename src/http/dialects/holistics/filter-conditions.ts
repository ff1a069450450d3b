import type { Dashboard, DashboardFilter, DashboardItemIds } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { defaultValueOf } from '../../../core/views/index.ts';

/** `DataModelingCondition`: an operator, its values, and a unit (`modifier`) for `last`/`next`. */
export interface HolisticsCondition {
  operator: string;
  values: unknown[];
  modifier?: string | null;
}

/** `DynamicFilterCondition`: a condition on one of the dashboard's filters, by integer id or uname. */
export interface DynamicFilterCondition {
  dynamic_filter_id: number | string;
  condition: HolisticsCondition;
}

const UNITS = ['minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function shiftDay(value: unknown, days: number): unknown {
  if (typeof value !== 'string' || !DAY.test(value)) return value;
  const day = new Date(`${value}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * The days of the whole period `n` periods before the current one (negative: after), in UTC,
 * weeks from Monday: "2 months ago" is the calendar month before last. A dashboard filter holds a
 * range or one relative period, so the one period is written as its days, as of today.
 */
function periodAgo(n: number, unit: string): { from: string; to: string } | undefined {
  const now = new Date();
  const [year, month, day] = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()];
  const monday = day - ((now.getUTCDay() + 6) % 7);
  const quarter = month - (month % 3);
  const bounds: Record<string, [number, number]> = {
    day: [Date.UTC(year, month, day - n), Date.UTC(year, month, day - n)],
    week: [Date.UTC(year, month, monday - 7 * n), Date.UTC(year, month, monday - 7 * n + 6)],
    month: [Date.UTC(year, month - n, 1), Date.UTC(year, month - n + 1, 0)],
    quarter: [Date.UTC(year, quarter - 3 * n, 1), Date.UTC(year, quarter - 3 * n + 3, 0)],
    year: [Date.UTC(year - n, 0, 1), Date.UTC(year - n, 11, 31)],
  };
  const found = bounds[unit];
  return found && { from: dayOf(found[0]), to: dayOf(found[1]) };
}

/**
 * Holistics' relative phrases (`matches`): "last 3 days", "next 2 weeks", "this month", "today",
 * "yesterday", "2 months ago", "3 days from now", or a day; undefined for what Rosetta's periods
 * cannot say (hours and minutes ago: a dashboard filter holds days).
 */
function matchesValue(text: string): unknown {
  const phrase = text.trim().toLowerCase();
  const ago = /^(\d{1,6}) ([a-z]+?)s? (ago|from now)$/.exec(phrase);
  if (ago) return periodAgo(ago[3] === 'ago' ? Number(ago[1]) : -Number(ago[1]), ago[2]);
  if (DAY.test(phrase)) return { from: phrase, to: phrase };
  if (phrase === 'today') return { relative: ['this', 'day'] };
  if (phrase === 'yesterday') return { relative: ['last', 1, 'day'] };
  const counted = /^(last|next) (\d+) ([a-z]+?)s?$/.exec(phrase);
  if (counted && UNITS.includes(counted[3]))
    return { relative: [counted[1], Number(counted[2]), counted[3]] };
  const single = /^(last|next|this) ([a-z]+)$/.exec(phrase);
  if (single && UNITS.includes(single[2]))
    return { relative: single[1] === 'this' ? ['this', single[2]] : [single[1], 1, single[2]] };
  return undefined;
}

/**
 * A condition as the value of a Rosetta dashboard filter of `type` (`core/views/filter-values.ts`):
 * a list, a `{from, to}` day range (inclusive), a `{min, max}` number range (inclusive, so
 * `greater_than` / `less_than` keep their bound), a relative period, or null (`none`: unset).
 */
export function filterValueOf(
  type: DashboardFilter['type'],
  condition: HolisticsCondition,
  path: string,
): unknown {
  const { operator, values } = condition;
  const [first, second] = values;
  const dates = type === 'date_range';
  const numbers = type === 'number_range';
  const refuse = (): never => {
    throw validationError(`${path}.operator`, `"${operator}" does not apply to a ${type} filter here`);
  };
  switch (operator) {
    case 'none':
      return null;
    case 'is':
      // The vendor's guides also write a period in words as `is ["last 7 days"]`.
      if (dates && values.length === 1 && typeof first === 'string')
        return matchesValue(first) ?? { from: first, to: first };
      if (dates) return { from: first, to: first };
      if (numbers) return { min: first, max: first };
      return values;
    case 'between':
      if (dates) return { from: first, to: second };
      if (numbers) return { min: first, max: second };
      return refuse();
    case 'greater_than':
      return numbers ? { min: first } : refuse();
    case 'less_than':
      return numbers ? { max: first } : refuse();
    case 'after':
      return dates ? { from: shiftDay(first, 1) } : refuse();
    case 'before':
      return dates ? { to: shiftDay(first, -1) } : refuse();
    case 'last':
    case 'next': {
      const unit = condition.modifier ?? 'day';
      if (!dates) return refuse();
      if (!UNITS.includes(unit))
        throw validationError(`${path}.modifier`, `must be one of ${UNITS.join(', ')}`);
      return { relative: [operator, first, unit] };
    }
    case 'matches': {
      const value = dates && typeof first === 'string' ? matchesValue(first) : undefined;
      if (value === undefined)
        throw validationError(
          `${path}.values`,
          'must be a day or a period like "last 7 days", "this month" or "2 months ago"',
        );
      return value;
    }
    default:
      return refuse();
  }
}

/** A filter's default as the `default_condition` of its `DynamicFilterDefinition`, when it has one. */
export function defaultCondition(filter: DashboardFilter): HolisticsCondition | undefined {
  const value = defaultValueOf(filter);
  if (Array.isArray(value)) return value.length > 0 ? { operator: 'is', values: value } : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  const { from, to, min, max, relative } = value as Record<string, unknown>;
  if (Array.isArray(relative)) {
    const [direction, count, unit] = relative;
    return direction === 'this'
      ? { operator: 'matches', values: [`this ${count}`] }
      : { operator: String(direction), values: [count as number], modifier: String(unit) };
  }
  const low = from ?? min;
  const high = to ?? max;
  if (low != null && high != null) return { operator: 'between', values: [low as string, high as string] };
  if (low != null)
    return { operator: filter.type === 'date_range' ? 'after' : 'greater_than', values: [low as string] };
  if (high != null)
    return { operator: filter.type === 'date_range' ? 'before' : 'less_than', values: [high as string] };
  return undefined;
}

/** The dashboard filter a `dynamic_filter_id` names: its integer id (`itemIds`) or its uname. */
export async function filterNamed(
  itemIds: DashboardItemIds,
  dashboard: Dashboard,
  id: number | string,
  path: string,
): Promise<DashboardFilter> {
  let key: string | undefined = typeof id === 'string' && !/^\d+$/.test(id) ? id : undefined;
  if (key === undefined) {
    const found = await itemIds.find(dashboard.organizationId, 'filter', Number(id));
    if (found?.dashboardId === dashboard.id) key = found.key;
  }
  const filter = dashboard.filters.find((candidate) => candidate.id === key);
  if (!filter) throw validationError(path, `is not a filter of dashboard ${dashboard.id}`);
  return filter;
}

/** Conditions on a dashboard's filters → the view's filter values (`{filterId: value}`); the others keep their defaults. */
export async function viewFilterValues(
  itemIds: DashboardItemIds,
  dashboard: Dashboard,
  conditions: readonly DynamicFilterCondition[] | undefined,
  field: string,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [index, { dynamic_filter_id, condition }] of (conditions ?? []).entries()) {
    const path = `${field}[${index}]`;
    const filter = await filterNamed(itemIds, dashboard, dynamic_filter_id, `${path}.dynamic_filter_id`);
    values[filter.id] = filterValueOf(filter.type, condition, `${path}.condition`);
  }
  return values;
}
