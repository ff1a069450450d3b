/** Domain types of content: folders, dashboards, widgets, versions, access. */
import type { SavedQuery } from '../query/saved-query.ts';

export type AccessLevel = 'view' | 'edit';
export type AccessSubject = 'user' | 'group';

/** One grant of a folder's access list or a dashboard's shares. */
export interface AccessEntry {
  subject: AccessSubject;
  id: number;
  level: AccessLevel;
}

/** A folder or dashboard addressed by integer id or by uuid. */
export type ContentRef = number | string;

/** What a folder holds; a subfolder holds the same kind as its parent. */
export const folderKinds = ['dashboard', 'data_source', 'script'] as const;
export type FolderKind = (typeof folderKinds)[number];
/** Kinds of other modules' items, filed by uuid (dashboards have their own folder column). */
export type FolderItemKind = Exclude<FolderKind, 'dashboard'>;

export interface Folder {
  id: number;
  uuid: string;
  organizationId: number;
  projectId: number;
  kind: FolderKind;
  parentId: number | null;
  parentUuid: string | null;
  name: string;
  description: string | null;
  createdBy: number;
  /** The folder's own list; empty when it inherits (or is open). */
  access: AccessEntry[];
  /** True when an access list applies to it, its own or an ancestor's. */
  restricted: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface FolderNode extends Folder {
  children: FolderNode[];
}

export const visualizationTypes = [
  'table',
  'bar',
  'stacked_bar',
  'line',
  'area',
  'pie',
  'donut',
  'scatter',
  'kpi',
  'pivot',
  'text',
] as const;
export type VisualizationType = (typeof visualizationTypes)[number];

export interface Visualization {
  type: VisualizationType;
  options: Record<string, unknown>;
}

/** A widget's or chart's query: the one stored query type (core/query/saved-query.ts). */
export type WidgetQuery = SavedQuery;

export interface Widget {
  /** Stable within the dashboard; layout entries refer to it. */
  id: string;
  title: string;
  /** Absent only on text widgets. */
  query: WidgetQuery | null;
  visualization: Visualization;
  /**
   * Uuid of the saved chart the tile shows: its query and visualization are then the chart's,
   * filled in whenever the dashboard is read (stored with a copy, kept if the chart is deleted).
   */
  chartId?: string;
}

/** A widget's cell on the 12-column grid. */
export interface LayoutItem {
  widgetId: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export const filterTypes = ['date_range', 'values', 'number_range'] as const;
export type FilterType = (typeof filterTypes)[number];

export interface DashboardFilter {
  id: string;
  field: string;
  label: string;
  type: FilterType;
  /** date_range: {from?, to?}; values: scalar[]; number_range: {min?, max?}. */
  default?: unknown;
  /**
   * Per widget id: the field this filter filters in that widget, or `false` to leave the widget
   * alone. A widget not listed is filtered on `field` when its data has it.
   */
  tileTargets?: Record<string, string | false>;
}

export const variableTypes = ['string', 'number', 'boolean', 'date'] as const;
export type VariableType = (typeof variableTypes)[number];

export interface DashboardVariable {
  name: string;
  type: VariableType;
  default: string | number | boolean | null;
}

/** What a version snapshots and a restore brings back; folder, owner and shares are not content. */
export interface DashboardContent {
  name: string;
  description: string | null;
  tags: string[];
  widgets: Widget[];
  filters: DashboardFilter[];
  variables: DashboardVariable[];
  layout: LayoutItem[];
  customCss: string | null;
  headerHtml: string | null;
  /**
   * What a face keeps of its own vendor's dashboard that the content above does not hold (exact
   * tile geometry, tabs, filter rules), under the face's name. The core stores and versions it and
   * never reads it; each face reconciles it with the content, which other faces may have changed.
   */
  faceSettings?: Record<string, Record<string, unknown>>;
}

export interface DashboardSummary {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  folderId: number | null;
  folderUuid: string | null;
  projectId: number;
  ownerId: number;
  /** In the owner's personal space: seen by the owner and admins only, until shared or filed. */
  personal: boolean;
  tags: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Dashboard extends DashboardSummary, DashboardContent {
  organizationId: number;
  shares: AccessEntry[];
  updatedBy: number;
}

export interface DashboardVersionSummary {
  uuid: string;
  version: number;
  authorId: number;
  createdAt: string;
  name: string;
}

export interface DashboardVersion extends DashboardVersionSummary {
  snapshot: DashboardContent;
}

/** What a chart version snapshots and a restore brings back; folder and owner are not content. */
export interface ChartContent {
  name: string;
  description: string | null;
  query: WidgetQuery;
  visualization: Visualization;
}

export interface ChartSummary {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  folderId: number | null;
  folderUuid: string | null;
  projectId: number;
  /** The owner, who keeps access wherever the chart is filed. */
  createdBy: number;
  /** In the owner's personal space, as for dashboards. */
  personal: boolean;
  visualizationType: VisualizationType;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A dashboard showing a chart, as far as the caller may know of it. */
export interface ChartUse {
  id: number;
  uuid: string;
  name: string;
}

export interface Chart extends ChartSummary, ChartContent {
  organizationId: number;
  updatedBy: number;
}

export type ChartVersionSummary = DashboardVersionSummary;

export interface ChartVersion extends ChartVersionSummary {
  snapshot: ChartContent;
}
