import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { registerDataModelRoutes } from './data-models.ts';
import { registerDataSourceRoutes } from './data-sources.ts';
import { registerDbtManifestRoutes } from './dbt-manifests.ts';
import { registerDependencyRoutes } from './dependencies.ts';
import { registerJobQueueRoutes } from './job-queues.ts';

/** Data sources, data models, dependencies, dbt manifests and job queues. */
export function registerSourceRoutes(api: App, services: Services): void {
  registerDataSourceRoutes(api, services);
  registerDbtManifestRoutes(api, services);
  registerDataModelRoutes(api, services);
  registerDependencyRoutes(api, services);
  registerJobQueueRoutes(api, services);
}
