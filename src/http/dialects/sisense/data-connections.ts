import type { SisenseFaceConfig } from '../../../config.ts';
import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { registerConnectionRoutes } from './connections.ts';
import { registerCubeModellingRoutes } from './cube-modelling.ts';
import { registerLiveConnectorRoutes } from './live-connectors.ts';

/** Connections (§2.6), live connectors (§2.20) and cube modelling (§2.13) of the Sisense face. */
export function registerDataConnectionRoutes(app: App, services: Services, config: SisenseFaceConfig): void {
  registerConnectionRoutes(app, services);
  registerLiveConnectorRoutes(app, services, config);
  registerCubeModellingRoutes(app, services, config);
}
