import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { conflict, notFound } from '../errors.ts';
import type { GroupsTable } from './tables.ts';
import type { Group, GroupInput, User } from './types.ts';
import { findUserRow, toUser } from './users-read.ts';
import { isUniqueViolation, optionalText, requiredText } from './validation.ts';

type Db = Kysely<Database>;

function toGroup(row: Selectable<GroupsTable>): Group {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const nameTaken = (name: string) => conflict(`a group named ${JSON.stringify(name)} already exists`, 'name');

export async function createGroup(db: Db, organizationId: number, input: GroupInput): Promise<Group> {
  const name = requiredText('name', input.name);
  const description = optionalText('description', input.description);
  const now = nowIso();
  try {
    const row = await db
      .insertInto('groups')
      .values({
        uuid: randomUUID(),
        organization_id: organizationId,
        name,
        description,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toGroup(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
}

export async function listGroups(db: Db, organizationId: number): Promise<Group[]> {
  const rows = await db
    .selectFrom('groups')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('name')
    .execute();
  return rows.map(toGroup);
}

export async function getGroup(db: Db, organizationId: number, id: number): Promise<Group> {
  const row = await db
    .selectFrom('groups')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('group', id);
  return toGroup(row);
}

export async function updateGroup(
  db: Db,
  organizationId: number,
  id: number,
  input: GroupInput,
): Promise<Group> {
  const current = await getGroup(db, organizationId, id);
  const name = input.name === undefined ? current.name : requiredText('name', input.name);
  const description =
    input.description === undefined ? current.description : optionalText('description', input.description);
  try {
    const row = await db
      .updateTable('groups')
      .set({ name, description, updated_at: nowIso() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toGroup(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
}

/** Hard delete: memberships cascade; attribute values and project grants point at the group polymorphically, so go by hand. */
export async function deleteGroup(db: Db, organizationId: number, id: number): Promise<void> {
  await getGroup(db, organizationId, id);
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('attribute_values')
      .where('subject_kind', '=', 'group')
      .where('subject_id', '=', id)
      .execute();
    await trx
      .deleteFrom('project_grants')
      .where('subject', '=', 'group')
      .where('subject_id', '=', id)
      .execute();
    await trx.deleteFrom('groups').where('id', '=', id).execute();
  });
}

async function requireMemberPair(
  db: Db,
  organizationId: number,
  groupId: number,
  userId: number,
): Promise<void> {
  await getGroup(db, organizationId, groupId);
  if (!(await findUserRow(db, organizationId, userId))) throw notFound('user', userId);
}

/** Adding an existing member is a conflict, so a caller learns its view of the group was stale. */
export async function addMember(
  db: Db,
  organizationId: number,
  groupId: number,
  userId: number,
): Promise<void> {
  await requireMemberPair(db, organizationId, groupId, userId);
  try {
    await db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: userId, created_at: nowIso() })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`user ${userId} is already a member of group ${groupId}`, 'userId');
    throw error;
  }
}

export async function removeMember(
  db: Db,
  organizationId: number,
  groupId: number,
  userId: number,
): Promise<void> {
  await requireMemberPair(db, organizationId, groupId, userId);
  const result = await db
    .deleteFrom('group_members')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound(`member of group ${groupId}: user`, userId);
}

export async function listMembers(db: Db, organizationId: number, groupId: number): Promise<User[]> {
  await getGroup(db, organizationId, groupId);
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .selectAll('users')
    .where('group_members.group_id', '=', groupId)
    .orderBy('users.id')
    .execute();
  return rows.map(toUser);
}

export async function groupIdsOf(db: Db, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('group_members')
    .select('group_id')
    .where('user_id', '=', userId)
    .orderBy('group_id')
    .execute();
  return rows.map((r) => r.group_id);
}
