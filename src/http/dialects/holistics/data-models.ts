import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { datasetJson } from './data-sets.ts';
import { listDatasets } from './dataset-catalog.ts';
import { notConfigured } from './integrations.ts';
import { holisticsRoute } from './routes.ts';

/**
 * Data models (`/data_models`): the tables of the datasets a project shows (its models' tables,
 * and the data sources every project sees), shaped as the datasets show them. Rosetta's models
 * are edited in place: there are no AML branches or commits to list models of, and no model
 * persistence whose DDL could be validated.
 */

export type DataModelPorts = Pick<Services, 'data' | 'directory'>;

type ListQuery = { Querystring: { project_id: number; branch_name?: string; commit_oid?: string } };

const NO_VERSIONS =
  'Rosetta models have no AML branches or commits: they are edited in place; list them without branch_name or commit_oid';

export function registerDataModelRoutes(api: App, ports: DataModelPorts): void {
  holisticsRoute<ListQuery>(api, 'DataModels_List', async (request) => {
    const { project_id: projectId, branch_name: branch, commit_oid: commit } = request.query;
    const principal = principalOf(request);
    const project = await ports.directory.projects.get(principal, projectId);
    if (branch !== undefined || commit !== undefined) throw notConfigured(NO_VERSIONS);
    // The datasets the caller sees in that project (`listDatasets` reads the principal's project).
    const datasets = await listDatasets(ports, { ...principal, projectId: project.id });
    return { data_models: datasets.flatMap((dataset) => datasetJson(dataset).data_models ?? []) };
  });

  holisticsRoute(api, 'DataModelPersistences_ValidateDDL', async () => {
    throw notConfigured(
      'Rosetta does not persist data models into the warehouse: there is no persistence whose custom DDL could be validated',
    );
  });
}
