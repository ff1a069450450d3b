import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { Attributes } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import { canonicalAttributeValue } from './attribute-types.ts';
import { getAttributeDefinition } from './attributes.ts';
import { getGroup } from './groups.ts';
import type { AttributeSubjectKind } from './tables.ts';
import type { AttributeInput } from './types.ts';
import { getUserById } from './users-read.ts';

type Db = Kysely<Database>;

const MAX_VALUES_PER_KEY = 1000;

async function requireSubject(
  db: Db,
  organizationId: number,
  kind: AttributeSubjectKind,
  id: number,
): Promise<void> {
  if (kind === 'user') await getUserById(db, organizationId, id);
  else await getGroup(db, organizationId, id);
}

/** The values a user or group holds itself (no inheritance), key → values. */
export async function getAttributes(
  db: Db,
  organizationId: number,
  kind: AttributeSubjectKind,
  subjectId: number,
): Promise<Attributes> {
  await requireSubject(db, organizationId, kind, subjectId);
  const rows = await db
    .selectFrom('attribute_values')
    .innerJoin('attribute_definitions', 'attribute_definitions.id', 'attribute_values.definition_id')
    .select(['attribute_definitions.key', 'attribute_values.value'])
    .where('attribute_values.subject_kind', '=', kind)
    .where('attribute_values.subject_id', '=', subjectId)
    .orderBy('attribute_values.id')
    .execute();
  return collect(rows);
}

/**
 * Replaces every attribute value of a user or group with `input` (PUT semantics: a key left out
 * is cleared). Each value is checked against its key's definition; the 400 names the key, as
 * `attributes.<key>`.
 */
export async function setAttributes(
  db: Db,
  organizationId: number,
  kind: AttributeSubjectKind,
  subjectId: number,
  input: AttributeInput,
): Promise<Attributes> {
  await requireSubject(db, organizationId, kind, subjectId);
  const definitions = await db
    .selectFrom('attribute_definitions')
    .select(['id', 'key', 'type'])
    .where('organization_id', '=', organizationId)
    .execute();
  const byKey = new Map(definitions.map((d) => [d.key, d]));

  const rows: {
    definition_id: number;
    subject_kind: AttributeSubjectKind;
    subject_id: number;
    value: string;
  }[] = [];
  for (const [key, raw] of Object.entries(input ?? {})) {
    const field = `attributes.${key}`;
    const definition = byKey.get(key);
    if (!definition) throw validationError(field, 'is not a defined attribute');
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > MAX_VALUES_PER_KEY)
      throw validationError(field, `holds at most ${MAX_VALUES_PER_KEY} values`);
    const canonical = new Set(values.map((v) => canonicalAttributeValue(field, definition.type, v)));
    for (const value of canonical)
      rows.push({ definition_id: definition.id, subject_kind: kind, subject_id: subjectId, value });
  }

  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('attribute_values')
      .where('subject_kind', '=', kind)
      .where('subject_id', '=', subjectId)
      .execute();
    if (rows.length > 0) await trx.insertInto('attribute_values').values(rows).execute();
  });
  return getAttributes(db, organizationId, kind, subjectId);
}

/** Who holds one attribute, with which values (one entry per value). */
export interface AttributeHolders {
  users: { userId: number; value: string }[];
  groups: { groupId: number; value: string }[];
}

/** The users and groups holding attribute `definitionId` themselves, in the order they were set. */
export async function getAttributeHolders(
  db: Db,
  organizationId: number,
  definitionId: number,
): Promise<AttributeHolders> {
  await getAttributeDefinition(db, organizationId, definitionId);
  const rows = await db
    .selectFrom('attribute_values')
    .select(['subject_kind', 'subject_id', 'value'])
    .where('definition_id', '=', definitionId)
    .orderBy('id')
    .execute();
  return {
    users: rows
      .filter((r) => r.subject_kind === 'user')
      .map((r) => ({ userId: r.subject_id, value: r.value })),
    groups: rows
      .filter((r) => r.subject_kind === 'group')
      .map((r) => ({ groupId: r.subject_id, value: r.value })),
  };
}

