import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import type { ApiKeysTable } from '../directory/tables.ts';
import { findUserRow } from '../directory/users-read.ts';
import { requiredText, validId } from '../directory/validation.ts';
import { conflict, notFound, validationError } from '../errors.ts';
import { authorize, can } from './authorize.ts';
import type { Principal } from './principal.ts';
import { displayPrefix, generateApiKey, SESSION_PREFIX, sha256 } from './secrets.ts';

type Db = Kysely<Database>;

/** An API key as lists show it: never the secret nor its hash. */
export interface ApiKey {
  id: number;
  uuid: string;
  userId: number;
  name: string;
  prefix: string;
  dataSourceIds: number[] | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** When the secret was last replaced (`rotateApiKey`); null if never. */
  rotatedAt: string | null;
  /** `script`: the short-lived key of a script run; `standard` otherwise. */
  kind: 'standard' | 'script';
}

export interface NewApiKey {
  name: string;
  /** Must lie in the future; absent = never expires. */
  expiresAt?: Date | string;
  /** Owner; defaults to the caller. Only admins create keys for others. */
  userId?: number;
  /** Makes a data-API key: it may only query these data sources and change nothing. */
  dataSourceIds?: number[];
}

export function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    uuid: row.uuid,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    dataSourceIds: row.data_source_ids === null ? null : (JSON.parse(row.data_source_ids) as number[]),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    rotatedAt: row.rotated_at,
    kind: row.kind === 'script' ? 'script' : 'standard',
  };
}

/** Users manage their own keys; admins anyone's. A key the caller may not manage is not theirs to see. */
const keyAction = (principal: Principal, ownerId: number) =>
  ownerId === principal.userId ? 'apikey.own' : 'apikey.all';

function futureDate(value: Date | string, now: Date): string {
  const date =
    value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw validationError('expiresAt', 'must be an ISO-8601 date-time');
  if (date.getTime() <= now.getTime()) throw validationError('expiresAt', 'must lie in the future');
  return date.toISOString();
}

/** Which of these data sources exist in the organization (the data module answers). */
export type DataSourceLookup = (organizationId: number, ids: number[]) => Promise<number[]>;

function validDataSourceIds(value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw validationError('dataSourceIds', 'must be a non-empty list of data source ids');
  }
  return [...new Set(value.map((id) => validId('dataSourceIds', id)))];
}

/** Without a lookup (a store without the data module) ids are taken as they are. */
async function requireSources(
  lookup: DataSourceLookup | undefined,
  organizationId: number,
  ids: number[],
  field: string,
): Promise<void> {
  if (!lookup) return;
  const known = new Set(await lookup(organizationId, ids));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw validationError(field, `unknown data sources ${unknown.join(', ')}`);
}

