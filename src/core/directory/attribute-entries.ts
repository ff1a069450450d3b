import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { validationError } from '../errors.ts';
import { canonicalAttributeValue } from './attribute-types.ts';
import { getAttributeDefinition } from './attributes.ts';
import { getGroup } from './groups.ts';
import type { AttributeSubjectKind } from './tables.ts';
import type { AttributeScalar } from './types.ts';
import { getUserById } from './users-read.ts';

type Db = Kysely<Database>;

/** At most this many entries are set at once. */
export const MAX_ATTRIBUTE_ENTRIES = 100;
const MAX_VALUES = 1000;

/**
 * One attribute of one user or group: the values it holds itself, or `null` for none (a user then
 * gets their groups' values, see attribute-values.ts `effectiveAttributes`).
 */
export interface AttributeEntry {
  definitionId: number;
  subject: AttributeSubjectKind;
  subjectId: number;
  values: AttributeScalar[] | null;
}

/**
 * Sets several (attribute, subject) entries at once, all or none: each replaces the values that
 * subject holds itself for that attribute and leaves its other attributes alone. Everything is
 * checked first (the 400 names `entries[i]…`), then written in one transaction.
 */
export async function setAttributeEntries(
  db: Db,
  organizationId: number,
  entries: readonly AttributeEntry[],
): Promise<void> {
  if (entries.length > MAX_ATTRIBUTE_ENTRIES)
    throw validationError('entries', `sets at most ${MAX_ATTRIBUTE_ENTRIES} entries at once`);
  const checked: { entry: AttributeEntry; values: string[] }[] = [];
  for (const [i, entry] of entries.entries()) {
    const definition = await getAttributeDefinition(db, organizationId, entry.definitionId);
    if (entry.subject === 'user') await getUserById(db, organizationId, entry.subjectId);
    else await getGroup(db, organizationId, entry.subjectId);
    const raw = entry.values ?? [];
    if (raw.length > MAX_VALUES)
      throw validationError(`entries[${i}].values`, `holds at most ${MAX_VALUES} values`);
    const values = [
      ...new Set(
        raw.map((value, j) => canonicalAttributeValue(`entries[${i}].values[${j}]`, definition.type, value)),
      ),
    ];
    checked.push({ entry, values });
  }
  await db.transaction().execute(async (trx) => {
    for (const { entry, values } of checked) {
      await trx
        .deleteFrom('attribute_values')
        .where('definition_id', '=', entry.definitionId)
        .where('subject_kind', '=', entry.subject)
        .where('subject_id', '=', entry.subjectId)
        .execute();
      if (values.length > 0)
        await trx
          .insertInto('attribute_values')
          .values(
            values.map((value) => ({
              definition_id: entry.definitionId,
              subject_kind: entry.subject,
              subject_id: entry.subjectId,
              value,
            })),
          )
          .execute();
    }
  });
}
