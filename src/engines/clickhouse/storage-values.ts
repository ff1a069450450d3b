import { validationError } from '../../core/errors.ts';
import type { ColumnType, JsonScalar, StorageColumn } from '../types.ts';

/**
 * Pushed values turned into what ClickHouse's JSONEachRow input parses exactly: Int64 beyond 2^53
 * as digit strings, booleans as `true`/`false`, dates as `YYYY-MM-DD`, date-times as UTC
 * `YYYY-MM-DD HH:MM:SS`. Any value that does not fit stops the batch with ERR_VALIDATION naming
 * the row and column, before anything reaches the server.
 *
 * ClickHouse 18.16 has no DateTime64: a date-time keeps whole seconds (the fraction is dropped,
 * never rounded into another second). Date and DateTime count from 1970 and 18.16 knows days up to
 * 2105, so values outside that range are refused rather than wrapped into other dates.
 */

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TEXT = /^(\d{4})-(\d\d)-(\d\d)$/;
const CORE_DATETIME_TEXT = /^(\d{4}-\d\d-\d\d)T((?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(?:\.\d+)?$/;
const DATETIME_TEXT = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d)(:\d\d(?:\.\d+)?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The last day 18.16's date tables know (Date and DateTime print zeros past it). */
const LAST_DATE = '2105-12-31';
const LAST_DATETIME_MS = Date.parse('2105-12-31T23:59:59Z');

function integerOf(value: JsonScalar): number | string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string' || !INTEGER_TEXT.test(value.trim())) return undefined;
  const integer = BigInt(value.trim());
  if (integer < INT64_MIN || integer > INT64_MAX) return undefined;
  return Number.isSafeInteger(Number(integer)) ? Number(integer) : integer.toString();
}

function numberOf(value: JsonScalar): number | undefined {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && NUMBER_TEXT.test(value.trim())
        ? Number(value)
        : NaN;
  return Number.isFinite(number) ? number : undefined;
}

/** Booleans are `Enum8('false' = 0, 'true' = 1)`, whose JSON input is the name. */
function booleanOf(value: JsonScalar): 'true' | 'false' | undefined {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : String(value);
  if (text === 'true' || text === '1') return 'true';
  if (text === 'false' || text === '0') return 'false';
  return undefined;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dateOf(value: JsonScalar): string | undefined {
  const match = typeof value === 'string' ? DATE_TEXT.exec(value.trim()) : null;
  if (!match) return undefined;
  const [text, year, month, day] = match;
  const leap = Number(year) % 4 === 0 && (Number(year) % 100 !== 0 || Number(year) % 400 === 0);
  const days = Number(month) === 2 && !leap ? 28 : DAYS_IN_MONTH[Number(month) - 1];
  const real = days !== undefined && Number(day) >= 1 && Number(day) <= days;
  return real && text >= '1970-01-01' && text <= LAST_DATE ? text : undefined;
}

/** Numbers are epoch milliseconds; text without a zone is UTC. */
function dateTimeOf(value: JsonScalar): string | undefined {
  // The core's own form (UTC, no zone), by far the most common, is checked without a Date.
  const core = typeof value === 'string' ? CORE_DATETIME_TEXT.exec(value) : null;
  if (core && dateOf(core[1]) !== undefined) return `${core[1]} ${core[2]}`;
  let millis: number;
  if (typeof value === 'number') millis = value;
  else {
    const match = typeof value === 'string' ? DATETIME_TEXT.exec(value.trim()) : null;
    if (!match || dateOf(match[1]) === undefined) return undefined;
    const [, day, minutes = '00:00', seconds = ':00', zone = 'Z'] = match;
    const offset = /^[+-]\d\d$/.test(zone) ? `${zone}:00` : zone;
    millis = Date.parse(`${day}T${minutes}${seconds}${offset}`);
  }
  if (!Number.isFinite(millis) || millis < 0 || millis > LAST_DATETIME_MS) return undefined;
  return new Date(millis).toISOString().slice(0, 19).replace('T', ' ');
}

type Converter = (value: JsonScalar) => JsonScalar | undefined;

const CONVERTERS: Record<StorageColumn['type'], Converter> = {
  string: (value) => (typeof value === 'string' ? value : String(value)),
  integer: integerOf,
  number: numberOf,
  boolean: booleanOf,
  date: dateOf,
  datetime: dateTimeOf,
};

const EXPECTED: Record<StorageColumn['type'], string> = {
  string: 'a string',
  integer: 'a 64-bit integer',
  number: 'a finite number',
  boolean: 'a boolean',
  date: `a YYYY-MM-DD date from 1970-01-01 to ${LAST_DATE}`,
  datetime: `an ISO-8601 date-time from 1970 to ${LAST_DATE}`,
};

export interface RowsOptions {
  /** Columns that must hold a value in every row (the table's sorting key cannot be NULL). */
  required?: ReadonlySet<string>;
  /** The name of an extra column numbering the rows in order (staging's sequence). */
  sequence?: string;
}

/** `rows` (values in `columns` order) as JSONEachRow objects keyed by column name. */
export function jsonRowsOf(
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly (readonly JsonScalar[])[],
  options: RowsOptions = {},
): Record<string, JsonScalar>[] {
  const converters = columns.map(
    (column) => CONVERTERS[column.type as StorageColumn['type']] ?? CONVERTERS.string,
  );
  return rows.map((values, row) => {
    if (!Array.isArray(values) || values.length !== columns.length) {
      throw validationError(`rows[${row}]`, `expected ${columns.length} values`);
    }
    const object: Record<string, JsonScalar> = {};
    for (let index = 0; index < columns.length; index++) {
      const { name, type } = columns[index];
      const value = values[index];
      const converted = value === null || value === undefined ? null : converters[index](value);
      if (converted === undefined) {
        const expected = EXPECTED[type as StorageColumn['type']] ?? 'a value';
        throw validationError(`rows[${row}].${name}`, `expected ${expected}, got ${JSON.stringify(value)}`);
      }
      if (converted === null && options.required?.has(name)) {
        throw validationError(`rows[${row}].${name}`, 'a primary key column needs a value');
      }
      // A column named `__proto__` must be a key, not the object's prototype.
      if (name === '__proto__') Object.defineProperty(object, name, { value: converted, enumerable: true });
      else object[name] = converted;
    }
    if (options.sequence) object[options.sequence] = row;
    return object;
  });
}
