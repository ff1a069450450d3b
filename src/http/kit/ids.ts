import { createHash } from 'node:crypto';
import { validationError } from '../../core/errors.ts';
import type { ExternalIds, IdKind } from '../../core/ids/index.ts';

/** What a face holds of an object to name it. */
export interface EntityIdentity {
  organizationId: number;
  id: number;
  uuid: string;
}

/** How core services take an object: its integer id or its uuid. */
export type EntityRef = number | string;

/**
 * How a face writes and reads the ids of one kind of object. `decode` throws ERR_VALIDATION
 * naming `field` for a malformed id, and answers undefined for a well-formed id that names
 * nothing, so the caller answers not found in its own words.
 */
export interface IdCodec<External extends string | number> {
  encode(entity: EntityIdentity): Promise<External>;
  /** `encode` for a list, in order. */
  encodeAll(entities: readonly EntityIdentity[]): Promise<External[]>;
  decode(organizationId: number, external: unknown, field: string): Promise<EntityRef | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POSITIVE_INTEGER = /^[1-9][0-9]{0,15}$/;

/** Serenytics and Lightdash: the object's own uuid. */
export const uuidCodec: IdCodec<string> = {
  encode: async (entity) => entity.uuid,
  encodeAll: async (entities) => entities.map((entity) => entity.uuid),
  async decode(_organizationId, external, field) {
    if (typeof external !== 'string' || !UUID.test(external)) throw validationError(field, 'must be a uuid');
    return external;
  },
};

/** Holistics: the object's own integer id, in a JSON number or a path's digits. */
export const intCodec: IdCodec<number> = {
  encode: async (entity) => entity.id,
  encodeAll: async (entities) => entities.map((entity) => entity.id),
  async decode(_organizationId, external, field) {
    const number =
      typeof external === 'string' && POSITIVE_INTEGER.test(external) ? Number(external) : external;
    if (!Number.isSafeInteger(number) || (number as number) < 1)
      throw validationError(field, 'must be a positive integer');
    return number as number;
  },
};

/** Sisense oids of one kind: allocated once per object and kept by the core (`ExternalIds`). */
export function hex24Codec(ids: Omit<ExternalIds, 'forget'>, kind: IdKind): IdCodec<string> {
  return {
    encode: (entity) => ids.idOf(entity.organizationId, kind, entity.id, 'hex24'),
    async encodeAll(entities) {
      const found = new Map<number, Map<number, string>>();
      for (const organizationId of new Set(entities.map((entity) => entity.organizationId))) {
        const internalIds = entities.filter((e) => e.organizationId === organizationId).map((e) => e.id);
        found.set(organizationId, await ids.idsOf(organizationId, kind, internalIds, 'hex24'));
      }
      return entities.map((entity) => found.get(entity.organizationId)?.get(entity.id) as string);
    },
    decode: (organizationId, external, field) => ids.resolve(organizationId, kind, 'hex24', external, field),
  };
}

/**
 * A stable uuid for something that is no stored object (a Serenytics `home` folder): the first
 * 128 bits of SHA-256 over `namespace:key`, with the version nibble 5 and the RFC 4122 variant.
 * Ids already handed to clients depend on this exact text, so it must never change.
 */
export function derivedUuid(namespace: string, key: string): string {
  // With no `:` in the namespace, the hashed text tells every (namespace, key) pair apart.
  if (namespace.includes(':')) throw new Error(`derivedUuid namespace "${namespace}" must not contain ":"`);
  const hex = createHash('sha256').update(`${namespace}:${key}`).digest('hex');
  const variant = ((Number.parseInt(hex[16], 16) & 3) | 8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A field of a model, as the core addresses it (`table.field`). */
export interface FieldRef {
  table: string;
  field: string;
}

/** Lightdash's field id (`getItemId`): `table_field`, a `.` in the field name written `__`. */
export const lightdashFieldId = ({ table, field }: FieldRef): string =>
  `${table}_${field.replaceAll('.', '__')}`;

/** Sisense's `dim`: `[Table.Column]`, names as they are (Sisense escapes nothing). */
export const sisenseFieldId = ({ table, field }: FieldRef): string => `[${table}.${field}]`;

const fieldIdStyles = {
  lightdash: {
    write: lightdashFieldId,
    wellFormed: (id: string) => /^.+_.+$/s.test(id),
    problem: 'must be a field id `table_field`',
  },
  sisense: {
    write: sisenseFieldId,
    wellFormed: (id: string) => id.startsWith('[') && id.endsWith(']') && id.slice(1, -1).includes('.'),
    problem: 'must be a field `[Table.Column]`',
  },
} as const;
export type FieldIdStyle = keyof typeof fieldIdStyles;

const MAX_FIELD_ID = 1000;

/**
 * Reads field ids of `style` back into the fields of a model. Neither style can be split: `_`
 * is legal in Lightdash names, and a `.` may sit in a Sisense table or column name. So an id is
 * looked up among the ids of the model's fields, and one that two fields share (`a_b.c` and
 * `a.b_c`) is refused rather than guessed. An unknown well-formed id reads as undefined.
 */
export function fieldIdReader(
  style: FieldIdStyle,
  fields: Iterable<FieldRef>,
): (fieldId: unknown, field: string) => FieldRef | undefined {
  const { write, wellFormed, problem } = fieldIdStyles[style];
  const byId = new Map<string, FieldRef[]>();
  for (const ref of fields) {
    const id = write(ref);
    byId.set(id, [...(byId.get(id) ?? []), ref]);
  }
  return (fieldId, field) => {
    if (typeof fieldId !== 'string' || fieldId.length > MAX_FIELD_ID || !wellFormed(fieldId))
      throw validationError(field, problem);
    const found = byId.get(fieldId);
    if (found && found.length > 1)
      throw validationError(
        field,
        `names more than one field: ${found.map((ref) => `${ref.table}.${ref.field}`).join(', ')}`,
      );
    return found?.[0];
  };
}
