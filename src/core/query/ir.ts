import type { ColumnType, JsonScalar } from '../../engines/types.ts';
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
export const dateParts = [
  'month_of_year',
  'day_of_week',
  'hour_of_day',
  'quarter_of_year',
  'week_of_year',
] as const;
/**
 * Date parts group across periods and are integers: `month_of_year` 1–12, `quarter_of_year` 1–4,
 * `hour_of_day` 0–23, `week_of_year` the ISO week number 1–53, `day_of_week` 1–7 counted from the
 * query's week start (1 = Monday unless `weekStart` says otherwise).
 */
export type DatePart = (typeof dateParts)[number];
export const granularities = [...periods, 'weekday', ...dateParts] as const;
export type Granularity = (typeof granularities)[number];

export const aggregations: readonly Aggregation[] = [
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'count_distinct',
  'median',
  'percentile',
  'stddev',
  'variance',
];

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
  /** Only for date and datetime fields; weeks start on the query's `weekStart`. */
  granularity?: Granularity;
  /** Only for numeric fields; not with a granularity. */
  bin?: Bin;
  alias?: string;
}

/**
 * Numeric bins. Fixed width: each value goes to the bin `[offset + k·width, offset + (k+1)·width)`
 * and the dimension's value is the bin's lower bound (a number). Custom ranges: half-open
 * `[from, to)` (either end open), the value is the range's label (default `"from–to"`, `"< to"`,
 * `"≥ from"`); a value in no range is NULL.
 */
export type Bin =
  | { width: number; offset?: number }
  | { ranges: Array<{ from?: number; to?: number; label?: string }> };

/** A metric's own filter (a filtered metric): only rows matching it are aggregated. */
type MetricFilter = { filters?: FilterNode };

export type QueryMetric =
  /**
   * `field` may be absent only for `count` (= count of rows). `percentile` (0–1) only with the
   * `percentile` aggregation (continuous, interpolated like PERCENTILE_CONT).
   */
  | ({
      kind: 'aggregate';
      aggregation: Aggregation;
      field?: string;
      percentile?: number;
      alias?: string;
    } & MetricFilter)
  | ({ kind: 'model'; metric: string; alias?: string } & MetricFilter)
  /** `+ - * /`, parentheses, numbers, and names of other metrics of the query or the model. */
  | { kind: 'formula'; name: string; formula: string }
  /** An SQL aggregate expression over the model's fields (`${TABLE}.col`): needs the developer role. */
  | { kind: 'sql'; name: string; sql: string; type?: 'number' | 'integer' };

/**
 * One filter rule. `field` names a model field (→ WHERE) or a metric: a metric column of the
 * query or a model metric (→ HAVING). Value rules:
 * - `=` and `!=` accept several values (same as `in` / `not in`); negative operators (`!=`,
 *   `not in`, `not contains`) keep NULL rows, since "everything but X" includes unknowns;
 * - `null`, `not null`, `empty` (NULL or ''), `not empty` take no values;
 * - `contains`, `starts with`, `ends with` are case-insensitive and match any of their values;
 * - `between` takes two values, both bounds included;
 * - `relative` takes `["last", n, unit]`, `["this", unit]`, `["this", unit, "to date"]` or
 *   `["next", n, unit]` with a unit among the periods. Periods are whole calendar units of the
 *   query's `timezone` (UTC by default): `last 7 day` is the seven days before today (today
 *   excluded), `this month` is the current month, `next 2 week` the two weeks after the current
 *   one (weeks start on `weekStart`). A fourth value `"rolling"` counts from now instead:
 *   `["last", 7, "day", "rolling"]` is [now − 7 days, now), `["next", 2, "hour", "rolling"]` is
 *   [now, now + 2 hours); days and longer units are calendar units of the zone (the day before a
 *   change of clocks is 23 or 25 hours), hours and minutes real time. On a date column a date
 *   counts as its midnight. The bounds are computed in JS at compile time (relative.ts) and bound
 *   as parameters, so every dialect agrees and a cached result never outlives its period.
 * - with a `timezone`, a date-time value without an offset on a datetime field is a wall-clock
 *   time of that zone (`"2024-03-31 03:30"` in Europe/Paris is 01:30 UTC); one with an offset
 *   (`Z`, `+02:00`) is that instant. Date fields and result ids (post filters, whose datetime
 *   columns are already local) take values as written.
 *
 * In the native body a value may be `{"variable": "<name>"}`: parse.ts replaces it with the value
 * the body's `variables: {name: scalar | scalar[]}` give (a list becomes several values) before
 * anything else is checked, so the IR only holds literal values (variables.ts).
 */
export interface FilterRule {
  field: string;
  operator: Operator;
  values: JsonScalar[];
  /**
   * The caller's values of this user attribute join `values` when the query is compiled (the
   * native body writes `{"attribute": "region"}` among the values). With no value at all, `=`/`in`
   * match no row and `!=`/`not in` every row.
   */
  attribute?: string;
}

