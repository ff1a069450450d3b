import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { authorize } from './authorize.ts';
import type { Principal } from './principal.ts';

type Db = Kysely<Database>;

/**
 * Which of `userIds` hold a live API key of their own (not revoked, not expired; a script run's
 * key is not theirs to use). Whether someone can reach the API is user management, not key
 * management: admins (`directory.manage`) ask about anyone, everyone about themselves. The keys
 * themselves stay behind `apikey.own`/`apikey.all`.
 */
export async function liveKeyHolders(
  db: Db,
  principal: Principal,
  userIds: readonly number[],
  now: Date,
): Promise<Set<number>> {
  authorize(
    principal,
    userIds.every((id) => id === principal.userId) ? 'directory.read' : 'directory.manage',
  );
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select('api_keys.user_id')
    .distinct()
    .where('users.organization_id', '=', principal.organizationId)
    .where('api_keys.user_id', 'in', [...userIds])
    .where('api_keys.kind', '=', 'standard')
    .where('api_keys.revoked_at', 'is', null)
    .where((eb) =>
      eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', now.toISOString())]),
    )
    .execute();
  return new Set(rows.map((row) => row.user_id));
}
