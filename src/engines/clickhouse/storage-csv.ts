import { RosettaError } from '../../core/errors.ts';
import type { StorageColumn } from '../types.ts';
import { clickhouseIdentifier as ident, clickhouseLiteral as literal } from './literal.ts';

/**
 * CSV loads land first in a staging table of Nullable(String) columns: ClickHouse 18.16's CSV
 * reader cannot read an empty field as a NULL Date (it reads on past the delimiter), nor `1`
 * as a boolean Enum8. The text is then checked and converted here in SQL, so a value that does not fit
 * is refused by name instead of being wrapped (`toInt64OrNull` wraps on overflow, `toDate` rolls
 * 2024-02-30 into March). An empty field is NULL, for every type.
 */

const NUMBER_PATTERN = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$';

/** The trimmed text of a staged field, NULL when empty (strings keep their spaces). */
const textOf = (column: string, type: StorageColumn['type']): string => {
  const field = ident(column);
  return type === 'string'
    ? `nullIf(${field}, '')`
    : `nullIf(replaceRegexpAll(${field}, '^\\\\s+|\\\\s+$', ''), '')`;
};

/** The typed value of a staged field, and whether its text is a value of that type at all. */
function conversionOf(column: StorageColumn): { value: string; valid: string } {
  const text = textOf(column.name, column.type);
  switch (column.type) {
    case 'string':
      return { value: text, valid: '1' };
    case 'integer': {
      const canonical = `replaceRegexpOne(replaceRegexpOne(${text}, '^[+]', ''), '^(-?)0+([0-9])', '\\\\1\\\\2')`;
      return {
        value: `toInt64OrNull(${text})`,
        valid: `match(${text}, '^[+-]?[0-9]+$') AND toString(toInt64OrZero(${canonical})) = ${canonical}`,
      };
    }
    case 'number':
      return {
        value: `toFloat64OrNull(${text})`,
        valid: `match(${text}, ${literal(NUMBER_PATTERN)}) AND isFinite(toFloat64OrZero(${text}))`,
      };
    case 'boolean':
      return {
        value: `multiIf(lower(${text}) IN ('true', '1'), 'true', lower(${text}) IN ('false', '0'), 'false', NULL)`,
        valid: `lower(${text}) IN ('true', '1', 'false', '0')`,
      };
    case 'date':
      // 1970-01-01 is day 0, which ClickHouse 18.16 prints as 0000-00-00.
      return {
        value: `toDateOrNull(${text})`,
        valid: `match(${text}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') AND (toString(toDateOrNull(${text})) = ${text} OR ${text} = '1970-01-01')`,
      };
    case 'datetime': {
      // The best-effort parser rolls a day past the month's end over and wraps years past 2105.
      const parsed = `parseDateTimeBestEffortOrNull(${text}, 'UTC')`;
      const day = `substring(${text}, 1, 10)`;
      return {
        value: parsed,
        valid: `match(${text}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}') AND (toString(toDateOrNull(${day})) = ${day} OR ${day} = '1970-01-01')
          AND abs(toInt32(toYear(${parsed})) - toInt32OrZero(substring(${text}, 1, 4))) <= 1`,
      };
    }
  }
}

/** The staging table's column definitions for a CSV of these columns, in file order. */
export const csvStagingDefinitions = (columns: readonly StorageColumn[]): string =>
  columns.map((column) => `${ident(column.name)} Nullable(String)`).join(', ');

/** The typed expressions of the staged columns, in order, for an INSERT … SELECT. */
export const csvValues = (columns: readonly StorageColumn[]): string =>
  columns.map((column) => conversionOf(column).value).join(', ');

/**
 * A query over the staging table finding, per column, the first field that is not a value of
 * the column's type; run with `CSV_CHECK_SETTINGS` so rows are numbered in file order.
 */
export const csvCheckSql = (stage: string, columns: readonly StorageColumn[]): string =>
  `SELECT ${columns
    .map((column, index) => {
      const text = textOf(column.name, column.type);
      const invalid = `isNotNull(${text}) AND NOT ifNull(${conversionOf(column).valid}, 0)`;
      return `countIf(${invalid}) AS bad_${index}, minIf(rowNumberInAllBlocks(), ${invalid}) AS row_${index},
        argMinIf(${ident(column.name)}, rowNumberInAllBlocks(), ${invalid}) AS example_${index}`;
    })
    .join(', ')} FROM ${stage}`;

/** One reading thread: a Memory table is then read in the order its blocks were written. */
export const CSV_CHECK_SETTINGS = { max_threads: 1 };

/** The first bad field of the file (by line), named as the core names CSV errors: line and column. */
export function csvProblem(
  columns: readonly StorageColumn[],
  answer: Record<string, unknown>,
  header: boolean,
): Error | undefined {
  const bad = columns
    .map((column, index) => ({ column, index, row: Number(answer[`row_${index}`]) }))
    .filter(({ index }) => Number(answer[`bad_${index}`]) > 0)
    .sort((a, b) => a.row - b.row)[0];
  if (!bad) return undefined;
  const { name, type } = bad.column;
  const line = bad.row + 1 + (header ? 1 : 0);
  return new RosettaError(
    'ERR_VALIDATION',
    `line ${line}, column "${name}": expected ${type}, got ${JSON.stringify(answer[`example_${bad.index}`])}`,
    name,
  );
}