/** Stores a key (no permission check: callers decide). */
async function insertKey(
  db: Db,
  userId: number,
  plainKey: string,
  name: string,
  now: Date,
  extra: { expiresAt?: string; dataSourceIds?: number[]; kind?: 'script' } = {},
): Promise<ApiKey> {
  const row = await db
    .insertInto('api_keys')
    .values({
      uuid: randomUUID(),
      user_id: userId,
      name,
      secret_hash: sha256(plainKey),
      prefix: displayPrefix(plainKey),
      data_source_ids: extra.dataSourceIds ? JSON.stringify(extra.dataSourceIds) : null,
      created_at: now.toISOString(),
      expires_at: extra.expiresAt ?? null,
      last_used_at: null,
      revoked_at: null,
      rotated_at: null,
      kind: extra.kind ?? 'standard',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toApiKey(row);
}

async function requireLiveOwner(db: Db, organizationId: number, userId: number): Promise<void> {
  const owner = await findUserRow(db, organizationId, userId);
  if (!owner) throw notFound('user', userId);
  if (owner.status === 'deleted') throw conflict(`user ${userId} is deleted`, 'userId');
}

/** Creates a key; the plain key is in the answer and nowhere else, ever. */
export async function createApiKey(
  db: Db,
  principal: Principal,
  input: NewApiKey,
  now: Date,
  lookup?: DataSourceLookup,
): Promise<{ key: string; apiKey: ApiKey }> {
  const ownerId = input.userId === undefined ? principal.userId : validId('userId', input.userId);
  authorize(principal, keyAction(principal, ownerId));
  const name = requiredText('name', input.name);
  const expiresAt = input.expiresAt === undefined ? undefined : futureDate(input.expiresAt, now);
  const dataSourceIds =
    input.dataSourceIds === undefined ? undefined : validDataSourceIds(input.dataSourceIds);
  if (dataSourceIds) await requireSources(lookup, principal.organizationId, dataSourceIds, 'dataSourceIds');
  await requireLiveOwner(db, principal.organizationId, ownerId);
  const key = generateApiKey();
  const apiKey = await db.transaction().execute(async (trx) => {
    const created = await insertKey(trx, ownerId, key, name, now, { expiresAt, dataSourceIds });
    await recordAudit(trx, principal, {
      action: 'apikey.create',
      target: { type: 'api_key', id: created.id },
      details: { name, ownerId, dataSourceIds: dataSourceIds ?? null, expiresAt: expiresAt ?? null },
    });
    return created;
  });
  return { key, apiKey };
}

/**
 * The key of one script run: its owner's rights as the owner has them now, never a credential
 * minter (see `actions.ts`). No permission check: the script service decides who runs scripts.
 */
export async function createScriptKey(
  db: Db,
  owner: Principal,
  name: string,
  expiresAt: Date,
  now: Date,
): Promise<{ key: string; apiKey: ApiKey }> {
  const key = generateApiKey();
  const apiKey = await insertKey(db, owner.userId, key, name, now, {
    expiresAt: futureDate(expiresAt, now),
    kind: 'script',
  });
  return { key, apiKey };
}

/** The keys of one user (default: the caller), revoked ones included so the history stays visible. */
export async function listApiKeys(
  db: Db,
  principal: Principal,
  userId = principal.userId,
): Promise<ApiKey[]> {
  authorize(principal, keyAction(principal, validId('userId', userId)));
  const rows = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .selectAll('api_keys')
    .where('users.organization_id', '=', principal.organizationId)
    .where('api_keys.user_id', '=', userId)
    .orderBy('api_keys.id')
    .execute();
  return rows.map(toApiKey);
}

async function manageableKey(db: Db, principal: Principal, id: number): Promise<Selectable<ApiKeysTable>> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .selectAll('api_keys')
    .where('users.organization_id', '=', principal.organizationId)
    .where('api_keys.id', '=', validId('id', id))
    .executeTakeFirst();
  // A key the caller may not manage is reported as missing: its existence is not theirs to learn.
  if (!row || !can(principal, keyAction(principal, row.user_id))) throw notFound('API key', id);
  return row;
}

/** Revoking is final and idempotent: a revoked key stays revoked, with its first revocation time. */
export async function revokeApiKey(db: Db, principal: Principal, id: number, now: Date): Promise<ApiKey> {
  const row = await manageableKey(db, principal, id);
  if (row.revoked_at !== null) return toApiKey(row);
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('api_keys')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: 'apikey.revoke',
      target: { type: 'api_key', id: row.id },
      details: { name: row.name, ownerId: row.user_id },
    });
    return toApiKey(updated);
  });
}

/** A key's secret is replaced at most this often, so a leaked key cannot keep itself alive by rotating. */
const ROTATION_INTERVAL_MS = 60 * 60_000;

/**
 * Replaces the secret of an expiring key and sets its new expiry: the old secret stops working at
 * once, and the new one is in the answer only. A key that never expires has nothing to renew.
 */
export async function rotateApiKey(
  db: Db,
  principal: Principal,
  id: number,
  expiresAt: Date | string,
  now: Date,
): Promise<{ key: string; apiKey: ApiKey }> {
  const row = await manageableKey(db, principal, id);
  if (row.revoked_at !== null) throw conflict(`API key ${id} is revoked`);
  if (row.expires_at === null)
    throw validationError('id', 'the key never expires: create a key with an expiry to rotate it');
  if (row.rotated_at !== null && now.getTime() - Date.parse(row.rotated_at) < ROTATION_INTERVAL_MS)
    throw validationError('id', 'the key was rotated less than an hour ago');
  const nextExpiry = futureDate(expiresAt, now);
  const key = generateApiKey();
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('api_keys')
      .set({
        secret_hash: sha256(key),
        prefix: displayPrefix(key),
        expires_at: nextExpiry,
        rotated_at: now.toISOString(),
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: 'apikey.rotate',
      target: { type: 'api_key', id: row.id },
      details: { name: row.name, ownerId: row.user_id, expiresAt: nextExpiry },
    });
    return { key, apiKey: toApiKey(updated) };
  });
}

