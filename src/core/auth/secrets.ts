import { createHash, randomBytes } from 'node:crypto';

/**
 * Credential material. API keys and session tokens are random, high-entropy secrets, so they are
 * stored as a plain SHA-256: a slow hash only helps against guessable secrets such as passwords.
 */

export const API_KEY_PREFIX = 'rst_';
export const SESSION_PREFIX = 'rss_';
/** Invitation and password-reset links. */
export const PASSWORD_LINK_PREFIX = 'rsl_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` uniform base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: bytes above it would favour the first characters.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** `rst_` + 40 base62 characters ≈ 238 bits. */
export const generateApiKey = (): string => `${API_KEY_PREFIX}${randomBase62(40)}`;
export const generateSessionToken = (): string => `${SESSION_PREFIX}${randomBase62(43)}`;
export const generatePasswordLinkToken = (): string => `${PASSWORD_LINK_PREFIX}${randomBase62(43)}`;
/** A readable generated password for the bootstrap admin (≈ 119 bits). */
export const generatePassword = (): string => randomBase62(20);

export const sha256 = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** What lists show of a key: the `rst_` marker and 4 random characters; for a foreign key, 4 characters. */
export const displayPrefix = (key: string): string =>
  key.startsWith(API_KEY_PREFIX) ? key.slice(0, API_KEY_PREFIX.length + 4) : key.slice(0, 4);
