import type { App } from '../../server.ts';
import { registerChartRoutes } from './charts.ts';
import type { ContentLimits, ContentPorts } from './content-context.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerSpaceRoutes } from './spaces.ts';

/** Spaces, saved charts and dashboards of the Lightdash face (spec §2.8–§2.10, Appendix B). */
export function registerContentRoutes(api: App, ports: ContentPorts, limits: ContentLimits): void {
  registerSpaceRoutes(api, ports);
  registerChartRoutes(api, ports, limits);
  registerDashboardRoutes(api, ports);
}
