import { validationError } from '../errors.ts';
import type { AccessEntry, ContentRef } from './types.ts';

/**
 * Checks for untrusted input. Every face (native routes, dialects, the CLI) hands content bodies
 * to the core as they came, so each check names the offending field, and anything not JSON-like
 * becomes a validation error rather than a crash.
 */
export type JsonObject = Record<string, unknown>;

export const fieldPath = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);

export function object(field: string, value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError(field || 'body', 'must be an object');
  }
  return value as JsonObject;
}

/** An object whose keys are all among `allowed`. */
export function record(field: string, value: unknown, allowed: readonly string[]): JsonObject {
  for (const key of Object.keys(object(field, value))) {
    if (!allowed.includes(key)) throw validationError(fieldPath(field, key), 'is not a known property');
  }
  return value as JsonObject;
}

// Lone surrogates would be silently replaced by the UTF-8 encoders, NUL is refused by PostgreSQL.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw validationError(field, 'must be a string');
  if (value.length > max) throw validationError(field, `must be at most ${max} characters`);
  if (loneSurrogate.test(value) || value.includes('\0'))
    throw validationError(field, 'must be valid Unicode text without NUL characters');
  return value;
}

/** A trimmed, non-empty label such as a name or a tag. */
export function label(field: string, value: unknown, max = 255): string {
  const trimmed = text(field, value, max).trim();
  if (!trimmed) throw validationError(field, 'must not be empty');
  return trimmed;
}

export const nullableText = (field: string, value: unknown, max: number): string | null =>
  value === null || value === undefined ? null : text(field, value, max);

export function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(field, `must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function finiteNumber(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw validationError(field, 'must be a number');
  return value;
}

export function oneOf<T extends string>(field: string, value: unknown, values: readonly T[]): T {
  if (!values.includes(value as T)) throw validationError(field, `must be one of ${values.join(', ')}`);
  return value as T;
}

export function list<T>(field: string, value: unknown, max: number, item: (v: unknown, f: string) => T): T[] {
  if (!Array.isArray(value)) throw validationError(field, 'must be an array');
  if (value.length > max) throw validationError(field, `must have at most ${max} items`);
  return value.map((v, i) => item(v, `${field}[${i}]`));
}

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

/** A folder or dashboard reference: integer id or uuid (route parameters arrive as text). */
export function contentRef(field: string, value: unknown): ContentRef {
  if (typeof value === 'number') return integer(field, value, 1, Number.MAX_SAFE_INTEGER);
  const ref = text(field, value, 64).trim();
  if (!ref) throw validationError(field, 'must be an id or a uuid');
  return /^\d+$/.test(ref) ? integer(field, Number(ref), 1, Number.MAX_SAFE_INTEGER) : ref;
}

export const accessSubjects = ['user', 'group'] as const;
export const accessLevels = ['view', 'edit'] as const;

/** A folder access list or dashboard shares; one entry per subject. */
/** Who an access entry names (`{subject, id}`), as a revoke names it. */
export function accessKey(field: string, value: unknown): Omit<AccessEntry, 'level'> {
  return subjectOf(field, record(field, value, ['subject', 'id']));
}

/** One `{subject, id, level}` entry of an access list. */
export function accessEntry(field: string, value: unknown): AccessEntry {
  const entry = record(field, value, ['subject', 'id', 'level']);
  return { ...subjectOf(field, entry), level: oneOf(fieldPath(field, 'level'), entry.level, accessLevels) };
}

function subjectOf(field: string, entry: JsonObject): Omit<AccessEntry, 'level'> {
  return {
    subject: oneOf(fieldPath(field, 'subject'), entry.subject, accessSubjects),
    id: integer(fieldPath(field, 'id'), entry.id, 1, Number.MAX_SAFE_INTEGER),
  };
}

export function accessList(field: string, value: unknown): AccessEntry[] {
  const entries = list(field, value, 500, (item, f) => accessEntry(f, item));
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const key = `${entry.subject}:${entry.id}`;
    if (seen.has(key))
      throw validationError(`${field}[${i}]`, `${entry.subject} ${entry.id} is listed twice`);
    seen.add(key);
  });
  return entries;
}
