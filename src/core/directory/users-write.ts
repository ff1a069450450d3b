import { randomUUID } from 'node:crypto';
import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { conflict, fieldError, notFound, validationError } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { UsersTable } from './tables.ts';
import type { NewUser, User, UserChanges } from './types.ts';
import { findUserRow, toUser, type UserRow } from './users-read.ts';
import {
  isUniqueViolation,
  normalizeEmail,
  requiredText,
  validPassword,
  validRole,
  validTimezone,
} from './validation.ts';

type Db = Kysely<Database>;

/** Settable statuses: `deleted` is reached only through deleteUser, left through restoreUser. */
function validStatus(value: unknown): 'active' | 'pending' {
  if (value !== 'active' && value !== 'pending') throw validationError('status', 'must be active or pending');
  return value;
}

/**
 * Creates a user without any permission check (the service checks; bootstrap and the CLI call
 * this directly). Without a password the user starts `pending` and cannot log in until one is set.
 */
export async function insertUser(db: Db, organizationId: number, input: NewUser): Promise<User> {
  const email = normalizeEmail(input.email);
  const name = input.name === undefined ? email.split('@')[0] : requiredText('name', input.name);
  const role = validRole(input.role ?? 'viewer');
  const timezone = validTimezone(input.timezone ?? 'UTC');
  const password = input.password === undefined ? undefined : validPassword(input.password);
  const status = input.status === undefined ? (password ? 'active' : 'pending') : validStatus(input.status);
  const passwordHash = password ? await hashPassword(password) : null;
  const now = nowIso();
  try {
    const row = await db
      .insertInto('users')
      .values({
        uuid: randomUUID(),
        organization_id: organizationId,
        email,
        name,
        password_hash: passwordHash,
        role,
        status,
        timezone,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`a user with email ${email} already exists`, 'email');
    throw error;
  }
}

/** Refuses a change that would leave the organization without an active admin. */
async function keepOneAdmin(db: Db, user: UserRow, staysActiveAdmin: boolean): Promise<void> {
  if (staysActiveAdmin || user.role !== 'admin' || user.status !== 'active') return;
  const others = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', user.organization_id)
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .where('id', '!=', user.id)
    .executeTakeFirst();
  if (Number(others?.n ?? 0) === 0) throw conflict('the organization must keep at least one active admin');
}

async function existingRow(db: Db, organizationId: number, id: number): Promise<UserRow> {
  const row = await findUserRow(db, organizationId, id);
  if (!row) throw notFound('user', id);
  return row;
}

/**
 * Ends what a user's credentials opened: every session (but `keepSession`, the hash of the
 * session changing its own password) and, when the user stops being active, every API key — so
 * restoring the user later brings none of them back.
 */
async function endCredentials(db: Db, userId: number, options: { keys: boolean; keepSession?: string }) {
  let sessions = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (options.keepSession !== undefined) sessions = sessions.where('token_hash', '!=', options.keepSession);
  await sessions.execute();
  if (options.keys)
    await db
      .updateTable('api_keys')
      .set({ revoked_at: nowIso() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
}

/**
 * Users changing their own password prove the current one, so a session left open (or stolen)
 * cannot lock its user out. A wrong one is a 403 naming `currentPassword`.
 */
export async function checkCurrentPassword(
  db: Db,
  organizationId: number,
  id: number,
  current: unknown,
): Promise<void> {
  if (current === undefined || current === '')
    throw validationError('currentPassword', 'is required to change your own password');
  if (typeof current !== 'string' || current.length > 1024)
    throw validationError('currentPassword', 'must be a string of at most 1024 characters');
  const row = await existingRow(db, organizationId, id);
  if (!(await verifyPassword(row.password_hash, current)))
    throw fieldError('ERR_FORBIDDEN', 'currentPassword', 'is not your current password');
}

export async function updateUser(
  db: Db,
  organizationId: number,
  id: number,
  changes: UserChanges,
  options: { keepSession?: string } = {},
): Promise<User> {
  const row = await existingRow(db, organizationId, id);
  const patch: Updateable<UsersTable> = {};
  if (changes.name !== undefined) patch.name = requiredText('name', changes.name);
  if (changes.role !== undefined) patch.role = validRole(changes.role);
  if (changes.timezone !== undefined) patch.timezone = validTimezone(changes.timezone);
  if (changes.projectsByGrant !== undefined) {
    if (typeof changes.projectsByGrant !== 'boolean')
      throw validationError('projectsByGrant', 'must be a boolean');
    patch.projects_by_grant = changes.projectsByGrant ? 1 : 0;
  }
  if (changes.status !== undefined) {
    if (row.status === 'deleted') throw conflict('user is deleted: restore it first', 'status');
    patch.status = validStatus(changes.status);
  }
  if (changes.password !== undefined) {
    patch.password_hash = await hashPassword(validPassword(changes.password));
    // Setting the password of an invited user is what activates them.
    if (row.status === 'pending' && changes.status === undefined) patch.status = 'active';
  }
  await keepOneAdmin(
    db,
    row,
    (patch.role ?? row.role) === 'admin' && (patch.status ?? row.status) === 'active',
  );
  const updated = await db
    .updateTable('users')
    .set({ ...patch, updated_at: nowIso() })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const deactivated = row.status === 'active' && updated.status !== 'active';
  if (patch.password_hash !== undefined || deactivated)
    await endCredentials(db, row.id, {
      keys: deactivated,
      keepSession: deactivated ? undefined : options.keepSession,
    });
  return toUser(updated);
}

/** Soft delete: the row stays (content keeps its owner), but login and every credential are refused. */
export async function deleteUser(db: Db, organizationId: number, id: number): Promise<User> {
  const row = await existingRow(db, organizationId, id);
  if (row.status === 'deleted') return toUser(row);
  await keepOneAdmin(db, row, false);
  const updated = await db
    .updateTable('users')
    .set({ status: 'deleted', updated_at: nowIso() })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await endCredentials(db, row.id, { keys: true });
  return toUser(updated);
}

/** Brings a deleted user back as active (or pending when they never had a password). */
export async function restoreUser(db: Db, organizationId: number, id: number): Promise<User> {
  const row = await existingRow(db, organizationId, id);
  if (row.status !== 'deleted') throw conflict(`user ${id} is not deleted`, 'status');
  const updated = await db
    .updateTable('users')
    .set({ status: row.password_hash ? 'active' : 'pending', updated_at: nowIso() })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(updated);
}
