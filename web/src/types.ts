export type Scalar = string | number | boolean | null;

export interface User {
  id: number;
  uuid: string;
  email: string;
  name: string;
  role: 'viewer' | 'interactive_viewer' | 'editor' | 'developer' | 'admin';
  status: 'active' | 'pending' | 'deleted';
  createdAt: string;
  lastLoginAt: string | null;
}

export interface Me extends User {
  organizationId: number;
  organizationName: string;
  projectId: number;
  groupIds: number[];
}

/** A project of the organization: models, folders, dashboards, charts and schedules belong to one. */
export interface Project {
  id: number;
  uuid: string;
  name: string;
  isDefault: boolean;
  createdAt: string;
}

export interface Column {
  name: string;
  type: string;
  nativeType?: string;
}

export interface DataSource {
  id: number;
  uuid: string;
  name: string;
  type: 'table' | 'sql' | 'storage';
  columns: Column[];
  connectionId: number;
  access: QueryAccessEntry[];
  updatedAt: string;
}

export interface Folder {
  id: number;
  uuid: string;
  name: string;
  parentId: number | null;
  description?: string | null;
  createdBy?: number;
  access?: AccessEntry[];
}

/** Something in the trash (`GET /api/trash`). */
export interface TrashItem {
  kind: 'dashboard' | 'chart' | 'data_source' | 'connection';
  id: number;
  uuid: string;
  name: string;
  ownerId: number | null;
  deletedAt: string;
  deletedBy: number | null;
}

export interface DashboardSummary {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  folderId: number | null;
  ownerId: number;
  /** In the owner's personal space ("My space"). */
  personal: boolean;
  tags: string[];
  updatedAt: string;
}

/** A filter value: a literal, or the value of a variable of the query's `variables`. */
export type FilterValueOrVariable = Scalar | { variable: string };

export type FilterNode =
  | { field: string; operator: string; values: FilterValueOrVariable[] }
  | { and: FilterNode[] }
  | { or: FilterNode[] }
  | { not: FilterNode };

/** A named arithmetic expression: a custom column over fields, or a formula over metrics. */
export interface NamedFormula {
  name: string;
  formula: string;
}

/** Numeric bins of a dimension: fixed width, or custom half-open ranges `[from, to)`. */
export type QueryBin =
  | { width: number; offset?: number }
  | { ranges: { from?: number; to?: number; label?: string }[] };

export interface QueryDimension {
  field: string;
  /** A period bucket (`month`) or a date part (`month_of_year`). */
  granularity?: string;
  bin?: QueryBin;
  alias?: string;
}

/** An aggregation over a field (with its own filter when `filters` is set), or a model metric. */
export type QueryMetric =
  | { field?: string; aggregation: string; percentile?: number; alias?: string; filters?: FilterNode }
  | { metric: string; alias?: string; filters?: FilterNode };

/** A calculation over the grouped result (src/core/query/ir.ts `PostCalculation`). */
export type PostCalculation =
  | { id: string; type: string; of: string; partitionBy?: string[]; ascending?: boolean }
  | { id: string; type: 'formula'; formula: string };

export interface Query {
  source: string;
  /** Custom columns: row-level calculations, usable wherever a field is. */
  calculations?: NamedFormula[];
  dimensions?: (string | QueryDimension)[];
  /** An aggregation over a field, a metric of the model by name, or a formula over metrics. */
  metrics?: (QueryMetric | NamedFormula)[];
  filters?: FilterNode;
  /** Rules on result columns (metrics and calculations), applied after the calculations. */
  postFilters?: FilterNode;
  post?: PostCalculation[];
  top?: { dimension: string; by: string; n: number; others?: boolean; bottom?: boolean };
  totals?: boolean | { subtotals?: string[] };
  pivot?: { columns: string[]; maxColumns?: number };
  /** IANA zone of the date buckets and relative dates (UTC when absent). */
  timezone?: string;
  /** ISO day the week starts on: 1 = Monday … 7 = Sunday. */
  weekStart?: number;
  sorts?: (string | { field: string; descending?: boolean })[];
  limit?: number;
  offset?: number;
  variables?: Record<string, Scalar | Scalar[]>;
  /** false: the rows as stored, without metrics or grouping. */
  aggregate?: boolean;
}

export interface Visualization {
  type: string;
  options?: Record<string, unknown>;
}

