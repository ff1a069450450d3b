import { isRole, type Role, roles } from '../auth/principal.ts';
import { validationError } from '../errors.ts';

/**
 * Input checks shared by the directory's use cases. Every failure is an ERR_VALIDATION naming
 * the field. Control characters are refused everywhere: PostgreSQL rejects NUL in text, and
 * nothing legitimate puts them in a name.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export function requiredText(field: string, value: unknown, max = 200): string {
  if (typeof value !== 'string') throw validationError(field, 'must be a string');
  const text = value.trim();
  if (text === '') throw validationError(field, 'must not be empty');
  if (text.length > max) throw validationError(field, `must be at most ${max} characters`);
  if (CONTROL.test(text)) throw validationError(field, 'must not contain control characters');
  return text;
}

export function optionalText(field: string, value: unknown, max = 2000): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'string') throw validationError(field, 'must be a string');
  if (value.length > max) throw validationError(field, `must be at most ${max} characters`);
  // Descriptions may span lines; other control characters are still refused.
  if (CONTROL.test(value.replace(/[\n\r\t]/g, ''))) {
    throw validationError(field, 'must not contain control characters');
  }
  return value;
}

/** Same shape the config accepts for ROSETTA_ADMIN_EMAIL, so the bootstrap admin always passes. */
const EMAIL = /^[^@\s]+@[^@\s]+$/;

export function normalizeEmail(value: unknown, field = 'email'): string {
  if (typeof value !== 'string') throw validationError(field, 'must be a string');
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email) || CONTROL.test(email)) {
    throw validationError(field, 'is not an email address');
  }
  return email;
}

export function validRole(value: unknown, field = 'role'): Role {
  if (!isRole(value)) throw validationError(field, `must be one of ${roles.join(', ')}`);
  return value;
}

export const MIN_PASSWORD_LENGTH = 8;
/** Bounds hashing work for absurd inputs; far above any real passphrase. */
const MAX_PASSWORD_LENGTH = 1024;

export function validPassword(value: unknown, field = 'password'): string {
  if (typeof value !== 'string') throw validationError(field, 'must be a string');
  if (value.length < MIN_PASSWORD_LENGTH) {
    throw validationError(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (value.length > MAX_PASSWORD_LENGTH) {
    throw validationError(field, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  return value;
}

export function validTimezone(value: unknown, field = 'timezone'): string {
  if (typeof value !== 'string' || value === '' || value.length > 64 || CONTROL.test(value)) {
    throw validationError(field, 'must be an IANA time zone such as Europe/Paris');
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw validationError(field, 'must be an IANA time zone such as Europe/Paris');
  }
}

export function validId(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw validationError(field, 'must be a positive integer');
  }
  return value;
}

/** True when `error` is a unique-constraint violation from SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
