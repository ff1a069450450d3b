import type { Dashboard, DashboardFilter } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { filterNamed, filterValueOf, type HolisticsCondition } from './filter-conditions.ts';

/**
 * `DynamicFilterPreset`s (a dashboard filter's integer id and a `Condition`) ↔ the values of a
 * dashboard's filters as the core keeps them with a schedule or alert (`filterValues`, by the
 * filter's own key: a list for a values filter, `{from, to}` or `{relative}` for a date range,
 * `{min, max}` for a number range, null for unset), read by the dashboards' condition mapping
 * (filter-conditions.ts) and written back in the same vocabulary.
 */

export type PresetPorts = Pick<Services, 'content'>;

type ConditionValue = string | number | boolean;

export interface DynamicFilterPreset {
  id?: number;
  dynamic_filter_id: number | string;
  preset_condition: HolisticsCondition;
  public_hidden?: boolean | null;
}

/** `dynamic_filter_presets` as the core's filter values; errors name `<path>[i]…`. */
export async function filterValuesOf(
  ports: PresetPorts,
  dashboard: Dashboard,
  presets: readonly DynamicFilterPreset[],
  path: string,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [i, preset] of presets.entries()) {
    const at = `${path}[${i}]`;
    const filter = await filterNamed(
      ports.content.itemIds,
      dashboard,
      preset.dynamic_filter_id,
      `${at}.dynamic_filter_id`,
    );
    if (filter.id in values) throw validationError(`${at}.dynamic_filter_id`, 'is preset twice');
    values[filter.id] = filterValueOf(filter.type, preset.preset_condition, `${at}.preset_condition`);
  }
  return values;
}

/** A `YYYY-MM-DD` day moved by `days` (`after` a day is from the next one). */
function shiftDay(day: unknown, days: number): unknown {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  const moved = new Date(`${day}T00:00:00Z`);
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved.toISOString().slice(0, 10);
}

/** A kept value as the condition `filterValueOf` reads back into it. */
function conditionOf(filter: DashboardFilter, value: unknown): HolisticsCondition {
  const condition = (operator: string, values: unknown[], modifier: string | null = null) => ({
    operator,
    values: values as ConditionValue[],
    modifier,
  });
  if (value === null || value === undefined) return condition('none', []);
  if (Array.isArray(value)) return condition('is', value);
  const kept = value as Record<string, unknown>;
  if (Array.isArray(kept.relative)) {
    const [direction, count, unit] = kept.relative;
    return direction === 'this'
      ? condition('matches', [`this ${count}`])
      : condition(String(direction), [count], String(unit));
  }
  const dates = filter.type === 'date_range';
  const [low, high] = dates ? [kept.from, kept.to] : [kept.min, kept.max];
  if (low != null && high != null)
    return low === high ? condition('is', [low]) : condition('between', [low, high]);
  if (low != null) return dates ? condition('after', [shiftDay(low, -1)]) : condition('greater_than', [low]);
  if (high != null) return dates ? condition('before', [shiftDay(high, 1)]) : condition('less_than', [high]);
  return condition('none', []);
}

/** The core's filter values of a dashboard as `dynamic_filter_presets`, in the dashboard's filter order. */
export async function presetsOf(
  ports: PresetPorts,
  dashboard: Dashboard,
  filterValues: Record<string, unknown>,
): Promise<DynamicFilterPreset[]> {
  const set = dashboard.filters.filter((filter) => filter.id in filterValues);
  if (set.length === 0) return [];
  const ids = await ports.content.itemIds.idsOf(
    dashboard,
    'filter',
    set.map((filter) => filter.id),
  );
  return set.map((filter) => ({
    dynamic_filter_id: ids.get(filter.id) as number,
    preset_condition: conditionOf(filter, filterValues[filter.id]),
  }));
}
