import type { Principal } from '../../core/auth/index.ts';
import type { DataSource, DataSourceService, ModelService, StoredModel } from '../../core/data/index.ts';
import { isRosettaError, RosettaError } from '../../core/errors.ts';
import type { DbtFile, DbtModel, DbtProject } from './project.ts';
import { type MappedModel, type ModelRelationInfo, mapProject } from './to-models.ts';
import { projectToFiles } from './to-yaml.ts';

/**
 * A dbt project deployed into one Rosetta project through the core services, so every rule of
 * theirs holds (roles, access lists, the warehouse's check of each column and SQL field): each
 * dbt model's relation is found among the connection's data sources — by relation, then by
 * name — or becomes a new table source (an SQL source when the project carries the model's SQL);
 * then each model is created, or updated when the project already has one of its name. Errors
 * of the core are renamed to the place in the dbt files they come from.
 */
export type DbtPorts = {
  sources: Pick<DataSourceService, 'list' | 'create' | 'update'>;
  models: Pick<ModelService, 'list' | 'create' | 'update'>;
};

export interface DbtDeployResult {
  dataSources: Array<{
    model: string;
    id: number;
    uuid: string;
    name: string;
    action: 'found' | 'created' | 'updated';
  }>;
  models: Array<{ id: number; uuid: string; name: string; action: 'created' | 'updated' }>;
}

const relationLabel = (model: DbtModel) =>
  [model.relation.schema, model.relation.table].filter(Boolean).join('.');

/** The error as the dbt files name it: `models/x.yml:models[0]: …`, the core's own path kept after it. */
function located(error: unknown, at: string): unknown {
  if (!isRosettaError(error)) return error;
  const problem = error.field === undefined ? error.message : `${error.field}: ${error.problem}`;
  return new RosettaError(error.code, `${at}: ${problem}`, at, {
    reason: error.reason,
    problem,
    details: error.details,
  });
}

function originOf(mapped: MappedModel, field: string | undefined): string {
  const part = field === undefined ? undefined : /^(\w+\[\d+\])/.exec(field)?.[1];
  const origin = part === undefined ? undefined : mapped.origins.get(part);
  return origin ?? mapped.at;
}

async function findOrCreateSource(
  ports: DbtPorts,
  principal: Principal,
  model: DbtModel,
  candidates: readonly DataSource[],
  connectionId: number,
): Promise<{ source: DataSource; action: 'found' | 'created' | 'updated' }> {
  const { schema, table } = model.relation;
  const found =
    candidates.find(
      (s) => s.type !== 'sql' && s.table === table && (schema === undefined || s.schema === schema),
    ) ?? candidates.find((s) => s.name === model.name);
  try {
    if (found?.type === 'sql' && model.sql !== undefined && found.sql !== model.sql)
      return {
        source: await ports.sources.update(principal, found.id, { sql: model.sql }),
        action: 'updated',
      };
    if (found) return { source: found, action: 'found' };
    const source = await ports.sources.create(
      principal,
      model.sql !== undefined
        ? { type: 'sql', name: model.name, connectionId, sql: model.sql }
        : { type: 'table', name: model.name, connectionId, ...(schema && { schema }), table },
    );
    return { source, action: 'created' };
  } catch (error) {
    throw located(error, model.at);
  }
}

export async function deployDbtProject(
  ports: DbtPorts,
  principal: Principal,
  project: DbtProject,
  target: { projectId: number; connectionId: number },
): Promise<DbtDeployResult> {
  // The files are checked whole before any data source is touched; columns are checked after.
  mapProject(
    project,
    new Map(project.models.map((m) => [m.name, { dataSource: '', label: relationLabel(m) }])),
  );
  const candidates = (await ports.sources.list(principal)).filter(
    (s) => s.connectionId === target.connectionId,
  );
  const relations = new Map<string, ModelRelationInfo>();
  const dataSources: DbtDeployResult['dataSources'] = [];
  for (const model of project.models) {
    const { source, action } = await findOrCreateSource(
      ports,
      principal,
      model,
      candidates,
      target.connectionId,
    );
    relations.set(model.name, {
      dataSource: source.uuid,
      columns: source.columns,
      label: relationLabel(model),
    });
    dataSources.push({ model: model.name, id: source.id, uuid: source.uuid, name: source.name, action });
  }
  const mapped = mapProject(project, relations);
  const existing = new Map(
    (await ports.models.list(principal, { projectId: target.projectId })).map((m) => [m.name, m]),
  );
  const models: DbtDeployResult['models'] = [];
  for (const each of mapped) {
    const input = { name: each.name, connectionId: target.connectionId, ...each.definition };
    let stored: StoredModel;
    const current = existing.get(each.name);
    try {
      stored = current
        ? await ports.models.update(principal, current.id, input)
        : await ports.models.create(principal, { ...input, projectId: target.projectId });
    } catch (error) {
      throw located(error, isRosettaError(error) ? originOf(each, error.field) : each.at);
    }
    models.push({
      id: stored.id,
      uuid: stored.uuid,
      name: stored.name,
      action: current ? 'updated' : 'created',
    });
  }
  return { dataSources, models };
}

/** The models of a Rosetta project as dbt files (`models/schema.yml` and model `.sql` files). */
export async function exportDbtProject(
  ports: { sources: Pick<DataSourceService, 'list'>; models: Pick<ModelService, 'list'> },
  principal: Principal,
  projectId: number,
): Promise<DbtFile[]> {
  const models = await ports.models.list(principal, { projectId });
  const sources = new Map((await ports.sources.list(principal)).map((s) => [s.uuid, s]));
  return projectToFiles(models, sources);
}
