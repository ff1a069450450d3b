import type { App } from '../../server.ts';
import { type ChartRunPorts, registerChartRunRoutes } from './chart-runs.ts';
import { registerChartVersionRoutes } from './chart-versions.ts';
import { registerChartRoutes } from './charts.ts';
import type { ContentLimits } from './content-context.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerSpaceRoutes } from './spaces.ts';

/** Spaces, saved charts and dashboards of the Lightdash face (spec §2.8–§2.10, Appendix B). */
export function registerContentRoutes(api: App, ports: ChartRunPorts, limits: ContentLimits): void {
  registerSpaceRoutes(api, ports);
  registerChartRoutes(api, ports, limits);
  registerChartVersionRoutes(api, ports, limits);
  registerChartRunRoutes(api, ports, limits);
  registerDashboardRoutes(api, ports);
}
