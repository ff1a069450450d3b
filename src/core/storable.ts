import { validationError } from './errors.ts';

/**
 * What every store and warehouse Rosetta writes to can hold, checked where input enters the
 * core so that a bad name or value is a 400 on its field instead of a driver error (a 502).
 *
 * - U+0000 cannot be stored in PostgreSQL text or jsonb, ends an identifier early in DuckDB's
 *   parser (a C string: "unterminated quoted identifier") and is refused in MySQL identifiers.
 * - A number literal past the double range (a 400-digit integer) parses to ±Infinity, which no
 *   column holds; integers are exact only up to 2^53 in JS, so larger ones are refused rather
 *   than rounded.
 */
export const NUL_PROBLEM = 'must not contain the NUL character (\\u0000)';

export const hasNul = (text: string): boolean => text.includes('\0');

export function refuseNul(text: string, field: string): string {
  if (hasNul(text)) throw validationError(field, NUL_PROBLEM);
  return text;
}

export const NUMBER_OUT_OF_RANGE = `number out of range (beyond ±${Number.MAX_VALUE})`;

export const INTEGER_OUT_OF_RANGE = `out of range for integer (from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER})`;

/** Bits of the SQL integer types narrower than JS's exact integers, by the names engines report. */
const integerBits: Record<string, number> = {
  tinyint: 8,
  int1: 8,
  smallint: 16,
  int2: 16,
  smallserial: 16,
  mediumint: 24,
  int: 32,
  integer: 32,
  int4: 32,
  serial: 32,
};
const unsignedBits: Record<string, number> = {
  utinyint: 8,
  usmallint: 16,
  uinteger: 32,
  ubigint: 53,
  uhugeint: 53,
};

/**
 * The values an integer column of this native type holds, where that is narrower than the safe
 * JS integers (every integer value is held to those anyway): PostgreSQL binds a filter value
 * with the column's type and fails on one that does not fit. Undefined for other types.
 */
export function integerBoundsOf(nativeType: string): { min: number; max: number } | undefined {
  const name = nativeType
    .trim()
    .toLowerCase()
    .replace(/\(\d+\)/, '');
  const [base = '', ...modifiers] = name.split(/\s+/);
  const unsigned =
    unsignedBits[base] ?? (modifiers.includes('unsigned') ? (integerBits[base] ?? 53) : undefined);
  if (unsigned !== undefined) return { min: 0, max: Math.min(2 ** unsigned - 1, Number.MAX_SAFE_INTEGER) };
  const bits = integerBits[base];
  return bits === undefined ? undefined : { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 };
}

/** How a refused value is shown in a message: JSON, shortened. */
export function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A number a JSON parser gave for a literal too large for a double. */
export const isOverflow = (value: unknown): boolean =>
  typeof value === 'number' && !Number.isFinite(value) && !Number.isNaN(value);
