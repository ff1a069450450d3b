import type { Principal } from '../../../core/auth/index.ts';
import type { QueriedSource } from '../../../core/content/index.ts';
import type { DataSource, StoredModel } from '../../../core/data/index.ts';
import { notFound } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { findDataset } from './dataset-catalog.ts';
import { datasetIdOf } from './dataset-ids.ts';
import { holisticsRoute } from './routes.ts';

/**
 * Downstream dependencies (`/dependencies/downstream_dependencies`): what would break if the object
 * went, as far as the caller can see, transitively down to dashboards.
 * - `DataSource` (a connection): the data models on it (its data sources' tables, by source id),
 *   the datasets on it (its models and data sources) and the dashboards querying those.
 * - `DataModel` (a data source's table, by the source's id, as models share it): the datasets
 *   reading it (the source's own and the models with it as a table) and their dashboards.
 * - `DataSet`: the dashboards querying it (chart tiles through their chart).
 */

export type DependencyPorts = Pick<Services, 'data' | 'content'>;

type DependencyQuery = { Querystring: { id: number; type: 'DataSource' | 'DataModel' | 'DataSet' } };

const byId = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

const queriedModel = (model: StoredModel): QueriedSource => ({
  uuid: model.uuid,
  name: model.name,
  projectId: model.projectId,
});

const readsSource = (model: StoredModel, source: DataSource) =>
  model.tables.some((table) => 'dataSource' in table && table.dataSource === source.uuid);

async function dashboardIds(ports: DependencyPorts, principal: Principal, sources: QueriedSource[]) {
  return byId((await ports.content.dashboards.querying(principal, sources)).map((dashboard) => dashboard.id));
}

/** The datasets on a set of sources and models, and the dashboards querying them. */
async function datasetDependants(
  ports: DependencyPorts,
  principal: Principal,
  sources: DataSource[],
  models: StoredModel[],
) {
  return {
    data_set_ids: byId([
      ...sources.map((source) => datasetIdOf({ kind: 'source', id: source.id })),
      ...models.map((model) => datasetIdOf({ kind: 'model', id: model.id })),
    ]),
    dashboard_ids: await dashboardIds(ports, principal, [
      ...sources.map((source) => ({ uuid: source.uuid })),
      ...models.map(queriedModel),
    ]),
  };
}

async function ofDataSource(ports: DependencyPorts, principal: Principal, id: number) {
  const connection = await ports.data.connections.get(principal, id);
  const [sources, models] = await Promise.all([
    ports.data.sources.list(principal),
    ports.data.models.list(principal),
  ]);
  const onIt = sources.filter((source) => source.connectionId === connection.id);
  return {
    data_model_ids: byId(onIt.map((source) => source.id)),
    ...(await datasetDependants(
      ports,
      principal,
      onIt,
      models.filter((model) => model.connectionId === connection.id),
    )),
  };
}

async function ofDataModel(ports: DependencyPorts, principal: Principal, id: number) {
  const source = await ports.data.sources.findVisible(principal, id);
  if (!source) throw notFound('data model', id);
  const models = await ports.data.models.list(principal);
  return datasetDependants(
    ports,
    principal,
    [source],
    models.filter((model) => readsSource(model, source)),
  );
}

async function ofDataSet(ports: DependencyPorts, principal: Principal, id: number) {
  const dataset = await findDataset(ports, principal, id);
  const queried: QueriedSource =
    dataset.ref.kind === 'model'
      ? { uuid: dataset.source, name: dataset.name, projectId: dataset.projectId ?? undefined }
      : { uuid: dataset.source };
  return { dashboard_ids: await dashboardIds(ports, principal, [queried]) };
}

const dependantsOf = { DataSource: ofDataSource, DataModel: ofDataModel, DataSet: ofDataSet };

export function registerDependencyRoutes(api: App, ports: DependencyPorts): void {
  holisticsRoute<DependencyQuery>(api, 'Dependencies_DownstreamDependencies', async (request) => {
    const { id, type } = request.query;
    return { dependants: await dependantsOf[type](ports, principalOf(request), id) };
  });
}
