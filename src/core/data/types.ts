import type { ColumnInfo, StorageColumn } from '../../engines/types.ts';
import type { FolderRef } from '../filing.ts';
import type { ModelDimension, ModelJoin, ModelMetric, RowPolicy } from '../query/model.ts';
import type { RequiredAttributes } from '../query/required-attributes.ts';
import type { AccessEntry } from './access.ts';

/** Domain shapes of the data module: what services take and return (never raw rows). */

export type ConnectionType = 'duckdb' | 'postgres' | 'mysql' | 'clickhouse';

export interface Connection {
  id: number;
  uuid: string;
  organizationId: number;
  name: string;
  type: ConnectionType;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  ssl: boolean;
  /** DuckDB only: file name inside the data dir. */
  file?: string;
  /** The password itself is never returned by any read. */
  hasPassword: boolean;
  /** The embedded DuckDB connection: not deletable. */
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionInput {
  name: string;
  type: ConnectionType;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /** `null` clears a stored password; absent keeps it (on update). */
  password?: string | null;
  ssl?: boolean;
  file?: string;
}

export type DataSourceType = 'table' | 'sql' | 'storage';

export interface DataSource {
  id: number;
  uuid: string;
  organizationId: number;
  connectionId: number;
  name: string;
  type: DataSourceType;
  schema?: string;
  table?: string;
  sql?: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  policies: RowPolicy[];
  /**
   * Named formulas saved with the source (a vendor's "measures"): kept as written, each with a
   * stable `id` by which clients address it; the face that owns the syntax translates them.
   */
  formulas: SourceFormula[];
  /** Bumped by every ingestion; part of query cache keys. */
  version: number;
  /** Who may query and read it (access.ts); empty = everyone of the organization. */
  access: AccessEntry[];
  createdAt: string;
  updatedAt: string;
}

export type DataSourceInput =
  | {
      type: 'table';
      name: string;
      connectionId: number;
      schema?: string;
      table: string;
      policies?: RowPolicy[];
    }
  | { type: 'sql'; name: string; connectionId: number; sql: string; policies?: RowPolicy[] }
  | {
      type: 'storage';
      name: string;
      /** Empty or absent: inferred from the first batch of rows. */
      columns?: StorageColumn[];
      primaryKey?: string[];
      policies?: RowPolicy[];
    };

export interface SourceFormula {
  id: string;
  name: string;
  expression: string;
}

export interface DataSourcePatch {
  name?: string;
  policies?: RowPolicy[];
  /** Replaces the source's formulas (ids unique, at most 500, expressions ≤ 2000 characters). */
  formulas?: SourceFormula[];
  /** `sql` sources only: re-described on save. */
  sql?: string;
  /** A data-source folder to file the source in; null = the top level; absent = it stays. */
  folderId?: FolderRef | null;
}

/**
 * A model table as stored: a relation in the model's connection, or a data source (by uuid)
 * whose relation and version the model borrows.
 */
export type ModelTableInput = (
  | { name: string; schema?: string; table: string }
  | { name: string; sql: string }
  | { name: string; dataSource: string }
) & {
  /** Only users holding these attributes see the table and its fields (query/required-attributes.ts). */
  requiredAttributes?: RequiredAttributes;
};

export interface ModelDefinition {
  baseTable: string;
  tables: ModelTableInput[];
  joins: ModelJoin[];
  dimensions: ModelDimension[];
  metrics: ModelMetric[];
  policies: RowPolicy[];
}

export interface ModelInput extends ModelDefinition {
  name: string;
  connectionId: number;
  /** Default: the caller's default project; on update, given to move the model. */
  projectId?: number;
}

/** A change to a model; `folderId` files it among the data sources (as Serenytics shows joins). */
export interface ModelPatch extends Partial<ModelInput> {
  /** A data-source folder; null = the top level; absent = it stays. */
  folderId?: FolderRef | null;
}

export interface StoredModel extends ModelDefinition {
  id: number;
  uuid: string;
  organizationId: number;
  projectId: number;
  name: string;
  connectionId: number;
  version: number;
  /** Who may query and read it (access.ts); empty = everyone of the organization. */
  access: AccessEntry[];
  createdAt: string;
  updatedAt: string;
}
