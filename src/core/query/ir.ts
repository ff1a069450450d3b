import type { JsonScalar } from '../../engines/types.ts';
import type { Aggregation } from './model.ts';

/**
 * The query IR: what every face's query language (native JSON, Serenytics pipelines, Lightdash
 * MetricQuery, JAQL, Holistics conditions) translates to. Only the IR compiles to SQL.
 *
 * Result-column naming (one rule for every face):
 * - a dimension is named by its bare field name (`country`), plus `_<granularity>` when bucketed
 *   (`date_month`);
 * - an aggregate metric is `<aggregation>_<field>` (`sum_quantity`, `count_distinct_user_id`),
 *   and a field-less count is `count`;
 * - a model metric keeps its name (`revenue`), a formula its `name` (`margin`);
 * - an `alias` replaces the name. Two columns with the same name are a 400 (give an alias).
 */

/** Calendar periods: buckets of a date dimension and units of relative filters. */
export const periods = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute'] as const;
export type Period = (typeof periods)[number];
/**
 * A dimension's granularity: a period (the bucket's start), or `weekday`, the ISO day of the
 * week as an integer (1 = Monday … 7 = Sunday), which groups across weeks (Serenytics timeslot).
 */
export const granularities = [...periods, 'weekday'] as const;
export type Granularity = (typeof granularities)[number];

export const aggregations: readonly Aggregation[] = ['sum', 'avg', 'min', 'max', 'count', 'count_distinct'];

export const operators = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'not in',
  'null',
  'not null',
  'empty',
  'not empty',
  'contains',
  'not contains',
  'starts with',
  'ends with',
  'between',
  'relative',
] as const;
export type Operator = (typeof operators)[number];

export interface QueryDimension {
  /** `table.field` or a bare field name unique in the model. */
  field: string;
  /** Only for date and datetime fields; weeks start on Monday (ISO). */
  granularity?: Granularity;
  alias?: string;
}

export type QueryMetric =
  /** `field` may be absent only for `count` (= count of rows). */
  | { kind: 'aggregate'; aggregation: Aggregation; field?: string; alias?: string }
  | { kind: 'model'; metric: string; alias?: string }
  /** `+ - * /`, parentheses, numbers, and names of other metrics of the query or the model. */
  | { kind: 'formula'; name: string; formula: string };

/**
 * One filter rule. `field` names a model field (→ WHERE) or a metric: a metric column of the
 * query or a model metric (→ HAVING). Value rules:
 * - `=` and `!=` accept several values (same as `in` / `not in`); negative operators (`!=`,
 *   `not in`, `not contains`) keep NULL rows, since "everything but X" includes unknowns;
 * - `null`, `not null`, `empty` (NULL or ''), `not empty` take no values;
 * - `contains`, `starts with`, `ends with` are case-insensitive and match any of their values;
 * - `between` takes two values, both bounds included;
 * - `relative` takes `["last", n, unit]`, `["this", unit]` or `["next", n, unit]` with a unit
 *   among the granularities. Periods are whole calendar units in UTC: `last 7 day` is the seven
 *   days before today (today excluded), `this month` is the current month, `next 2 week` the two
 *   ISO weeks after the current one. The bounds are computed in JS at compile time and bound as
 *   parameters, so every dialect agrees and a cached result never outlives its period.
 *
 * In the native body a value may be `{"variable": "<name>"}`: parse.ts replaces it with the value
 * the body's `variables: {name: scalar | scalar[]}` give (a list becomes several values) before
 * anything else is checked, so the IR only holds literal values (variables.ts).
 */
export interface FilterRule {
  field: string;
  operator: Operator;
  values: JsonScalar[];
}

export type FilterNode = FilterRule | { and: FilterNode[] } | { or: FilterNode[] };

export interface QuerySort {
  /** A result column name, or the address of a dimension of the query (any field when raw). */
  field: string;
  descending: boolean;
}

/**
 * A row-level calculated field: `+ - * /`, parentheses, numbers and field names (double-quoted
 * when they hold other characters than letters, digits, `_` and `.`). Usable wherever a field
 * is: dimension, field of an aggregate, filter, sort. The name may not be a field of the model.
 */
export interface QueryCalculation {
  name: string;
  formula: string;
}

export interface QueryIr {
  calculations?: QueryCalculation[];
  dimensions: QueryDimension[];
  metrics: QueryMetric[];
  filters?: FilterNode;
  /** Without sorts, an aggregated query is ordered by its dimensions. */
  sorts: QuerySort[];
  /**
   * At most the configured `maxRows` (more is a 400). Absent = up to `maxRows` rows, and the
   * result says `truncated` when there were more.
   */
  limit?: number;
  offset: number;
  /**
   * false = plain rows (data previews): no metrics, no GROUP BY, one output row per source row;
   * with no dimensions every dimension of the model is selected.
   */
  aggregate: boolean;
}

/** The result-column name of a dimension (see the naming rule above). */
export const dimensionName = (dimension: QueryDimension): string =>
  dimension.alias ??
  `${bareName(dimension.field)}${dimension.granularity ? `_${dimension.granularity}` : ''}`;

/** The result-column name of a metric (see the naming rule above). */
export function metricName(metric: QueryMetric): string {
  if (metric.kind === 'formula') return metric.name;
  if (metric.alias !== undefined) return metric.alias;
  if (metric.kind === 'model') return metric.metric;
  return metric.field === undefined ? metric.aggregation : `${metric.aggregation}_${bareName(metric.field)}`;
}

const bareName = (address: string): string => address.slice(address.lastIndexOf('.') + 1);
