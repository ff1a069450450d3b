import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { SharedStorageSpec } from '../../engines/storage-url.ts';
import type { Store } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, fieldError, isRosettaError, notFound, RosettaError, validationError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import type { Model } from '../query/model.ts';
import { otherReaders } from './connection-readers.ts';
import type { EngineRegistry } from './engine-registry.ts';
import { isNumericRef } from './refs.ts';
import type { SecretBox } from './secrets.ts';
import { browseSchema, type ConnectionSchema, runConsoleSql, type SqlResult } from './sql-console.ts';
import { sqlModelOf } from './sql-model.ts';
import type { ConnectionsTable } from './tables.ts';
import type { Connection, ConnectionInput, ConnectionType, DataSource } from './types.ts';
import { duckdbFile, organizationFolder } from './warehouse-files.ts';

export const EMBEDDED_CONNECTION_NAME = 'Embedded DuckDB';
export const EMBEDDED_DUCKDB_FILE = 'warehouse.duckdb';
export const SHARED_STORAGE_CONNECTION_NAME = 'Shared storage';

/**
 * What the organization's builtin connection shows: its embedded DuckDB, or the shared storage
 * (the engine registry reaches it with the configured credentials, which are never stored here).
 */
function builtinInput(sharedStorage: SharedStorageSpec | undefined): ConnectionInput {
  if (!sharedStorage) return { name: EMBEDDED_CONNECTION_NAME, type: 'duckdb', file: EMBEDDED_DUCKDB_FILE };
  const { type, host, port, database, user, ssl } = sharedStorage;
  return { name: SHARED_STORAGE_CONNECTION_NAME, type, host, port, database, user, ssl };
}

/**
 * Connections (warehouses). Rules: developers and admins may read, test, browse and query them
 * (they build sources on them); only admins create, change or delete them, since a connection
 * carries credentials. The embedded connection is created per organization on bootstrap and is fixed.
 */
export interface ConnectionService {
  list(principal: Principal): Promise<Connection[]>;
  get(principal: Principal, ref: number | string): Promise<Connection>;
  create(principal: Principal, input: ConnectionInput): Promise<Connection>;
  update(principal: Principal, ref: number | string, patch: Partial<ConnectionInput>): Promise<Connection>;
  /**
   * Changes the connection one data source reads (admin, as any connection change). Refused
   * (conflict) while other sources or models read that connection: whoever moves "this source's
   * server" does not expect the others to move along; the connection itself can be changed.
   */
  updateOfSource(
    principal: Principal,
    source: DataSource,
    patch: Partial<ConnectionInput>,
  ): Promise<Connection>;
  delete(principal: Principal, ref: number | string): Promise<void>;
  /** Opens the warehouse and pings it; throws ERR_ENGINE / ERR_TIMEOUT with the driver's words. */
  test(principal: Principal, ref: number | string): Promise<void>;
  /**
   * Creates the organization's "Embedded DuckDB" connection once; returns it. Its file is
   * `warehouse.duckdb` in the organization's own folder (`warehouse-files.ts`).
   */
  ensureEmbedded(organizationId: number): Promise<Connection>;
  /** Schemas → tables and views → columns, bounded (developer+, as running SQL on it). */
  schema(principal: Principal, ref: number | string): Promise<ConnectionSchema>;
  /** Runs one SELECT as written (developer+); a statement the warehouse rejects is a 400. */
  runSql(
    principal: Principal,
    ref: number | string,
    input: { sql?: unknown; limit?: unknown },
    signal?: AbortSignal,
  ): Promise<SqlResult>;
  /** A SELECT as a one-table model the query core can aggregate and pivot (`sql.run`, as running it). */
  sqlModel(principal: Principal, ref: number | string, sql: unknown): Promise<Model>;
}

const connectionTypes: readonly ConnectionType[] = ['duckdb', 'postgres', 'mysql', 'clickhouse'];

/** A server's port when the connection names none: each vendor's default (ClickHouse: its HTTP port). */
export const DEFAULT_PORTS: Record<Exclude<ConnectionType, 'duckdb'>, number> = {
  postgres: 5432,
  mysql: 3306,
  clickhouse: 8123,
};

