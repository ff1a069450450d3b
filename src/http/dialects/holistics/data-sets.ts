import type { HolisticsFaceConfig } from '../../../config.ts';
import type { Principal } from '../../../core/auth/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import {
  type Dataset,
  type DatasetField,
  findDataset,
  listDatasets,
  modelOfDataset,
} from './dataset-catalog.ts';
import { type HolisticsQuery, inQueryPaths, planDatasetQuery } from './dataset-query.ts';
import { datasetReports } from './dataset-reports.ts';
import { datasetQueryAnnotation } from './job-sources.ts';
import { asyncResult } from './jobs-view.ts';
import { type CursorQuery, cursorPage } from './paging.ts';
import { holisticsRoute } from './routes.ts';

/**
 * Datasets (`/data_sets`): Rosetta models and data sources, read, deleted, queried as jobs
 * (`submit_query`, fetched from `/jobs/{id}/result`) and compiled (`generate_sql`).
 */

export type DatasetPorts = Pick<Services, 'data' | 'query' | 'queryJobs' | 'jobs' | 'content'>;

type IdParams = { Params: { id: number } };
type QueryBody = { Body: { query: HolisticsQuery } };

/** `GET /data_sets` is in the vendor's guide but not in the document: its query string is checked here. */
const listQuerystring = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    after: { type: 'string', maxLength: 200 },
    before: { type: 'string', maxLength: 200 },
  },
};

const fieldJson = (field: DatasetField, model: { id: number | string; name: string }) => ({
  aggregation_type: field.kind === 'measure' ? (field.aggregation ?? 'custom') : null,
  custom_label: null,
  field_format: null,
  description: null,
  is_custom: false,
  is_custom_measure: field.kind === 'measure',
  primary_key: null,
  label: field.label,
  model,
  name: field.name,
  sql: field.sql,
  transform_type: null,
  type: field.type,
  syntax: 'sql' as const,
});

function dataModelsJson(dataset: Dataset) {
  return dataset.dataModels.map((dataModel) => {
    const model = { id: dataModel.id, name: dataModel.name };
    const fields = dataModel.fields.map((field) => fieldJson(field, model));
    return {
      id: dataModel.id,
      data_source_id: dataset.connectionId,
      name: dataModel.name,
      label: dataModel.name,
      fields,
      dimensions: fields.filter((field) => !field.is_custom_measure),
      measures: fields.filter((field) => field.is_custom_measure),
      params: [],
      category_id: null,
      metadata: {},
      sql: dataModel.sql,
      table_name: dataModel.tableName,
    };
  });
}

/** The `DataSet` schema; `related_joins` are the model's joins from its base table. */
export function datasetJson(dataset: Dataset, options: { models?: boolean } = {}) {
  const modelOf = (alias: string) => dataset.dataModels.find((model) => model.alias === alias);
  const nameOf = (alias: string) => modelOf(alias)?.name ?? alias;
  const idOf = (alias: string) => modelOf(alias)?.id ?? alias;
  const relatedJoins = dataset.joins.map((join) => {
    const from = join.on[0]?.left.split('.')[0] ?? dataset.baseModel;
    const joinOn = join.on.map(({ left, right }) => `${left} = ${right}`).join(' AND ');
    return {
      id: null,
      name: `${nameOf(from)} - ${nameOf(join.table)}`,
      link_type: join.type,
      join_on: joinOn,
      data_source_id: dataset.connectionId,
      source_model_id: idOf(from),
      dest_model_id: idOf(join.table),
      source_model: { id: idOf(from), name: nameOf(from) },
      dest_model: { id: idOf(join.table), name: nameOf(join.table) },
      missing_source_fields: null,
      missing_dest_fields: null,
    };
  });
  return {
    id: dataset.id,
    name: dataset.name,
    label: dataset.name,
    description: null,
    owner_id: null,
    owner: null,
    tenant_id: dataset.organizationId,
    data_source_id: dataset.connectionId,
    category_id: null,
    related_joins: relatedJoins,
    join_configs: [],
    ...(options.models !== false && { data_models: dataModelsJson(dataset) }),
    permission: { can_crud: dataset.canManage, can_read: true },
    uname: dataset.name,
    from_aml: false,
    project_id: dataset.projectId,
    tags: [],
  };
}

async function plannedOn(
  ports: DatasetPorts,
  principal: Principal,
  id: number,
  query: HolisticsQuery,
  maxRows: number,
) {
  const dataset = await findDataset(ports, principal, id);
  const planned = planDatasetQuery(dataset, query, maxRows);
  const model = await modelOfDataset(ports, principal, dataset);
  return { dataset, planned, model };
}

export function registerDatasetRoutes(api: App, ports: DatasetPorts, config: HolisticsFaceConfig): void {
  api.get<{ Querystring: CursorQuery }>(
    '/v2/data_sets',
    { schema: { querystring: listQuerystring } },
    async (request) => {
      const datasets = await listDatasets(ports, principalOf(request));
      const page = cursorPage(datasets, request.query, (dataset) => dataset.id);
      return { data_sets: page.items.map((dataset) => datasetJson(dataset)), cursors: page.cursors };
    },
  );

  holisticsRoute<IdParams & { Querystring: { include_models?: boolean; include_reports?: boolean } }>(
    api,
    'DataSets_Get',
    async (request) => {
      const dataset = await findDataset(ports, principalOf(request), request.params.id);
      return {
        data_set: {
          ...datasetJson(dataset, { models: request.query.include_models }),
          ...(request.query.include_reports && { reports: await datasetReports(ports, request, dataset) }),
        },
      };
    },
  );

  holisticsRoute<IdParams>(api, 'DataSets_Delete', async (request) => {
    const principal = principalOf(request);
    const dataset = await findDataset(ports, principal, request.params.id);
    if (dataset.ref.kind === 'model') await ports.data.models.delete(principal, dataset.ref.id);
    else await ports.data.sources.delete(principal, dataset.ref.id);
    return { message: `Data Set ${dataset.id} was deleted successfully` };
  });

  holisticsRoute<IdParams & QueryBody>(api, 'DataSets_SubmitQuery', async (request) => {
    const principal = principalOf(request);
    const { query } = request.body;
    const { dataset, planned, model } = await plannedOn(
      ports,
      principal,
      request.params.id,
      query,
      config.maxRows,
    );
    const state = await inQueryPaths(() =>
      ports.queryJobs.submitIr(principal, model, planned.ir, {
        noCache: query.bust_cache === true,
        annotation: datasetQueryAnnotation(dataset.id, planned.columns, query),
      }),
    );
    return asyncResult(await ports.jobs.get(principal, state.id, { action: 'query.adhoc' }));
  });

  holisticsRoute<IdParams & QueryBody>(api, 'DataSets_Sql', async (request) => {
    const principal = principalOf(request);
    const { planned, model } = await plannedOn(
      ports,
      principal,
      request.params.id,
      request.body.query,
      config.maxRows,
    );
    const compiled = await inQueryPaths(() =>
      ports.query.compileIr(principal, model, planned.ir, { inlineIfAllowed: true }),
    );
    return { sql: compiled.sql };
  });
}
