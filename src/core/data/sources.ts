import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { hasManagedStorage } from '../../engines/index.ts';
import type { ColumnInfo, Engine, ManagedStorage } from '../../engines/types.ts';
import type { Store } from '../../store/database.ts';
import type { StoreLock } from '../../store/locks.ts';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize, inScope } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, notFound, RosettaError, validationError } from '../errors.ts';
import { type ItemFiling, noFiling, updateFiled } from '../filing.ts';
import type { ModelRelation } from '../query/model.ts';
import { refuseNul } from '../storable.ts';
import { type AccessEntry, checkAccess, onAccessList, parseAccess, requireEditAccess } from './access.ts';
import { checkPolicies, checkPrimaryKey, checkStorageColumns, storageColumnInfo } from './columns.ts';
import type { EngineRegistry } from './engine-registry.ts';
import { isNumericRef } from './refs.ts';
import { lockedStorage } from './storage-lock.ts';
import type { DataSourcesTable } from './tables.ts';
import type { DataSource, DataSourceInput, DataSourcePatch, DataSourceType, SourceFormula } from './types.ts';

type StorageInput = Extract<DataSourceInput, { type: 'storage' }>;

/**
 * Data sources. Rules (`source.*` actions): viewers and up read them (list, get, columns);
 * developers and admins create, change and delete them (an `sql` source runs arbitrary SELECTs on
 * the warehouse, a `table` source exposes a table). A data-API key sees only its sources. Names
 * need not be unique: the uuid is the handle (as in Serenytics). Previews are queries
 * (`QueryService.preview`). A source with an access list (access.ts) is "not found" for
 * whoever is not on it; changing it needs `edit` on the list.
 */
export interface DataSourceService {
  list(principal: Principal): Promise<DataSource[]>;
  get(principal: Principal, ref: number | string): Promise<DataSource>;
  /** As `get`, but undefined when no source of that ref is visible (a ref that may name a model). */
  findVisible(principal: Principal, ref: number | string): Promise<DataSource | undefined>;
  create(principal: Principal, input: DataSourceInput): Promise<DataSource>;
  update(principal: Principal, ref: number | string, patch: DataSourcePatch): Promise<DataSource>;
  delete(principal: Principal, ref: number | string): Promise<void>;
  refreshColumns(principal: Principal, ref: number | string): Promise<DataSource>;
  /** Replaces the access list (empty = everyone of the organization). */
  setAccess(principal: Principal, ref: number | string, access: AccessEntry[]): Promise<DataSource>;
  /** For other core services and bootstrap: no permission check. */
  find(organizationId: number, ref: number | string): Promise<DataSource | undefined>;
  findByName(organizationId: number, name: string): Promise<DataSource | undefined>;
  createStorage(organizationId: number, input: StorageInput): Promise<DataSource>;
  /** Records columns added to a storage table (ingestion of new columns). */
  setColumns(source: DataSource, columns: ColumnInfo[]): Promise<DataSource>;
  bumpVersion(source: DataSource): Promise<number>;
  storageOf(source: DataSource): Promise<Engine & ManagedStorage>;
}

export function relationOf(source: DataSource): ModelRelation {
  if (source.type === 'sql') return { kind: 'sql', sql: source.sql ?? '' };
  return { kind: 'table', ...(source.schema && { schema: source.schema }), table: source.table ?? '' };
}

const parse = <T>(text: string): T => JSON.parse(text) as T;

