import pg from 'pg';
import Cursor from 'pg-cursor';
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
import { columnTypeOfOid, jsonScalarTypes, nativeTypeOfOid } from './values.ts';

const DEFAULT_POOL_SIZE = 10;

export type PostgresSpec = Extract<EngineSpec, { type: 'postgres' }>;

/** The first `$1` tables and views of the user schemas, with their columns. */
const CATALOG_SQL = `
  WITH listed AS (
    SELECT table_schema, table_name, table_type = 'VIEW' AS is_view
    FROM information_schema.tables
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%'
    ORDER BY table_schema, table_name
    LIMIT $1)
  SELECT c.table_schema, c.table_name, l.is_view, c.column_name,
         CASE WHEN c.data_type IN ('ARRAY', 'USER-DEFINED') THEN c.udt_name ELSE c.data_type END,
         c.is_nullable = 'YES', CASE WHEN c.data_type = 'ARRAY' THEN 'json' END
  FROM information_schema.columns c
  JOIN listed l ON l.table_schema = c.table_schema AND l.table_name = c.table_name
  ORDER BY c.table_schema, c.table_name, c.ordinal_position`;

type Row = JsonScalar[];

/** `fields` is missing once the cursor is exhausted (pg-cursor then passes no result). */
const readCursor = (cursor: Cursor<Row>, count: number): Promise<{ rows: Row[]; fields?: pg.FieldDef[] }> =>
  new Promise((resolve, reject) => {
    cursor.read(count, (error, rows, result) =>
      error ? reject(error) : resolve({ rows, fields: result?.fields }),
    );
  });

/**
 * A cursor caps and streams the result: it reads exactly the rows asked for. The columns are
 * known only once the first rows are read, so those are read here and handed out first.
 */
async function openCursor(
  client: pg.PoolClient,
  query: CompiledQuery,
  firstRead: number,
): Promise<OpenResult> {
  const cursor = client.query(
    new Cursor<Row>(query.sql, [...query.params], { rowMode: 'array', types: jsonScalarTypes }),
  );
  const { rows, fields } = await readCursor(cursor, firstRead);
  let first: Row[] | undefined = rows;
  return {
    columns: (fields ?? []).map((field) => ({
      name: field.name,
      type: columnTypeOfOid(field.dataTypeID),
      nativeType: nativeTypeOfOid(field.dataTypeID),
    })),
    async read(count) {
      const rows = first ?? (await readCursor(cursor, count)).rows;
      first = undefined;
      return rows;
    },
    close: () => cursor.close(),
  };
}

/** A statement the server refused is the statement's fault (400 on `sql`); anything else is ERR_ENGINE. */
const statementError = (error: unknown) =>
  error instanceof pg.DatabaseError ? validationError('sql', error.message) : toEngineError(error);

/** `pg`'s extended protocol (one statement per message), which its typings do not declare. */
type ExtendedQuery = pg.QueryConfig & { queryMode: 'extended' };

/**
 * A user's statement is held to what PostgreSQL itself allows: it must be preparable (`PREPARE`
 * takes one SELECT, VALUES, INSERT, UPDATE, DELETE or MERGE — never COPY, DO, SET or DDL, and the
 * extended protocol refuses a second statement), inside a READ ONLY transaction that refuses the
 * writing ones and is rolled back afterwards (`releaseReadOnly`).
 */
async function openReadOnlyCursor(
  client: pg.PoolClient,
  query: CompiledQuery,
  firstRead: number,
): Promise<OpenResult> {
  await client.query('BEGIN TRANSACTION READ ONLY');
  const check: ExtendedQuery = { text: `PREPARE rosetta_read_check AS ${query.sql}`, queryMode: 'extended' };
  await client.query(check);
  await client.query('DEALLOCATE rosetta_read_check');
  return openCursor(client, query, firstRead);
}

/** Ends the read-only transaction; a client that cannot even roll back is discarded. */
function releaseReadOnly(client: pg.PoolClient): void {
  client.query('ROLLBACK').then(
    () => client.release(),
    (error: Error) => client.release(error),
  );
}

/** An external PostgreSQL warehouse: cursors cap and stream results, pg_cancel_backend cancels. */
export class PostgresEngine implements Engine {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  readonly #statements: StatementDriver<pg.PoolClient>;
  readonly #readOnlyStatements: StatementDriver<pg.PoolClient>;

