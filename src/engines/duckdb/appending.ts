import type { DuckDBAppender } from '@duckdb/node-api';
import { validationError } from '../../core/errors.ts';
import { booleanOf, EXPECTED_VALUE, integerOf, numberOf, timestampTextOf } from '../storage-input.ts';
import type { ColumnType, JsonScalar } from '../types.ts';

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
            `expected ${EXPECTED_VALUE[columns[column].type]}, got ${JSON.stringify(values[column])}`,
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
