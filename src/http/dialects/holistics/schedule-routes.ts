import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { registerDataAlertRoutes } from './data-alerts.ts';
import { registerDataScheduleRoutes } from './data-schedules.ts';
import { registerIntegrationRoutes } from './integrations.ts';

/** Data schedules, data alerts, and the integrations Rosetta lacks (rows in schedule-permissions.ts). */
export function registerScheduleRoutes(
  api: App,
  services: Pick<Services, 'schedules' | 'content' | 'directory'>,
): void {
  registerDataScheduleRoutes(api, services);
  registerDataAlertRoutes(api, services);
  registerIntegrationRoutes(api);
}
