import type { Connection as CallbackConnection, FieldPacket } from 'mysql2';
import mysql from 'mysql2/promise';
import { validationError } from '../../core/errors.ts';
import { toEngineError } from '../errors.ts';
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
  Engine,
  JsonScalar,
  QueryResult,
  RowStream,
  RunOptions,
  TableInfo,
} from '../types.ts';
import { columnTypeOfField, nativeTypeOfField, rowConverter } from './values.ts';

const DEFAULT_POOL_SIZE = 10;

/** The first `?` tables and views of the connection's database, with their columns. */
const CATALOG_SQL = `
  WITH listed AS (
    SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE = 'VIEW' AS IS_VIEW
    FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE()
    ORDER BY TABLE_NAME
    LIMIT ?)
  SELECT c.TABLE_SCHEMA, c.TABLE_NAME, l.IS_VIEW, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE = 'YES'
  FROM information_schema.COLUMNS c
  JOIN listed l ON l.TABLE_SCHEMA = c.TABLE_SCHEMA AND l.TABLE_NAME = c.TABLE_NAME
  ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

/** A statement's result read row by row off the wire. */
async function openResult(connection: mysql.PoolConnection, query: CompiledQuery): Promise<OpenResult> {
  const core = coreOf(connection);
  const running = core.query({ sql: query.sql, values: [...query.params], rowsAsArray: true });
  const stream = running.stream({ highWaterMark: 1000 });
  // Errors reach the reader through the iterator; without a listener they would crash the process.
  stream.on('error', () => {});
  const fields = await new Promise<FieldPacket[]>((resolve, reject) => {
    running.once('fields', (received: FieldPacket[] | undefined) => resolve(received ?? []));
    running.once('error', reject);
    running.once('end', () => resolve([]));
  });
  const rows: AsyncIterator<unknown> = stream[Symbol.asyncIterator]();
  const convert = rowConverter(fields);
  return {
    columns: fields.map((field) => ({
      name: field.name,
      type: columnTypeOfField(field),
      nativeType: nativeTypeOfField(field),
    })),
    async read(count) {
      const read: JsonScalar[][] = [];
      while (read.length < count) {
        const next = await rows.next();
        if (next.done) break;
        // Only data rows are arrays.
        if (Array.isArray(next.value)) read.push(convert(next.value));
      }
      return read;
    },
    close: async () => {
      stream.destroy();
    },
  };
}

/** The callback connection under a pooled promise one (its typings call it the promise connection). */
const coreOf = (connection: mysql.PoolConnection): CallbackConnection =>
  connection.connection as unknown as CallbackConnection;

/** A statement the server refused is the statement's fault (400 on `sql`); anything else is ERR_ENGINE. */
function statementError(error: unknown) {
  const { sqlState, fatal } = (error ?? {}) as { sqlState?: unknown; fatal?: unknown };
  return typeof sqlState === 'string' && fatal !== true && error instanceof Error
    ? validationError('sql', error.message)
    : toEngineError(error);
}

/**
 * Every transaction of the session is READ ONLY until `endReadOnly`. A READ ONLY transaction
 * alone is not enough: DDL commits it implicitly and then runs outside it (MariaDB drops the
 * table), whereas on a READ ONLY session the transaction DDL starts is read-only too.
 */
const readOnlySession = (connection: mysql.PoolConnection) =>
  connection.query('SET SESSION TRANSACTION READ ONLY');

/** Gives the connection back as it was taken; one that cannot be reset is not reused. */
function endReadOnly(connection: mysql.PoolConnection): void {
  connection.query('SET SESSION TRANSACTION READ WRITE').then(
    () => connection.release(),
    () => connection.destroy(),
  );
}

/**
 * A user's statement is held to what the server itself says of it: on a READ ONLY session, and
 * prepared first (one statement only), it must return rows — `SELECT … INTO OUTFILE`, `SET`, `DO`
 * and `CALL` do not; writes are refused by the session.
 */
async function openReadOnlyResult(
  connection: mysql.PoolConnection,
  query: CompiledQuery,
): Promise<OpenResult> {
  await readOnlySession(connection);
  const core = coreOf(connection);
  const columns = await new Promise<number>((resolve, reject) =>
    core.prepare(query.sql, (error, statement) => {
      if (error) return reject(error);
      core.unprepare(query.sql);
      // Known at run time (the server's column count), missing from the typings.
      resolve((statement as unknown as { columns: unknown[] }).columns.length);
    }),
  );
  if (columns === 0) throw validationError('sql', 'must be a SELECT statement: this one returns no rows');
  return openResult(connection, query);
}

/** An external MySQL/MariaDB warehouse: rows are streamed off the wire, KILL QUERY cancels. */
export class MysqlEngine implements Engine {
  readonly dialect = 'mysql' as const;
  readonly #pool: mysql.Pool;
  readonly #config: mysql.ConnectionOptions;
  readonly #statements: StatementDriver<mysql.PoolConnection>;
  readonly #readOnlyStatements: StatementDriver<mysql.PoolConnection>;
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
    this.#statements = {
      acquire: () => this.#pool.getConnection(),
      open: openResult,
      interrupt: (connection) => this.#cancel(connection),
      // A connection left in the middle of a result still has rows on the wire, so it is not reused.
      release: (connection, outcome) => (outcome === 'cut' ? connection.destroy() : connection.release()),
    };
    this.#readOnlyStatements = {
      ...this.#statements,
      open: openReadOnlyResult,
      release: (connection, outcome) => (outcome === 'cut' ? connection.destroy() : endReadOnly(connection)),
    };
  }

  async introspect(): Promise<TableInfo[]> {
    return (await this.catalog(EVERY_TABLE)).tables;
  }

  async catalog(maxTables: number): Promise<Catalog> {
    return catalogOfColumns(await this.#query(CATALOG_SQL, [maxTables + 1]), maxTables);
  }

  /** Wraps the statement in LIMIT 0 on a READ ONLY session: the server plans it and sends only the column definitions. */
  async describeQuery(sql: string): Promise<ColumnInfo[]> {
    let connection: mysql.PoolConnection;
    try {
      connection = await this.#pool.getConnection();
    } catch (error) {
      throw toEngineError(error);
    }
    try {
      await readOnlySession(connection);
      const [, fields] = await connection.query({
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
      throw statementError(error);
    } finally {
      endReadOnly(connection);
    }
  }

  run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    return runStatement(options.readOnly ? this.#readOnlyStatements : this.#statements, query, options);
  }

  stream(query: CompiledQuery, options: StreamOptions): Promise<RowStream> {
    return streamStatement(options.readOnly ? this.#readOnlyStatements : this.#statements, query, options);
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

  async #query(sql: string, values: JsonScalar[] = []): Promise<unknown[][]> {
    try {
      const [rows] = await this.#pool.query({ sql, values, rowsAsArray: true });
      return rows as unknown[][];
    } catch (error) {
      throw toEngineError(error);
    }
  }

  /** From a separate short-lived connection: the pool may be full, and the busy one cannot speak. */
  async #cancel(connection: mysql.PoolConnection): Promise<void> {
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