export interface ApiKeyPatch {
  name?: string;
  /** Replaces the sources of a data-API key. */
  dataSourceIds?: number[] | null;
  /** Adds one source to a data-API key (after `dataSourceIds`). */
  addDataSourceId?: number;
  /** Takes one source off a data-API key (last); its last source cannot go: revoke the key instead. */
  removeDataSourceId?: number;
}

/** The sources a patch leaves on a key (set, then add, then remove); undefined = untouched. */
async function nextDataSources(
  current: number[] | null,
  patch: ApiKeyPatch,
  organizationId: number,
  lookup: DataSourceLookup | undefined,
): Promise<number[] | undefined> {
  const { dataSourceIds, addDataSourceId, removeDataSourceId } = patch;
  if (dataSourceIds === undefined && addDataSourceId === undefined && removeDataSourceId === undefined)
    return undefined;
  if (current === null)
    throw validationError('dataSourceIds', 'a full API key cannot be restricted; create a data-API key');
  if (dataSourceIds === null)
    throw validationError('dataSourceIds', 'a data-API key cannot become a full key; create a new key');
  let next = current;
  if (dataSourceIds !== undefined) {
    next = validDataSourceIds(dataSourceIds);
    await requireSources(lookup, organizationId, next, 'dataSourceIds');
  }
  if (addDataSourceId !== undefined) {
    const added = validId('addDataSourceId', addDataSourceId);
    await requireSources(lookup, organizationId, [added], 'addDataSourceId');
    if (!next.includes(added)) next = [...next, added];
  }
  if (removeDataSourceId !== undefined) {
    const removed = validId('removeDataSourceId', removeDataSourceId);
    next = next.filter((source) => source !== removed);
    if (next.length === 0)
      throw validationError(
        'removeDataSourceId',
        'is the last data source of the key; revoke the key instead',
      );
  }
  return next;
}

/**
 * Renames a key or changes the sources of a data-API key. A full key stays full and a data key
 * stays restricted: widening a partner's key to everything its owner may do, or narrowing a
 * user's own key, would change what a secret already handed out stands for.
 */
export async function updateApiKey(
  db: Db,
  principal: Principal,
  id: number,
  patch: ApiKeyPatch,
  lookup?: DataSourceLookup,
): Promise<ApiKey> {
  const row = await manageableKey(db, principal, id);
  if (row.revoked_at !== null) throw conflict(`API key ${id} is revoked`);
  const set: { name?: string; data_source_ids?: string } = {};
  if (patch.name !== undefined) set.name = requiredText('name', patch.name);
  const sources = await nextDataSources(toApiKey(row).dataSourceIds, patch, principal.organizationId, lookup);
  if (sources) set.data_source_ids = JSON.stringify(sources);
  if (Object.keys(set).length === 0) return toApiKey(row);
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('api_keys')
      .set(set)
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (sources)
      await recordAudit(trx, principal, {
        action: 'apikey.sources',
        target: { type: 'api_key', id: row.id },
        details: { before: toApiKey(row).dataSourceIds, after: sources },
      });
    return toApiKey(updated);
  });
}

export const MIN_REGISTERED_KEY_LENGTH = 32;

/**
 * Registers a key chosen outside Rosetta (the bootstrap key of the configuration). A key already
 * stored — even revoked — is left alone, so a restart neither duplicates nor resurrects it.
 */
export async function registerApiKey(
  db: Db,
  userId: number,
  plainKey: string,
  name: string,
  now: Date,
): Promise<{ apiKey: ApiKey; created: boolean }> {
  if (typeof plainKey !== 'string' || plainKey.length < MIN_REGISTERED_KEY_LENGTH || /\s/.test(plainKey)) {
    throw validationError('key', `must be at least ${MIN_REGISTERED_KEY_LENGTH} characters without spaces`);
  }
  if (plainKey.startsWith(SESSION_PREFIX))
    throw validationError('key', `must not start with ${SESSION_PREFIX}`);
  const existing = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('secret_hash', '=', sha256(plainKey))
    .executeTakeFirst();
  if (existing) return { apiKey: toApiKey(existing), created: false };
  return { apiKey: await insertKey(db, userId, plainKey, requiredText('name', name), now), created: true };
}
