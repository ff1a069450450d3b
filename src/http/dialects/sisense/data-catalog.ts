import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { registerDataSecurityRoutes } from './data-security.ts';
import { registerDatasetWriteRoutes } from './dataset-writes.ts';
import { registerDatasetReadRoutes } from './datasets.ts';
import { registerDatasourceRoutes } from './datasources.ts';

/** The data side of the Sisense face: the JAQL catalogue, REST v1 datasets and data security. */
export function registerDatasetRoutes(app: App, services: Services): void {
  registerDatasourceRoutes(app, services);
  registerDatasetReadRoutes(app, services);
  registerDatasetWriteRoutes(app, services);
  registerDataSecurityRoutes(app, services);
}