export function toDataSource(row: Selectable<DataSourcesTable>): DataSource {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    connectionId: row.connection_id,
    name: row.name,
    type: row.type as DataSourceType,
    ...(row.schema_name !== null && { schema: row.schema_name }),
    ...(row.table_name !== null && { table: row.table_name }),
    ...(row.sql_text !== null && { sql: row.sql_text }),
    columns: parse(row.columns),
    primaryKey: parse(row.primary_key),
    policies: parse(row.policies),
    formulas: row.formulas === null ? [] : parse(row.formulas),
    version: row.version,
    access: parseAccess(row.access),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const MAX_FORMULAS = 500;
const MAX_FORMULA_LENGTH = 2000;

function checkFormulas(formulas: unknown): SourceFormula[] {
  if (!Array.isArray(formulas) || formulas.length > MAX_FORMULAS)
    throw validationError('formulas', `must be a list of at most ${MAX_FORMULAS} formulas`);
  const ids = new Set<string>();
  return formulas.map((formula: Partial<SourceFormula> | null, i) => {
    const { id, name, expression } = formula ?? {};
    if (typeof id !== 'string' || !id || id.length > 200 || ids.has(id))
      throw validationError(`formulas[${i}].id`, 'must be a unique string of 1 to 200 characters');
    if (typeof name !== 'string' || name.length > 200)
      throw validationError(`formulas[${i}].name`, 'must be a string of at most 200 characters');
    if (typeof expression !== 'string' || expression.length > MAX_FORMULA_LENGTH)
      throw validationError(
        `formulas[${i}].expression`,
        `must be a string of at most ${MAX_FORMULA_LENGTH} characters`,
      );
    ids.add(id);
    return { id, name, expression };
  });
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim() || name.length > 200)
    throw validationError('name', 'must be 1 to 200 characters');
  return refuseNul(name, 'name').trim();
}

/**
 * The SQL of a source as queries nest it (`(…) AS q`): no trailing semicolon. Whether it is one
 * statement that only reads is the warehouse's own parser's call (`describeQuery`), never a pattern's.
 */
function checkSelect(sql: unknown): string {
  if (typeof sql !== 'string' || !sql.trim()) throw validationError('sql', 'must be a SELECT statement');
  return refuseNul(sql, 'sql').trim().replace(/;\s*$/, '');
}

