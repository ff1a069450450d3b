import type { JsonScalar } from '../../engines/types.ts';
import { dimensionName, type Period, periods, type QueryDimension } from './ir.ts';
import { shift } from './relative.ts';

/**
 * Drill-through: the rows behind one point of an aggregated result. Pure and browser-safe, so
 * Explore and a dashboard build the same query. The point is the clicked result row, by column
 * name; each dimension of the query becomes a filter on its field: equal to the point's value, a
 * bucketed date within the bucket [start, start + 1 period), an empty value `null`. The query's
 * own filters and calculated fields stay; metrics, sorts and paging go; the rows come as stored.
 */
export type PointValues = Readonly<Record<string, JsonScalar>>;

type BodyDimension = string | { field: string; granularity?: string; alias?: string };
type BodyFilter = Record<string, unknown>;

/** The parts of a native query body a drill-through reads. */
export interface DrillableQuery {
  source: string;
  calculations?: readonly { name: string; formula: string }[];
  dimensions?: readonly BodyDimension[];
  filters?: BodyFilter;
  variables?: Record<string, unknown>;
}

export interface DrillQuery {
  source: string;
  calculations?: readonly { name: string; formula: string }[];
  filters?: BodyFilter;
  variables?: Record<string, unknown>;
  aggregate: false;
  limit: number;
  count: true;
}

/** Rows a drill-through shows. */
export const DRILL_ROWS = 500;

export class DrillError extends Error {}

export function drillQuery(query: DrillableQuery, point: PointValues, limit = DRILL_ROWS): DrillQuery {
  const rules = (query.dimensions ?? []).flatMap((entry) => {
    const dimension = (typeof entry === 'string' ? { field: entry } : entry) as QueryDimension;
    const name = dimensionName(dimension);
    if (!(name in point)) throw new DrillError(`the point has no value for ${JSON.stringify(name)}`);
    return pointRules(dimension.field, dimension.granularity, point[name]);
  });
  const filters = [...(query.filters ? [query.filters] : []), ...rules];
  return {
    source: query.source,
    ...(query.calculations?.length ? { calculations: query.calculations } : {}),
    ...(filters.length > 0 ? { filters: filters.length === 1 ? filters[0] : { and: filters } } : {}),
    ...(query.variables ? { variables: query.variables } : {}),
    aggregate: false,
    limit,
    count: true,
  };
}

function pointRules(field: string, granularity: string | undefined, value: JsonScalar): BodyFilter[] {
  if (value === null) return [{ field, operator: 'null' }];
  if (granularity === undefined) return [{ field, operator: '=', values: [value] }];
  if (!(periods as readonly string[]).includes(granularity)) {
    // A weekday groups across weeks: no range of the field holds exactly its rows.
    throw new DrillError(`a dimension by ${granularity} cannot be drilled into`);
  }
  const end = bucketEnd(String(value), granularity as Period);
  return [
    { field, operator: '>=', values: [value] },
    { field, operator: '<', values: [end] },
  ];
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

/** The start of the next bucket, written like the bucket's own value (a date, or an ISO instant). */
export function bucketEnd(start: string, granularity: Period): string {
  const text = dateOnly.test(start) ? `${start}T00:00:00Z` : start.replace(' ', 'T');
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const date = new Date(zoned);
  if (Number.isNaN(date.getTime())) throw new DrillError(`${JSON.stringify(start)} is not a date`);
  const end = shift(date, granularity, 1);
  return dateOnly.test(start) ? end.toISOString().slice(0, 10) : end.toISOString();
}
