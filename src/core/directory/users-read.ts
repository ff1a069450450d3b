import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { Role } from '../auth/principal.ts';
import { notFound, validationError } from '../errors.ts';
import type { PageWindow } from '../paging.ts';
import type { UserStatus, UsersTable } from './tables.ts';
import type { User, UserFilter } from './types.ts';
import { requiredText } from './validation.ts';

type Db = Kysely<Database>;
export type UserRow = Selectable<UsersTable>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    status: row.status,
    timezone: row.timezone,
    hasPassword: row.password_hash !== null,
    projectsByGrant: row.projects_by_grant === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
  };
}

export async function findUserRow(db: Db, organizationId: number, id: number): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function getUserById(db: Db, organizationId: number, id: number): Promise<User> {
  const row = await findUserRow(db, organizationId, id);
  if (!row) throw notFound('user', id);
  return toUser(row);
}

export async function getUserByUuid(db: Db, organizationId: number, uuid: string): Promise<User> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('uuid', '=', uuid)
    .executeTakeFirst();
  if (!row) throw notFound('user', uuid);
  return toUser(row);
}

/** Emails are stored lower-cased; `email` must already be normalized. */
export async function getUserByEmail(db: Db, organizationId: number, email: string): Promise<User> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('email', '=', email)
    .executeTakeFirst();
  if (!row) throw notFound('user', email);
  return toUser(row);
}

const MAX_PAGE = 1000;
export const USER_STATUSES: readonly UserStatus[] = ['active', 'pending', 'deleted'];

/** `searchEmails: false` matches the search on names only, for callers who may not see emails. */
export async function listUsers(
  db: Db,
  organizationId: number,
  filter: UserFilter = {},
  options: { searchEmails: boolean; window?: PageWindow } = { searchEmails: true },
): Promise<User[]> {
  const { window } = options;
  if (window && (filter.limit !== undefined || filter.offset !== undefined))
    throw validationError('offset', 'pages by `after` or by `offset`, not both');
  // A window reads one row past its limit: it says whether there is a next page.
  const limit = window ? window.limit + 1 : (filter.limit ?? MAX_PAGE);
  const offset = filter.offset ?? 0;
  if (!window && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)) {
    throw validationError('limit', `must be an integer between 1 and ${MAX_PAGE}`);
  }
  if (!Number.isInteger(offset) || offset < 0)
    throw validationError('offset', 'must be a non-negative integer');

  if (filter.status !== undefined && !USER_STATUSES.includes(filter.status)) {
    throw validationError('status', `must be one of ${USER_STATUSES.join(', ')}`);
  }

  let query = db.selectFrom('users').selectAll().where('organization_id', '=', organizationId);
  query = filter.status ? query.where('status', '=', filter.status) : query.where('status', '!=', 'deleted');
  if (filter.search !== undefined && filter.search !== '') {
    const search = requiredText('search', filter.search).toLowerCase();
    // LIKE wildcards in the search text are matched literally.
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => {
      const byName = eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`);
      return options.searchEmails
        ? eb.or([eb(sql`lower(email)`, 'like', sql`${pattern} escape '\\'`), byName])
        : byName;
    });
  }
  if (window?.after) query = query.where('id', '>', Number(window.after[0]));
  const rows = await query.orderBy('id').limit(limit).offset(offset).execute();
  return rows.map(toUser);
}
