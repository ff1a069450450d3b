import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ColumnInfo, Engine } from '../../engines/types.ts';
import type { Store } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize, can, inScope } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { projectForNew, projectOf } from '../directory/index.ts';
import { conflict, isRosettaError, notFound, renameField, validationError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import { type ItemFiling, noFiling, updateFiled } from '../filing.ts';
import type { Model, ModelRelation, ModelTable, RowPolicy } from '../query/model.ts';
import { restrictionsFor } from '../query/required-attributes.ts';
import { checkModelSql } from '../query/sql-probe.ts';
import { refuseNul } from '../storable.ts';
import { type AccessEntry, checkAccess, onAccessList, parseAccess, requireEditAccess } from './access.ts';
import type { EngineRegistry } from './engine-registry.ts';
import { loadMemberRules } from './member-rules.ts';
import { validateModelDefinition } from './model-validation.ts';
import { isNumericRef } from './refs.ts';
import { type DataSourceService, relationOf } from './sources.ts';
import type { ModelsTable } from './tables.ts';
import type { DataSource, ModelDefinition, ModelInput, ModelPatch, StoredModel } from './types.ts';

/** The alias of the one table of a data source's model: `source.<column>` addresses its fields. */
export const SOURCE_TABLE = 'source';

/**
 * Models. Rules (`model.*` actions): viewers and up read them; developers and admins create,
 * change and delete them; queries on them are the query service's (`query.adhoc`). Names are unique per
 * project (Lightdash projects each hold their explores); a name shared by projects reaches the
 * caller's project's model, else it is ambiguous and the model is addressed by uuid. Tables may
 * point at data sources (`{name, dataSource: uuid}`) of the same connection; the model then
 * follows their versions, so ingestion into them invalidates cached results.
 */
export interface ModelService {
  list(principal: Principal, options?: { projectId?: number }): Promise<StoredModel[]>;
  /** By id, uuid or name. */
  get(principal: Principal, ref: number | string): Promise<StoredModel>;
  create(principal: Principal, input: ModelInput): Promise<StoredModel>;
  update(principal: Principal, ref: number | string, patch: ModelPatch): Promise<StoredModel>;
  delete(principal: Principal, ref: number | string): Promise<void>;
  /** Replaces the access list (empty = everyone of the organization). */
  setAccess(principal: Principal, ref: number | string, access: AccessEntry[]): Promise<StoredModel>;
  /**
   * A data source uuid or a model name of the principal's organization → the Model the query
   * core compiles. The query service authorizes what runs on it; here, a principal off the access
   * list of the model or of a source it reads gets "not found" — unless `granted`: the body is a
   * dashboard's saved widget, and a dashboard grants its readers its data.
   */
  resolveModel(principal: Principal, source: string, options?: ResolveOptions): Promise<Model>;
  /** The one-table model of a data source, by id or uuid (previews); access lists as resolveModel. */
  sourceModel(principal: Principal, ref: number | string): Promise<Model>;
  /**
   * Checks a stored model against its warehouse as it is now (tables, columns, SQL) without
   * changing it, as saving it again would: the error saving would give, or nothing.
   */
  check(principal: Principal, ref: number | string): Promise<void>;
}

export interface ResolveOptions {
  /** A saved widget of a dashboard the caller may run: access lists do not apply. */
  granted?: boolean;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toStored(row: Selectable<ModelsTable>): StoredModel {
  const definition = JSON.parse(row.definition) as ModelDefinition;
  return {
    ...definition,
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    projectId: row.project_id,
    name: row.name,
    connectionId: row.connection_id,
    version: row.version,
    access: parseAccess(row.access),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function modelOfDataSource(source: DataSource, addressedAs: string): Model {
  return {
    name: addressedAs,
    connectionId: source.connectionId,
    baseTable: SOURCE_TABLE,
    tables: [{ name: SOURCE_TABLE, relation: relationOf(source) }],
    joins: [],
    dimensions: source.columns.map((c) => ({
      name: c.name,
      table: SOURCE_TABLE,
      column: c.name,
      type: c.type,
      ...(c.nativeType !== undefined && { nativeType: c.nativeType }),
    })),
    metrics: [],
    policies: source.policies,
    version: source.version,
    dataSourceIds: [source.id],
  };
}

/**
 * A data source's row policy holds in every model reading it, addressed through the model's
 * dimension of that column. A column the model does not expose stays an unknown field, so
 * non-admin queries fail rather than show rows the policy hides.
 */
function sourcePolicy(model: ModelDefinition, table: string, policy: RowPolicy): RowPolicy {
  return { ...policy, field: sourceFieldIn(model, table, policy.field) };
}

/** A data source's field (`source.<column>` or `<column>`) as a model reading it in `table` addresses it. */
function sourceFieldIn(model: ModelDefinition, table: string, field: string): string {
  const column = field.startsWith(`${SOURCE_TABLE}.`) ? field.slice(SOURCE_TABLE.length + 1) : field;
  const dimension = model.dimensions.find((d) => d.table === table && d.column === column);
  return `${table}.${dimension?.name ?? column}`;
}

export function createModelService(deps: {
  store: Store;
  registry: EngineRegistry;
  sources: DataSourceService;
  events: DomainEvents;
  /** Files models in data-source folders (`update` with `folderId`). */
  filing?: ItemFiling;
}): ModelService {
  const { db } = deps.store;
  const filing = deps.filing ?? noFiling;

  /**
   * By id or uuid; by name, the one model of that name, or the one in `projectId` (the caller's
   * project) when several projects hold one. Any other name shared by projects is ambiguous.
   */
  async function findRow(organizationId: number, ref: number | string, projectId?: number) {
    const query = db.selectFrom('models').selectAll().where('organization_id', '=', organizationId);
    if (isNumericRef(ref)) return query.where('id', '=', Number(ref)).executeTakeFirst();
    if (uuidPattern.test(String(ref))) return query.where('uuid', '=', String(ref)).executeTakeFirst();
    const named = await query.where('name', '=', String(ref)).orderBy('id').execute();
    if (named.length <= 1) return named[0];
    const own = named.find((row) => row.project_id === projectId);
    if (own) return own;
    throw validationError(
      'source',
      `models named "${ref}" exist in several projects: address the model by its uuid`,
    );
  }

  /** A source the model's author may query: one off its access list is as unknown as a missing one. */
  async function sourceOfTable(principal: Principal, ref: string, field: string): Promise<DataSource> {
    const source = await deps.sources.find(principal.organizationId, ref);
    if (!source || !onAccessList(principal, source.access))
      throw validationError(field, `unknown data source ${JSON.stringify(ref)}`);
    return source;
  }

  /** Columns and relation of every table of the definition, from the warehouse or the referenced source. */
  async function gatherColumns(principal: Principal, input: ModelInput, engine: Engine) {
    const columns = new Map<string, ColumnInfo[]>();
    const relations = new Map<string, ModelRelation>();
    const tables = Array.isArray(input.tables) ? input.tables : [];
    let introspected: Awaited<ReturnType<typeof engine.introspect>> | undefined;
    for (const [i, table] of tables.entries()) {
      if ('dataSource' in table) {
        const source = await sourceOfTable(principal, table.dataSource, `tables[${i}].dataSource`);
        if (source.connectionId !== input.connectionId) {
          throw validationError(
            `tables[${i}].dataSource`,
            'the data source is in another connection than the model',
          );
        }
        columns.set(table.name, source.columns);
        relations.set(table.name, relationOf(source));
      } else if ('sql' in table) {
        // The warehouse's parser decides that it is one statement that only reads.
        const described = await engine.describeQuery(table.sql).catch((error: unknown) => {
          throw isRosettaError(error) && error.field === 'sql'
            ? renameField(error, `tables[${i}].sql`)
            : error;
        });
        columns.set(table.name, described);
        relations.set(table.name, { kind: 'sql', sql: table.sql });
      } else {
        introspected ??= await engine.introspect();
        const found = introspected.find(
          (t) => t.name === table.table && (!table.schema || t.schema === table.schema),
        );
        if (!found)
          throw validationError(`tables[${i}].table`, `no table "${table.table}" in the connection`);
        columns.set(table.name, found.columns);
        relations.set(table.name, { kind: 'table', schema: table.schema, table: table.table });
      }
    }
    return { columns, relations };
  }

  /**
   * The warehouse checks the definition's SQL fields and metrics over the tables as queries will
   * read them (query/sql-probe.ts): a refusal is a 400 on the field's path, in the warehouse's words.
   */
  async function checkSql(
    input: ModelInput,
    definition: ModelDefinition,
    relations: ReadonlyMap<string, ModelRelation>,
    engine: Engine,
  ): Promise<void> {
    const hasSql =
      definition.dimensions.some((d) => d.sql !== undefined) ||
      definition.metrics.some((m) => m.sql !== undefined);
    if (!hasSql) return;
    const { baseTable, joins, dimensions, metrics } = definition;
    const tables = definition.tables.map((table) => ({
      name: table.name,
      relation: relations.get(table.name)!,
    }));
    await checkModelSql(engine, {
      name: input.name,
      connectionId: input.connectionId,
      baseTable,
      tables,
      joins,
      dimensions,
      metrics,
      policies: [],
      version: 0,
      dataSourceIds: [],
    });
  }

  async function validated(principal: Principal, input: ModelInput): Promise<ModelInput> {
    if (
      typeof input.name !== 'string' ||
      !input.name.trim() ||
      input.name.length > 200 ||
      uuidPattern.test(input.name)
    ) {
      throw validationError('name', 'must be 1 to 200 characters and not a uuid');
    }
    refuseNul(input.name, 'name');
    const connection = await db
      .selectFrom('connections')
      .select('id')
      .where('organization_id', '=', principal.organizationId)
      .where('id', '=', Number(input.connectionId))
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!connection)
      throw validationError(
        'connectionId',
        `no connection ${JSON.stringify(input.connectionId)}`,
        'data.connection_unknown',
      );
    const engine = await deps.registry.engineFor(connection.id);
    const { columns, relations } = await gatherColumns(principal, input, engine);
    const definition = validateModelDefinition(input, columns);
    await checkSql(input, definition, relations, engine);
    return { ...definition, name: input.name.trim(), connectionId: connection.id };
  }

  async function nameTaken(organizationId: number, projectId: number, name: string, except?: number) {
    const row = await db
      .selectFrom('models')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (row && row.id !== except)
      throw conflict(`a model named "${name}" already exists in this project`, 'name', 'data.name_taken');
  }

  /** A data source's model with the source's member rules (query/member-rules.ts). */
  async function withSourceRules(principal: Principal, source: DataSource, model: Model): Promise<Model> {
    const memberRules = await loadMemberRules(deps.store, principal.organizationId, {
      kind: 'source',
      id: source.id,
    });
    return memberRules.length > 0 ? { ...model, memberRules } : model;
  }

  const definitionText = (input: ModelInput): string => {
    const { baseTable, tables, joins, dimensions, metrics, policies } = input;
    return JSON.stringify({ baseTable, tables, joins, dimensions, metrics, policies });
  };

  async function resolveStored(principal: Principal, stored: StoredModel, granted: boolean): Promise<Model> {
    if (!granted && !onAccessList(principal, stored.access))
      throw notFound('data source or model', stored.name);
    const dataSourceIds: number[] = [];
    let readsOtherTables = false;
    let version = stored.version;
    const tables: ModelTable[] = [];
    const policies = [...stored.policies];
    // A source's member rules hold in every model reading it, as its row policies do.
    const memberRules = await loadMemberRules(deps.store, principal.organizationId, {
      kind: 'model',
      id: stored.id,
    });
    for (const table of stored.tables) {
      if ('dataSource' in table) {
        const source = await deps.sources.find(principal.organizationId, table.dataSource);
        if (!source || (!granted && !onAccessList(principal, source.access)))
          throw notFound('data source', table.dataSource);
        dataSourceIds.push(source.id);
        policies.push(...source.policies.map((policy) => sourcePolicy(stored, table.name, policy)));
        const sourceRules = await loadMemberRules(deps.store, principal.organizationId, {
          kind: 'source',
          id: source.id,
        });
        memberRules.push(
          ...sourceRules.map((rule) => ({ ...rule, field: sourceFieldIn(stored, table.name, rule.field) })),
        );
        // Versions only grow, so the sum changes whenever any of them does.
        version += source.version;
        tables.push({ name: table.name, relation: relationOf(source) });
      } else {
        readsOtherTables = true;
        tables.push({
          name: table.name,
          relation:
            'sql' in table
              ? { kind: 'sql', sql: table.sql }
              : { kind: 'table', schema: table.schema, table: table.table },
        });
      }
    }
    const { baseTable, joins, dimensions, metrics, connectionId } = stored;
    const hidden = restrictionsFor(principal, stored);
    // Without its base table a model has nothing the caller may query: it is not theirs to see.
    if (hidden?.tables.includes(baseTable)) throw notFound('data source or model', stored.name);
    return {
      ...(hidden && { hidden }),
      name: stored.name,
      connectionId,
      baseTable,
      tables,
      joins,
      dimensions,
      metrics,
      policies,
      ...(memberRules.length > 0 && { memberRules }),
      version,
      dataSourceIds,
      readsOtherTables,
      projectId: stored.projectId,
    };
  }

  /**
   * A principal sees a model only when it may query it: on the access lists of the model and of
   * every source it reads, and for a data-API key, every table one of its sources.
   */
  async function visible(principal: Principal, model: StoredModel): Promise<boolean> {
    if (!can(principal, 'model.read', { projectId: model.projectId })) return false;
    if (!onAccessList(principal, model.access)) return false;
    const dataSourceIds: number[] = [];
    for (const table of model.tables) {
      if (!('dataSource' in table)) {
        if (principal.dataSourceIds) return false;
        continue;
      }
      const source = await deps.sources.find(principal.organizationId, table.dataSource);
      if (source && !onAccessList(principal, source.access)) return false;
      // A source gone from under the model fails its queries, not its listing; keys still see none.
      if (source) dataSourceIds.push(source.id);
      else if (principal.dataSourceIds) return false;
    }
    return inScope(principal, { dataSourceIds });
  }

  /** A model the principal may change: visible, and `edit` on its access list. */
  async function editable(principal: Principal, ref: number | string) {
    authorize(principal, 'model.manage');
    const row = await findRow(principal.organizationId, ref, principal.projectId);
    if (!row || !(await visible(principal, toStored(row)))) throw notFound('model', ref);
    authorize(principal, 'model.manage', { projectId: row.project_id });
    requireEditAccess(principal, toStored(row).access, 'model');
    return row;
  }

  return {
    async list(principal, options = {}) {
      authorize(principal, 'model.read');
      let query = db.selectFrom('models').selectAll().where('organization_id', '=', principal.organizationId);
      if (options.projectId !== undefined) query = query.where('project_id', '=', options.projectId);
      const rows = await query.orderBy('name').execute();
      const models = rows.map(toStored);
      const shown = await Promise.all(models.map((model) => visible(principal, model)));
      return models.filter((_, i) => shown[i]);
    },
    async get(principal, ref) {
      authorize(principal, 'model.read');
      const row = await findRow(principal.organizationId, ref, principal.projectId);
      if (!row || !(await visible(principal, toStored(row)))) throw notFound('model', ref);
      return toStored(row);
    },
    async create(principal, input) {
      authorize(principal, 'model.manage');
      const model = await validated(principal, input);
      const projectId = await projectForNew(db, principal, input.projectId);
      authorize(principal, 'model.manage', { projectId });
      await nameTaken(principal.organizationId, projectId, model.name);
      const now = nowIso();
      const row = await db
        .insertInto('models')
        .values({
          uuid: randomUUID(),
          organization_id: principal.organizationId,
          project_id: projectId,
          name: model.name,
          connection_id: model.connectionId,
          definition: definitionText(model),
          version: 1,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await deps.events.emit('modelChanged', { modelId: row.id, connectionId: row.connection_id });
      return toStored(row);
    },
    async update(principal, ref, { folderId, ...patch }) {
      const row = await editable(principal, ref);
      const current = toStored(row);
      const model = await validated(principal, { ...current, ...patch });
      const projectId =
        patch.projectId === undefined
          ? row.project_id
          : await projectOf(db, principal.organizationId, patch.projectId);
      authorize(principal, 'model.manage', { projectId });
      await nameTaken(principal.organizationId, projectId, model.name, row.id);
      const changes = Object.values(patch).some((value) => value !== undefined);
      const request = { folderId, changes, current };
      // A model is filed among the data sources: Serenytics lists its joins as sources.
      return updateFiled(filing, principal, { kind: 'data_source', uuid: row.uuid }, request, async () => {
        await db
          .updateTable('models')
          .set({
            project_id: projectId,
            name: model.name,
            connection_id: model.connectionId,
            definition: definitionText(model),
            version: row.version + 1,
            updated_at: nowIso(),
          })
          .where('id', '=', row.id)
          .execute();
        await deps.events.emit('modelChanged', { modelId: row.id, connectionId: model.connectionId });
        if (JSON.stringify(model.policies) !== JSON.stringify(current.policies))
          await recordAudit(db, principal, {
            action: 'model.policies',
            target: { type: 'model', id: row.id },
            details: { name: model.name, before: current.policies, after: model.policies },
          });
        return toStored((await findRow(principal.organizationId, row.id)) as Selectable<ModelsTable>);
      });
    },
    async delete(principal, ref) {
      const row = await editable(principal, ref);
      await db.deleteFrom('models').where('id', '=', row.id).execute();
      await deps.events.emit('modelChanged', { modelId: row.id, connectionId: row.connection_id });
      await deps.events.emit('objectPurged', {
        organizationId: row.organization_id,
        kind: 'model',
        id: row.id,
      });
      await recordAudit(db, principal, {
        action: 'model.delete',
        target: { type: 'model', id: row.id },
        details: { name: row.name },
      });
    },
    async setAccess(principal, ref, access) {
      const row = await editable(principal, ref);
      const checked = await checkAccess(deps.store, principal.organizationId, access);
      await db
        .updateTable('models')
        .set({ access: checked.length > 0 ? JSON.stringify(checked) : null, updated_at: nowIso() })
        .where('id', '=', row.id)
        .execute();
      await recordAudit(db, principal, {
        action: 'model.access',
        target: { type: 'model', id: row.id },
        details: { name: row.name, before: parseAccess(row.access), after: checked },
      });
      return toStored((await findRow(principal.organizationId, row.id)) as Selectable<ModelsTable>);
    },
    async resolveModel(principal, source, options = {}) {
      const granted = options.granted === true;
      let model: Model | undefined;
      if (uuidPattern.test(source)) {
        const dataSource = await deps.sources.find(principal.organizationId, source);
        if (dataSource && !granted && !onAccessList(principal, dataSource.access))
          throw notFound('data source or model', source);
        // A storage source gets its table with its first rows: before, there is nothing to query.
        if (dataSource?.columns.length === 0)
          throw validationError('source', 'the data source has no columns yet: push rows into it first');
        if (dataSource)
          model = await withSourceRules(principal, dataSource, modelOfDataSource(dataSource, source));
      }
      if (!model) {
        const row = await findRow(principal.organizationId, source, principal.projectId);
        if (!row || isNumericRef(source)) throw notFound('data source or model', source);
        model = await resolveStored(principal, toStored(row), granted);
      }
      return model;
    },
    async sourceModel(principal, ref) {
      const source = await deps.sources.find(principal.organizationId, ref);
      if (!source || !onAccessList(principal, source.access)) throw notFound('data source', ref);
      return withSourceRules(principal, source, modelOfDataSource(source, source.uuid));
    },
    async check(principal, ref) {
      // Checking changes nothing: a developer who sees the model may check it, editor or not.
      authorize(principal, 'model.manage');
      const row = await findRow(principal.organizationId, ref);
      if (!row || !(await visible(principal, toStored(row)))) throw notFound('model', ref);
      authorize(principal, 'model.manage', { projectId: row.project_id });
      await validated(principal, toStored(row));
    },
  };
}
