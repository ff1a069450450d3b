/**
 * The one interface every warehouse driver implements (after Cube's base driver): introspect,
 * run a compiled query with bound parameters and a row cap, stream, cancel.
 * SQL text reaches an engine only from the compiler or from the engine's own storage code.
 */
export type EngineDialect = 'duckdb' | 'postgres' | 'mysql' | 'clickhouse';

/** Logical column types shared by engines, models and faces. */
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'json';

export interface ColumnInfo {
  name: string;
  type: ColumnType;
  /** The engine's own type name, e.g. `DOUBLE`, `character varying`. */
  nativeType: string;
  nullable: boolean;
}

export interface TableInfo {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
}

/** The first tables and views of a warehouse, ordered by schema and name. */
export interface Catalog {
  tables: TableInfo[];
  /** True when the warehouse holds more tables than were listed. */
  truncated: boolean;
}

/** SQL with placeholders in the engine's own style ($1… for duckdb/postgres, ? for mysql). */
export interface CompiledQuery {
  sql: string;
  params: readonly JsonScalar[];
}

export type JsonScalar = string | number | boolean | null;

/** What a result column of the query core is (core/query/columns.ts): engines leave it out. */
export interface ColumnMeta {
  /** The stable output id, equal to the column's name. */
  id: string;
  kind: 'dimension' | 'metric' | 'calculation';
  label?: string;
  /** `percent` (a 0–1 ratio shown ×100), `integer`, `date`, `datetime`, or absent. */
  format?: 'percent' | 'integer' | 'date' | 'datetime';
  /**
   * In a pivot, a spread column: the metric (or post calculation) it shows and the pivot
   * dimensions' values it is for.
   */
  pivot?: { metric: string; values: JsonScalar[] };
}

export interface ResultColumn extends Partial<ColumnMeta> {
  name: string;
  type: ColumnType;
  /**
   * The engine's own type name (`DOUBLE`, `DECIMAL(38,3)`, `numeric`) when it reports one: it
   * tells a binary float, whose values carry representation noise, from an exact decimal.
   */
  nativeType?: string;
}

/**
 * Rows are arrays of JSON-safe values: integers beyond 2^53 become strings, dates and
 * timestamps become ISO-8601 strings, decimals become numbers.
 */
export interface QueryResult {
  columns: ResultColumn[];
  rows: JsonScalar[][];
  /** True when the row cap cut the result. */
  truncated: boolean;
}

export interface RunOptions {
  /** Rows beyond this are not fetched; `truncated` reports the cut. */
  maxRows: number;
  /** Aborting cancels the running statement on the server. */
  signal?: AbortSignal;
  /** Cancel after this many milliseconds with ERR_TIMEOUT. */
  timeoutMs?: number;
  /**
   * The SQL is a user's, run as written (the SQL console): the warehouse itself must find it one
   * statement that only reads — DuckDB's parser types it SELECT; PostgreSQL prepares it inside a
   * READ ONLY transaction that is rolled back; MySQL prepares it as returning rows on a READ ONLY
   * session — else ERR_VALIDATION on `sql` with the warehouse's words, and nothing is written.
   */
  readOnly?: boolean;
}

export interface CsvCopyOptions {
  /** One character, not a quote or line break. */
  delimiter: string;
  header: boolean;
  /** Quote-prefix text cells and column names that start like a formula (`formula-cells.ts`); default true. */
  escapeFormulas?: boolean;
  maxRows: number;
  /** Aborting cancels the copy on the server. */
  signal?: AbortSignal;
}

export interface CsvCopyResult {
  /** Data rows written. */
  rows: number;
  /** True when the query had more than `maxRows` rows. */
  truncated: boolean;
}

export interface RowStream {
  columns: ResultColumn[];
  /** Batches of rows, in order; breaking out of the loop releases the connection. */
  batches: AsyncIterable<JsonScalar[][]>;
}

export interface Engine {
  readonly dialect: EngineDialect;
  /** Tables and views with their columns (schemas of the connection's database). */
  introspect(): Promise<TableInfo[]>;
  /** The same, but at most `maxTables` of them (first by schema and name), for browsing. */
  catalog(maxTables: number): Promise<Catalog>;
  /**
   * Columns a user's SELECT statement would return, without running it in full. The statement is
   * held to `RunOptions.readOnly`, and one the warehouse refuses is ERR_VALIDATION on `sql` with
   * its words (an unreachable warehouse stays ERR_ENGINE).
   */
  describeQuery(sql: string): Promise<ColumnInfo[]>;
  run(query: CompiledQuery, options: RunOptions): Promise<QueryResult>;
  stream(
    query: CompiledQuery,
    options: Omit<RunOptions, 'maxRows'> & { batchSize?: number },
  ): Promise<RowStream>;
  /**
   * Writes the query's rows as CSV (header, RFC 4180 quoting, CRLF, NULL as empty) straight to
   * `file`, at most `maxRows` of them, without turning each value into a JS value. Optional: an
   * engine without a native writer is exported through `stream`.
   */
  copyToCsv?(query: CompiledQuery, file: string, options: CsvCopyOptions): Promise<CsvCopyResult>;
  /** Checks that the warehouse answers; throws ERR_ENGINE with the driver's message otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A storage column definition for managed tables Rosetta owns. */
export interface StorageColumn {
  name: string;
  type: Exclude<ColumnType, 'json'>;
}

/**
 * Managed storage tables (the warehouse side of "storage" data sources). Every method is
 * atomic: a batch either lands whole or not at all.
 */
export interface ManagedStorage {
  /**
   * The schema (ClickHouse: the database) managed tables live in, which data sources name as
   * theirs so the compiler reads `<storageSchema>.<table>`.
   */
  readonly storageSchema: string;
  createTable(table: string, columns: StorageColumn[], primaryKey: string[]): Promise<void>;
  dropTable(table: string): Promise<void>;
  /** Adds columns missing from the table (existing ones are kept). */
  addColumns(table: string, columns: StorageColumn[]): Promise<void>;
  insertRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number>;
  upsertRows(
    table: string,
    columns: StorageColumn[],
    primaryKey: string[],
    rows: JsonScalar[][],
  ): Promise<number>;
  deleteRows(table: string, primaryKey: StorageColumn[], keys: JsonScalar[][]): Promise<number>;
  /** Replaces the whole content of the table with these rows. */
  replaceRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number>;
  /** Replaces (or appends to) the table from a CSV file (plain or .gz) on disk. */
  loadCsv(
    table: string,
    columns: StorageColumn[],
    file: string,
    options: { delimiter: string; header: boolean; mode: 'replace' | 'append' },
  ): Promise<number>;
  countRows(table: string): Promise<number>;
  /**
   * Several writes in order in one transaction: all commit or none. Upserts and deletes match
   * rows on `key`, which need not be a declared primary key (an upsert deletes the matching
   * rows, then inserts; the last row of each key wins).
   */
  applyOperations(table: string, operations: StorageOperation[]): Promise<number>;
}

export interface StorageOperation {
  mode: 'insert' | 'upsert' | 'delete';
  /** The columns of `rows`; for a delete, the key columns. */
  columns: StorageColumn[];
  /** Key column names (upsert and delete). */
  key: string[];
  rows: JsonScalar[][];
}
