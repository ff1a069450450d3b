import { api } from './api.ts';
import { newInProject } from './project.ts';
import type { Query, Visualization } from './types.ts';

/** Saved charts as `/api/charts` answers them. */
export interface ChartSummary {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  folderId: number | null;
  visualizationType: string;
  version: number;
  updatedAt: string;
}

export interface SavedChart extends ChartSummary {
  query: Query;
  visualization: Visualization;
  /** The dashboards showing the chart that the caller can see. */
  usedBy: { id: number; uuid: string; name: string }[];
  canEdit: boolean;
}

/** Where "Add to dashboard" puts a chart: a dashboard by id, or a new one by name. */
export type DashboardTarget = { dashboardId: number } | { newDashboard: string };

/** Adds a tile showing the chart (the server places it in the first free space); the dashboard's id. */
export async function addChartToDashboard(chartUuid: string, target: DashboardTarget): Promise<number> {
  const tile = { chartId: chartUuid };
  if ('newDashboard' in target) {
    const created = await api<{ id: number }>('POST', '/dashboards', {
      name: target.newDashboard,
      personal: true,
      ...newInProject(),
      widgets: [tile],
    });
    return created.id;
  }
  await api('POST', `/dashboards/${target.dashboardId}/widgets`, tile);
  return target.dashboardId;
}
