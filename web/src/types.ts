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
  projectId: number;
  groupIds: number[];
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
  updatedAt: string;
}

export interface Folder {
  id: number;
  uuid: string;
  name: string;
  parentId: number | null;
  description?: string | null;
}

export interface DashboardSummary {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  folderId: number | null;
  tags: string[];
  updatedAt: string;
}

export type FilterNode =
  | { field: string; operator: string; values: Scalar[] }
  | { and: FilterNode[] }
  | { or: FilterNode[] };

export interface Query {
  source: string;
  dimensions?: (string | { field: string; granularity?: string })[];
  metrics?: { field?: string; aggregation: string }[];
  filters?: FilterNode;
  sorts?: (string | { field: string; descending?: boolean })[];
  limit?: number;
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
}

export interface Dashboard extends DashboardSummary {
  version: number;
  widgets: Widget[];
  filters: DashboardFilter[];
  layout: Cell[];
}

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Scalar[][];
  cached: boolean;
  durationMs: number;
  truncated?: boolean;
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
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}
