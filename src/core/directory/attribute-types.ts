import { validationError } from '../errors.ts';
import type { AttributeScalar, AttributeType } from './types.ts';

/**
 * Typed attribute values are stored as canonical text, so one value has one spelling and
 * row-level policies can compare them as strings: numbers as JavaScript prints them, booleans
 * `true`/`false`, dates `YYYY-MM-DD` (date-only input) or full ISO-8601 UTC.
 */

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'number', 'boolean', 'date'];

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function validAttributeKey(value: unknown, field = 'key'): string {
  if (typeof value !== 'string' || !KEY.test(value)) {
    throw validationError(
      field,
      'must start with a letter or _ and hold only letters, digits and _ (at most 64)',
    );
  }
  return value;
}

export function validAttributeType(value: unknown, field = 'type'): AttributeType {
  if (!ATTRIBUTE_TYPES.includes(value as AttributeType)) {
    throw validationError(field, `must be one of ${ATTRIBUTE_TYPES.join(', ')}`);
  }
  return value as AttributeType;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: PostgreSQL text cannot hold NUL
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_STRING = 1000;

function canonicalDate(value: string): string | undefined {
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    const date = new Date(`${value}T00:00:00Z`);
    // Rejects 2024-02-30 and friends, which Date would silently roll over.
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) ? value : undefined;
  }
  if (!DATE_TIME.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The canonical text of `value` for `type`, or a 400 naming `field`. */
export function canonicalAttributeValue(field: string, type: AttributeType, value: AttributeScalar): string {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw validationError(field, 'must be a string');
      if (value.length > MAX_STRING) throw validationError(field, `must be at most ${MAX_STRING} characters`);
      if (CONTROL.test(value)) throw validationError(field, 'must not contain control characters');
      return value;
    case 'number': {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && NUMBER.test(value.trim())
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(number)) throw validationError(field, 'must be a number');
      return String(number);
    }
    case 'boolean':
      if (value === true || value === 'true') return 'true';
      if (value === false || value === 'false') return 'false';
      throw validationError(field, 'must be true or false');
    case 'date': {
      const date = typeof value === 'string' ? canonicalDate(value.trim()) : undefined;
      if (date === undefined)
        throw validationError(field, 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time');
      return date;
    }
  }
}
