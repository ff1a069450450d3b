import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { validationError } from '../errors.ts';

/** What an external id may name: each kind's internal id is the integer `id` of its table. */
export const idKinds = [
  'organization',
  'project',
  'user',
  'group',
  'connection',
  'data_source',
  'model',
  'folder',
  'dashboard',
  'chart',
  'schedule',
  'script',
  'job',
  /** A dashboard's widget, by its integer item id (`content.itemIds`). */
  'widget',
  /** A member rule of a model's data security (`DataSecurity`). */
  'data_rule',
] as const;
export type IdKind = (typeof idKinds)[number];

/**
 * The id styles Rosetta allocates and stores: their shape and how a fresh one is drawn. Styles a
 * face computes from the entity itself (its uuid, its integer id, a derived uuid) need no row.
 */
const storedStyles = {
  /** Sisense oids: 24 hex digits (a MongoDB ObjectId), random so they reveal no count or order. */
  hex24: {
    shape: /^[0-9a-f]{24}$/,
    problem: 'must be 24 hexadecimal digits',
    allocate: () => randomBytes(12).toString('hex'),
  },
} as const;
export type StoredIdStyle = keyof typeof storedStyles;

/**
 * Ids that vendors' faces show for Rosetta's objects when they cannot be computed from the object,
 * stored so the same object answers with the same id forever, on every node sharing the store.
 */
export interface ExternalIds {
  /** The object's id in `style`, allocated on first use; concurrent first uses get the same one. */
  idOf(organizationId: number, kind: IdKind, internalId: number, style: StoredIdStyle): Promise<string>;
  /** `idOf` for many objects (a list), in a few statements whatever their number. */
  idsOf(
    organizationId: number,
    kind: IdKind,
    internalIds: readonly number[],
    style: StoredIdStyle,
  ): Promise<Map<number, string>>;
  /**
   * The internal id `external` names, or undefined when it names nothing (the caller answers
   * not found). A malformed id is an ERR_VALIDATION naming `field`.
   */
  resolve(
    organizationId: number,
    kind: IdKind,
    style: StoredIdStyle,
    external: unknown,
    field?: string,
  ): Promise<number | undefined>;
  /** After an object is purged: its external ids stop resolving, and are never handed out again. */
  forget(organizationId: number, kind: IdKind, internalId: number): Promise<void>;
}

/** Ids per statement: far below SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 500;
/** Fresh ids drawn for one object before giving up; a 96-bit collision is already unheard of. */
const ATTEMPTS = 5;

function positiveId(field: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw validationError(field, 'must be a positive integer');
  return value as number;
}

function checkKind(kind: unknown): IdKind {
  if (!idKinds.includes(kind as IdKind))
    throw validationError('kind', `must be one of ${idKinds.join(', ')}`);
  return kind as IdKind;
}

function checkStyle(style: unknown): StoredIdStyle {
  if (typeof style !== 'string' || !Object.hasOwn(storedStyles, style))
    throw validationError('style', `must be one of ${Object.keys(storedStyles).join(', ')}`);
  return style as StoredIdStyle;
}

/**
 * Rows are never deleted: a purged object's row is tombstoned (`forget`) instead, so its external
 * id stays taken and can never name another object, which a client holding the old id would
 * otherwise silently reach. Internal ids are never reused either (AUTOINCREMENT / serial), so a
 * row can never come to name a different object of its kind.
 */
export function createExternalIds(
  store: Pick<Store, 'db'>,
  options: { allocate?: (style: StoredIdStyle) => string } = {},
): ExternalIds {
  const { db } = store;
  const allocate = options.allocate ?? ((style: StoredIdStyle) => storedStyles[style].allocate());

  async function stored(organizationId: number, kind: IdKind, style: StoredIdStyle, ids: number[]) {
    const rows = await db
      .selectFrom('external_ids')
      .select(['internal_id', 'external_id'])
      .where('organization_id', '=', organizationId)
      .where('kind', '=', kind)
      .where('style', '=', style)
      .where('internal_id', 'in', ids)
      .execute();
    return new Map(rows.map((row) => [Number(row.internal_id), row.external_id]));
  }

  /**
   * Insert-or-ignore, then read back: whoever inserted first wins and everyone reads its id. An
   * object still missing after that drew an id another object holds; it draws again.
   */
  async function allocateChunk(organizationId: number, kind: IdKind, style: StoredIdStyle, ids: number[]) {
    const found = await stored(organizationId, kind, style, ids);
    let missing = ids.filter((id) => !found.has(id));
    for (let attempt = 0; missing.length > 0 && attempt < ATTEMPTS; attempt++) {
      const createdAt = nowIso();
      await db
        .insertInto('external_ids')
        .values(
          missing.map((id) => ({
            organization_id: organizationId,
            kind,
            style,
            internal_id: id,
            external_id: allocate(style),
            created_at: createdAt,
            forgotten_at: null,
          })),
        )
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      for (const [id, external] of await stored(organizationId, kind, style, missing))
        found.set(id, external);
      missing = missing.filter((id) => !found.has(id));
    }
    if (missing.length > 0) throw new Error(`could not allocate a ${style} id for ${kind} ${missing[0]}`);
    return found;
  }

  const idsOf: ExternalIds['idsOf'] = async (organizationId, kind, internalIds, style) => {
    positiveId('organizationId', organizationId);
    checkKind(kind);
    checkStyle(style);
    const ids = [...new Set(internalIds.map((id) => positiveId('id', id)))];
    const found = new Map<number, string>();
    for (let start = 0; start < ids.length; start += CHUNK)
      for (const [id, external] of await allocateChunk(
        organizationId,
        kind,
        style,
        ids.slice(start, start + CHUNK),
      ))
        found.set(id, external);
    return found;
  };

  return {
    idsOf,
    async idOf(organizationId, kind, internalId, style) {
      const found = await idsOf(organizationId, kind, [internalId], style);
      return found.get(internalId) as string;
    },
    async resolve(organizationId, kind, style, external, field = 'id') {
      positiveId('organizationId', organizationId);
      checkKind(kind);
      const { shape, problem } = storedStyles[checkStyle(style)];
      // Vendors' clients may upper-case hex; ids are stored as drawn, in lower case.
      const normalized = typeof external === 'string' ? external.toLowerCase() : undefined;
      if (normalized === undefined || !shape.test(normalized)) throw validationError(field, problem);
      const row = await db
        .selectFrom('external_ids')
        .select('internal_id')
        .where('organization_id', '=', organizationId)
        .where('kind', '=', kind)
        .where('style', '=', style)
        .where('external_id', '=', normalized)
        .where('forgotten_at', 'is', null)
        .executeTakeFirst();
      return row === undefined ? undefined : Number(row.internal_id);
    },
    async forget(organizationId, kind, internalId) {
      await db
        .updateTable('external_ids')
        .set({ forgotten_at: nowIso() })
        .where('organization_id', '=', positiveId('organizationId', organizationId))
        .where('kind', '=', checkKind(kind))
        .where('internal_id', '=', positiveId('id', internalId))
        .where('forgotten_at', 'is', null)
        .execute();
    },
  };
}
