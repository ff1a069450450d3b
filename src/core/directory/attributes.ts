import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { conflict, notFound } from '../errors.ts';
import { canonicalAttributeValue, validAttributeKey, validAttributeType } from './attribute-types.ts';
import type { AttributeDefinitionsTable, AttributeType } from './tables.ts';
import type { AttributeDefinition, AttributeDefinitionInput, AttributeScalar } from './types.ts';
import { isUniqueViolation, optionalText } from './validation.ts';

/** Attribute definitions: the typed keys an organization's users and groups may carry. */

type Db = Kysely<Database>;

function toDefinition(row: Selectable<AttributeDefinitionsTable>): AttributeDefinition {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    key: row.key,
    type: row.type,
    description: row.description,
    defaultValue: row.default_value,
    label: row.label ?? row.key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function defineAttribute(
  db: Db,
  organizationId: number,
  input: AttributeDefinitionInput,
): Promise<AttributeDefinition> {
  const key = validAttributeKey(input.key);
  const type = validAttributeType(input.type);
  const description = optionalText('description', input.description);
  const defaultValue = canonicalDefault(type, input.defaultValue);
  const label = labelOf(input.label);
  const now = nowIso();
  try {
    const row = await db
      .insertInto('attribute_definitions')
      .values({
        uuid: randomUUID(),
        organization_id: organizationId,
        key,
        type,
        description,
        default_value: defaultValue,
        label,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDefinition(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`attribute ${key} is already defined`, 'key');
    throw error;
  }
}

export async function listAttributeDefinitions(
  db: Db,
  organizationId: number,
): Promise<AttributeDefinition[]> {
  const rows = await db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('key')
    .execute();
  return rows.map(toDefinition);
}

export async function getAttributeDefinition(
  db: Db,
  organizationId: number,
  id: number,
): Promise<AttributeDefinition> {
  const row = await db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('attribute definition', id);
  return toDefinition(row);
}

/** A label, or null for "the key" (absent, null or blank). */
const labelOf = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  const label = optionalText('label', value, 200);
  return label === '' ? null : label;
};

const canonicalDefault = (type: AttributeType, value: AttributeScalar | null | undefined): string | null =>
  value === undefined || value === null ? null : canonicalAttributeValue('defaultValue', type, value);

/**
 * Updates the description, the default and, when the values already stored all fit the new type,
 * the type (stored values are re-canonicalized). The key is the identity policies refer to: it is
 * fixed.
 */
export async function updateAttributeDefinition(
  db: Db,
  organizationId: number,
  id: number,
  input: Omit<AttributeDefinitionInput, 'key'>,
): Promise<AttributeDefinition> {
  const current = await getAttributeDefinition(db, organizationId, id);
  const type = input.type === undefined ? current.type : validAttributeType(input.type);
  const description =
    input.description === undefined ? current.description : optionalText('description', input.description);
  const defaultValue = canonicalDefault(
    type,
    input.defaultValue === undefined ? current.defaultValue : input.defaultValue,
  );
  const labelChange = input.label === undefined ? {} : { label: labelOf(input.label) };
  return db.transaction().execute(async (trx) => {
    if (type !== current.type) {
      const values = await trx
        .selectFrom('attribute_values')
        .select(['id', 'value'])
        .where('definition_id', '=', id)
        .execute();
      for (const value of values) {
        let converted: string;
        try {
          converted = canonicalAttributeValue('type', type, value.value);
        } catch {
          throw conflict(
            `stored value ${JSON.stringify(value.value)} of ${current.key} is not a ${type}`,
            'type',
          );
        }
        await trx
          .updateTable('attribute_values')
          .set({ value: converted })
          .where('id', '=', value.id)
          .execute();
      }
    }
    const row = await trx
      .updateTable('attribute_definitions')
      .set({ type, description, default_value: defaultValue, ...labelChange, updated_at: nowIso() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDefinition(row);
  });
}

/** Deleting a definition deletes every value of it (foreign key cascade). */
export async function deleteAttributeDefinition(db: Db, organizationId: number, id: number): Promise<void> {
  await getAttributeDefinition(db, organizationId, id);
  await db.deleteFrom('attribute_definitions').where('id', '=', id).execute();
}
