import type { JsonScalar } from '../../engines/types.ts';
import { dimensionName, OTHERS_LABEL, type Period, periods, type QueryDimension, rangeLabel } from './ir.ts';
import { shift } from './relative.ts';

/**
 * Drill-through: the rows behind one point of an aggregated result. Pure and browser-safe, so
 * Explore and a dashboard build the same query. The point is the clicked result row, by column
 * name; each dimension of the query becomes a filter on its field: equal to the point's value, a
 * bucketed date within the bucket [start, start + 1 period), a fixed-width bin within
 * [bound, bound + width), a range bin within its range(s), an empty value `null`. A date part
 * (`month_of_year`, `weekday`…) groups across periods: no filter holds exactly its rows, so it is
 * refused (DrillError), not guessed. The query's own filters, calculated fields, time zone and
 * week start stay; metrics, sorts and paging go; the rows come ungrouped.
 */
export type PointValues = Readonly<Record<string, JsonScalar>>;

type BodyBin = { width: number; offset?: number } | { ranges: ReadonlyArray<BodyRange> };
type BodyRange = { from?: number; to?: number; label?: string };
type BodyDimension = string | { field: string; granularity?: string; bin?: BodyBin; alias?: string };
type BodyFilter = Record<string, unknown>;

/** The parts of a native query body a drill-through reads. */
export interface DrillableQuery {
  source: string;
  calculations?: readonly { name: string; formula: string }[];
  dimensions?: readonly BodyDimension[];
  filters?: BodyFilter;
  variables?: Record<string, unknown>;
  timezone?: string;
  weekStart?: number;
  top?: { dimension: string; others?: boolean };
}

export interface DrillQuery {
  source: string;
  calculations?: readonly { name: string; formula: string }[];
  filters?: BodyFilter;
  variables?: Record<string, unknown>;
  timezone?: string;
  weekStart?: number;
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
    const value = point[name];
    const { top } = query;
    if (top?.others && value === OTHERS_LABEL && [name, dimension.field].includes(top.dimension))
      throw new DrillError('"Others" folds every value outside the top ones: drill into one of them');
    if (value === null) return [nullRule(dimension)];
    if (dimension.bin) return binRules(dimension.field, dimension.bin, value);
    // With a zone, datetime values are the zone's wall clock, which the engines write with a `Z`
    // they do not mean; without it, the query's zone reads them as its wall-clock times again.
    const local =
      query.timezone !== undefined && typeof value === 'string' && engineInstant.test(value)
        ? value.slice(0, -1)
        : value;
    return pointRules(dimension.field, dimension.granularity, local);
  });
  const filters = [...(query.filters ? [query.filters] : []), ...rules];
  return {
    source: query.source,
    ...(query.calculations?.length ? { calculations: query.calculations } : {}),
    ...(filters.length > 0 ? { filters: filters.length === 1 ? filters[0] : { and: filters } } : {}),
    ...(query.variables ? { variables: query.variables } : {}),
    ...(query.timezone !== undefined ? { timezone: query.timezone } : {}),
    ...(query.weekStart !== undefined ? { weekStart: query.weekStart } : {}),
    aggregate: false,
    limit,
    count: true,
  };
}

function pointRules(field: string, granularity: string | undefined, value: JsonScalar): BodyFilter[] {
  if (granularity === undefined) return [{ field, operator: '=', values: [value] }];
  if (!(periods as readonly string[]).includes(granularity)) {
    // A weekday or a month of the year groups across periods: no range of the field holds exactly its rows.
    throw new DrillError(`a dimension by ${granularity} cannot be drilled into`);
  }
  const end = bucketEnd(String(value), granularity as Period);
  return [
    { field, operator: '>=', values: [value] },
    { field, operator: '<', values: [end] },
  ];
}

/** An empty value: a NULL field, and for a range bin also a value outside every range. */
function nullRule({ field, bin }: QueryDimension): BodyFilter {
  const isNull = { field, operator: 'null' };
  if (!bin || !('ranges' in bin)) return isNull;
  return { or: [isNull, { not: { or: bin.ranges.map((range) => rangeRule(field, range)) } }] };
}

/** The rows of one bin: [bound, bound + width) for a fixed width, the ranges of its label for ranges. */
function binRules(field: string, bin: BodyBin, value: JsonScalar): BodyFilter[] {
  if ('width' in bin) {
    const start = Number(value);
    if (!Number.isFinite(start)) throw new DrillError(`${JSON.stringify(value)} is not a bin of ${field}`);
    return [
      { field, operator: '>=', values: [start] },
      { field, operator: '<', values: [start + bin.width] },
    ];
  }
  const ranges = bin.ranges.filter((range) => (range.label ?? rangeLabel(range)) === value);
  if (ranges.length === 0) throw new DrillError(`${JSON.stringify(value)} is not a range of ${field}`);
  return [ranges.length === 1 ? rangeRule(field, ranges[0]) : { or: ranges.map((r) => rangeRule(field, r)) }];
}

function rangeRule(field: string, { from, to }: BodyRange): BodyFilter {
  const rules = [
    ...(from === undefined ? [] : [{ field, operator: '>=', values: [from] }]),
    ...(to === undefined ? [] : [{ field, operator: '<', values: [to] }]),
  ];
  return rules.length === 1 ? rules[0] : { and: rules };
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
/** A date-time as the engines write them (engines/types.ts). */
const engineInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const zoneDesignator = /(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The start of the next bucket, written like the bucket's own value: a date, an ISO instant, or
 * (when the start has no offset) an ISO date-time without one, which a query in a zone reads as
 * its wall-clock time.
 */
export function bucketEnd(start: string, granularity: Period): string {
  const text = dateOnly.test(start) ? `${start}T00:00:00Z` : start.replace(' ', 'T');
  const hasZone = zoneDesignator.test(text);
  const date = new Date(hasZone ? text : `${text}Z`);
  if (Number.isNaN(date.getTime())) throw new DrillError(`${JSON.stringify(start)} is not a date`);
  const end = shift(date, granularity, 1).toISOString();
  return dateOnly.test(start) ? end.slice(0, 10) : hasZone ? end : end.slice(0, -1);
}
