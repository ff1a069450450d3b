/**
 * The dashboard filters in force in one view — requested values over the filters' defaults — and
 * the field each one filters in each widget (`tileTargets`: a field of its own, or off).
 */
import type { DashboardFilter } from '../content/index.ts';
import { validationError } from '../errors.ts';
import type { FilterRule, Model } from '../query/index.ts';
import { resolveField } from '../query/resolve.ts';
import { isUnset, rulesFor } from './filter-values.ts';

/** A filter in force in a view: its definition, its value, its rules on its own field. */
export interface AppliedFilter {
  filter: DashboardFilter;
  value: unknown;
  origin: 'request' | 'default';
  rules: FilterRule[];
}

const RELATIVE_TEXT = /^(this|last|next)\b/;

/**
 * A filter's stored default as a view value: the same shapes, except a relative period written as
 * words (`{from: "last 7 day"}`, see the web's filter-defaults) becomes `{relative: […]}`.
 */
export function defaultValueOf(filter: Pick<DashboardFilter, 'type' | 'default'>): unknown {
  const stored = filter.default;
  if (filter.type !== 'date_range' || stored === null || typeof stored !== 'object') return stored;
  const { from, to } = stored as { from?: unknown; to?: unknown };
  if (typeof from !== 'string' || to !== undefined || !RELATIVE_TEXT.test(from)) return stored;
  const words = from
    .trim()
    .replace(/\s+to\s+date$/, '')
    .split(/\s+/);
  const spec: (string | number)[] = words.map((word) => (/^\d+$/.test(word) ? Number(word) : word));
  return { relative: /\sto\s+date$/.test(from.trim()) ? [...spec, 'to date'] : spec };
}

/**
 * The filters in force in a view of a dashboard, exactly as the screen opens it: a requested
 * value (by filter id or field) wins; a filter not named takes its default; `null` (or an empty
 * list or range) names a filter to leave it unset. Errors name `<path>.<key>` (a schedule's
 * values are its `filterValues`).
 */
export function dashboardFilters(
  values: unknown,
  definitions: readonly DashboardFilter[],
  path = 'filters',
): AppliedFilter[] {
  const requested = new Map<DashboardFilter, { key: string; value: unknown }>();
  if (values !== undefined && values !== null) {
    if (typeof values !== 'object' || Array.isArray(values))
      throw validationError(path, 'must be an object of filter id or field → values');
    for (const [key, value] of Object.entries(values)) {
      const definition = definitions.find((d) => d.id === key) ?? definitions.find((d) => d.field === key);
      if (!definition)
        throw validationError(`${path}.${key}`, 'the dashboard has no filter with this id or field');
      requested.set(definition, { key, value });
    }
  }
  const applied: AppliedFilter[] = [];
  for (const filter of definitions) {
    const asked = requested.get(filter);
    const value = asked ? asked.value : defaultValueOf(filter);
    if (value === undefined || isUnset(value)) continue;
    const at = asked ? `${path}.${asked.key}` : `filters.${filter.id} (its default)`;
    const rules = rulesFor(filter.field, value, at, filter.type);
    if (rules.length > 0) applied.push({ filter, value, origin: asked ? 'request' : 'default', rules });
  }
  return applied;
}

/**
 * The dashboard filters a schedule applies: its `values` (filter id → value, as a view requests
 * them) over the defaults, where the defaults of filters whose field one of its own rules names
 * are left out, so a delivery shows what the dashboard opens on unless the schedule says otherwise.
 */
export function defaultsBeside(
  rules: readonly FilterRule[],
  definitions: readonly DashboardFilter[],
  values: Record<string, unknown> = {},
  path = 'filters',
): AppliedFilter[] {
  const named = new Set(rules.map((rule) => rule.field));
  const valued = new Set(Object.keys(values));
  return dashboardFilters(
    values,
    definitions.filter((d) => !named.has(d.field) || valued.has(d.id) || valued.has(d.field)),
    path,
  );
}

export const hasField = (model: Model, field: string): boolean => {
  try {
    resolveField(model, field, 'field');
    return true;
  } catch {
    return false;
  }
};

/**
 * The field `filter` filters in widget `widgetId` over `model`, or null when it does not apply:
 * switched off for the tile, or (no target of its own) the model lacks the filter's field.
 */
export function targetField(filter: DashboardFilter, widgetId: string, model: Model): string | null {
  const target = filter.tileTargets?.[widgetId];
  if (target === false) return null;
  if (target === undefined) return hasField(model, filter.field) ? filter.field : null;
  if (!hasField(model, target))
    throw validationError(
      `filters.${filter.id}.tileTargets.${widgetId}`,
      `the widget's data has no field "${target}"`,
    );
  return target;
}
