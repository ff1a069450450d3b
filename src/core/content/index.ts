import type { Store } from '../../store/database.ts';
import { DashboardService } from './dashboards.ts';
import { FolderService } from './folders.ts';

/** Content: folders with access lists, dashboards with widgets, shares and version history. */
export interface ContentService {
  folders: FolderService;
  dashboards: DashboardService;
}

export function createContentService(store: Pick<Store, 'db'>): ContentService {
  return { folders: new FolderService(store.db), dashboards: new DashboardService(store.db) };
}

export type { DashboardInput, DashboardPatchInput, WidgetInput } from './dashboard-input.ts';
export { DashboardService } from './dashboards.ts';
export { createDemoDashboard, DEMO_DASHBOARD_NAME } from './demo.ts';
export { type FolderInput, type FolderPatch, FolderService } from './folders.ts';
export { GRID_COLUMNS, type LayoutCell } from './layout.ts';
export * from './permissions.ts';
export * from './types.ts';
export type { PlacedWidget } from './widgets.ts';
