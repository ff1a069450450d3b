import type { Principal } from '../../../core/auth/index.ts';
import type { DataSource, ModelInput, StoredModel } from '../../../core/data/index.ts';
import { isRosettaError, validationError } from '../../../core/errors.ts';
import { isJsonObject, nonEmptyArray, oneOf } from '../../../core/input.ts';
import type { ModelJoin } from '../../../core/query/index.ts';
import type { ColumnInfo } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { filedAsFolderUuid, folderLookup, folderUuidOf } from './folders.ts';
import { columnTitle } from './source-json.ts';

/**
 * Serenytics join data sources ↔ core models. A join is created with `type: "Join"` and
 *
 *     jsonContent.joinConfig = {
 *       base: "<data source uuid>",
 *       joins: [{ source: "<uuid>", type: "left" | "inner" | "right" | "full",
 *                 on: [{ left: "<uuid>.<column>", right: "<uuid>.<column>" }] }]
 *     }
 *
 * and becomes a model whose tables are the sources, each aliased by its uuid, so the vendor's
 * addresses `<uuid>.<column>` are the model's own field addresses. The join's uuid is the model's.
 */
const joinTypes: readonly ModelJoin['type'][] = ['left', 'inner', 'right', 'full'];
const root = 'jsonContent.joinConfig';

/** Validates a joinConfig (every error names its path) and maps it to a core model definition. */
export async function joinModelInput(
  services: Pick<Services, 'data'>,
  principal: Principal,
  name: string,
  config: unknown,
): Promise<ModelInput> {
  if (!isJsonObject(config)) throw validationError(root, 'is required for a Join source: {base, joins}');
  const sources = new Map<string, DataSource>();
  const source = async (uuid: unknown, path: string): Promise<DataSource> => {
    if (typeof uuid !== 'string') throw validationError(path, 'must be a data source uuid');
    if (sources.has(uuid)) throw validationError(path, `data source "${uuid}" is already in the join`);
    const found = await services.data.sources.get(principal, uuid).catch((error: unknown) => {
      if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
        throw validationError(path, `unknown data source "${uuid}"`);
      throw error;
    });
    sources.set(uuid, found);
    return found;
  };
  // `<uuid>.<column>` of a source already in the join; uuids hold no dot.
  const address = (value: unknown, path: string): string => {
    const dot = typeof value === 'string' ? value.indexOf('.') : -1;
    const joined = dot > 0 ? sources.get((value as string).slice(0, dot)) : undefined;
    if (!joined) throw validationError(path, 'must be "<uuid>.<column>" of a source of the join');
    const column = (value as string).slice(dot + 1);
    if (!joined.columns.some((c) => c.name === column))
      throw validationError(path, `unknown column "${column}" in data source "${joined.uuid}"`);
    return value as string;
  };

  const base = await source(config.base, `${root}.base`);
  const joins: ModelJoin[] = [];
  for (const [i, entry] of nonEmptyArray(`${root}.joins`, config.joins).entries()) {
    const path = `${root}.joins[${i}]`;
    if (!isJsonObject(entry)) throw validationError(path, 'must be {source, type, on}');
    const joined = await source(entry.source, `${path}.source`);
    const type = oneOf(`${path}.type`, entry.type ?? 'left', joinTypes);
    const on = nonEmptyArray(`${path}.on`, entry.on).map((condition, j) => {
      if (!isJsonObject(condition)) throw validationError(`${path}.on[${j}]`, 'must be {left, right}');
      return {
        left: address(condition.left, `${path}.on[${j}].left`),
        right: address(condition.right, `${path}.on[${j}].right`),
      };
    });
    if (!on.some(({ left, right }) => [left, right].some((side) => side.startsWith(`${joined.uuid}.`))))
      throw validationError(`${path}.on`, `must use a column of the joined source "${joined.uuid}"`);
    joins.push({ table: joined.uuid, type, on });
  }

  const all = [...sources.values()];
  return {
    name,
    connectionId: base.connectionId,
    baseTable: base.uuid,
    tables: all.map((s) => ({ name: s.uuid, dataSource: s.uuid })),
    joins,
    dimensions: all.flatMap((s) =>
      s.columns.map((c) => ({ name: c.name, table: s.uuid, column: c.name, type: c.type })),
    ),
    metrics: [],
    // The sources' row policies are the core's to add (models.ts): they follow later changes.
    policies: [],
  };
}

/** The join's fields as a pipeline addresses them: `<uuid>.<column>`. */
export const joinColumns = (model: StoredModel): ColumnInfo[] =>
  model.dimensions.map((d) => ({
    name: `${d.table}.${d.name}`,
    type: d.type,
    nativeType: d.type,
    nullable: true,
  }));

/**
 * Whether a model has a join's shape (every table a data source aliased by its uuid): other
 * models (Lightdash explores, SQL tables) are no Serenytics data sources.
 */
export const isJoin = (model: StoredModel): boolean =>
  model.tables.length > 0 && model.tables.every((t) => 'dataSource' in t && t.dataSource === t.name);

/** A join as Serenytics renders a data source, filed in `folderUuid`. */
export const joinJson = (model: StoredModel, folderUuid: string | null) => ({
  uuid: model.uuid,
  name: model.name,
  type: 'Join',
  folder_uuid: folderUuid,
  jsonContent: {
    columns: joinColumns(model).map((c) => columnTitle(c.name, c.type)),
    joinConfig: {
      base: model.baseTable,
      joins: model.joins.map(({ table, type, on }) => ({ source: table, type, on })),
    },
    measures: {},
  },
  created_at: model.createdAt,
  updated_at: model.updatedAt,
});

/** The join (model) a uuid names, or undefined when it names none. */
export async function findJoin(
  services: Pick<Services, 'data'>,
  principal: Principal,
  uuid: string,
): Promise<StoredModel | undefined> {
  try {
    const model = await services.data.models.get(principal, uuid);
    return model.uuid === uuid && isJoin(model) ? model : undefined;
  } catch (error) {
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND') return undefined;
    throw error;
  }
}

/** The joins the principal may see (the core hides those over sources it may not read). */
export async function listJoins(
  services: Pick<Services, 'data'>,
  principal: Principal,
): Promise<StoredModel[]> {
  return (await services.data.models.list(principal)).filter(isJoin);
}

/**
 * `PUT /api/data_source/{join}` (the client's `source.save()` sends the whole config): renames the
 * join, rebuilds it from a changed `jsonContent.joinConfig`, and files it in `folder_uuid`.
 */
export async function saveJoin(
  services: Pick<Services, 'data' | 'content'>,
  principal: Principal,
  join: StoredModel,
  config: Record<string, unknown>,
) {
  const { name } = config;
  if (name !== undefined && typeof name !== 'string') throw validationError('name', 'must be a string');
  const newName = name ?? join.name;
  const joinConfig = isJsonObject(config.jsonContent) ? config.jsonContent.joinConfig : undefined;
  const redefined =
    joinConfig !== undefined &&
    JSON.stringify(joinConfig) !== JSON.stringify(joinJson(join, null).jsonContent.joinConfig);
  const patch: Partial<ModelInput> = redefined
    ? await joinModelInput(services, principal, newName, joinConfig)
    : { ...(newName !== join.name && { name: newName }) };
  const folderId = folderUuidOf(config, principal.organizationId);
  const saved =
    Object.keys(patch).length > 0 || folderId !== undefined
      ? await filedAsFolderUuid(services.data.models.update(principal, join.uuid, { ...patch, folderId }))
      : join;
  return joinJson(
    saved,
    (await folderLookup(services.content.folders, principal, 'data_source'))(saved.uuid),
  );
}