/**
 * Replaces who holds attribute `definitionId` (PUT semantics: a user or group left out no longer
 * holds it; their other attributes stay). Each value is checked against the attribute's type; the
 * 400 names the entry (`users[2].value`).
 */
export async function setAttributeHolders(
  db: Db,
  organizationId: number,
  definitionId: number,
  holders: AttributeHolders,
): Promise<AttributeHolders> {
  const definition = await getAttributeDefinition(db, organizationId, definitionId);
  const rows = new Map<string, { subject_kind: AttributeSubjectKind; subject_id: number; value: string }>();
  const entries = [
    ...holders.users.map((h, i) => ({
      kind: 'user' as const,
      id: h.userId,
      value: h.value,
      field: `users[${i}]`,
    })),
    ...holders.groups.map((h, i) => ({
      kind: 'group' as const,
      id: h.groupId,
      value: h.value,
      field: `groups[${i}]`,
    })),
  ];
  if (entries.length > MAX_VALUES_PER_KEY * 10)
    throw validationError('users', `at most ${MAX_VALUES_PER_KEY * 10} users and groups hold an attribute`);
  for (const { kind, id, value, field } of entries) {
    await requireSubject(db, organizationId, kind, id);
    const canonical = canonicalAttributeValue(`${field}.value`, definition.type, value);
    rows.set(`${kind}:${id}:${canonical}`, { subject_kind: kind, subject_id: id, value: canonical });
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('attribute_values').where('definition_id', '=', definitionId).execute();
    if (rows.size > 0)
      await trx
        .insertInto('attribute_values')
        .values([...rows.values()].map((row) => ({ ...row, definition_id: definitionId })))
        .execute();
  });
  return getAttributeHolders(db, organizationId, definitionId);
}

/**
 * The attributes that apply to a user. Rule: per key, the user's own values **override**; a key
 * the user does not hold falls back to the **union** of the values of every group the user is in
 * (deduplicated), and a key no group holds either to the attribute's default, if it has one. So a group sets a default ("region: EU" for the EU team) and a user-level value
 * replaces it rather than widening it — the safer reading for row-level security.
 */
export async function effectiveAttributes(db: Db, userId: number): Promise<Attributes> {
  const rows = await db
    .selectFrom('attribute_values')
    .innerJoin('attribute_definitions', 'attribute_definitions.id', 'attribute_values.definition_id')
    .select(['attribute_definitions.key', 'attribute_values.subject_kind', 'attribute_values.value'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('attribute_values.subject_kind', '=', 'user'),
          eb('attribute_values.subject_id', '=', userId),
        ]),
        eb.and([
          eb('attribute_values.subject_kind', '=', 'group'),
          eb(
            'attribute_values.subject_id',
            'in',
            eb.selectFrom('group_members').select('group_id').where('user_id', '=', userId),
          ),
        ]),
      ]),
    )
    .orderBy('attribute_values.subject_id')
    .orderBy('attribute_values.id')
    .execute();
  const own = collect(rows.filter((r) => r.subject_kind === 'user'));
  const inherited = collect(rows.filter((r) => r.subject_kind === 'group'));
  const defaults = await db
    .selectFrom('attribute_definitions')
    .select(['key', 'default_value as value'])
    .where('default_value', 'is not', null)
    .where('organization_id', '=', (eb) =>
      eb.selectFrom('users').select('organization_id').where('id', '=', userId),
    )
    .orderBy('id')
    .execute();
  return { ...collect(defaults as { key: string; value: string }[]), ...inherited, ...own };
}

/** Key → distinct values; built through a Map so a key such as `__proto__` stays plain data. */
function collect(rows: { key: string; value: string }[]): Attributes {
  const result = new Map<string, string[]>();
  for (const { key, value } of rows) {
    const values = result.get(key) ?? [];
    if (!values.includes(value)) values.push(value);
    result.set(key, values);
  }
  return Object.fromEntries(result);
}
