import pg from 'pg';
import Cursor from 'pg-cursor';
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
import { columnTypeOfOid, jsonScalarTypes } from './values.ts';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_BATCH_SIZE = 10_000;
/** Read size while filling a capped result: a cursor never holds more than this in memory at once. */
const READ_SIZE = 5_000;

const INTROSPECTION_SQL = `
  SELECT c.table_schema, c.table_name, c.column_name,
         CASE WHEN c.data_type IN ('ARRAY', 'USER-DEFINED') THEN c.udt_name ELSE c.data_type END,
         c.data_type = 'ARRAY', c.is_nullable = 'YES'
  FROM information_schema.columns c
  JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
  WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg\\_%'
  ORDER BY c.table_schema, c.table_name, c.ordinal_position`;

type Row = JsonScalar[];

/** `fields` is missing once the cursor is exhausted (pg-cursor then passes no result). */
const readCursor = (cursor: Cursor<Row>, count: number): Promise<{ rows: Row[]; fields?: pg.FieldDef[] }> =>
  new Promise((resolve, reject) => {
    cursor.read(count, (error, rows, result) =>
      error ? reject(error) : resolve({ rows, fields: result?.fields }),
    );
  });

const openCursor = (query: CompiledQuery): Cursor<Row> =>
  new Cursor<Row>(query.sql, [...query.params], { rowMode: 'array', types: jsonScalarTypes });

const resultColumns = (fields: pg.FieldDef[]): ResultColumn[] =>
  fields.map((field) => ({ name: field.name, type: columnTypeOfOid(field.dataTypeID) }));

/** An external PostgreSQL warehouse: cursors cap and stream results, pg_cancel_backend cancels. */
export class PostgresEngine implements Engine {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;

  constructor(spec: Extract<EngineSpec, { type: 'postgres' }>) {
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
  }

  async introspect(): Promise<TableInfo[]> {
    const { rows } = await this.#query<[string, string, string, string, boolean, boolean]>(INTROSPECTION_SQL);
    const tables = new Map<string, TableInfo>();
    for (const [schema, name, column, nativeType, isArray, nullable] of rows) {
      const key = JSON.stringify([schema, name]);
      let table = tables.get(key);
      if (!table) {
        table = { schema, name, columns: [] };
        tables.set(key, table);
      }
      const type = isArray ? 'json' : columnTypeOfNative(nativeType);
      table.columns.push({ name: column, type, nativeType, nullable });
    }
    return [...tables.values()];
  }

  /** Runs the statement with LIMIT 0 around it: PostgreSQL plans it and reports the columns. */
  async describeQuery(sql: string): Promise<ColumnInfo[]> {
    const { fields } = await this.#query(`SELECT * FROM (${sql}) AS described LIMIT 0`);
    const oids = [...new Set(fields.map((field) => field.dataTypeID))];
    const { rows } = await this.#query<[number, string]>(
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
  }

  async run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    let client: pg.PoolClient | undefined;
    let cancelling: Promise<void> = Promise.resolve();
    const scope = new CancellationScope(options, () => {
      cancelling = this.#cancel(client);
    });
    const work = (async () => {
      client = await this.#pool.connect();
      try {
        scope.throwIfCancelled();
        const cursor = client.query(openCursor(query));
        const rows: Row[] = [];
        let fields: pg.FieldDef[] = [];
        for (;;) {
          const read = await readCursor(cursor, Math.min(READ_SIZE, options.maxRows + 1 - rows.length));
          fields = read.fields ?? fields;
          rows.push(...read.rows);
          if (read.rows.length === 0 || rows.length > options.maxRows) break;
        }
        await cursor.close();
        const truncated = rows.length > options.maxRows;
        if (truncated) rows.length = options.maxRows;
        return { columns: resultColumns(fields), rows, truncated };
      } finally {
        scope.finish();
        // A cancel still on its way must not hit the next statement on this connection.
        await cancelling;
        client.release();
      }
    })();
    return scope.guard(work);
  }

  async stream(
    query: CompiledQuery,
    options: Omit<RunOptions, 'maxRows'> & { batchSize?: number },
  ): Promise<RowStream> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let client: pg.PoolClient | undefined;
    let cursor: Cursor<Row> | undefined;
    let cancelling: Promise<void> = Promise.resolve();
    const scope = new CancellationScope(options, () => {
      cancelling = this.#cancel(client);
    });
    const release = async (): Promise<void> => {
      const failed = await scope.settled();
      scope.finish();
      await cancelling;
      const held = client;
      client = undefined;
      // A failed cursor has already ended its portal; closing it again would wait forever.
      if (!failed) await cursor?.close().catch(() => {});
      held?.release();
    };
    let first: { rows: Row[]; fields?: pg.FieldDef[] };
    try {
      first = await scope.track(
        (async () => {
          client = await this.#pool.connect();
          scope.throwIfCancelled();
          cursor = client.query(openCursor(query));
          return readCursor(cursor, batchSize);
        })(),
      );
    } catch (error) {
      void release();
      throw error;
    }
    const open = cursor as Cursor<Row>;
    async function* batches(): AsyncGenerator<Row[]> {
      try {
        let batch = first.rows;
        while (batch.length > 0) {
          yield batch;
          batch = (await scope.track(readCursor(open, batchSize))).rows;
        }
      } finally {
        void release();
      }
    }
    return { columns: resultColumns(first.fields ?? []), batches: batches() };
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

  /** From a separate short-lived connection: the pool may be full, and the busy one cannot speak. */
  async #cancel(client: pg.PoolClient | undefined): Promise<void> {
    const pid = (client as (pg.PoolClient & { processID?: number }) | undefined)?.processID;
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
