import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { type AuditEntry, recordAudit } from '../audit/index.ts';
import type { PasswordLinkPurpose } from '../directory/tables.ts';
import type { User } from '../directory/types.ts';
import { findUserRow, toUser } from '../directory/users-read.ts';
import { insertUser, updateUser } from '../directory/users-write.ts';
import { requiredText, validId, validPassword } from '../directory/validation.ts';
import { conflict, type ErrorReason, notFound, RosettaError, unauthenticated } from '../errors.ts';
import { authorize } from './authorize.ts';
import type { Principal, Role } from './principal.ts';
import { generatePasswordLinkToken, PASSWORD_LINK_PREFIX, sha256 } from './secrets.ts';

/**
 * Links that let a user set their own password, so no admin ever knows it: an invitation (the
 * user was created pending) or a reset (an active user). A link is single-use, expires, and
 * only its hash is stored; issuing a new one for a user expires the earlier ones. Opening or
 * using an unknown token is ERR_UNAUTHENTICATED (the faces count it against the caller's
 * address, like a wrong API key); a known token that is used up or expired is a 403 saying so.
 */

type Db = Kysely<Database>;

const LIFETIME_HOURS: Record<PasswordLinkPurpose, number> = { invitation: 7 * 24, reset: 24 };
/** The web app's page for each kind of link. */
const PAGE: Record<PasswordLinkPurpose, string> = { invitation: '/invite', reset: '/reset-password' };

export interface IssuedPasswordLink {
  purpose: PasswordLinkPurpose;
  /** Shown once: only its hash is kept. */
  token: string;
  /** The path of the page that uses it (`/invite/<token>` or `/reset-password/<token>`). */
  url: string;
  expiresAt: string;
}

export interface OpenedPasswordLink {
  purpose: PasswordLinkPurpose;
  userUuid: string;
  organizationUuid: string;
  /** The path of the page that uses it, as when it was issued. */
  url: string;
  email: string;
  name: string;
  organizationName: string;
  expiresAt: string;
}

export interface NewInvitation {
  email: string;
  name?: string;
  role?: Role | string;
}

export interface PasswordLinkAnswer {
  /** Required, at least MIN_PASSWORD_LENGTH characters. */
  password: string;
  /** Optional: an invited user may correct the name the admin typed. */
  name?: string;
}

/** Pending users are invited (they never had a password); active ones reset theirs. */
const purposeFor = (user: Pick<User, 'status'>): PasswordLinkPurpose =>
  user.status === 'pending' ? 'invitation' : 'reset';

async function issue(
  db: Db,
  user: Pick<User, 'id' | 'status'>,
  createdBy: number,
  now: Date,
  expiresAt = new Date(now.getTime() + LIFETIME_HOURS[purposeFor(user)] * 3_600_000).toISOString(),
): Promise<IssuedPasswordLink> {
  const purpose = purposeFor(user);
  const at = now.toISOString();
  await db
    .updateTable('password_links')
    .set({ expires_at: at })
    .where('user_id', '=', user.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .execute();
  const token = generatePasswordLinkToken();
  await db
    .insertInto('password_links')
    .values({
      user_id: user.id,
      purpose,
      token_hash: sha256(token),
      created_by: createdBy,
      created_at: at,
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { purpose, token, url: `${PAGE[purpose]}/${token}`, expiresAt };
}

/**
 * Issues the link (expiring at `expiresAt`, else after its kind's lifetime) and records who
 * issued it, in the caller's transaction.
 */
export async function issueRecorded(
  trx: Db,
  principal: Principal,
  user: Pick<User, 'id' | 'status'>,
  entry: Omit<AuditEntry, 'target'>,
  now: Date,
  expiresAt?: string,
): Promise<IssuedPasswordLink> {
  const link = await issue(trx, user, principal.userId, now, expiresAt);
  await recordAudit(trx, principal, { ...entry, target: { type: 'user', id: user.id } }, now);
  return link;
}

/** Creates the user pending, with no password, and their invitation link. */
export async function invite(
  db: Db,
  principal: Principal,
  input: NewInvitation,
  now: Date,
): Promise<{ user: User; link: IssuedPasswordLink }> {
  authorize(principal, 'directory.manage');
  return db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, principal.organizationId, {
      email: input.email,
      name: input.name || undefined,
      role: input.role,
      status: 'pending',
    });
    const details = { email: user.email, role: user.role };
    const link = await issueRecorded(trx, principal, user, { action: 'user.invite', details }, now);
    return { user, link };
  });
}