export type FilterNode = FilterRule | { and: FilterNode[] } | { or: FilterNode[] } | { not: FilterNode };

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
export type QueryCalculation =
  | { name: string; formula: string }
  /** An SQL expression over the model's fields (`${TABLE}.col`): needs the developer role. */
  | { name: string; sql: string; type?: ColumnType };

/**
 * Calculations over the grouped result (a window stage in SQL, before the row cap), each named
 * by its `id`, which names its result column:
 * - `running_total` of a metric along the query's order of dimensions (the first date
 *   dimension, else the first dimension), restarted for each value of `partitionBy`;
 * - `percent_of_total`: the metric ÷ its sum over the result rows (within `partitionBy`), 0–1;
 * - `rank`: 1 for the largest value (`ascending: true` for the smallest), ties share a rank;
 * - `previous_period`: the metric's value one period earlier along the query's date dimension
 *   (its granularity is the period), for the same values of the other dimensions, read past the
 *   filters on that date field (January's previous month under `this year` is December;
 *   previous.ts);
 *   `difference` = value − previous, `percent_change` = (value − previous) ÷ |previous|;
 * - `formula`: `+ - * /` over result ids.
 */
export type PostCalculation =
  | {
      id: string;
      type: 'running_total' | 'percent_of_total' | 'rank';
      of: string;
      partitionBy?: string[];
      ascending?: boolean;
    }
  | { id: string; type: 'previous_period' | 'difference' | 'percent_change'; of: string }
  | { id: string; type: 'formula'; formula: string };
export const postTypes = [
  'running_total',
  'percent_of_total',
  'rank',
  'previous_period',
  'difference',
  'percent_change',
  'formula',
] as const;

/** The value of the row a top N query folds every other value into. */
export const OTHERS_LABEL = 'Others';

/**
 * Keeps the `n` values of a dimension with the largest (`bottom`: smallest) value of a metric,
 * ranked over the whole filtered data; with `others`, every other value is folded into one
 * `Others` row per combination of the other dimensions, its metrics computed from its rows.
 */
export interface TopN {
  dimension: string;
  by: string;
  n: number;
  others?: boolean;
  bottom?: boolean;
}

/**
 * Grand totals of every metric, and subtotals grouped by each listed dimension id, computed in SQL
 * over every row the filters keep (row policies on; never cut by the limit or the row cap). With
 * metric filters they cover the rows of the groups that pass; a formula metric is computed from
 * the totals of its parts; a top N with `others` changes nothing (its rows are every row). A top N
 * without `others`, post filters, and subtotals by the top N dimension are a 400 (totals.ts).
 */
export interface Totals {
  subtotals?: string[];
}

/**
 * A cross-tab: one column per value combination of these dimension ids and per metric (the metric
 * over that combination's rows), then each metric over the whole row; rows are the other
 * dimensions' combinations. Post calculations are computed per column, down the rows
 * (`running|v` after `sum_quantity|v`), and over the row totals. Not with `postFilters` or
 * `top` yet (pivot.ts).
 */
export interface Pivot {
  columns: string[];
  /** The most columns accepted: value combinations × metrics (more is a 400); default and cap 500. */
  maxColumns?: number;
}

export interface QueryIr {
  calculations?: QueryCalculation[];
  dimensions: QueryDimension[];
  metrics: QueryMetric[];
  /** Rules on fields filter rows (WHERE); rules on metrics filter groups (HAVING). */
  filters?: FilterNode;
  /**
   * The group stage said explicitly: every rule names a metric (HAVING), also where a field has
   * the same name. And-ed with the metric rules of `filters`.
   */
  metricFilters?: FilterNode;
  /** Rules on result ids (post calculations included), applied after the post stage. */
  postFilters?: FilterNode;
  post?: PostCalculation[];
  top?: TopN;
  totals?: Totals;
  pivot?: Pivot;
  /**
   * IANA zone (default UTC). Stored timestamps are UTC; datetime dimensions (raw, bucketed, date
   * parts) are computed as wall-clock times of the zone, relative dates are periods of the zone,
   * and date-time filter values without an offset are its wall-clock times. Date fields are
   * calendar days already and are not moved.
   */
  timezone?: string;
  /** ISO day number the week starts on: 1 = Monday (default) … 7 = Sunday. */
  weekStart?: number;
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
  if (metric.kind === 'formula' || metric.kind === 'sql') return metric.name;
  if (metric.alias !== undefined) return metric.alias;
  if (metric.kind === 'model') return metric.metric;
  return metric.field === undefined ? metric.aggregation : `${metric.aggregation}_${bareName(metric.field)}`;
}

const bareName = (address: string): string => address.slice(address.lastIndexOf('.') + 1);

/** The default label of a custom bin range: `"from–to"`, `"< to"` or `"≥ from"`. */
export const rangeLabel = ({ from, to }: { from?: number; to?: number }): string =>
  from === undefined ? `< ${to}` : to === undefined ? `≥ ${from}` : `${from}–${to}`;

/** What a result column is: its id (= name), kind, and the hints a face or chart formats it by. */
export type { ColumnMeta } from '../../engines/types.ts';
