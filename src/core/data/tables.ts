import type { Generated } from 'kysely';

/**
 * Kysely row types of the data module's tables. JSON documents are text, booleans 0/1,
 * timestamps ISO text (see store/schema.ts). `organization_id` is a plain integer (no FK) so
 * this module does not depend on the directory's migrations.
 */
export interface ConnectionsTable {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  name: string;
  type: string;
  host: string | null;
  port: number | null;
  database_name: string | null;
  user_name: string | null;
  /** AES-256-GCM envelope (see secrets.ts); never the plain password. */
  password_secret: string | null;
  ssl: number;
  /** DuckDB file, relative to the data dir. */
  file: string | null;
  builtin: number;
  created_at: string;
  updated_at: string;
  /** Set while it is in the trash (migration 0220); null = live. */
  deleted_at: string | null;
  deleted_by: number | null;
}

export interface DataSourcesTable {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  connection_id: number;
  name: string;
  type: string;
  schema_name: string | null;
  table_name: string | null;
  sql_text: string | null;
  /** JSON ColumnInfo[] */
  columns: string;
  /** JSON string[] */
  primary_key: string;
  /** JSON RowPolicy[] */
  policies: string;
  /** JSON SourceFormula[]; NULL = none (added by 0210). */
  formulas: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  /** Set while it is in the trash (migration 0220); null = live. */
  deleted_at: string | null;
  deleted_by: number | null;
  /** JSON AccessEntry[] (migration 0230); NULL = no list. */
  access: string | null;
}

export interface ModelsTable {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** The project the row belongs to (migration 0240); the organization's default one unless moved. */
  project_id: number;
  name: string;
  connection_id: number;
  /** JSON ModelDefinition */
  definition: string;
  version: number;
  created_at: string;
  updated_at: string;
  /** JSON AccessEntry[] (migration 0230); NULL = no list. */
  access: string | null;
}

export interface DataTables {
  connections: ConnectionsTable;
  data_sources: DataSourcesTable;
  models: ModelsTable;
}
