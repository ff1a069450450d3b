import type { EngineDialect, JsonScalar } from '../../engines/types.ts';
import type { Granularity } from './ir.ts';

/**
 * Everything that differs between the SQL dialects, in one small table; the compiler itself is
 * dialect-free. Adding an engine = adding one entry here.
 */
export interface SqlDialect {
  name: EngineDialect;
  /** Quotes an identifier; embedded quote characters are doubled. */
  quote(identifier: string): string;
  /** The placeholder of the n-th (1-based) bound parameter. */
  placeholder(index: number): string;
  /** A value as a literal, for SQL shown to a developer rather than run with parameters. */
  literal(value: JsonScalar): string;
  /** Type names for CAST: date, timestamp, double-precision float. */
  types: { date: string; datetime: string; float: string };
  /** The start of the bucket holding `expression`; weeks start on Monday. Day and coarser give dates; weekday an ISO day number. */
  truncate(granularity: Granularity, expression: string): string;
  /** Case-insensitive LIKE; patterns escape wildcards with `!` (no backslash rules to fight). */
  ilike(expression: string, pattern: string): string;
  /** One ORDER BY item; NULLs always sort last so every dialect returns the same order. */
  orderBy(expression: string, descending: boolean): string;
  /** MySQL and MariaDB have no FULL JOIN. */
  fullJoin: boolean;
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

const coarse = (granularity: Granularity): boolean => granularity !== 'hour' && granularity !== 'minute';

/** DuckDB and PostgreSQL share date_trunc (ISO weeks); only their type names differ. */
function dateTrunc(types: SqlDialect['types'], isoWeekday: (e: string) => string): SqlDialect['truncate'] {
  return (granularity, expression) => {
    if (granularity === 'weekday') return isoWeekday(`CAST(${expression} AS ${types.datetime})`);
    const truncated = `date_trunc('${granularity}', CAST(${expression} AS ${types.datetime}))`;
    return coarse(granularity) ? `CAST(${truncated} AS ${types.date})` : truncated;
  };
}

const mysqlBuckets: Record<Granularity, (e: string) => string> = {
  year: (e) => `MAKEDATE(YEAR(${e}), 1)`,
  quarter: (e) => `(MAKEDATE(YEAR(${e}), 1) + INTERVAL (QUARTER(${e}) - 1) QUARTER)`,
  month: (e) => `CAST(DATE_FORMAT(${e}, '%Y-%m-01') AS DATE)`,
  // WEEKDAY() is 0 on Monday.
  week: (e) => `DATE_SUB(DATE(${e}), INTERVAL WEEKDAY(${e}) DAY)`,
  day: (e) => `DATE(${e})`,
  hour: (e) => `CAST(DATE_FORMAT(${e}, '%Y-%m-%d %H:00:00') AS DATETIME)`,
  minute: (e) => `CAST(DATE_FORMAT(${e}, '%Y-%m-%d %H:%i:00') AS DATETIME)`,
  weekday: (e) => `(WEEKDAY(${e}) + 1)`,
  month_of_year: (e) => `MONTH(${e})`,
  quarter_of_year: (e) => `QUARTER(${e})`,
  hour_of_day: (e) => `HOUR(${e})`,
  // Mode 3: ISO weeks (Monday first, week 1 holds the year's first Thursday).
  week_of_year: (e) => `WEEK(${e}, 3)`,
  day_of_week: (e) => `(WEEKDAY(${e}) + 1)`,
};

const nullsLast: SqlDialect['orderBy'] = (expression, descending) =>
  `${expression} ${descending ? 'DESC' : 'ASC'} NULLS LAST`;

const duckdbTypes = { date: 'DATE', datetime: 'TIMESTAMP', float: 'DOUBLE' };
const postgresTypes = { date: 'date', datetime: 'timestamp', float: 'double precision' };

export const dialects: Record<EngineDialect, SqlDialect> = {
  duckdb: {
    name: 'duckdb',
    quote: quoteWith('"'),
    placeholder: (index) => `$${index}`,
    literal: literalWith('plain'),
    types: duckdbTypes,
    truncate: dateTrunc(duckdbTypes, (e) => `isodow(${e})`),
    ilike: (expression, pattern) => `${expression} ILIKE ${pattern} ESCAPE '!'`,
    orderBy: nullsLast,
    fullJoin: true,
  },
  postgres: {
    name: 'postgres',
    quote: quoteWith('"'),
    placeholder: (index) => `$${index}`,
    literal: literalWith('postgres'),
    types: postgresTypes,
    truncate: dateTrunc(postgresTypes, (e) => `CAST(EXTRACT(ISODOW FROM ${e}) AS integer)`),
    ilike: (expression, pattern) => `${expression} ILIKE ${pattern} ESCAPE '!'`,
    orderBy: nullsLast,
    fullJoin: true,
  },
  mysql: {
    name: 'mysql',
    quote: quoteWith('`'),
    placeholder: () => '?',
    literal: literalWith('escaped'),
    types: { date: 'DATE', datetime: 'DATETIME', float: 'DOUBLE' },
    truncate: (granularity, expression) => mysqlBuckets[granularity](expression),
    // LOWER on both sides: a binary or case-sensitive collation must not change the answer.
    ilike: (expression, pattern) => `LOWER(${expression}) LIKE LOWER(${pattern}) ESCAPE '!'`,
    // No NULLS LAST in MySQL: sort on "is null" first.
    orderBy: (expression, descending) =>
      `${expression} IS NULL, ${expression} ${descending ? 'DESC' : 'ASC'}`,
    fullJoin: false,
  },
};
