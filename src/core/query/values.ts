import type { ColumnType, JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { parseIsoDateTime, utcMillisOf } from '../iso-date.ts';
import {
  describeValue,
  hasNul,
  INTEGER_OUT_OF_RANGE,
  isOverflow,
  NUL_PROBLEM,
  NUMBER_OUT_OF_RANGE,
} from '../storable.ts';
import { type Operator, type Period, periods } from './ir.ts';
import { instantOf } from './zone.ts';

/**
 * Which operators fit which field types, how many values each takes, and the conversion of
 * untrusted filter values to the field's type (a value that does not convert is a 400).
 * Metrics are filtered as `number`.
 */
const anyType: ColumnType[] = ['string', 'integer', 'number', 'boolean', 'date', 'datetime', 'json'];
const ordered: ColumnType[] = ['string', 'integer', 'number', 'date', 'datetime'];
const comparable: ColumnType[] = [...ordered, 'boolean'];
const text: ColumnType[] = ['string'];
const temporal: ColumnType[] = ['date', 'datetime'];

/** Large enough for any hand-made list, small enough to stay under every driver's parameter cap. */
export const maxFilterValues = 10_000;
const many = maxFilterValues;

const rules: Record<Operator, { types: ColumnType[]; min: number; max: number }> = {
  '=': { types: comparable, min: 1, max: many },
  '!=': { types: comparable, min: 1, max: many },
  in: { types: comparable, min: 1, max: many },
  'not in': { types: comparable, min: 1, max: many },
  '<': { types: ordered, min: 1, max: 1 },
  '<=': { types: ordered, min: 1, max: 1 },
  '>': { types: ordered, min: 1, max: 1 },
  '>=': { types: ordered, min: 1, max: 1 },
  between: { types: ordered, min: 2, max: 2 },
  null: { types: anyType, min: 0, max: 0 },
  'not null': { types: anyType, min: 0, max: 0 },
  empty: { types: text, min: 0, max: 0 },
  'not empty': { types: text, min: 0, max: 0 },
  contains: { types: text, min: 1, max: many },
  'not contains': { types: text, min: 1, max: many },
  'starts with': { types: text, min: 1, max: many },
  'ends with': { types: text, min: 1, max: many },
  relative: { types: temporal, min: 2, max: 4 },
};

/** A 400 when the operator does not apply to fields of this type. */
export function checkOperatorType(operator: Operator, type: ColumnType, path: string): void {
  if (!rules[operator].types.includes(type)) {
    throw validationError(
      `${path}.operator`,
      `operator "${operator}" does not apply to a ${type} field`,
      'query.unsupported_operator',
    );
  }
}

export function checkOperator(
  operator: Operator,
  type: ColumnType,
  values: readonly JsonScalar[],
  path: string,
): void {
  checkOperatorType(operator, type, path);
  const rule = rules[operator];
  if (values.length < rule.min || values.length > rule.max) {
    const expected =
      rule.min === rule.max
        ? `${rule.min}`
        : rule.max === many
          ? `at least ${rule.min}`
          : `${rule.min} to ${rule.max}`;
    throw validationError(
      `${path}.values`,
      `operator "${operator}" takes ${expected} value(s), got ${values.length}`,
    );
  }
}

/**
 * A filter value converted to the field's type: numbers, booleans, `YYYY-MM-DD`,
 * `YYYY-MM-DD HH:MM:SS.mmm`. Whatever the type, text holding NUL and numbers no column holds
 * are refused (`storable.ts`), so every face and every engine answers them with the same 400.
 * With `timeZone` (the query's, for a datetime field), a date-time written without an offset is
 * a wall-clock time of that zone, converted to the UTC the field holds.
 */
export function convertValue(
  value: JsonScalar,
  type: ColumnType,
  path: string,
  timeZone?: string,
): JsonScalar {
  if (value === null)
    throw validationError(path, 'null is not a value here; use the "null" or "not null" operator');
  if (typeof value === 'string' && hasNul(value)) throw validationError(path, NUL_PROBLEM);
  if (isOverflow(value)) throw validationError(path, NUMBER_OUT_OF_RANGE);
  const converted = converters[type](value, timeZone);
  if (converted !== undefined) return converted;
  const shown = describeValue(value);
  const wholeNumber = Number.isInteger(value) || (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value));
  if (type === 'integer' && wholeNumber) throw validationError(path, `${INTEGER_OUT_OF_RANGE}, got ${shown}`);
  // Digit text past the double range parses to Infinity: the number is too large, not malformed.
  const overflows = typeof value === 'string' && numberText.test(value) && !Number.isFinite(Number(value));
  if ((type === 'integer' || type === 'number') && overflows)
    throw validationError(path, `${NUMBER_OUT_OF_RANGE}, got ${shown}`);
  throw validationError(path, `${shown} is not a valid ${type}`);
}

