import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResult } from '@duckdb/node-api';
import { columnTypeOfNative } from '../columnTypes.ts';
import { toEngineError } from '../errors.ts';
import type { ResourcePool } from '../pool.ts';
import type { EngineSpec } from '../spec.ts';
import {
  catalogOfColumns,
  EVERY_TABLE,
  type OpenResult,
  runStatement,
  type StatementDriver,
  type StreamOptions,
  streamStatement,
} from '../statement.ts';
import type {
  Catalog,
  ColumnInfo,
  CompiledQuery,
  CsvCopyOptions,
  CsvCopyResult,
  Engine,
  QueryResult,
  RowStream,
  RunOptions,
  TableInfo,
} from '../types.ts';
import { copyColumnsOf, copyCsvStatement } from './copy.ts';
import { DuckDbDatabase } from './database.ts';
import { prepareSelect } from './read-only.ts';
import { DuckDbStorage } from './storage.ts';
import { bindings, convertersOf, rowsOfChunk } from './values.ts';

const DEFAULT_POOL_SIZE = 4;
/** DuckDB forgets an interrupt sent before its statement starts, so it is re-sent this often. */
const INTERRUPT_REPEAT_MS = 50;

/** The first `$1` tables and views of the database, with their columns. */
const CATALOG_SQL = `
  WITH listed AS (
    SELECT table_schema, table_name, table_type = 'VIEW' AS is_view
    FROM information_schema.tables
    WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog')
    ORDER BY table_schema, table_name
    LIMIT $1)
  SELECT c.schema_name, c.table_name, l.is_view, c.column_name, c.data_type, c.is_nullable
  FROM duckdb_columns() c
  JOIN listed l ON l.table_schema = c.schema_name AND l.table_name = c.table_name
  WHERE NOT c.internal AND c.database_name = current_database()
  ORDER BY c.schema_name, c.table_name, c.column_index`;

/** Results are read chunk by chunk (2048 rows), whatever count is asked for. */
async function openResult(connection: DuckDBConnection, query: CompiledQuery): Promise<OpenResult> {
  const { values, types } = bindings(query.params);
  return readResult(await connection.stream(query.sql, values, types));
}

/** A user's statement, run only once DuckDB has typed it a single SELECT (`prepareSelect`). */
async function openReadOnlyResult(connection: DuckDBConnection, query: CompiledQuery): Promise<OpenResult> {
  const prepared = await prepareSelect(connection, query.sql);
  try {
    const { values, types } = bindings(query.params);
    prepared.bind(values, types);
    return readResult(await prepared.stream(), prepared);
  } catch (error) {
    prepared.destroySync();
    throw error;
  }
}

function readResult(result: DuckDBResult, prepared?: DuckDBPreparedStatement): OpenResult {
  const converters = convertersOf(result);
  return {
    columns: result.columnNames().map((name, index) => {
      const nativeType = result.columnType(index).toString();
      return { name, type: columnTypeOfNative(nativeType), nativeType };
    }),
    async read() {
      const chunk = await result.fetchChunk();
      return chunk && chunk.rowCount > 0 ? rowsOfChunk(chunk, converters) : [];
    },
    close: async () => prepared?.destroySync(),
  };
}

/** Embedded DuckDB: the engine Rosetta ships with, and the home of managed storage tables. */
export class DuckDbEngine extends DuckDbStorage implements Engine {
  readonly dialect = 'duckdb' as const;

  constructor(spec: Extract<EngineSpec, { type: 'duckdb' }>) {
    super(DuckDbDatabase.open(spec.file, spec.poolSize ?? DEFAULT_POOL_SIZE));
  }

  async introspect(): Promise<TableInfo[]> {
    return (await this.catalog(EVERY_TABLE)).tables;
  }

  async catalog(maxTables: number): Promise<Catalog> {
    return catalogOfColumns(await this.query(CATALOG_SQL, [maxTables + 1]), maxTables);
  }

  /** Prepares without running: DuckDB types the statement and reports its result columns. */
  async describeQuery(sql: string): Promise<ColumnInfo[]> {
    const database = await this.database();
    try {
      return await database.pool.use(async (connection) => {
        const prepared = await prepareSelect(connection, sql);
        try {
          const columns: ColumnInfo[] = [];
          for (let i = 0; i < prepared.columnCount; i++) {
            const nativeType = prepared.columnType(i).toString();
            columns.push({
              name: prepared.columnName(i),
              type: columnTypeOfNative(nativeType),
              nativeType,
              nullable: true,
            });
          }
          return columns;
        } finally {
          prepared.destroySync();
        }
      });
    } catch (error) {
      throw toEngineError(error);
    }
  }

  async run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    const database = await this.database();
    return runStatement(this.#statements(database.pool, options.readOnly), query, options);
  }

  async stream(query: CompiledQuery, options: StreamOptions): Promise<RowStream> {
    const database = await this.database();
    return streamStatement(this.#statements(database.pool, options.readOnly), query, options);
  }

  /**
   * One COPY of up to `maxRows + 1` rows tells whether the cap cuts the result; only then is the
   * file written again with `maxRows` rows. That second run is paid by truncated exports alone,
   * and is simpler and safer than cutting the last record off a CSV whose quoted fields may
   * hold line breaks. Each COPY runs as a statement, so the signal interrupts it like a query.
   * DuckDB may write only into its staging area: the file is written there, then moved to `file`.
   * The export connections let DuckDB drop insertion order (`database.ts`), which keeps COPY
   * streaming: without an ORDER BY the row order is free anyway.
   */
  async copyToCsv(query: CompiledQuery, file: string, options: CsvCopyOptions): Promise<CsvCopyResult> {
    const database = await this.database();
    const driver = this.#statements(database.exportPool);
    const written = database.staging.withOutput(file, async (staged) => {
      const copy = async (limit: number): Promise<number> => {
        const open = async (connection: DuckDBConnection) => {
          const columns = await copyColumnsOf(connection, query.sql);
          return openResult(connection, copyCsvStatement(query, columns, staged, options, limit));
        };
        const { rows } = await runStatement({ ...driver, open }, query, {
          maxRows: 1,
          signal: options.signal,
        });
        // COPY answers with one row: the number of rows it wrote.
        return Number(rows[0]?.[0] ?? 0);
      };
      const rows = await copy(options.maxRows + 1);
      if (rows <= options.maxRows) return { rows, truncated: false };
      return { rows: await copy(options.maxRows), truncated: true };
    });
    // Moving the file may fail too (a missing target directory): the caller sees ERR_ENGINE.
    return written.catch((error: unknown) => {
      throw toEngineError(error);
    });
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    const database = await this.database().catch(() => undefined);
    await database?.close();
  }

  /** Statements share one of the database's small pools; an interrupt stops one at once. */
  #statements(pool: ResourcePool<DuckDBConnection>, readOnly = false): StatementDriver<DuckDBConnection> {
    return {
      acquire: () => pool.acquire(),
      open: readOnly ? openReadOnlyResult : openResult,
      interrupt: (connection) => connection.interrupt(),
      interruptRepeatMs: INTERRUPT_REPEAT_MS,
      release: (connection) => pool.release(connection),
    };
  }
}
