import { validationError } from './errors.ts';
import { hasNul, NUL_PROBLEM } from './storable.ts';

/**
 * The core's one kit of checks for untrusted JSON. Every face (native routes, dialects, the CLI)
 * hands bodies to the core as they came, so each check takes the field it reads first, names it
 * in its error and says what came instead (`post[1].of: must be a string, got null`): a bad body
 * is a 400 on its field, never a crash. The root of a body is the field `''` (named `body`).
 */
export type JsonObject = Record<string, unknown>;

export const fieldPath = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);

/** How a refused value is shown after "got": its kind, and short values themselves. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const refuse = (field: string, expected: string, value: unknown): never => {
  throw validationError(field || 'body', `must be ${expected}, got ${describe(value)}`);
};

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function object(field: string, value: unknown): JsonObject {
  if (!isJsonObject(value)) refuse(field, 'an object', value);
  return value as JsonObject;
}

/** An object whose keys are all among `allowed`: a typo ("granularty") is a 400, not an ignored option. */
export function record(field: string, value: unknown, allowed: readonly string[]): JsonObject {
  for (const key of Object.keys(object(field, value))) {
    if (!allowed.includes(key)) throw validationError(fieldPath(field, key), 'is not a known property');
  }
  return value as JsonObject;
}

// Lone surrogates would be silently replaced by the UTF-8 encoders.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') return refuse(field, 'a string', value);
  if (value.length > max) throw validationError(field, `must be at most ${max} characters`);
  if (hasNul(value)) throw validationError(field, NUL_PROBLEM);
  if (loneSurrogate.test(value))
    throw validationError(field, 'must be valid Unicode text (a lone surrogate)');
  return value;
}

/** Text that is not blank, kept as written (a cron expression, a query's field name). */
export function nonEmpty(field: string, value: string): string {
  if (value.trim() === '') throw validationError(field, 'must not be empty');
  return value;
}

export const filledText = (field: string, value: unknown, max: number): string =>
  nonEmpty(field, text(field, value, max));

/** A trimmed, non-empty label such as a name or a tag. */
export const label = (field: string, value: unknown, max = 255): string =>
  filledText(field, value, max).trim();

export const nullableText = (field: string, value: unknown, max: number): string | null =>
  value === null || value === undefined ? null : text(field, value, max);

export function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const unbounded = max === Number.MAX_SAFE_INTEGER;
    const expected =
      unbounded && min === 0
        ? 'a non-negative integer'
        : unbounded
          ? `an integer of ${min} or more`
          : `an integer between ${min} and ${max}`;
    refuse(field, expected, value);
  }
  return value as number;
}

export function finiteNumber(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(field, 'a number', value);
  return value as number;
}

export function boolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') refuse(field, 'true or false', value);
  return value as boolean;
}

export type Scalar = string | number | boolean | null;

export function scalar(field: string, value: unknown): Scalar {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as Scalar;
  return refuse(field, 'a string, number, boolean or null', value);
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) refuse(field, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

export function array(field: string, value: unknown, max = Number.POSITIVE_INFINITY): unknown[] {
  if (!Array.isArray(value)) return refuse(field, 'an array', value);
  if (value.length > max) throw validationError(field, `must have at most ${max} items`);
  return value;
}

export function nonEmptyArray(field: string, value: unknown, max = Number.POSITIVE_INFINITY): unknown[] {
  if (!Array.isArray(value) || value.length === 0) refuse(field, 'a non-empty list', value);
  return array(field, value, max);
}

export const list = <T>(
  field: string,
  value: unknown,
  max: number,
  item: (field: string, value: unknown) => T,
): T[] => array(field, value, max).map((v, i) => item(`${field}[${i}]`, v));

/** An identifier chosen by the client (widget and filter ids), safe in URLs. */
export function identifier(field: string, value: unknown): string {
  const id = text(field, value, 64);
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw validationError(field, 'must be 1-64 letters, digits, _ or -');
  return id;
}

/** A detached copy of a JSON value of bounded size (queries, visualization options). */
export function jsonDocument(field: string, value: unknown, maxChars: number): unknown {
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(value);
  } catch {
    throw validationError(field, 'must be JSON');
  }
  if (serialized === undefined) throw validationError(field, 'must be JSON');
  if (serialized.length > maxChars)
    throw validationError(field, `must be at most ${maxChars} characters as JSON`);
  return JSON.parse(serialized);
}
