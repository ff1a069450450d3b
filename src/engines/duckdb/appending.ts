import type { DuckDBAppender } from '@duckdb/node-api';
import { validationError } from '../../core/errors.ts';
import type { ColumnType, JsonScalar } from '../types.ts';

const INTEGER_TEXT = /^[+-]?\d+$/;
/** A time of day followed by a zone: DuckDB's TIMESTAMP cast would drop the offset, so it is applied here. */
const ZONED_TIME = /\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d(:?\d\d)?)$/i;

function integerOf(value: JsonScalar): bigint | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return BigInt(value.trim());
  return undefined;
}

function numberOf(value: JsonScalar): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function booleanOf(value: JsonScalar): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return undefined;
}

/** Numbers are epoch milliseconds; zoned strings are converted to UTC; other text is left for DuckDB to parse. */
function timestampTextOf(value: JsonScalar): string | undefined {
  if (typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  if (typeof value !== 'string') return undefined;
  if (!ZONED_TIME.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace('Z', '');
}

const expected: Record<ColumnType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  date: 'a YYYY-MM-DD date',
  datetime: 'an ISO-8601 date-time',
  json: 'JSON text',
};

function appendValue(appender: DuckDBAppender, type: ColumnType, value: JsonScalar): boolean {
  if (value === null) {
    appender.appendNull();
    return true;
  }
  switch (type) {
    case 'integer': {
      const integer = integerOf(value);
      if (integer !== undefined) appender.appendBigInt(integer);
      return integer !== undefined;
    }
    case 'number': {
      const number = numberOf(value);
      if (number !== undefined) appender.appendDouble(number);
      return number !== undefined;
    }
    case 'boolean': {
      const boolean = booleanOf(value);
      if (boolean !== undefined) appender.appendBoolean(boolean);
      return boolean !== undefined;
    }
    case 'datetime': {
      const text = timestampTextOf(value);
      if (text !== undefined) appender.appendVarchar(text);
      return text !== undefined;
    }
    default:
      // Strings, and dates, which DuckDB casts from text as they are appended.
      appender.appendVarchar(typeof value === 'string' ? value : String(value));
      return true;
  }
}

/**
 * Appends `rows` (values in `types` order) through the appender; any bad value stops the batch
 * with ERR_VALIDATION naming the row and column, and the caller's transaction rolls back.
 * `extra` adds trailing values computed from the row index (the staging sequence number).
 */
export function appendRows(
  appender: DuckDBAppender,
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly (readonly JsonScalar[])[],
  extra?: (rowIndex: number) => bigint,
): void {
  let column = 0;
  for (let row = 0; row < rows.length; row++) {
    const values = rows[row];
    if (!Array.isArray(values) || values.length !== columns.length) {
      throw validationError(`rows[${row}]`, `expected ${columns.length} values`);
    }
    try {
      for (column = 0; column < columns.length; column++) {
        if (!appendValue(appender, columns[column].type, values[column])) {
          throw new Error(
            `expected ${expected[columns[column].type]}, got ${JSON.stringify(values[column])}`,
          );
        }
      }
      if (extra) appender.appendBigInt(extra(row));
      appender.endRow();
    } catch (error) {
      appender.clear();
      const message = error instanceof Error ? error.message : String(error);
      throw validationError(`rows[${row}].${columns[column]?.name ?? ''}`, message);
    }
  }
}
