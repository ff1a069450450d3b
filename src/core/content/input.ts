import { validationError } from '../errors.ts';
import { fieldPath, integer, type JsonObject, list, oneOf, record, text } from '../input.ts';
import type { AccessEntry, ContentRef } from './types.ts';

/** Checks of untrusted content input that only content has; the generic ones are `core/input.ts`. */

/** A folder or dashboard reference: integer id or uuid (route parameters arrive as text). */
export function contentRef(field: string, value: unknown): ContentRef {
  if (typeof value === 'number') return integer(field, value, 1, Number.MAX_SAFE_INTEGER);
  const ref = text(field, value, 64).trim();
  if (!ref) throw validationError(field, 'must be an id or a uuid');
  return /^\d+$/.test(ref) ? integer(field, Number(ref), 1, Number.MAX_SAFE_INTEGER) : ref;
}

export const accessSubjects = ['user', 'group'] as const;
export const accessLevels = ['view', 'edit'] as const;

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

/** A folder access list or dashboard shares; one entry per subject. */
export function accessList(field: string, value: unknown): AccessEntry[] {
  const entries = list(field, value, 500, accessEntry);
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const key = `${entry.subject}:${entry.id}`;
    if (seen.has(key))
      throw validationError(`${field}[${i}]`, `${entry.subject} ${entry.id} is listed twice`);
    seen.add(key);
  });
  return entries;
}
