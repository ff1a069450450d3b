import type { JsonScalar, StorageColumn } from '../../engines/types.ts';
import { parseIsoDateTime, utcMillisOf } from '../iso-date.ts';
import {
  describeValue,
  hasNul,
  INTEGER_OUT_OF_RANGE,
  isOverflow,
  NUL_PROBLEM,
  NUMBER_OUT_OF_RANGE,
} from '../storable.ts';

/**
 * Type checks for pushed values, run on every value before anything touches the warehouse, so a
 * bad row rejects its whole batch with a message naming it. Returns `INVALID` rather than
 * throwing: 100 000 values are checked per batch, and the caller builds the message.
 *
 * Accepted: integers as safe JS integers or digit strings; numbers as finite numbers or numeric
 * strings; booleans as true/false, 0/1 and their strings; dates `YYYY-MM-DD` (a midnight time is
 * tolerated); timestamps as ISO-8601 (`T` or space, optional seconds, fraction and zone; no zone
 * means UTC), normalized to UTC `YYYY-MM-DDTHH:MM:SS.sss` (the
 * warehouse's TIMESTAMP has no zone). Strings take any scalar as text, except text holding NUL
 * (`storable.ts`). A number no column can hold (a 400-digit literal parses to Infinity; digit
 * text past what a double or a safe integer holds) is invalid for every type, never stored as
 * `Infinity` or rounded; `invalidValueProblem` says which rule a value broke.
 */
export const INVALID = Symbol('invalid');
export type ScalarType = StorageColumn['type'];

const integerText = /^[+-]?\d+$/;
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DAY_MS = 86_400_000;

export function coerceValue(type: ScalarType, value: unknown): JsonScalar | typeof INVALID {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      if (typeof value === 'string') return hasNul(value) ? INVALID : value;
      if (typeof value === 'number') return Number.isFinite(value) ? String(value) : INVALID;
      return typeof value === 'boolean' ? String(value) : INVALID;
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : INVALID;
      if (typeof value === 'string' && integerText.test(value.trim())) {
        const parsed = Number(value);
        return Number.isSafeInteger(parsed) ? parsed : INVALID;
      }
      return INVALID;
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : INVALID;
      const parsed = typeof value === 'string' && numberText.test(value.trim()) ? Number(value) : Number.NaN;
      return Number.isFinite(parsed) ? parsed : INVALID;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value.trim()))
        return /^(true|1)$/i.test(value.trim());
      return INVALID;
    case 'date': {
      const parsed = typeof value === 'string' ? parseIsoDateTime(value) : undefined;
      // A midnight time is tolerated, an offset is not: it would name another day elsewhere.
      const midnight = parsed && parsed.offsetMinutes === undefined && parsed.wallClock % DAY_MS === 0;
      return midnight ? parsed.date : INVALID;
    }
    case 'datetime': {
      const parsed = typeof value === 'string' ? parseIsoDateTime(value) : undefined;
      return parsed ? new Date(utcMillisOf(parsed)).toISOString().slice(0, -1) : INVALID;
    }
  }
}

/** The narrowest type that holds every sample (for columns inferred from a first batch). */
export function inferType(samples: readonly unknown[]): ScalarType {
  const present = samples.filter((v) => v !== null && v !== undefined && v !== '');
  if (present.length === 0) return 'string';
  const all = (type: ScalarType) => present.every((v) => coerceValue(type, v) !== INVALID);
  if (present.every((v) => typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$/i.test(v))))
    return 'boolean';
  if (all('integer')) return 'integer';
  if (all('number')) return 'number';
  if (present.every((v) => typeof v === 'string')) {
    if (all('date')) return 'date';
    if (all('datetime')) return 'datetime';
  }
  return 'string';
}

/** Why `coerceValue(type, value)` gave INVALID, as the end of a message naming the field. */
export function invalidValueProblem(type: ScalarType, value: unknown): string {
  if (typeof value === 'string' && hasNul(value)) return NUL_PROBLEM;
  if (isOverflow(value)) return NUMBER_OUT_OF_RANGE;
  const text = typeof value === 'string' ? value.trim() : undefined;
  if (type === 'number' && text !== undefined && numberText.test(text))
    return `${NUMBER_OUT_OF_RANGE}, got ${describeValue(value)}`;
  const wholeNumber = Number.isInteger(value) || (text !== undefined && integerText.test(text));
  if (type === 'integer' && wholeNumber) return `${INTEGER_OUT_OF_RANGE}, got ${describeValue(value)}`;
  return `expected ${type}, got ${describeValue(value)}`;
}
