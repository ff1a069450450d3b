import type { ColumnType } from '../../engines/types.ts';
import type { MemberRule } from './member-rules.ts';
import type { ModelRestrictions, RequiredAttributes } from './required-attributes.ts';

/**
 * A model: tables + joins + dimensions + metrics + row policies. Every query targets one.
 * A data source is a one-table model whose dimensions are its columns.
 * Fields are addressed `table.field`; a field name that is unique in the model may be used alone.
 */
export interface Model {
  /** Model name or data source uuid, as the caller addressed it. */
  name: string;
  /** Connection whose engine runs the model's queries. */
  connectionId: number;
  /** The table every query starts from (its alias). */
  baseTable: string;
  tables: ModelTable[];
  joins: ModelJoin[];
  dimensions: ModelDimension[];
  metrics: ModelMetric[];
  policies: RowPolicy[];
  /** Which values of a field each user or group sees (member-rules.ts); absent = none. */
  memberRules?: MemberRule[];
  /** Bumped on every change of the underlying data; part of the cache key. */
  version: number;
  /** Data sources read by the model (data-API keys may query only models over theirs). */
  dataSourceIds: number[];
  /** True when a table of the model is a warehouse table or SQL rather than a data source. */
  readsOtherTables?: boolean;
  /** The project of a stored model (a data source's own model belongs to none). */
  projectId?: number;
  /** What the caller may not address (required-attributes.ts); row policies still read it. */
  hidden?: ModelRestrictions;
}

export type ModelRelation = { kind: 'table'; schema?: string; table: string } | { kind: 'sql'; sql: string };

export interface ModelTable {
  /** Alias used in field addresses and in the generated SQL. */
  name: string;
  relation: ModelRelation;
}

export interface ModelJoin {
  table: string;
  type: 'left' | 'inner' | 'right' | 'full';
  /** Equality conditions `left = right`, each side a `table.column` address. */
  on: Array<{ left: string; right: string }>;
}

export interface ModelDimension {
  /** Field name, unique within its table. */
  name: string;
  table: string;
  /** The column the field reads … */
  column?: string;
  /**
   * … or a developer's SQL expression over the model's tables (exactly one of the two):
   * `${TABLE}.price * ${TABLE}.quantity`, where `${TABLE}` is this table's alias and `${orders}`
   * another table's (sql-expression.ts). Checked by the warehouse when the model is saved.
   */
  sql?: string;
  /** The column's type, or the type the SQL expression computes (declared with it). */
  type: ColumnType;
  label?: string;
  /** The warehouse's own type of the column (`smallint`, `INTEGER`…), when known: it bounds filter values. */
  nativeType?: string;
  /** Only users holding these attributes may use the field (required-attributes.ts). */
  requiredAttributes?: RequiredAttributes;
}

export type Aggregation =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'count_distinct'
  | 'median'
  | 'percentile'
  | 'stddev'
  | 'variance';

export interface ModelMetric {
  name: string;
  table: string;
  label?: string;
  /** An aggregation over a column (`column` absent for count = count(*)) … */
  aggregation?: Aggregation;
  column?: string;
  /** The fraction (0–1) of a `percentile` aggregation, and only of one. */
  percentile?: number;
  /** … or a formula over other metrics of the model: `+ - * /`, parentheses, numbers, names … */
  formula?: string;
  /**
   * … or a developer's SQL aggregate expression (`SUM(${TABLE}.price) / NULLIF(COUNT(*), 0)`,
   * placeholders as for a dimension's `sql`), checked by the warehouse when the model is saved.
   */
  sql?: string;
  /** What the SQL computes: `number` (default) or `integer`. */
  type?: 'number' | 'integer';
  /** Only users holding these attributes may use the metric (required-attributes.ts). */
  requiredAttributes?: RequiredAttributes;
}

/**
 * Row-level security: rows are visible only when `field`'s value is among the principal's
 * values for `attribute`. A principal without the attribute sees no rows; admins see all.
 */
export interface RowPolicy {
  field: string;
  attribute: string;
}
