import { permissionsByOperation } from './routes.ts';

/**
 * Rows of data sources (Rosetta connections: the native connection routes' actions), data models
 * and dependencies (reading models), dbt manifests (the native dbt deploy's `model.manage`), job
 * queues (every user's workload: admins, as following others' jobs) and model persistence (a
 * model change, which Rosetta does not have).
 */
export const sourcePermissions = permissionsByOperation({
  DataSources_Get: 'connection.read',
  DataSources_Update: 'connection.manage',
  DataSources_Delete: 'connection.manage',
  DataSources_BustExplorationCache: 'cache.invalidate',
  DataSources_UploadMultipleDbtManifests: 'model.manage',
  DataModels_List: 'model.read',
  Dependencies_DownstreamDependencies: 'model.read',
  JobQueues_List: 'job.all',
  DataModelPersistences_ValidateDDL: 'model.manage',
});
