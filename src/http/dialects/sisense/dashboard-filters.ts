import { randomUUID } from 'node:crypto';
import type { DashboardFilter, DashboardInput } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { isJsonObject, type JsonObject } from '../../../core/input.ts';
import { type Elasticube, fieldsOf } from './elasticubes.ts';

type FilterInput = NonNullable<DashboardInput['filters']>[number];

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A Sisense filter's selection as the default of a Rosetta filter of `type`, when one says it. */
function defaultOf(type: DashboardFilter['type'], filter: JsonObject): unknown {
  if (type === 'values')
    return Array.isArray(filter.members) && filter.members.length > 0 && filter.all !== true
      ? filter.members
      : undefined;
  const { from, to } = filter;
  if (from === undefined && to === undefined) return undefined;
  if (type === 'number_range')
    return { ...(from !== undefined && { min: from }), ...(to !== undefined && { max: to }) };
  const day = (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : value);
  return { ...(from !== undefined && { from: day(from) }), ...(to !== undefined && { to: day(to) }) };
}

/**
 * A dashboard's JAQL filter items (`filters: [{jaql: {dim, filter}}]`) as Rosetta's dashboard
 * filters on the dashboard's cube, so views, exports and reports apply them: a text field's
 * members are a values filter, a date's or a number's `from`/`to` a range. Selections a Rosetta
 * filter default cannot say (excluded members, top N, cascading `levels`) filter nothing here;
 * the items themselves are kept for the round trip.
 */
export function dashboardFiltersOf(
  cube: Elasticube,
  value: unknown,
  field = 'filters',
): { filters: FilterInput[]; items: JsonObject[] } {
  if (!Array.isArray(value)) throw validationError(field, 'must be an array of filter items');
  const byId = new Map(fieldsOf(cube).map((cubeField) => [cubeField.id.toLowerCase(), cubeField]));
  // Each item keeps the id of its Rosetta filter (`instanceid`), so a read tells whether the
  // filters were changed elsewhere since.
  const items = value.map((item, i) => {
    if (!isJsonObject(item)) throw validationError(`${field}[${i}]`, 'must be a filter item');
    const id =
      typeof item.instanceid === 'string' && ID.test(item.instanceid) ? item.instanceid : randomUUID();
    return { ...item, instanceid: id } as JsonObject & { instanceid: string };
  });
  const filters = items.flatMap((item, i): FilterInput[] => {
    const path = `${field}[${i}]`;
    if (!isJsonObject(item.jaql)) return [];
    const jaql = item.jaql;
    const found = byId.get(String(jaql.dim).toLowerCase());
    if (!found)
      throw validationError(`${path}.jaql.dim`, `is not a field of ${cube.title}: ${String(jaql.dim)}`);
    if (found.type === 'measure') return [];
    const type: DashboardFilter['type'] =
      found.dimtype === 'datetime' ? 'date_range' : found.dimtype === 'numeric' ? 'number_range' : 'values';
    const selection = isJsonObject(jaql.filter) ? defaultOf(type, jaql.filter) : undefined;
    return [
      {
        id: item.instanceid,
        field: found.modelAddress,
        label: typeof jaql.title === 'string' && jaql.title !== '' ? jaql.title.slice(0, 255) : found.title,
        type,
        ...(selection !== undefined && { default: selection }),
      },
    ];
  });
  return { filters, items };
}

/** Whether kept filter items still say the dashboard's filters: each filter, and no other, has its item. */
export function itemsStillMatch(items: unknown, filters: readonly DashboardFilter[]): boolean {
  if (!Array.isArray(items)) return false;
  const ids = new Set(filters.map((filter) => filter.id));
  const kept = items
    .filter((item) => isJsonObject(item) && isJsonObject(item.jaql))
    .map((item) => item.instanceid);
  return filters.every((filter) => kept.includes(filter.id)) && kept.every((id) => ids.has(id as string));
}

/** Rosetta's dashboard filters as Sisense filter items, for dashboards whose filters were made elsewhere. */
export function filterItemsOf(
  cube: Elasticube | undefined,
  filters: readonly DashboardFilter[],
): JsonObject[] {
  const byAddress = new Map(
    (cube ? fieldsOf(cube) : []).map((cubeField) => [cubeField.modelAddress, cubeField]),
  );
  return filters.flatMap((filter) => {
    const found =
      byAddress.get(filter.field) ?? [...byAddress.values()].find((f) => f.column === filter.field);
    if (!found) return [];
    const selection = isJsonObject(filter.default) ? filter.default : undefined;
    const chosen =
      filter.type === 'values'
        ? Array.isArray(filter.default)
          ? { members: filter.default }
          : { all: true }
        : filter.type === 'number_range'
          ? {
              ...(selection?.min !== undefined && { from: selection.min }),
              ...(selection?.max !== undefined && { to: selection.max }),
            }
          : {
              ...(selection?.from !== undefined && { from: selection.from }),
              ...(selection?.to !== undefined && { to: selection.to }),
            };
    return [
      {
        instanceid: filter.id,
        jaql: { dim: found.id, datatype: found.dimtype, title: filter.label, filter: chosen },
      },
    ];
  });
}