/** An invitation for a pending user, a reset link for an active one. */
export async function issueForUser(
  db: Db,
  principal: Principal,
  userId: number,
  now: Date,
): Promise<IssuedPasswordLink> {
  authorize(principal, 'directory.manage');
  const row = await findUserRow(db, principal.organizationId, validId('id', userId));
  if (!row) throw notFound('user', userId);
  if (row.status === 'deleted') throw conflict(`user ${row.id} is deactivated: restore it first`, 'id');
  const details = { purpose: purposeFor(row) };
  return db
    .transaction()
    .execute((trx) => issueRecorded(trx, principal, row, { action: 'user.password_link', details }, now));
}

const refused = (message: string, reason?: ErrorReason) =>
  new RosettaError('ERR_FORBIDDEN', message, 'token', { reason });

/** The link behind a token, if it may still be used. */
async function usableLink(db: Db, token: unknown, now: Date) {
  if (typeof token !== 'string' || !token.startsWith(PASSWORD_LINK_PREFIX) || token.length > 100)
    throw unauthenticated('unknown link');
  const row = await db
    .selectFrom('password_links')
    .innerJoin('users', 'users.id', 'password_links.user_id')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select([
      'password_links.id',
      'password_links.purpose',
      'password_links.expires_at',
      'password_links.used_at',
      'users.id as user_id',
      'users.uuid as user_uuid',
      'organizations.uuid as organization_uuid',
      'users.organization_id',
      'users.email',
      'users.name',
      'users.status',
      'organizations.name as organization_name',
    ])
    .where('password_links.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row) throw unauthenticated('unknown link');
  if (row.used_at !== null)
    throw refused('this link was already used: sign in, or ask an admin for a new one');
  if (row.expires_at <= now.toISOString())
    throw refused('this link has expired: ask an admin for a new one', 'auth.link_expired');
  if (row.status === 'deleted') throw refused('this account is deactivated');
  return row;
}

export async function openLink(db: Db, token: unknown, now: Date): Promise<OpenedPasswordLink> {
  const link = await usableLink(db, token, now);
  return {
    purpose: link.purpose,
    userUuid: link.user_uuid,
    organizationUuid: link.organization_uuid,
    url: `${PAGE[link.purpose]}/${token as string}`,
    email: link.email,
    name: link.name,
    organizationName: link.organization_name,
    expiresAt: link.expires_at,
  };
}

/**
 * Uses the link: sets the password (which activates an invited user and ends every session of
 * the user), and the name if given. The input is checked before the link is used up, so a
 * refused password leaves the link working.
 */
export async function acceptLink(
  db: Db,
  token: unknown,
  answer: PasswordLinkAnswer,
  origin: { address?: string },
  now: Date,
): Promise<User> {
  const link = await usableLink(db, token, now);
  const password = validPassword(answer?.password);
  const name =
    answer?.name === undefined || answer.name === '' ? undefined : requiredText('name', answer.name);
  const claimed = await db
    .updateTable('password_links')
    .set({ used_at: now.toISOString() })
    .where('id', '=', link.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw refused('this link was already used');
  const user = await updateUser(db, link.organization_id, link.user_id, { password, name });
  await recordAudit(
    db,
    { organizationId: user.organizationId, email: user.email, address: origin.address },
    {
      action: link.purpose === 'invitation' ? 'user.invitation_accepted' : 'user.password_reset',
      target: { type: 'user', id: user.id },
    },
    now,
  );
  return user;
}

/**
 * "Forgot password" and "send my activation again", asked by the user, not an admin: a new link
 * of `purpose` for the user holding `email` whose status fits it (pending for an invitation,
 * active for a reset), or undefined when there is none — callers answer alike either way, so
 * the request tells no one which emails hold an account.
 */
export async function issueForEmail(
  db: Db,
  email: unknown,
  purpose: PasswordLinkPurpose,
  origin: { address?: string },
  now: Date,
): Promise<{ user: User; link: IssuedPasswordLink } | undefined> {
  if (typeof email !== 'string' || email.length > 254) return undefined;
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('status', '=', purpose === 'invitation' ? 'pending' : 'active')
    .orderBy('id')
    .executeTakeFirst();
  if (!row) return undefined;
  const user = toUser(row);
  return db.transaction().execute(async (trx) => {
    const link = await issue(trx, user, user.id, now);
    await recordAudit(
      trx,
      { organizationId: user.organizationId, email: user.email, address: origin.address },
      { action: 'user.password_link_requested', target: { type: 'user', id: user.id }, details: { purpose } },
      now,
    );
    return { user, link };
  });
}
