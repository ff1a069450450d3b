import type { JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';

/**
 * Shape checks of untrusted JSON for the native body parsers: each names the path of the bad
 * part and what it expected, so every 400 says where (`post[1].of: expected a string, got null`).
 */
export type Json = Record<string, unknown>;

export function object(value: unknown, path: string, keys: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError(path, `expected an object, got ${describe(value)}`);
  }
  // Unknown keys are refused so that a typo ("granularty") is a 400, not a silently ignored option.
  const unknown = Object.keys(value).find((key) => !keys.includes(key));
  if (unknown !== undefined) throw validationError(`${path}.${unknown}`, 'unknown property');
  return value as Json;
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw validationError(path, `expected an array, got ${describe(value)}`);
  return value;
}

export const list = (value: unknown, path: string): unknown[] =>
  value === undefined || value === null ? [] : array(value, path);

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw validationError(path, `expected a string, got ${describe(value)}`);
  return nonEmpty(value, path);
}

export function nonEmpty(value: string, path: string): string {
  if (value.trim() === '') throw validationError(path, 'must not be empty');
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean')
    throw validationError(path, `expected true or false, got ${describe(value)}`);
  return value;
}

export function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw validationError(path, `expected a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

export function scalar(value: unknown, path: string): JsonScalar {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as JsonScalar;
  throw validationError(path, `expected a string, number, boolean or null, got ${describe(value)}`);
}

export function oneOf<T extends string>(
  value: unknown,
  path: string,
  allowed: readonly string[],
  what: string,
): T {
  if (typeof value === 'string' && allowed.includes(value)) return value as T;
  if (typeof value !== 'string') throw validationError(path, `expected a string, got ${describe(value)}`);
  throw validationError(
    path,
    `unknown ${what} ${JSON.stringify(value)} (expected one of ${allowed.join(', ')})`,
  );
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export function integerIn(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(path, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

export function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw validationError(path, `expected a number, got ${describe(value)}`);
  return value;
}
