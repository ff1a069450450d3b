import type { ColumnInfo, Engine, EngineDialect, JsonScalar, ResultColumn } from '../../engines/types.ts';
import { isRosettaError, validationError } from '../errors.ts';
import { dialects } from '../query/dialects.ts';

/**
 * The developer's SQL console on a connection: a bounded schema tree to browse, and one read
 * statement at a time run as written. Callers check the role (developer and above) first.
 */

/** Tables listed in a schema tree; a warehouse with more says `truncated`. */
export const MAX_BROWSED_TABLES = 1000;
/** Rows a console statement returns by default, and at most. */
export const DEFAULT_SQL_ROWS = 1000;
export const MAX_SQL_ROWS = 10_000;

export interface BrowsedTable {
  name: string;
  kind: 'table' | 'view';
  /** The schema-qualified, quoted name to paste into SQL for this engine. */
  sqlName: string;
  /** Names of the data sources reading this table (a storage source's table is `ds_<id>`). */
  dataSources: string[];
  columns: ColumnInfo[];
}

/** A table or storage data source of the connection, as the tree labels tables with them. */
export interface SourceOnTable {
  name: string;
  /** Absent: the source names its table without a schema, so it reads it in any schema. */
  schema?: string;
  table: string;
}

export interface ConnectionSchema {
  dialect: EngineDialect;
  schemas: { name: string; tables: BrowsedTable[] }[];
  /** True when the warehouse has more than `maxTables` tables and views. */
  truncated: boolean;
  maxTables: number;
}

export interface SqlResult {
  columns: ResultColumn[];
  rows: JsonScalar[][];
  truncated: boolean;
  durationMs: number;
}

export async function browseSchema(engine: Engine, sources: SourceOnTable[]): Promise<ConnectionSchema> {
  const { tables, truncated } = await engine.catalog(MAX_BROWSED_TABLES);
  const schemas = new Map<string, BrowsedTable[]>();
  for (const table of tables) {
    const sqlName = [table.schema, table.name].map((part) => dialects[engine.dialect].quote(part)).join('.');
    const dataSources = sources
      .filter((source) => source.table === table.name && (source.schema ?? table.schema) === table.schema)
      .map((source) => source.name);
    const listed = schemas.get(table.schema) ?? [];
    listed.push({ name: table.name, kind: table.kind, sqlName, dataSources, columns: table.columns });
    schemas.set(table.schema, listed);
  }
  return {
    dialect: engine.dialect,
    schemas: [...schemas].map(([name, listed]) => ({ name, tables: listed })),
    truncated,
    maxTables: MAX_BROWSED_TABLES,
  };
}

/**
 * Runs one statement that only reads, as the warehouse itself decides (`RunOptions.readOnly`:
 * DuckDB's parser, a READ ONLY transaction or session elsewhere), never by matching the text.
 * A statement the warehouse rejects while the warehouse itself answers is the caller's mistake:
 * a 400 on `sql` with the warehouse's own words.
 */
export async function runConsoleSql(
  engine: Engine,
  input: { sql?: unknown; limit?: unknown },
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<SqlResult> {
  const sql = input.sql;
  if (typeof sql !== 'string' || !sql.trim()) throw validationError('sql', 'must be a non-empty string');
  const maxRows = checkLimit(input.limit);
  const started = performance.now();
  try {
    const result = await engine.run({ sql, params: [] }, { maxRows, ...options, readOnly: true });
    return { ...result, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (!isRosettaError(error) || error.code !== 'ERR_ENGINE') throw error;
    const reachable = await engine.ping().then(
      () => true,
      () => false,
    );
    if (!reachable) throw error;
    throw validationError('sql', error.message);
  }
}

function checkLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_SQL_ROWS;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_SQL_ROWS)
    throw validationError('limit', `must be an integer from 1 to ${MAX_SQL_ROWS}`);
  return limit;
}
