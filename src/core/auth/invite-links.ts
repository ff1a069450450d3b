import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import type { User } from '../directory/types.ts';
import { toUser } from '../directory/users-read.ts';
import { insertUser } from '../directory/users-write.ts';
import { normalizeEmail } from '../directory/validation.ts';
import { conflict, validationError } from '../errors.ts';
import { authorize } from './authorize.ts';
import { type IssuedPasswordLink, issueRecorded } from './password-links.ts';
import type { Principal, Role } from './principal.ts';

/**
 * Invitations with a chosen expiry, as Lightdash's invite links are: the invitation link of a
 * pending user (password-links.ts), the user created pending when new. Inviting a pending user
 * again gives a new link and expires the earlier ones; an active member cannot be invited.
 */

type Db = Kysely<Database>;

/** The longest an invitation may stay open: its code is the credential of a new account. */
export const MAX_INVITATION_DAYS = 30;

export interface NewInviteLink {
  email: unknown;
  /** A role, or `member`: the least role, reaching projects only through project grants. */
  role?: Role | 'member';
  expiresAt: unknown;
}

function validExpiry(value: unknown, now: Date): string {
  const at = typeof value === 'string' || value instanceof Date ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw validationError('expiresAt', 'must be a date-time');
  if (at <= now) throw validationError('expiresAt', 'must be in the future');
  if (at.getTime() - now.getTime() > MAX_INVITATION_DAYS * 86_400_000)
    throw validationError('expiresAt', `must be within ${MAX_INVITATION_DAYS} days`);
  return at.toISOString();
}

export async function createInviteLink(
  db: Db,
  principal: Principal,
  input: NewInviteLink,
  now: Date,
): Promise<{ user: User; link: IssuedPasswordLink }> {
  authorize(principal, 'directory.manage');
  const email = normalizeEmail(input.email);
  const expiresAt = validExpiry(input.expiresAt, now);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('users')
      .selectAll()
      .where('organization_id', '=', principal.organizationId)
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing?.status === 'active')
      throw validationError('email', 'is already used by a user in your organization');
    if (existing?.status === 'deleted')
      throw conflict(`the deactivated user ${email} holds this email: restore it first`, 'email');
    let user = existing && toUser(existing);
    if (!user) {
      const member = input.role === 'member';
      user = await insertUser(trx, principal.organizationId, {
        email,
        role: member ? 'viewer' : input.role,
        status: 'pending',
      });
      if (member) {
        const row = await trx
          .updateTable('users')
          .set({ projects_by_grant: 1 })
          .where('id', '=', user.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        user = toUser(row);
      }
    }
    const details = { email, role: input.role ?? user.role, expiresAt };
    const link = await issueRecorded(
      trx,
      principal,
      user,
      { action: 'user.invite', details },
      now,
      expiresAt,
    );
    return { user, link };
  });
}

/** Ends every open invitation of the organization; the invited users stay pending. */
export async function revokeInviteLinks(db: Db, principal: Principal, now: Date): Promise<number> {
  authorize(principal, 'directory.manage');
  const result = await db
    .deleteFrom('password_links')
    .where('purpose', '=', 'invitation')
    .where('used_at', 'is', null)
    .where('user_id', 'in', (eb) =>
      eb.selectFrom('users').select('id').where('organization_id', '=', principal.organizationId),
    )
    .executeTakeFirst();
  const revoked = Number(result.numDeletedRows);
  await recordAudit(
    db,
    principal,
    {
      action: 'user.invitations_revoked',
      target: { type: 'organization', id: principal.organizationId },
      details: { revoked },
    },
    now,
  );
  return revoked;
}