  constructor(spec: PostgresSpec) {
    this.#config = {
      host: spec.host,
      port: spec.port,
      database: spec.database,
      user: spec.user,
      password: spec.password,
      ssl: spec.ssl,
      // Timestamps with time zone are rendered in UTC, so they convert to ISO strings exactly.
      options: '-c TimeZone=UTC',
      connectionTimeoutMillis: 10_000,
    };
    this.#pool = new pg.Pool({ ...this.#config, max: spec.poolSize ?? DEFAULT_POOL_SIZE });
    // An idle client dropped by the server must not crash the process; the pool replaces it.
    this.#pool.on('error', () => {});
    this.#statements = {
      acquire: () => this.#pool.connect(),
      open: openCursor,
      interrupt: (client) => this.#cancel(client),
      release: (client) => client.release(),
    };
    this.#readOnlyStatements = { ...this.#statements, open: openReadOnlyCursor, release: releaseReadOnly };
  }

  /** The connection pool, shared with the managed storage of a storage warehouse (`createEngine`). */
  get pool(): pg.Pool {
    return this.#pool;
  }

  async introspect(): Promise<TableInfo[]> {
    return (await this.catalog(EVERY_TABLE)).tables;
  }

  async catalog(maxTables: number): Promise<Catalog> {
    return catalogOfColumns((await this.#query(CATALOG_SQL, [maxTables + 1])).rows, maxTables);
  }

  /**
   * Runs the statement with LIMIT 0 around it, in a READ ONLY transaction rolled back afterwards:
   * PostgreSQL plans it and reports the columns; only a query fits inside the parentheses.
   */
  async describeQuery(sql: string): Promise<ColumnInfo[]> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw toEngineError(error);
    }
    // The extended protocol: text that closes the parentheses cannot start a second statement.
    const query = async <R extends unknown[]>(text: string, values: unknown[] = []) =>
      client.query<R>({
        text,
        values,
        rowMode: 'array',
        types: jsonScalarTypes,
        queryMode: 'extended',
      } as ExtendedQuery);
    try {
      await query('BEGIN TRANSACTION READ ONLY');
      const { fields } = await query(`SELECT * FROM (${sql}) AS described LIMIT 0`);
      const oids = [...new Set(fields.map((field) => field.dataTypeID))];
      const { rows } = await query<[number, string]>(
        'SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY($1::oid[])',
        [oids],
      );
      const names = new Map(rows);
      return fields.map((field) => ({
        name: field.name,
        type: columnTypeOfOid(field.dataTypeID),
        nativeType: names.get(field.dataTypeID) ?? String(field.dataTypeID),
        nullable: true,
      }));
    } catch (error) {
      throw statementError(error);
    } finally {
      releaseReadOnly(client);
    }
  }

  run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    return runStatement(this.#driver(options), query, options);
  }

  stream(query: CompiledQuery, options: StreamOptions): Promise<RowStream> {
    return streamStatement(this.#driver(options), query, options);
  }

  async ping(): Promise<void> {
    await this.#query('SELECT 1');
  }

  /** Resolves once every connection is back and closed; a leaked stream would hold it open. */
  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }

  async #query<R extends unknown[] = JsonScalar[]>(
    sql: string,
    params: unknown[] = [],
  ): Promise<pg.QueryArrayResult<R>> {
    try {
      return await this.#pool.query<R>({
        text: sql,
        values: params,
        rowMode: 'array',
        types: jsonScalarTypes,
      });
    } catch (error) {
      throw toEngineError(error);
    }
  }

  #driver(options: { readOnly?: boolean }): StatementDriver<pg.PoolClient> {
    return options.readOnly ? this.#readOnlyStatements : this.#statements;
  }

  /** From a separate short-lived connection: the pool may be full, and the busy one cannot speak. */
  async #cancel(client: pg.PoolClient): Promise<void> {
    const pid = (client as pg.PoolClient & { processID?: number }).processID;
    if (pid === undefined) return;
    const canceller = new pg.Client(this.#config);
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement may have ended meanwhile, or the server be gone: either way nothing to stop.
    } finally {
      await canceller.end().catch(() => {});
    }
  }
}