export interface Widget {
  id: string;
  title?: string;
  query?: Query | null;
  visualization: Visualization;
  /** Uuid of the saved chart the widget shows (its query and visualization are the chart's). */
  chartId?: string;
}

export interface Cell {
  widgetId: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DashboardFilter {
  id: string;
  field: string;
  label?: string;
  type: 'date_range' | 'values' | 'number_range';
  default?: unknown;
  /** Widget id → the field filtered in that widget, or false to leave it alone. */
  tileTargets?: Record<string, string | false>;
}

export interface DashboardVariable {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'date';
  default: Scalar;
}

/** A user or a group on an access list: a dashboard's share, a folder's access (`view`/`edit`). */
export interface AccessEntry<Level extends string = 'view' | 'edit'> {
  subject: 'user' | 'group';
  id: number;
  level: Level;
}

/** Who may query a data source or a model; `edit` also lets them change it. Empty = everyone. */
export type QueryAccessEntry = AccessEntry<'query' | 'edit'>;

export interface Dashboard extends DashboardSummary {
  version: number;
  widgets: Widget[];
  filters: DashboardFilter[];
  variables: DashboardVariable[];
  layout: Cell[];
  customCss: string | null;
  headerHtml: string | null;
  shares: AccessEntry[];
  /** On GET /dashboards/:id: whether the caller may edit this dashboard. */
  canEdit?: boolean;
}

/** A result column: `id` = `name`, what it is (`kind`) and how to format it. */
export interface ResultColumn {
  name: string;
  type: string;
  id?: string;
  kind?: 'dimension' | 'metric' | 'calculation';
  label?: string;
  /** `percent`: a 0–1 ratio shown ×100 %. */
  format?: 'percent' | 'integer' | 'date' | 'datetime';
  /** In a pivot, a spread column: its metric and the pivot dimensions' values. */
  pivot?: { metric: string; values: Scalar[] };
}

export interface QueryResult {
  columns: ResultColumn[];
  rows: Scalar[][];
  cached: boolean;
  durationMs: number;
  truncated?: boolean;
  /** Asked for with `count: true`: the rows of the query without its limit. */
  totalRows?: number;
  /** With `totals`: each metric (and pivot column) over every row the filters keep. */
  totals?: Record<string, Scalar>;
  /** With `totals.subtotals`: per dimension id, one row object per value. */
  subtotals?: Record<string, Record<string, Scalar>[]>;
  /** With `pivot`: which columns are row dimensions, pivot dimensions and metrics. */
  pivot?: { rows: string[]; columns: string[]; metrics: string[]; values: Scalar[][] };
}

export interface Group {
  id: number;
  name: string;
  description: string;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  /** Set on a data-API key: the only data sources it may query. */
  dataSourceIds: number[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}

/** A model table: a data source (by uuid), or a warehouse table or SQL query of the model's connection. */
export type ModelTable =
  | { name: string; dataSource: string }
  | { name: string; schema?: string; table: string }
  | { name: string; sql: string };

export interface ModelJoin {
  table: string;
  type: 'left' | 'inner' | 'right' | 'full';
  /** Equalities between `table.column` addresses. */
  on: { left: string; right: string }[];
}

/**
 * A column of a table under a name, or a developer's SQL expression over the model's tables
 * (`${TABLE}` is the dimension's table) with the type it computes.
 */
export interface ModelDimension {
  name: string;
  table: string;
  column?: string;
  sql?: string;
  type?: string;
  label?: string;
}

/** An aggregation over a column (none for a row count), a formula over other metrics, or SQL. */
export interface ModelMetric {
  name: string;
  table: string;
  label?: string;
  aggregation?: string;
  column?: string;
  formula?: string;
  /** An SQL aggregate expression (`SUM(${TABLE}.price)`), computing a `number` or an `integer`. */
  sql?: string;
  type?: string;
}

/** Rows are visible when `field` is among the user's values of the attribute `attribute`. */
export interface RowPolicy {
  field: string;
  attribute: string;
}

export interface ModelDefinition {
  name: string;
  connectionId: number;
  baseTable: string;
  tables: ModelTable[];
  joins: ModelJoin[];
  dimensions: ModelDimension[];
  metrics: ModelMetric[];
  policies: RowPolicy[];
}

export interface Model extends ModelDefinition {
  id: number;
  uuid: string;
  version: number;
  access: QueryAccessEntry[];
  createdAt: string;
  updatedAt: string;
}

export interface AttributeDefinition {
  id: number;
  key: string;
  type: string;
  description: string;
}