const converters: Record<
  ColumnType,
  (value: string | number | boolean, timeZone?: string) => JsonScalar | undefined
> = {
  string: (value) => (typeof value === 'boolean' ? undefined : String(value)),
  integer: (value) => {
    const number = toNumber(value);
    return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
  },
  number: toNumber,
  boolean: (value) => {
    if (typeof value === 'boolean') return value;
    return value === 'true' ? true : value === 'false' ? false : undefined;
  },
  date: (value) => toTimestamp(value)?.slice(0, 10),
  datetime: toTimestamp,
  json: () => undefined,
};

const numberText = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function toNumber(value: string | number | boolean): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !numberText.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * ISO-8601 date or date-time → `YYYY-MM-DD HH:MM:SS.mmm`. An offset, when given, is converted
 * to UTC (Rosetta stores UTC); without one the value is a wall-clock time of `timeZone`, else
 * taken as written.
 */
function toTimestamp(value: string | number | boolean, timeZone?: string): string | undefined {
  const parsed = typeof value === 'string' ? parseIsoDateTime(value) : undefined;
  if (!parsed) return undefined;
  const instant =
    parsed.offsetMinutes === undefined ? instantOf(timeZone, parsed.wallClock) : utcMillisOf(parsed);
  return formatTimestamp(new Date(instant));
}

export const formatTimestamp = (date: Date): string => date.toISOString().replace('T', ' ').replace('Z', '');

export interface RelativeSpec {
  direction: 'last' | 'this' | 'next';
  count: number;
  unit: Period;
  /** `["this", "year", "to date"]`: the current unit up to the end of today (year to date). */
  toDate?: boolean;
  /** `["last", 7, "day", "rolling"]`: [now − 7 days, now) rather than the 7 whole days before today. */
  rolling?: boolean;
}

/** Relative periods reach at most this many units away: enough for "last 100 years" in days. */
const maxRelativeCount = 100_000;

export function parseRelative(values: readonly JsonScalar[], type: ColumnType, path: string): RelativeSpec {
  const [direction] = values;
  const isThis = direction === 'this';
  if (direction !== 'last' && direction !== 'next' && !isThis) {
    throw validationError(`${path}.values[0]`, 'expected "last", "this" or "next"');
  }
  if (isThis && values.length === 3 && values[2] === 'to date')
    return { ...parseRelative(values.slice(0, 2), type, path), toDate: true };
  if (!isThis && values.length === 4 && values[3] === 'rolling')
    return { ...parseRelative(values.slice(0, 3), type, path), rolling: true };
  if (values.length !== (isThis ? 2 : 3)) {
    throw validationError(
      `${path}.values`,
      isThis
        ? 'expected ["this", unit] or ["this", unit, "to date"]'
        : `expected ["${direction}", count, unit] or ["${direction}", count, unit, "rolling"]`,
    );
  }
  const count = isThis ? 1 : values[1];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > maxRelativeCount) {
    throw validationError(`${path}.values[1]`, `expected an integer from 1 to ${maxRelativeCount}`);
  }
  const unit = values[values.length - 1];
  if (typeof unit !== 'string' || !periods.includes(unit as Period)) {
    throw validationError(
      `${path}.values[${values.length - 1}]`,
      `expected a unit among ${periods.join(', ')}`,
    );
  }
  if (type === 'date' && (unit === 'hour' || unit === 'minute')) {
    throw validationError(`${path}.values[${values.length - 1}]`, `unit "${unit}" needs a datetime field`);
  }
  return { direction, count, unit: unit as Period };
}
