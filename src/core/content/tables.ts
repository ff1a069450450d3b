import type { Generated } from 'kysely';
import type { ChartTables } from './charts-tables.ts';
import type { DashboardItemIdTables } from './item-id-tables.ts';
import type { ContentViewTables } from './view-tables.ts';

/**
 * Kysely row types of the content module's tables. Organization and user ids are plain integers
 * (no foreign keys to the directory module's tables); JSON documents are text.
 */
export interface ContentTables extends ChartTables, ContentViewTables, DashboardItemIdTables {
  folders: FolderRow;
  dashboards: DashboardRow;
  dashboard_versions: DashboardVersionRow;
}

export interface FolderRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** The project the row belongs to (migration 0350); the organization's default one unless moved. */
  project_id: number;
  parent_id: number | null;
  /** `FolderKind`; what the folder holds (migration 0320, default `dashboard`). */
  kind: Generated<string>;
  name: string;
  description: string | null;
  /** JSON `AccessEntry[]`; empty = no list of its own (inherits, or open at the top). */
  access: string;
  created_by: number;
  created_at: string;
  updated_at: string;
}

export interface DashboardRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** The project the row belongs to (migration 0350); the organization's default one unless moved. */
  project_id: number;
  folder_id: number | null;
  owner_id: number;
  name: string;
  description: string | null;
  /** JSON `string[]`. */
  tags: string;
  /** JSON: widgets, filters, variables, layout, customCss, headerHtml. */
  definition: string;
  /** JSON `AccessEntry[]`. */
  shares: string;
  /** Number of the latest stored version; bumped by every update (optimistic lock). */
  version: number;
  created_at: string;
  updated_at: string;
  updated_by: number;
  /** Set while the dashboard is in the trash (migration 0340); null = live. */
  deleted_at: string | null;
  deleted_by: number | null;
  /** 1 = in its owner's personal space (top level, seen by the owner and admins only). */
  personal: number;
}

export interface DashboardVersionRow {
  id: Generated<number>;
  uuid: string;
  dashboard_id: number;
  version: number;
  author_id: number;
  created_at: string;
  /** JSON `DashboardContent`. */
  snapshot: string;
}