function toConnection(row: Selectable<ConnectionsTable>): Connection {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    name: row.name,
    type: row.type as ConnectionType,
    ...(row.host !== null && { host: row.host }),
    ...(row.port !== null && { port: row.port }),
    ...(row.database_name !== null && { database: row.database_name }),
    ...(row.user_name !== null && { user: row.user_name }),
    ...(row.file !== null && { file: row.file }),
    ssl: row.ssl === 1,
    hasPassword: row.password_secret !== null,
    builtin: row.builtin === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `resolveFile` checks a DuckDB file name in the organization's folder (`warehouse-files.ts`). */
export async function validateConnectionInput(
  input: ConnectionInput,
  resolveFile: (file: string) => Promise<string>,
): Promise<void> {
  if (!input.name?.trim() || input.name.length > 200)
    throw validationError('name', 'must be 1 to 200 characters');
  if (!connectionTypes.includes(input.type))
    throw validationError('type', `must be one of ${connectionTypes.join(', ')}`);
  if (input.type === 'duckdb') {
    await resolveFile(input.file ?? '');
    return;
  }
  for (const field of ['host', 'database', 'user'] as const) {
    if (!input[field]?.trim()) throw validationError(field, `is required for ${input.type}`);
  }
  if (input.port !== undefined && (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535)) {
    throw validationError('port', 'must be an integer between 1 and 65535');
  }
}

export function createConnectionService(deps: {
  store: Store;
  secrets: SecretBox;
  registry: EngineRegistry;
  dataDir: string;
  sqlTimeoutMs?: number;
  events: DomainEvents;
  sharedStorage?: SharedStorageSpec;
}): ConnectionService {
  const { db } = deps.store;
  const fileIn = (organizationId: number) => async (file: string) =>
    duckdbFile(deps.dataDir, await organizationFolder(db, deps.dataDir, organizationId), file);

  async function findRow(
    organizationId: number,
    ref: number | string,
  ): Promise<Selectable<ConnectionsTable>> {
    let query = db
      .selectFrom('connections')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null);
    query = isNumericRef(ref) ? query.where('id', '=', Number(ref)) : query.where('uuid', '=', String(ref));
    const row = await query.executeTakeFirst();
    if (!row) throw notFound('connection', ref);
    return row;
  }

  function columnsOf(input: ConnectionInput, uuid: string) {
    const remote = input.type !== 'duckdb';
    return {
      name: input.name.trim(),
      type: input.type,
      host: remote ? (input.host ?? null) : null,
      port: input.type === 'duckdb' ? null : (input.port ?? DEFAULT_PORTS[input.type]),
      database_name: remote ? (input.database ?? null) : null,
      user_name: remote ? (input.user ?? null) : null,
      ssl: remote && input.ssl ? 1 : 0,
      file: remote ? null : (input.file ?? null),
      ...(input.password !== undefined && {
        password_secret: remote && input.password ? deps.secrets.seal(input.password, uuid) : null,
      }),
    };
  }

  async function insert(
    organizationId: number,
    input: ConnectionInput,
    builtin: boolean,
  ): Promise<Connection> {
    const uuid = randomUUID();
    const now = nowIso();
    const row = await db
      .insertInto('connections')
      .values({
        uuid,
        organization_id: organizationId,
        password_secret: null,
        ...columnsOf(input, uuid),
        builtin: builtin ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toConnection(row);
  }

  const service: ConnectionService = {
    async list(principal) {
      authorize(principal, 'connection.read');
      const rows = await db
        .selectFrom('connections')
        .selectAll()
        .where('organization_id', '=', principal.organizationId)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .execute();
      return rows.map(toConnection);
    },
    async get(principal, ref) {
      authorize(principal, 'connection.read');
      return toConnection(await findRow(principal.organizationId, ref));
    },
    async create(principal, input) {
      authorize(principal, 'connection.manage');
      await validateConnectionInput(input, fileIn(principal.organizationId));
      const created = await insert(principal.organizationId, input, false);
      await recordAudit(db, principal, {
        action: 'connection.create',
        target: { type: 'connection', id: created.id },
        details: { name: created.name, type: created.type },
      });
      return created;
    },
    async update(principal, ref, patch) {
      authorize(principal, 'connection.manage');
      const row = await findRow(principal.organizationId, ref);
      if (row.builtin) throw conflict('the embedded connection cannot be changed');
      const current = toConnection(row);
      const merged: ConnectionInput = { ...current, ...patch };
      await validateConnectionInput(merged, fileIn(principal.organizationId));
      await db
        .updateTable('connections')
        .set({ ...columnsOf({ ...merged, password: patch.password }, row.uuid), updated_at: nowIso() })
        .where('id', '=', row.id)
        .execute();
      await deps.registry.invalidate(row.id);
      await deps.events.emit('connectionChanged', { connectionId: row.id });
      await recordAudit(db, principal, {
        action: 'connection.update',
        target: { type: 'connection', id: row.id },
        details: { changed: Object.keys(patch), name: merged.name },
      });
      return toConnection(await findRow(principal.organizationId, row.id));
    },
    async updateOfSource(principal, source, patch) {
      const field = Object.keys(patch)[0] ?? 'host';
      if (source.type === 'storage')
        throw validationError(
          field,
          "a storage source has no server: its rows live in Rosetta's own storage",
        );
      authorize(principal, 'connection.manage');
      const row = await findRow(principal.organizationId, source.connectionId);
      if (row.type === 'duckdb')
        throw validationError(field, `the source reads the DuckDB file "${row.file}", which has no server`);
      const others = await otherReaders(deps.store, row.id, source);
      if (others.length > 0) {
        const named =
          others.slice(0, 5).join(', ') + (others.length > 5 ? ` and ${others.length - 5} more` : '');
        throw fieldError(
          'ERR_CONFLICT',
          field,
          `connection "${row.name}" also serves ${named}; change the connection itself to move them all`,
        );
      }
      return service.update(principal, row.id, patch);
    },
    async delete(principal, ref) {
      authorize(principal, 'connection.manage');
      const row = await findRow(principal.organizationId, ref);
      if (row.builtin) throw conflict('the embedded connection cannot be deleted');
      const used = await db
        .selectFrom('data_sources')
        .select('id')
        .where('connection_id', '=', row.id)
        .where('deleted_at', 'is', null)
        .union(db.selectFrom('models').select('id').where('connection_id', '=', row.id))
        .execute();
      if (used.length > 0) {
        throw conflict(
          `connection "${row.name}" is used by ${used.length} data sources or models; delete them first`,
        );
      }
      // To the trash (data/trash.ts): the row and its DuckDB file stay until purged.
      await db
        .updateTable('connections')
        .set({ deleted_at: nowIso(), deleted_by: principal.userId })
        .where('id', '=', row.id)
        .execute();
      await deps.registry.invalidate(row.id);
      await deps.events.emit('connectionChanged', { connectionId: row.id });
      await recordAudit(db, principal, {
        action: 'connection.trash',
        target: { type: 'connection', id: row.id },
        details: { name: row.name },
      });
    },
    async test(principal, ref) {
      authorize(principal, 'connection.read');
      const row = await findRow(principal.organizationId, ref);
      try {
        await deps.registry.probe(row.id);
      } catch (error) {
        if (isRosettaError(error) && error.code === 'ERR_TIMEOUT') throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new RosettaError('ERR_ENGINE', `connection "${row.name}" failed: ${reason}`);
      }
    },
    async schema(principal, ref) {
      authorize(principal, 'connection.read');
      const row = await findRow(principal.organizationId, ref);
      const sources = await db
        .selectFrom('data_sources')
        .select(['name', 'schema_name', 'table_name'])
        .where('organization_id', '=', principal.organizationId)
        .where('connection_id', '=', row.id)
        .where('table_name', 'is not', null)
        .orderBy('name')
        .execute();
      return browseSchema(
        await deps.registry.engineFor(row.id),
        sources.map((source) => ({
          name: source.name,
          ...(source.schema_name !== null && { schema: source.schema_name }),
          table: source.table_name ?? '',
        })),
      );
    },
    async runSql(principal, ref, input, signal) {
      authorize(principal, 'sql.run');
      const row = await findRow(principal.organizationId, ref);
      return runConsoleSql(await deps.registry.engineFor(row.id), input, {
        signal,
        timeoutMs: deps.sqlTimeoutMs,
      });
    },
    async sqlModel(principal, ref, sql) {
      authorize(principal, 'sql.run');
      const row = await findRow(principal.organizationId, ref);
      return sqlModelOf(await deps.registry.engineFor(row.id), row.id, sql);
    },
    async ensureEmbedded(organizationId) {
      const existing = await db
        .selectFrom('connections')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('builtin', '=', 1)
        .executeTakeFirst();
      const input = builtinInput(deps.sharedStorage);
      if (!existing) return insert(organizationId, input, true);
      if (existing.type === input.type && existing.name === input.name) return toConnection(existing);
      // Storage moved (to or from a shared warehouse): the connection shown says where it is now.
      const row = await db
        .updateTable('connections')
        .set({ ...columnsOf(input, existing.uuid), updated_at: nowIso() })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await deps.registry.invalidate(row.id);
      return toConnection(row);
    },
  };
  return service;
}