export function createDataSourceService(deps: {
  store: Store;
  registry: EngineRegistry;
  /** Files sources in data-source folders (`update` with `folderId`). */
  filing?: ItemFiling;
  /** Held around every write to a managed table when several nodes share its warehouse. */
  storageLock?: StoreLock;
}): DataSourceService {
  const { db } = deps.store;
  const filing = deps.filing ?? noFiling;

  async function find(organizationId: number, ref: number | string): Promise<DataSource | undefined> {
    let query = db
      .selectFrom('data_sources')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('deleted_at', 'is', null);
    query = isNumericRef(ref) ? query.where('id', '=', Number(ref)) : query.where('uuid', '=', String(ref));
    const row = await query.executeTakeFirst();
    return row && toDataSource(row);
  }

  /** A data-API key, or a principal off the source's access list, gets "not found": ids do not leak. */
  async function visible(principal: Principal, ref: number | string): Promise<DataSource> {
    const source = await seen(principal, ref);
    if (!source) throw notFound('data source', ref);
    return source;
  }

  async function seen(principal: Principal, ref: number | string): Promise<DataSource | undefined> {
    const source = await find(principal.organizationId, ref);
    return source &&
      inScope(principal, { dataSourceIds: [source.id] }) &&
      onAccessList(principal, source.access)
      ? source
      : undefined;
  }

  /** A source the principal may change: visible, and `edit` on its access list. */
  async function editable(principal: Principal, ref: number | string): Promise<DataSource> {
    authorize(principal, 'source.manage');
    const source = await visible(principal, ref);
    requireEditAccess(principal, source.access, 'data source');
    return source;
  }

  async function connectionInOrganization(organizationId: number, connectionId: unknown): Promise<number> {
    const row = await db
      .selectFrom('connections')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('id', '=', Number(connectionId))
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw validationError('connectionId', `no connection ${JSON.stringify(connectionId)}`);
    return row.id;
  }

  async function describe(connectionId: number, input: { schema?: string; table?: string; sql?: string }) {
    const engine = await deps.registry.engineFor(connectionId);
    if (input.sql !== undefined) return engine.describeQuery(input.sql);
    const tables = await engine.introspect();
    const matches = tables.filter(
      (t) => t.name === input.table && (!input.schema || t.schema === input.schema),
    );
    if (matches.length === 0) throw validationError('table', `no table "${input.table}" in the connection`);
    if (matches.length > 1)
      throw validationError('schema', `table "${input.table}" exists in several schemas; name one`);
    return matches[0].columns;
  }

  async function storageOfConnection(connectionId: number): Promise<Engine & ManagedStorage> {
    const engine = await deps.registry.engineFor(connectionId);
    if (!hasManagedStorage(engine))
      throw new RosettaError('ERR_ENGINE', `connection ${connectionId} has no managed storage`);
    return deps.storageLock ? lockedStorage(engine, deps.storageLock) : engine;
  }

  const storageOf = (source: DataSource) => storageOfConnection(source.connectionId);

  async function insertRow(
    organizationId: number,
    values: Omit<
      Selectable<DataSourcesTable>,
      | 'id'
      | 'uuid'
      | 'organization_id'
      | 'formulas'
      | 'version'
      | 'created_at'
      | 'updated_at'
      | 'deleted_at'
      | 'deleted_by'
      | 'access'
    >,
  ) {
    const now = nowIso();
    const row = await db
      .insertInto('data_sources')
      .values({
        ...values,
        uuid: randomUUID(),
        organization_id: organizationId,
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDataSource(row);
  }

  async function createStorage(organizationId: number, input: StorageInput): Promise<DataSource> {
    const columns = checkStorageColumns(input.columns ?? []);
    const primaryKey = checkPrimaryKey(input.primaryKey ?? [], columns);
    const infos = storageColumnInfo(columns, primaryKey);
    const policies = checkPolicies(input.policies ?? [], infos);
    const embedded = await db
      .selectFrom('connections')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('builtin', '=', 1)
      .executeTakeFirst();
    if (!embedded)
      throw new RosettaError('ERR_CONFLICT', 'the organization has no embedded connection for storage');
    const storage = await storageOfConnection(embedded.id);
    const created = await insertRow(organizationId, {
      name: checkName(input.name),
      type: 'storage',
      connection_id: embedded.id,
      schema_name: storage.storageSchema,
      table_name: null,
      sql_text: null,
      columns: JSON.stringify(infos),
      primary_key: JSON.stringify(primaryKey),
      policies: JSON.stringify(policies),
    });
    // The table is named after the id, known only now; a failed CREATE leaves no orphan row.
    const table = `ds_${created.id}`;
    await db.updateTable('data_sources').set({ table_name: table }).where('id', '=', created.id).execute();
    const source = { ...created, table };
    try {
      if (columns.length > 0) await (await storageOf(source)).createTable(table, columns, primaryKey);
    } catch (error) {
      await db.deleteFrom('data_sources').where('id', '=', created.id).execute();
      throw error;
    }
    return source;
  }

  async function save(source: DataSource, set: Partial<Selectable<DataSourcesTable>>): Promise<DataSource> {
    await db
      .updateTable('data_sources')
      .set({ ...set, updated_at: nowIso() })
      .where('id', '=', source.id)
      .execute();
    return (await find(source.organizationId, source.id)) as DataSource;
  }

  return {
    async list(principal) {
      authorize(principal, 'source.read');
      let query = db
        .selectFrom('data_sources')
        .selectAll()
        .where('organization_id', '=', principal.organizationId)
        .where('deleted_at', 'is', null);
      if (principal.dataSourceIds) query = query.where('id', 'in', [0, ...principal.dataSourceIds]);
      return (await query.orderBy('id').execute())
        .map(toDataSource)
        .filter((source) => onAccessList(principal, source.access));
    },
    async get(principal, ref) {
      authorize(principal, 'source.read');
      return visible(principal, ref);
    },
    async findVisible(principal, ref) {
      authorize(principal, 'source.read');
      return seen(principal, ref);
    },
    async create(principal, input) {
      authorize(principal, 'source.manage');
      if (input.type === 'storage') return createStorage(principal.organizationId, input);
      const name = checkName(input.name);
      const connectionId = await connectionInOrganization(principal.organizationId, input.connectionId);
      const relation: { schema?: string; table?: string; sql?: string } =
        input.type === 'sql'
          ? { sql: checkSelect(input.sql) }
          : { schema: input.schema || undefined, table: input.table };
      if (input.type === 'table' && (typeof input.table !== 'string' || !input.table)) {
        throw validationError('table', 'is required for a table source');
      }
      const columns = await describe(connectionId, relation);
      return insertRow(principal.organizationId, {
        name,
        type: input.type,
        connection_id: connectionId,
        schema_name: relation.schema ?? null,
        table_name: relation.table ?? null,
        sql_text: relation.sql ?? null,
        columns: JSON.stringify(columns),
        primary_key: '[]',
        policies: JSON.stringify(checkPolicies(input.policies ?? [], columns)),
      });
    },
    async update(principal, ref, patch) {
      const source = await editable(principal, ref);
      const set: Partial<Selectable<DataSourcesTable>> = {};
      if (patch.name !== undefined) set.name = checkName(patch.name);
      let columns = source.columns;
      if (patch.sql !== undefined) {
        if (source.type !== 'sql') throw validationError('sql', `a ${source.type} source has no SQL`);
        set.sql_text = checkSelect(patch.sql);
        columns = await describe(source.connectionId, { sql: set.sql_text });
        set.columns = JSON.stringify(columns);
      }
      if (patch.policies !== undefined) set.policies = JSON.stringify(checkPolicies(patch.policies, columns));
      if (patch.formulas !== undefined) set.formulas = JSON.stringify(checkFormulas(patch.formulas));
      const request = { folderId: patch.folderId, changes: Object.keys(set).length > 0, current: source };
      return updateFiled(filing, principal, { kind: 'data_source', uuid: source.uuid }, request, async () => {
        const saved = await save(source, set);
        if (set.policies !== undefined)
          await recordAudit(db, principal, {
            action: 'source.policies',
            target: { type: 'data_source', id: source.id },
            details: { name: source.name, before: source.policies, after: saved.policies },
          });
        return saved;
      });
    },
    async delete(principal, ref) {
      const source = await editable(principal, ref);
      const users = await db
        .selectFrom('models')
        .select('name')
        .where('organization_id', '=', source.organizationId)
        .where('definition', 'like', `%"dataSource":"${source.uuid}"%`)
        .execute();
      if (users.length > 0)
        throw conflict(`data source is used by models ${users.map((u) => `"${u.name}"`).join(', ')}`);
      // To the trash (data/trash.ts): the row and its storage table stay until purged.
      await db
        .updateTable('data_sources')
        .set({ deleted_at: nowIso(), deleted_by: principal.userId })
        .where('id', '=', source.id)
        .execute();
      await recordAudit(db, principal, {
        action: 'source.trash',
        target: { type: 'data_source', id: source.id },
        details: { name: source.name, type: source.type },
      });
    },
    async refreshColumns(principal, ref) {
      const source = await editable(principal, ref);
      if (source.type === 'storage') return source;
      const columns = await describe(
        source.connectionId,
        source.type === 'sql' ? { sql: source.sql } : source,
      );
      return save(source, { columns: JSON.stringify(columns) });
    },
    async setAccess(principal, ref, access) {
      const source = await editable(principal, ref);
      const checked = await checkAccess(deps.store, principal.organizationId, access);
      const saved = await save(source, { access: checked.length > 0 ? JSON.stringify(checked) : null });
      await recordAudit(db, principal, {
        action: 'source.access',
        target: { type: 'data_source', id: source.id },
        details: { name: source.name, before: source.access, after: saved.access },
      });
      return saved;
    },
    find,
    async findByName(organizationId, name) {
      const row = await db
        .selectFrom('data_sources')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('name', '=', name)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .executeTakeFirst();
      return row && toDataSource(row);
    },
    createStorage,
    async setColumns(source, columns) {
      return save(source, { columns: JSON.stringify(columns) });
    },
    async bumpVersion(source) {
      await db
        .updateTable('data_sources')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: nowIso() }))
        .where('id', '=', source.id)
        .execute();
      const row = await db
        .selectFrom('data_sources')
        .select('version')
        .where('id', '=', source.id)
        .executeTakeFirstOrThrow();
      return row.version;
    },
    storageOf,
  };
}
