/** Domain types of content: folders, dashboards, widgets, versions, access. */

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

/**
 * The native query body, kept as JSON: the query core validates it against the model when it
 * runs, so content only checks it names a `source`.
 */
export interface WidgetQuery {
  source: string;
  [key: string]: unknown;
}

export interface Widget {
  /** Stable within the dashboard; layout entries refer to it. */
  id: string;
  title: string;
  /** Absent only on text widgets. */
  query: WidgetQuery | null;
  visualization: Visualization;
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
}

export interface DashboardSummary {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  folderId: number | null;
  folderUuid: string | null;
  ownerId: number;
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
  version: number;
  authorId: number;
  createdAt: string;
  name: string;
}

export interface DashboardVersion extends DashboardVersionSummary {
  snapshot: DashboardContent;
}
