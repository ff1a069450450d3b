import type { Store } from '../../store/database.ts';
import { DashboardService } from './dashboards.ts';
import { FavouriteService } from './favourites.ts';
import { FolderService } from './folders.ts';

/** Content: folders with access lists, dashboards with widgets, shares, version history and favourites. */
export interface ContentService {
  folders: FolderService;
  dashboards: DashboardService;
  favourites: FavouriteService;
}

export function createContentService(
  store: Pick<Store, 'db'>,
  hooks: { onDashboardDeleted?: (dashboardId: number) => Promise<unknown> } = {},
): ContentService {
  const dashboards = new DashboardService(store.db, hooks.onDashboardDeleted);
  return {
    folders: new FolderService(store.db),
    dashboards,
    favourites: new FavouriteService(store.db, dashboards),
  };
}

export type { DashboardInput, DashboardPatchInput, WidgetInput } from './dashboard-input.ts';
export { DashboardService } from './dashboards.ts';
export { createDemoDashboard, DEMO_DASHBOARD_NAME } from './demo.ts';
export { FavouriteService } from './favourites.ts';
export { type FolderInput, type FolderPatch, FolderService } from './folders.ts';
export { GRID_COLUMNS, type LayoutCell } from './layout.ts';
export * from './permissions.ts';
export * from './types.ts';
export { dashboardVariableValues, fillTemplate, tokenVariableValues } from './variables.ts';
export type { PlacedWidget } from './widgets.ts';
