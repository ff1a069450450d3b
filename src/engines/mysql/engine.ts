import type { Readable } from 'node:stream';
import type { Connection as CallbackConnection, FieldPacket } from 'mysql2';
import mysql from 'mysql2/promise';
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
  RowStream,
  RunOptions,
  TableInfo,
} from '../types.ts';
import { columnTypeOfField, nativeTypeOfField, rowConverter } from './values.ts';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_BATCH_SIZE = 10_000;

const INTROSPECTION_SQL = `
  SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE = 'YES'
  FROM information_schema.COLUMNS c
  WHERE c.TABLE_SCHEMA = DATABASE()
  ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

/** A statement's result read row by row off the wire; `rows` yields only data rows. */
interface OpenResult {
  fields: FieldPacket[];
  rows: AsyncIterableIterator<unknown>;
  stream: Readable;
}

async function openResult(connection: mysql.PoolConnection, query: CompiledQuery): Promise<OpenResult> {
  // The promise wrapper's typings call this the promise connection; at run time it is the callback one.
  const core = connection.connection as unknown as CallbackConnection;
  const running = core.query({ sql: query.sql, values: [...query.params], rowsAsArray: true });
  const stream = running.stream({ highWaterMark: 1000 });
  // Errors reach the reader through the iterator; without a listener they would crash the process.
  stream.on('error', () => {});
  const fields = await new Promise<FieldPacket[]>((resolve, reject) => {
    running.once('fields', (received: FieldPacket[] | undefined) => resolve(received ?? []));
    running.once('error', reject);
    running.once('end', () => resolve([]));
  });
  return { fields, rows: stream[Symbol.asyncIterator](), stream };
}

/** An external MySQL/MariaDB warehouse: rows are streamed off the wire, KILL QUERY cancels. */
export class MysqlEngine implements Engine {
  readonly dialect = 'mysql' as const;
  readonly #pool: mysql.Pool;
  readonly #config: mysql.ConnectionOptions;
  #closed = false;

  constructor(spec: Extract<EngineSpec, { type: 'mysql' }>) {
    this.#config = {
      host: spec.host,
      port: spec.port,
      database: spec.database,
      user: spec.user,
      password: spec.password,
      ssl: spec.ssl ? {} : undefined,
      // Exact values: safe BIGINTs as numbers (others as text), dates and times as the server's text.
      supportBigNumbers: true,
      decimalNumbers: true,
      dateStrings: true,
      connectTimeout: 10_000,
    };
    this.#pool = mysql.createPool({ ...this.#config, connectionLimit: spec.poolSize ?? DEFAULT_POOL_SIZE });
    this.#pool.pool.on('connection', (connection) => {
      // A dropped idle connection must not crash the process; TIMESTAMPs are read in UTC.
      connection.on('error', () => {});
      connection.query("SET time_zone = '+00:00'", () => {});
    });
  }

  async introspect(): Promise<TableInfo[]> {
    const rows = await this.#query(INTROSPECTION_SQL);
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
        nullable: Number(nullable) === 1,
      });
    }
    return [...tables.values()];
  }

  /** Wraps the statement in LIMIT 0: the server plans it and sends only the column definitions. */
  async describeQuery(sql: string): Promise<ColumnInfo[]> {
    try {
      const [, fields] = await this.#pool.query({
        sql: `SELECT * FROM (${sql}) AS described LIMIT 0`,
        rowsAsArray: true,
      });
      return fields.map((field) => ({
        name: field.name,
        type: columnTypeOfField(field),
        nativeType: nativeTypeOfField(field),
        nullable: true,
      }));
    } catch (error) {
      throw toEngineError(error);
    }
  }

  async run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    let connection: mysql.PoolConnection | undefined;
    let cancelling: Promise<void> = Promise.resolve();
    const scope = new CancellationScope(options, () => {
      cancelling = this.#cancel(connection);
    });
    const work = (async () => {
      connection = await this.#pool.getConnection();
      let unfinished = false;
      try {
        scope.throwIfCancelled();
        const result = await openResult(connection, query);
        const convert = rowConverter(result.fields);
        const rows: JsonScalar[][] = [];
        for await (const row of result.rows) {
          if (!Array.isArray(row)) continue;
          rows.push(convert(row));
          if (rows.length > options.maxRows) {
            unfinished = true;
            break;
          }
        }
        const truncated = rows.length > options.maxRows;
        if (truncated) rows.length = options.maxRows;
        return {
          columns: result.fields.map((field) => ({ name: field.name, type: columnTypeOfField(field) })),
          rows,
          truncated,
        };
      } finally {
        scope.finish();
        await cancelling;
        this.#giveBack(connection, unfinished);
      }
    })();
    return scope.guard(work);
  }

  async stream(
    query: CompiledQuery,
    options: Omit<RunOptions, 'maxRows'> & { batchSize?: number },
  ): Promise<RowStream> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let connection: mysql.PoolConnection | undefined;
    let cancelling: Promise<void> = Promise.resolve();
    const scope = new CancellationScope(options, () => {
      cancelling = this.#cancel(connection);
    });
    let unfinished = true;
    const release = async (): Promise<void> => {
      await scope.settled();
      scope.finish();
      await cancelling;
      const held = connection;
      connection = undefined;
      if (held) this.#giveBack(held, unfinished);
    };
    let result: OpenResult;
    try {
      result = await scope.track(
        (async () => {
          connection = await this.#pool.getConnection();
          scope.throwIfCancelled();
          return openResult(connection, query);
        })(),
      );
    } catch (error) {
      unfinished = false;
      void release();
      throw error;
    }
    const convert = rowConverter(result.fields);
    async function* batches(): AsyncGenerator<JsonScalar[][]> {
      try {
        let batch: JsonScalar[][] = [];
        for (;;) {
          const next = await scope.track(result.rows.next());
          if (next.done) break;
          if (!Array.isArray(next.value)) continue;
          batch.push(convert(next.value));
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
        unfinished = false;
        if (batch.length > 0) yield batch;
      } catch (error) {
        // A failed statement has ended on the server; the connection is clean again.
        unfinished = false;
        throw error;
      } finally {
        result.stream.destroy();
        void release();
      }
    }
    const columns = result.fields.map((field) => ({ name: field.name, type: columnTypeOfField(field) }));
    return { columns, batches: batches() };
  }

  async ping(): Promise<void> {
    await this.#query('SELECT 1');
  }

  /** Resolves once every connection is closed; a second call does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #query(sql: string): Promise<unknown[][]> {
    try {
      const [rows] = await this.#pool.query({ sql, rowsAsArray: true });
      return rows as unknown[][];
    } catch (error) {
      throw toEngineError(error);
    }
  }

  /** A connection left in the middle of a result still has rows on the wire, so it is not reused. */
  #giveBack(connection: mysql.PoolConnection, unfinished: boolean): void {
    if (unfinished) connection.destroy();
    else connection.release();
  }

  /** From a separate short-lived connection: the pool may be full, and the busy one cannot speak. */
  async #cancel(connection: mysql.PoolConnection | undefined): Promise<void> {
    if (!connection) return;
    try {
      const canceller = await mysql.createConnection(this.#config);
      try {
        await canceller.query(`KILL QUERY ${Number(connection.threadId)}`);
      } finally {
        await canceller.end();
      }
    } catch {
      // The statement may have ended meanwhile, or the server be gone: either way nothing to stop.
    }
  }
}
