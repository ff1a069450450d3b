import {
  clickhouseIdentifier,
  clickhouseLiteral,
  clickhousePlaceholder,
  clickhouseResultAlias,
} from '../../engines/clickhouse-literal.ts';
import type { EngineDialect, JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import type { DatePart, Period } from './ir.ts';

/**
 * Everything that differs between the SQL dialects, in one small table; the compiler itself is
 * dialect-free. Adding an engine = adding one entry here.
 */
export interface SqlDialect {
  name: EngineDialect;
  /** The engine as its users name it, in messages. */
  label: string;
  /** What the engine can compute in SQL; a query needing what it lacks is a 400 (requireCapability). */
  capabilities: DialectCapabilities;
  /** Quotes an identifier; embedded quote characters are doubled. */
  quote(identifier: string): string;
  /**
   * A result column's alias (quoted), as the SELECT names it and a query over it reads it: the
   * quoted name, except on ClickHouse, where an alias equal to a column's name would shadow it.
   */
  resultAlias(name: string): string;
  /** The placeholder of the n-th (1-based) bound parameter. */
  placeholder(index: number): string;
  /** Placeholders (`?`) take the values in text order rather than by number (finishSql). */
  positional: boolean;
  /** A value as a literal, for SQL shown to a developer rather than run with parameters. */
  literal(value: JsonScalar): string;
  /** Type names for CAST: date, timestamp, double-precision float, text. */
  types: { date: string; datetime: string; float: string; text: string };
  /**
   * A bound value (`YYYY-MM-DD`, `YYYY-MM-DD hh:mm:ss.fff` in UTC, a number) as that type: a CAST
   * where the engine parses such text.
   */
  castValue(value: string, type: 'date' | 'datetime' | 'float'): string;
  /**
   * The continuous (interpolated) percentile of `input` as an aggregate, `fraction` a literal
   * from 0 to 1; reached only where the capabilities say median or percentile.
   */
  percentileCont(fraction: number, input: string): string;
  /** True when `condition` is false or unknown (NULL): the complement of a filter. */
  isNotTrue(condition: string): string;
  /**
   * The start of the period holding `expression`: a date for day and coarser, else a timestamp.
   * Weeks start on ISO day `weekStart` (1 = Monday … 7 = Sunday).
   */
  truncate(period: Period, expression: string, weekStart: number): string;
  /**
   * A date part as an integer: `weekday` is the ISO day number, `day_of_week` the day counted
   * from `weekStart` (1–7), `week_of_year` the ISO week number.
   */
  datePart(part: DatePart | 'weekday', expression: string, weekStart: number): string;
  /** A timestamp in UTC as the wall-clock timestamp of a zone, `zone` being a literal of the dialect. */
  inZone(expression: string, zone: string): string;
  /** Case-insensitive LIKE; patterns escape wildcards with `!` (no backslash rules to fight). */
  ilike(expression: string, pattern: string): string;
  /** One ORDER BY item; NULLs always sort last so every dialect returns the same order. */
  orderBy(expression: string, descending: boolean): string;
  /** MySQL and MariaDB have no FULL JOIN. */
  fullJoin: boolean;
  /**
   * `a = b` with NULL equal to NULL, as a join condition the engine can hash or index (joining
   * rows to groups, periods to the previous ones).
   */
  nullSafeEquals(a: string, b: string): string;
  /**
   * A bucket start of `period` moved by `count` periods (negative: back), of the bucket's type
   * (a date for day and coarser): the previous period of a row (post.ts).
   */
  addPeriods(period: Period, expression: string, count: number): string;
}

/**
 * One flag per feature some engine lacks, so a query needing it is refused with a 400 naming the
 * feature and the engine rather than computed wrong or in JavaScript.
 */
export interface DialectCapabilities {
  /** The median as an aggregate (`percentile_cont(0.5) WITHIN GROUP`). */
  median: boolean;
  /** Continuous percentiles as an aggregate (`percentile_cont(p) WITHIN GROUP`). */
  percentile: boolean;
  /**
   * Common table expressions and window functions: the staged plan of post calculations, post
   * filters and top N (stages.ts).
   */
  stages: boolean;
}

/** A 400 at `path` when the dialect lacks `capability`; `feature` names it (`aggregation "median"`). */
export function requireCapability(
  dialect: SqlDialect,
  capability: keyof DialectCapabilities,
  path: string,
  feature: string,
): void {
  if (!dialect.capabilities[capability])
    throw validationError(
      path,
      `${feature} is not supported on ${dialect.label}`,
      'query.unsupported_on_engine',
    );
}

const quoteWith = (quote: string) => (identifier: string) =>
  `${quote}${identifier.replaceAll(quote, quote + quote)}${quote}`;

/**
 * `'…'` with quotes doubled. Where a backslash escapes inside strings (MySQL by default, and
 * PostgreSQL's E'…' whatever `standard_conforming_strings` says) it is doubled too, so no value
 * can end its literal early.
 */
const literalWith =
  (backslashes: 'plain' | 'escaped' | 'postgres') =>
  (value: JsonScalar): string => {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') return value < 0 ? `(${value})` : String(value);
    const quoted = value.replaceAll("'", "''");
    if (backslashes === 'plain' || !value.includes('\\')) return `'${quoted}'`;
    const escaped = quoted.replaceAll('\\', '\\\\');
    return backslashes === 'postgres' ? `E'${escaped}'` : `'${escaped}'`;
  };

const coarse = (period: Period): boolean => period !== 'hour' && period !== 'minute';

/**
 * The day number 1–7 counted from `weekStart`, given the ISO day number (1 = Monday): the ISO
 * number itself when weeks start on Monday.
 */
const fromWeekStart = (isoDay: string, weekStart: number): string =>
  weekStart === 1 ? isoDay : `((${isoDay} + ${7 - weekStart}) % 7 + 1)`;

/**
 * DuckDB and PostgreSQL share date_trunc and EXTRACT; only their type names differ. date_trunc's
 * weeks start on Monday: moving a timestamp forward by the days from the week start to the next
 * Monday, truncating, and moving back gives weeks that start on any day.
 */
function dateFunctions(
  types: SqlDialect['types'],
  integer: string,
): Pick<SqlDialect, 'truncate' | 'datePart'> {
  const timestamp = (expression: string) => `CAST(${expression} AS ${types.datetime})`;
  const extract = (field: string, expression: string) =>
    `CAST(EXTRACT(${field} FROM ${timestamp(expression)}) AS ${integer})`;
  const fields: Record<DatePart | 'weekday', string> = {
    weekday: 'ISODOW',
    day_of_week: 'ISODOW',
    month_of_year: 'MONTH',
    quarter_of_year: 'QUARTER',
    hour_of_day: 'HOUR',
    // EXTRACT(WEEK …) is the ISO week number in both.
    week_of_year: 'WEEK',
  };
  return {
    truncate(period, expression, weekStart) {
      const days = period === 'week' ? (8 - weekStart) % 7 : 0;
      const truncated =
        days === 0
          ? `date_trunc('${period}', ${timestamp(expression)})`
          : `date_trunc('week', ${timestamp(expression)} + INTERVAL '${days} day') - INTERVAL '${days} day'`;
      return coarse(period) ? `CAST(${truncated} AS ${types.date})` : truncated;
    },
    datePart(part, expression, weekStart) {
      const value = extract(fields[part], expression);
      return part === 'day_of_week' ? fromWeekStart(value, weekStart) : value;
    },
  };
}

const mysqlPeriods: Record<Period, (e: string, weekStart: number) => string> = {
  year: (e) => `MAKEDATE(YEAR(${e}), 1)`,
  quarter: (e) => `(MAKEDATE(YEAR(${e}), 1) + INTERVAL (QUARTER(${e}) - 1) QUARTER)`,
  month: (e) => `CAST(DATE_FORMAT(${e}, '%Y-%m-01') AS DATE)`,
  // WEEKDAY() is 0 on Monday: the days since the week start are (WEEKDAY + 8 - weekStart) mod 7.
  week: (e, weekStart) =>
    `DATE_SUB(DATE(${e}), INTERVAL ${weekStart === 1 ? `WEEKDAY(${e})` : `(WEEKDAY(${e}) + ${8 - weekStart}) % 7`} DAY)`,
  day: (e) => `DATE(${e})`,
  hour: (e) => `CAST(DATE_FORMAT(${e}, '%Y-%m-%d %H:00:00') AS DATETIME)`,
  minute: (e) => `CAST(DATE_FORMAT(${e}, '%Y-%m-%d %H:%i:00') AS DATETIME)`,
};

const mysqlParts: Record<DatePart | 'weekday', (e: string, weekStart: number) => string> = {
  weekday: (e) => `(WEEKDAY(${e}) + 1)`,
  day_of_week: (e, weekStart) => fromWeekStart(`(WEEKDAY(${e}) + 1)`, weekStart),
  month_of_year: (e) => `MONTH(${e})`,
  quarter_of_year: (e) => `QUARTER(${e})`,
  hour_of_day: (e) => `HOUR(${e})`,
  // Mode 3: ISO weeks (Monday first, week 1 holds the year's first Thursday).
  week_of_year: (e) => `WEEK(${e}, 3)`,
};

/** Periods as whole months, days, hours or minutes: bucket starts stay bucket starts. */
const periodSteps: Record<Period, [size: number, unit: 'month' | 'day' | 'hour' | 'minute']> = {
  year: [12, 'month'],
  quarter: [3, 'month'],
  month: [1, 'month'],
  week: [7, 'day'],
  day: [1, 'day'],
  hour: [1, 'hour'],
  minute: [1, 'minute'],
};

/** DuckDB and PostgreSQL add intervals alike; a date plus an interval is a timestamp, cast back. */
const addInterval =
  (types: SqlDialect['types']): SqlDialect['addPeriods'] =>
  (period, expression, count) => {
    const [size, unit] = periodSteps[period];
    const moved = `${expression} + INTERVAL '${count * size} ${unit}'`;
    return coarse(period) ? `CAST(${moved} AS ${types.date})` : `(${moved})`;
  };

const castAs =
  (types: SqlDialect['types']): SqlDialect['castValue'] =>
  (value, type) =>
    `CAST(${value} AS ${types[type]})`;

/**
 * The SQL-standard ordered-set form that DuckDB and PostgreSQL share. The fraction is written as a
 * literal: a bound parameter would make two renderings of the same metric (SELECT and ORDER BY,
 * or grouping sets) different expressions to PostgreSQL.
 */
const percentileCont: SqlDialect['percentileCont'] = (fraction, input) =>
  `percentile_cont(${fraction}) WITHIN GROUP (ORDER BY ${input})`;

/**
 * percentile_cont on ClickHouse, whose quantileExact picks a value rather than interpolating: the
 * sorted non-NULL values `s`, position h = (n − 1)·p, and s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋ + 1] − s[⌊h⌋]),
 * the same arithmetic PostgreSQL does; NULL for no values.
 */
function clickhousePercentile(fraction: number, input: string): string {
  const sorted = `arraySort(groupArray(${input}))`;
  const count = `length(${sorted})`;
  const position = `((${count} - 1) * ${fraction})`;
  const below = `toUInt64(floor(${position}))`;
  const at = (index: string) => `arrayElement(${sorted}, ${index})`;
  const [low, high] = [at(`${below} + 1`), at(`least(${below} + 2, ${count})`)];
  return `if(${count} = 0, NULL, ${low} + (${position} - ${below}) * (${high} - ${low}))`;
}

const isNotTrue: SqlDialect['isNotTrue'] = (condition) => `(${condition}) IS NOT TRUE`;

/**
 * ClickHouse renders and buckets a DateTime in its column's zone (else the server's): timestamps
 * are read as UTC first, as on the other engines.
 */
const utc = (expression: string): string => `toDateTime(${expression}, 'UTC')`;

const clickhousePeriods: Record<Period, (e: string, weekStart: number) => string> = {
  year: (e) => `toStartOfYear(${utc(e)})`,
  quarter: (e) => `toStartOfQuarter(${utc(e)})`,
  month: (e) => `toStartOfMonth(${utc(e)})`,
  // toMonday is the only week start before toStartOfWeek (19.x): shift to it and back.
  week: (e, weekStart) => {
    const days = (8 - weekStart) % 7;
    return days === 0
      ? `toMonday(${utc(e)})`
      : `subtractDays(toMonday(addDays(toDate(${utc(e)}), ${days})), ${days})`;
  },
  day: (e) => `toDate(${utc(e)})`,
  hour: (e) => `toStartOfHour(${utc(e)})`,
  minute: (e) => `toStartOfMinute(${utc(e)})`,
};

const clickhouseParts: Record<DatePart | 'weekday', (e: string, weekStart: number) => string> = {
  weekday: (e) => `toDayOfWeek(${utc(e)})`,
  day_of_week: (e, weekStart) => fromWeekStart(`toDayOfWeek(${utc(e)})`, weekStart),
  month_of_year: (e) => `toMonth(${utc(e)})`,
  quarter_of_year: (e) => `toQuarter(${utc(e)})`,
  hour_of_day: (e) => `toHour(${utc(e)})`,
  week_of_year: (e) => `toISOWeek(${utc(e)})`,
};

const clickhouseSteps = {
  month: 'addMonths',
  day: 'addDays',
  hour: 'addHours',
  minute: 'addMinutes',
} as const;

/**
 * The `!`-escaped pattern in ClickHouse's LIKE syntax, which has no ESCAPE clause and escapes with
 * backslashes: backslashes doubled first, then each `!x` made `\x`.
 */
const clickhouseLikePattern = (pattern: string): string =>
  String.raw`replaceRegexpAll(replaceRegexpAll(${pattern}, '\\\\', '\\\\\\\\'), '!(.)', '\\\\\\1')`;

const nullsLast: SqlDialect['orderBy'] = (expression, descending) =>
  `${expression} ${descending ? 'DESC' : 'ASC'} NULLS LAST`;

const duckdbTypes = { date: 'DATE', datetime: 'TIMESTAMP', float: 'DOUBLE', text: 'VARCHAR' };
const postgresTypes = { date: 'date', datetime: 'timestamp', float: 'double precision', text: 'text' };
const mysqlTypes = { date: 'DATE', datetime: 'DATETIME', float: 'DOUBLE', text: 'CHAR' };
/** Nullable: a CAST of NULL to a plain type is an error on ClickHouse, not NULL. */
const clickhouseTypes = {
  date: 'Nullable(Date)',
  datetime: "Nullable(DateTime('UTC'))",
  float: 'Nullable(Float64)',
  text: 'Nullable(String)',
};

export const dialects: Record<EngineDialect, SqlDialect> = {
  duckdb: {
    name: 'duckdb',
    label: 'DuckDB',
    capabilities: { median: true, percentile: true, stages: true },
    quote: quoteWith('"'),
    resultAlias: quoteWith('"'),
    placeholder: (index) => `$${index}`,
    positional: false,
    literal: literalWith('plain'),
    types: duckdbTypes,
    castValue: castAs(duckdbTypes),
    percentileCont,
    isNotTrue,
    ...dateFunctions(duckdbTypes, 'INTEGER'),
    // ICU, built into DuckDB: the UTC timestamp as a TIMESTAMPTZ, then its wall clock in the zone.
    inZone: (expression, zone) => `timezone(${zone}, CAST(${expression} AS TIMESTAMP) AT TIME ZONE 'UTC')`,
    ilike: (expression, pattern) => `${expression} ILIKE ${pattern} ESCAPE '!'`,
    orderBy: nullsLast,
    fullJoin: true,
    nullSafeEquals: (a, b) => `${a} IS NOT DISTINCT FROM ${b}`,
    addPeriods: addInterval(duckdbTypes),
  },
  postgres: {
    name: 'postgres',
    label: 'PostgreSQL',
    capabilities: { median: true, percentile: true, stages: true },
    quote: quoteWith('"'),
    resultAlias: quoteWith('"'),
    placeholder: (index) => `$${index}`,
    positional: false,
    literal: literalWith('postgres'),
    types: postgresTypes,
    castValue: castAs(postgresTypes),
    percentileCont,
    isNotTrue,
    ...dateFunctions(postgresTypes, 'integer'),
    inZone: (expression, zone) =>
      `((CAST(${expression} AS timestamp) AT TIME ZONE 'UTC') AT TIME ZONE ${zone})`,
    ilike: (expression, pattern) => `${expression} ILIKE ${pattern} ESCAPE '!'`,
    orderBy: nullsLast,
    fullJoin: true,
    // IS NOT DISTINCT FROM can only be a nested loop join in PostgreSQL (neither hashable nor
    // mergeable); equal text and equal nullness is the same test, and joins by hash or merge.
    nullSafeEquals: (a, b) =>
      `(COALESCE(CAST(${a} AS text), '') = COALESCE(CAST(${b} AS text), '') AND (${a} IS NULL) = (${b} IS NULL))`,
    addPeriods: addInterval(postgresTypes),
  },
  mysql: {
    name: 'mysql',
    label: 'MySQL/MariaDB',
    // MariaDB has MEDIAN and PERCENTILE_CONT only as window functions, MySQL not at all.
    capabilities: { median: false, percentile: false, stages: true },
    quote: quoteWith('`'),
    resultAlias: quoteWith('`'),
    placeholder: () => '?',
    positional: true,
    literal: literalWith('escaped'),
    types: mysqlTypes,
    castValue: castAs(mysqlTypes),
    percentileCont,
    isNotTrue,
    truncate: (period, expression, weekStart) => mysqlPeriods[period](expression, weekStart),
    datePart: (part, expression, weekStart) => mysqlParts[part](expression, weekStart),
    // NULL when the server has no time-zone tables: the query service probes that first (service.ts).
    inZone: (expression, zone) => `CONVERT_TZ(${expression}, '+00:00', ${zone})`,
    // LOWER on both sides: a binary or case-sensitive collation must not change the answer.
    ilike: (expression, pattern) => `LOWER(${expression}) LIKE LOWER(${pattern}) ESCAPE '!'`,
    // No NULLS LAST in MySQL: sort on "is null" first.
    orderBy: (expression, descending) =>
      `${expression} IS NULL, ${expression} ${descending ? 'DESC' : 'ASC'}`,
    fullJoin: false,
    // The derived table of the groups gets an index MariaDB looks `<=>` up in.
    nullSafeEquals: (a, b) => `${a} <=> ${b}`,
    // DATE_ADD keeps a DATE a DATE; its units include QUARTER and WEEK.
    addPeriods: (period, expression, count) =>
      `DATE_ADD(${expression}, INTERVAL ${count} ${period.toUpperCase()})`,
  },
  clickhouse: {
    name: 'clickhouse',
    label: 'ClickHouse',
    // `WITH name AS (subquery)` arrived in 20.x, window functions in 21.x.
    capabilities: { median: true, percentile: true, stages: false },
    quote: clickhouseIdentifier,
    resultAlias: clickhouseResultAlias,
    placeholder: clickhousePlaceholder,
    positional: false,
    literal: clickhouseLiteral,
    types: clickhouseTypes,
    // A CAST to DateTime refuses the milliseconds every bound timestamp has; parsing drops them.
    castValue: (value, type) =>
      type === 'datetime' ? `parseDateTimeBestEffort(${value}, 'UTC')` : castAs(clickhouseTypes)(value, type),
    // No IS [NOT] TRUE: an unknown condition counts as false.
    percentileCont: clickhousePercentile,
    isNotTrue: (condition) => `NOT ifNull(${condition}, 0)`,
    truncate: (period, expression, weekStart) => clickhousePeriods[period](expression, weekStart),
    datePart: (part, expression, weekStart) => clickhouseParts[part](expression, weekStart),
    // toTimeZone only changes how the instant is shown: its wall clock, read back as UTC, is the value.
    inZone: (expression, zone) => `toDateTime(toString(toTimeZone(${utc(expression)}, ${zone})), 'UTC')`,
    // lowerUTF8: lower() folds ASCII only.
    ilike: (expression, pattern) =>
      `lowerUTF8(${expression}) LIKE lowerUTF8(${clickhouseLikePattern(pattern)})`,
    orderBy: nullsLast,
    // join_use_nulls (client.ts) gives the missing side NULLs, as SQL does.
    fullJoin: true,
    // Equalities ClickHouse can hash a join on (it has no IS NOT DISTINCT FROM before 21.x).
    nullSafeEquals: (a, b) =>
      `(ifNull(toString(${a}), '') = ifNull(toString(${b}), '') AND isNull(${a}) = isNull(${b}))`,
    addPeriods: (period, expression, count) => {
      const [size, unit] = periodSteps[period];
      return `${clickhouseSteps[unit]}(${expression}, ${count * size})`;
    },
  },
};
