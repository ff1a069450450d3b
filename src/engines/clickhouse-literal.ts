import { validationError } from '../core/errors.ts';
import type { JsonScalar } from './types.ts';

/**
 * How values and names are written in ClickHouse SQL, in one place: the ClickHouse engine
 * substitutes bound values with it, its managed storage writes with it, and the query core's
 * dialect shows SQL with it (a file of the engines module, so the core may import it).
 */

/**
 * ClickHouse reads backslash escapes inside every quoted text ('…', "…", `…`), so a backslash is
 * escaped before the quote; NUL is written `\0` as the server's own output does.
 */
const escapeQuoted = (text: string, quote: string): string =>
  text.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`).replaceAll('\0', '\\0');

/**
 * ClickHouse resolves a name to a SELECT's alias before the table's column, qualified or not, so
 * `CASE WHEN t.amount < 10 … END AS amount` would compare the CASE with itself and a filter on
 * `t.stamp` would read a truncated `stamp`. The query core's result aliases carry this mark, which
 * no column name has; the engine strips it from the names of result columns.
 */
export const CLICKHOUSE_RESULT_MARK = '\u{E000}';

/** A result column's alias: its name with the mark, quoted. */
export const clickhouseResultAlias = (name: string): string =>
  clickhouseIdentifier(`${name}${CLICKHOUSE_RESULT_MARK}`);

/** An identifier in backquotes, which ClickHouse 18.16 and later all read. */
export const clickhouseIdentifier = (identifier: string): string => `\`${escapeQuoted(identifier, '`')}\``;

/**
 * The one way a value becomes ClickHouse SQL: the server of the oldest supported version has no
 * server-side parameters, so the engine substitutes bound values with this, and the SQL shown to
 * a developer uses it too. A boolean is 1 or 0 (ClickHouse before 21.12 has no boolean type),
 * a negative number is parenthesized so `a-$1` cannot become a `--` comment, and a number that
 * has no SQL spelling (NaN, ±Infinity) is refused rather than written as something else.
 */
export function clickhouseLiteral(value: JsonScalar): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw validationError('params', `${value} is not a number ClickHouse can take`);
    return value < 0 || Object.is(value, -0) ? `(${value})` : String(value);
  }
  return `'${escapeQuoted(value, "'")}'`;
}

/** The placeholder of the n-th bound value: `$` is no part of ClickHouse SQL outside quotes. */
export const clickhousePlaceholder = (index: number): string => `$${index}`;
