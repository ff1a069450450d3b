import type { Store } from '../../store/database.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import { CatalogLabelService } from './catalog-labels.ts';
import { ChartService } from './charts.ts';
import { CommentService } from './comments.ts';
import { ContentViews } from './content-views.ts';
import { PinService, TagService } from './curation.ts';
import { type DashboardMoved, DashboardService, type SourceLookup } from './dashboards.ts';
import { FavouriteService } from './favourites.ts';
import { FolderService } from './folders.ts';
import { DashboardItemIds } from './item-ids.ts';
import { SqlChartService } from './sql-charts.ts';
import { ContentTrash } from './trash.ts';

/**
 * Content: folders with access lists, dashboards with widgets, saved charts shown on dashboards,
 * shares, version history and favourites.
 */
export interface ContentService {
  folders: FolderService;
  dashboards: DashboardService;
  charts: ChartService;
  favourites: FavouriteService;
  comments: CommentService;
  catalogLabels: CatalogLabelService;
  trash: ContentTrash;
  pins: PinService;
  tags: TagService;
  views: ContentViews;
  sqlCharts: SqlChartService;
  /** Integer ids of dashboards' widgets and filters, for faces that name them so. */
  itemIds: DashboardItemIds;
}

export function createContentService(
  store: Pick<Store, 'db'>,
  hooks: {
    onDashboardDeleted?: (dashboardId: number) => Promise<unknown>;
    findSource?: SourceLookup;
    onDashboardMoved?: DashboardMoved;
    /** Where purges and deletions are announced; a private bus by default. */
    events?: DomainEvents;
  } = {},
): ContentService {
  const events = hooks.events ?? createDomainEvents();
  const views = new ContentViews(store.db);
  const dashboards = new DashboardService(
    store.db,
    hooks.onDashboardDeleted,
    hooks.findSource,
    hooks.onDashboardMoved,
    views,
  );
  const folders = new FolderService(store.db, events);
  const charts = new ChartService(store.db, views);
  const tags = new TagService(store.db);
  return {
    folders,
    dashboards,
    charts,
    favourites: new FavouriteService(store.db, dashboards),
    comments: new CommentService(store.db, dashboards),
    catalogLabels: new CatalogLabelService(store.db, tags),
    trash: new ContentTrash(store.db, events),
    pins: new PinService(store.db, { charts, dashboards, folders }),
    tags,
    views,
    sqlCharts: new SqlChartService(store.db),
    itemIds: new DashboardItemIds(store.db),
  };
}

export { type CatalogIcon, CatalogLabelService, type CatalogLabels } from './catalog-labels.ts';
export { type ChartDetail, ChartService } from './charts.ts';
export type { ChartInput, ChartPatchInput } from './charts-input.ts';
export {
  CONTENT_CHECK_JOB_TYPE,
  type ContentCheckDeps,
  type ContentChecks,
  type ContentFinding,
  createContentChecks,
  type ProblemKind,
} from './checks.ts';
export type { CommentInput, CommentNotice, DashboardComment } from './comments.ts';
export {
  type CloneJobInput,
  type ContentJobs,
  createContentJobs,
  DASHBOARD_CLONE_JOB_TYPE,
  DASHBOARD_TAGS_JOB_TYPE,
  type TagEdit,
} from './content-jobs.ts';
export { ContentViews, type ViewedKind, type ViewStats } from './content-views.ts';
export {
  type PinnedItem,
  type PinnedKind,
  type PinRef,
  PinService,
  type Tag,
  type TagInput,
  TagService,
} from './curation.ts';
export type { DashboardInput, DashboardPatchInput, WidgetInput } from './dashboard-input.ts';
export {
  type DashboardMoved,
  DashboardService,
  type DashboardSource,
  type SourceLookup,
} from './dashboards.ts';
export { createDemoDashboard, DEMO_DASHBOARD_NAME } from './demo.ts';
export type { QueriedSource } from './dependants.ts';
export { FavouriteService } from './favourites.ts';
export { type FolderInput, type FolderPatch, FolderService } from './folders.ts';
export { DashboardItemIds, type DashboardItemKind, type DashboardItemRef } from './item-ids.ts';
export { GRID_COLUMNS, type LayoutCell } from './layout.ts';
export * from './permissions.ts';
export { type SqlChart, type SqlChartInput, type SqlChartPatch, SqlChartService } from './sql-charts.ts';
export { ContentTrash } from './trash.ts';
export * from './types.ts';
export { dashboardVariableValues, fillTemplate, tokenVariableValues } from './variables.ts';
export type { PlacedWidget } from './widgets.ts';
export { drawnQuery } from './widgets.ts';
