import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { RosettaError } from '../errors.ts';

/**
 * Proving one reads one's email: a six-digit passcode is mailed, and entering it marks the
 * address verified. Six digits are few, so the passcode lives 15 minutes, allows 5 wrong
 * entries (each counted before the comparison, so parallel guesses cannot overtake the count),
 * is stored only as an HMAC under a key derived from the server secret (a copy of the database
 * alone does not give it away), and a new one may be asked for once a minute.
 */

type Db = Kysely<Database>;

export const PASSCODE_LIFETIME_MS = 15 * 60_000;
export const PASSCODE_MAX_ATTEMPTS = 5;
export const PASSCODE_INTERVAL_MS = 60_000;

export interface PasscodeStatus {
  createdAt: string;
  attempts: number;
  expiresAt: string;
  isExpired: boolean;
  isMaxAttempts: boolean;
}

export interface EmailStatus {
  email: string;
  isVerified: boolean;
  /** The live passcode for this address, if one was sent and not used. */
  passcode?: PasscodeStatus;
}

interface Owner {
  id: number;
  email: string;
}

export function passcodeHasher(secret: string): (owner: Owner, passcode: string) => string {
  const key = createHmac('sha256', secret).update('rosetta/email-passcodes').digest();
  return (owner, passcode) =>
    createHmac('sha256', key).update(`${owner.id}\n${owner.email}\n${passcode}`).digest('hex');
}

export async function emailStatus(db: Db, owner: Owner, now: Date): Promise<EmailStatus> {
  const [verified, passcode] = await Promise.all([
    db.selectFrom('email_verifications').selectAll().where('user_id', '=', owner.id).executeTakeFirst(),
    db.selectFrom('email_passcodes').selectAll().where('user_id', '=', owner.id).executeTakeFirst(),
  ]);
  return {
    email: owner.email,
    isVerified: verified?.email === owner.email,
    ...(passcode?.email === owner.email && {
      passcode: {
        createdAt: passcode.created_at,
        attempts: passcode.attempts,
        expiresAt: passcode.expires_at,
        isExpired: passcode.expires_at <= now.toISOString(),
        isMaxAttempts: passcode.attempts >= PASSCODE_MAX_ATTEMPTS,
      },
    }),
  };
}

/** Stores a new passcode for the owner's address (replacing any other) and returns it, to be mailed. */
export async function newPasscode(db: Db, hash: ReturnType<typeof passcodeHasher>, owner: Owner, now: Date) {
  const earlier = await db
    .selectFrom('email_passcodes')
    .select('created_at')
    .where('user_id', '=', owner.id)
    .executeTakeFirst();
  if (earlier && now.getTime() - Date.parse(earlier.created_at) < PASSCODE_INTERVAL_MS)
    throw new RosettaError(
      'ERR_QUOTA',
      'a passcode was sent less than a minute ago: wait before asking again',
    );
  const passcode = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const row = {
    email: owner.email,
    passcode_hash: hash(owner, passcode),
    attempts: 0,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + PASSCODE_LIFETIME_MS).toISOString(),
  };
  await db
    .insertInto('email_passcodes')
    .values({ user_id: owner.id, ...row })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
    .execute();
  return passcode;
}

/** Forgets a passcode that could not be sent, so the owner may ask again at once. */
export async function dropPasscode(db: Db, owner: Owner): Promise<void> {
  await db.deleteFrom('email_passcodes').where('user_id', '=', owner.id).execute();
}

/**
 * Tries `passcode` on the owner's live one: right, in time and within the attempts, it verifies
 * the address and is used up; otherwise nothing changes but the count of attempts.
 */
export async function tryPasscode(
  db: Db,
  hash: ReturnType<typeof passcodeHasher>,
  owner: Owner,
  passcode: string,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  const claimed = await db
    .updateTable('email_passcodes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('user_id', '=', owner.id)
    .where('email', '=', owner.email)
    .where('expires_at', '>', at)
    .where('attempts', '<', PASSCODE_MAX_ATTEMPTS)
    .returning(['passcode_hash'])
    .executeTakeFirst();
  if (!claimed) return;
  const given = Buffer.from(hash(owner, passcode), 'hex');
  if (!timingSafeEqual(given, Buffer.from(claimed.passcode_hash, 'hex'))) return;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('email_passcodes').where('user_id', '=', owner.id).execute();
    const row = { email: owner.email, verified_at: at };
    await trx
      .insertInto('email_verifications')
      .values({ user_id: owner.id, ...row })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
      .execute();
  });
}
