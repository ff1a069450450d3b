import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerExportRoutes } from './exports.ts';
import { registerShareableLinkRoutes } from './shareable-links.ts';
import { registerTagRoutes } from './tags.ts';
import { registerWidgetRoutes } from './widgets.ts';

export type DashboardAreaPorts = Pick<
  Services,
  'content' | 'contentJobs' | 'data' | 'directory' | 'embeds' | 'exports' | 'jobs' | 'preloads'
>;

/** Dashboards, their widgets and query reports, exports, shareable links and tags. */
export function registerDashboardAreaRoutes(api: App, ports: DashboardAreaPorts): void {
  registerDashboardRoutes(api, ports);
  registerWidgetRoutes(api, ports);
  registerExportRoutes(api, ports);
  registerShareableLinkRoutes(api, ports);
  registerTagRoutes(api, ports);
}
