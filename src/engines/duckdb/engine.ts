import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { CancellationScope } from '../cancellation.ts';
import { columnTypeOfNative } from '../columnTypes.ts';
import { toEngineError } from '../errors.ts';
import type { EngineSpec } from '../spec.ts';
import type {
  ColumnInfo,
  CompiledQuery,
  Engine,
  JsonScalar,
  QueryResult,
  ResultColumn,
  RowStream,
  RunOptions,
  TableInfo,
} from '../types.ts';
import { DuckDbDatabase } from './database.ts';
import { DuckDbStorage } from './storage.ts';
import { bindings, convertersOf, rowsOfChunk } from './values.ts';

const DEFAULT_POOL_SIZE = 4;
const DEFAULT_BATCH_SIZE = 10_000;
/** DuckDB forgets an interrupt sent before its statement starts, so it is re-sent this often. */
const INTERRUPT_REPEAT_MS = 50;

const INTROSPECTION_SQL = `
  SELECT schema_name, table_name, column_name, data_type, is_nullable
  FROM duckdb_columns()
  WHERE NOT internal AND database_name = current_database()
    AND schema_name NOT IN ('information_schema', 'pg_catalog')
  ORDER BY schema_name, table_name, column_index`;

function resultColumns(result: DuckDBResult): ResultColumn[] {
  return result.columnNames().map((name, index) => ({
    name,
    type: columnTypeOfNative(result.columnType(index).toString()),
  }));
}

/** Embedded DuckDB: the engine Rosetta ships with, and the home of managed storage tables. */
export class DuckDbEngine extends DuckDbStorage implements Engine {
  readonly dialect = 'duckdb' as const;

  constructor(spec: Extract<EngineSpec, { type: 'duckdb' }>) {
    super(DuckDbDatabase.open(spec.file, spec.poolSize ?? DEFAULT_POOL_SIZE));
  }

  async introspect(): Promise<TableInfo[]> {
    const rows = await this.query(INTROSPECTION_SQL);
    const tables = new Map<string, TableInfo>();
    for (const [schema, name, column, nativeType, nullable] of rows) {
      const key = JSON.stringify([schema, name]);
      let table = tables.get(key);
      if (!table) {
        table = { schema: String(schema), name: String(name), columns: [] };
        tables.set(key, table);
      }
      const type = String(nativeType);
      table.columns.push({
        name: String(column),
        type: columnTypeOfNative(type),
        nativeType: type,
        nullable: nullable === true,
      });
    }
    return [...tables.values()];
  }

  /** Prepares without running: DuckDB plans the statement and reports its result columns. */
  async describeQuery(sql: string): Promise<ColumnInfo[]> {
    const database = await this.database();
    try {
      return await database.pool.use(async (connection) => {
        const prepared = await connection.prepare(sql);
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

  /** Reads chunk by chunk and stops one row past the cap, so a huge result is never materialized. */
  async run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    const database = await this.database();
    let active: DuckDBConnection | undefined;
    const scope = new CancellationScope(options, () => active?.interrupt(), INTERRUPT_REPEAT_MS);
    const work = database.pool
      .use(async (connection) => {
        scope.throwIfCancelled();
        active = connection;
        const { values, types } = bindings(query.params);
        const result = await connection.stream(query.sql, values, types);
        const converters = convertersOf(result);
        const rows: JsonScalar[][] = [];
        while (rows.length <= options.maxRows) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          for (const row of rowsOfChunk(chunk, converters)) rows.push(row);
        }
        const truncated = rows.length > options.maxRows;
        if (truncated) rows.length = options.maxRows;
        return { columns: resultColumns(result), rows, truncated };
      })
      .finally(() => scope.finish());
    return scope.guard(work);
  }

  /** Holds one pooled connection until the consumer finishes or leaves the loop. */
  async stream(
    query: CompiledQuery,
    options: Omit<RunOptions, 'maxRows'> & { batchSize?: number },
  ): Promise<RowStream> {
    const database = await this.database();
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let connection: DuckDBConnection | undefined;
    const scope = new CancellationScope(options, () => connection?.interrupt(), INTERRUPT_REPEAT_MS);
    const release = async (): Promise<void> => {
      await scope.settled();
      scope.finish();
      const held = connection;
      connection = undefined;
      if (held) database.pool.release(held);
    };
    let result: DuckDBResult;
    try {
      result = await scope.track(
        (async () => {
          connection = await database.pool.acquire();
          scope.throwIfCancelled();
          const { values, types } = bindings(query.params);
          return connection.stream(query.sql, values, types);
        })(),
      );
    } catch (error) {
      void release();
      throw error;
    }
    const converters = convertersOf(result);
    async function* batches(): AsyncGenerator<JsonScalar[][]> {
      try {
        let batch: JsonScalar[][] = [];
        for (;;) {
          const chunk = await scope.track(result.fetchChunk());
          if (!chunk || chunk.rowCount === 0) break;
          for (const row of rowsOfChunk(chunk, converters)) batch.push(row);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      } finally {
        void release();
      }
    }
    return { columns: resultColumns(result), batches: batches() };
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    const database = await this.database().catch(() => undefined);
    await database?.close();
  }
}
