import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { conflict, notFound } from '../errors.ts';
import type { Organization, Project } from './types.ts';
import { isUniqueViolation, requiredText } from './validation.ts';

type Db = Kysely<Database>;

/** Creates an organization with its default project (both or neither: run inside a transaction). */
export async function createOrganization(
  db: Db,
  name: string,
): Promise<{ organization: Organization; project: Project }> {
  const now = nowIso();
  const org = await db
    .insertInto('organizations')
    .values({ uuid: randomUUID(), name, created_at: now, updated_at: now })
    .returning(['id', 'uuid', 'name'])
    .executeTakeFirstOrThrow();
  const project = await db
    .insertInto('projects')
    .values({
      uuid: randomUUID(),
      organization_id: org.id,
      name,
      is_default: 1,
      created_at: now,
      updated_at: now,
    })
    .returning(PROJECT_COLUMNS)
    .executeTakeFirstOrThrow();
  return { organization: org, project: toProject(project) };
}

export async function countOrganizations(db: Db): Promise<number> {
  const row = await db
    .selectFrom('organizations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The first organization: the embedded default has exactly one. */
export async function getDefaultOrganization(db: Db): Promise<Organization> {
  const org = await db
    .selectFrom('organizations')
    .select(['id', 'uuid', 'name'])
    .orderBy('id')
    .executeTakeFirst();
  if (!org) throw notFound('organization', 'default');
  return org;
}

export async function getOrganization(db: Db, id: number): Promise<Organization> {
  const org = await db
    .selectFrom('organizations')
    .select(['id', 'uuid', 'name'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!org) throw notFound('organization', id);
  return org;
}

/** Names are unique across organizations (the CLI and sign-in pages tell them apart by name). */
export async function renameOrganization(db: Db, id: number, name: unknown): Promise<Organization> {
  const text = requiredText('name', name);
  try {
    const org = await db
      .updateTable('organizations')
      .set({ name: text, updated_at: nowIso() })
      .where('id', '=', id)
      .returning(['id', 'uuid', 'name'])
      .executeTakeFirst();
    if (!org) throw notFound('organization', id);
    return org;
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`an organization named ${JSON.stringify(text)} already exists`, 'name');
    throw error;
  }
}

export async function getDefaultProject(db: Db, organizationId: number): Promise<Project> {
  const row = await db
    .selectFrom('projects')
    .select(PROJECT_COLUMNS)
    .where('organization_id', '=', organizationId)
    .orderBy('is_default', 'desc')
    .orderBy('id')
    .executeTakeFirst();
  if (!row) throw notFound('default project of organization', organizationId);
  return toProject(row);
}

/** The columns `toProject` reads. */
export const PROJECT_COLUMNS = [
  'id',
  'uuid',
  'organization_id',
  'name',
  'is_default',
  'scheduler_timezone',
  'created_at',
] as const;

export function toProject(row: {
  id: number;
  uuid: string;
  organization_id: number;
  name: string;
  is_default: number;
  scheduler_timezone: string;
  created_at: string;
}): Project {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    name: row.name,
    isDefault: row.is_default === 1,
    schedulerTimezone: row.scheduler_timezone,
    createdAt: row.created_at,
  };
}
