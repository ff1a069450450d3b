import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import { validId } from '../directory/validation.ts';
import { authorize } from './authorize.ts';
import type { Principal } from './principal.ts';
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

/**
 * Ends every session of the users (signs them out on every device); answers how many ended.
 * Users end their own; ending other users' needs `apikey.all`, as revoking their keys does.
 * Users of other organizations are left alone.
 */
export async function endSessionsOf(
  db: Db,
  principal: Principal,
  userIds: readonly number[],
): Promise<number> {
  const ids = [...new Set(userIds.map((id) => validId('users', id)))];
  for (const id of ids) authorize(principal, id === principal.userId ? 'apikey.own' : 'apikey.all');
  if (ids.length === 0) return 0;
  const members = db
    .selectFrom('users')
    .select('id')
    .where('organization_id', '=', principal.organizationId)
    .where('id', 'in', ids);
  const result = await db.deleteFrom('sessions').where('user_id', 'in', members).executeTakeFirst();
  await recordAudit(db, principal, { action: 'auth.sessions_ended', details: { userIds: ids } });
  return Number(result.numDeletedRows);
}
