import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { generateSessionToken, sha256 } from './secrets.ts';

/** Session tokens from a password login: fixed lifetime, stored as hashes, deleted on logout. */

type Db = Kysely<Database>;

export async function createSession(
  db: Db,
  userId: number,
  now: Date,
  lifetimeHours: number,
): Promise<{ token: string; expiresAt: string }> {
  const token = generateSessionToken();
  const expiresAt = new Date(now.getTime() + lifetimeHours * 3_600_000).toISOString();
  await db
    .insertInto('sessions')
    .values({
      token_hash: sha256(token),
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: expiresAt,
    })
    .execute();
  // Expired sessions are swept per user at each login, so the table cannot grow without bound.
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('expires_at', '<=', now.toISOString())
    .execute();
  return { token, expiresAt };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
}
