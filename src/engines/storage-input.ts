import { validationError } from '../core/errors.ts';
import type { ColumnType, JsonScalar, StorageColumn } from './types.ts';

/**
 * What every managed storage accepts from a batch, whatever the warehouse: column names of one
 * write, and each value read by the type of its column. The core sends values already coerced
 * (`core/data/values.ts`); storages still check them so a bad value is ERR_VALIDATION naming its
 * row and column, never half a batch.
 */

const INTEGER_TEXT = /^[+-]?\d+$/;
/** A time of day followed by a zone, which is applied here so every warehouse stores UTC. */
const ZONED_TIME = /\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d(:?\d\d)?)$/i;

/** How a value of each type must look, for messages. */
export const EXPECTED_VALUE: Record<ColumnType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  date: 'a YYYY-MM-DD date',
  datetime: 'an ISO-8601 date-time',
  json: 'JSON text',
};

export function assertDistinct(names: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name === '')
      throw validationError(field, 'column names must be non-empty');
    if (seen.has(name.toLowerCase())) throw validationError(field, `column "${name}" appears twice`);
    seen.add(name.toLowerCase());
  }
}

/** What every storage checks of a new table: distinct named columns, at least one, keys among them. */
export function checkTableDefinition(columns: readonly StorageColumn[], primaryKey: readonly string[]): void {
  assertDistinct(
    columns.map((column) => column.name),
    'columns',
  );
  if (columns.length === 0) throw validationError('columns', 'a table needs at least one column');
  for (const key of primaryKey) {
    if (!columns.some((column) => column.name === key))
      throw validationError('primaryKey', `unknown column "${key}"`);
  }
}

export function integerOf(value: JsonScalar): bigint | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return BigInt(value.trim());
  return undefined;
}

export function numberOf(value: JsonScalar): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

export function booleanOf(value: JsonScalar): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return undefined;
}

/**
 * Numbers are epoch milliseconds; zoned strings are converted to UTC (ISO, without the `Z`);
 * other text is returned as it is, for the warehouse (or `isDateTimeText`) to judge.
 */
export function timestampTextOf(value: JsonScalar): string | undefined {
  if (typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace('Z', '');
  }
  if (typeof value !== 'string') return undefined;
  if (!ZONED_TIME.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace('Z', '');
}

const DATE_TEXT = /^\d{4}-\d\d-\d\d$/;
const DATE_TIME_TEXT = /^\d{4}-\d\d-\d\d(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?)?$/;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the `YYYY-MM-DD` at the start of a text that has that shape is a real day from year 1 on. */
function isCalendarDay(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month] + leapDay;
}

/** A real calendar day `YYYY-MM-DD` from year 1 on (this runs for every value of a batch). */
export const isDateText = (text: string): boolean => DATE_TEXT.test(text) && isCalendarDay(text);

/** A zone-less `YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]]` naming a real moment. */
export const isDateTimeText = (text: string): boolean => DATE_TIME_TEXT.test(text) && isCalendarDay(text);
