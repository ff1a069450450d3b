import type { SisenseFaceConfig } from '../../../config.ts';
import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import type { DashboardPorts } from './dashboard-context.ts';
import { registerDashboardFileRoutes } from './dashboard-files.ts';
import { registerDashboardImportRoutes } from './dashboard-import.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerFolderRoutes } from './folders.ts';
import { registerReportingRoutes } from './reporting.ts';
import { registerShareRoutes } from './shares.ts';
import { registerWidgetRoutes } from './widgets.ts';

/** Dashboards, widgets, shares, folders and reporting: Sisense's content, on Rosetta's. */
export function registerContentRoutes(api: App, services: Services, config: SisenseFaceConfig): void {
  const { content, data, directory, exports, externalIds, jobs, schedules } = services;
  const ports: DashboardPorts = {
    content,
    data,
    directory,
    exports,
    externalIds,
    jobs,
    schedules,
    maxRows: config.maxRows,
  };
  registerDashboardRoutes(api, ports);
  registerDashboardFileRoutes(api, ports);
  registerDashboardImportRoutes(api, ports);
  registerWidgetRoutes(api, ports);
  registerShareRoutes(api, ports);
  registerFolderRoutes(api, ports);
  registerReportingRoutes(api, ports);
}
