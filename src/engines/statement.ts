/**
 * What every engine shares around its driver: running a statement with a row cap, streaming it,
 * cancelling it, and giving its connection back only once the server is done with it. An engine
 * supplies a `StatementDriver` (its pool, how to open a result and read it, how to interrupt);
 * everything else lives here, once.
 */

import { CancellationScope } from './cancellation.ts';
import { columnTypeOfNative } from './columnTypes.ts';
import type {
  Catalog,
  ColumnType,
  CompiledQuery,
  Engine,
  JsonScalar,
  QueryResult,
  ResultColumn,
  RowStream,
  RunOptions,
  TableInfo,
} from './types.ts';

const DEFAULT_BATCH_SIZE = 10_000;
/** Most rows read at once while filling a capped result (a PostgreSQL cursor holds no more). */
const RUN_READ_SIZE = 5_000;

/** The options of `Engine.stream`. */
export type StreamOptions = Parameters<Engine['stream']>[1];

/**
 * How reading a result ended: `done` (read to the end), `cut` (stopped early by the row cap or
 * the consumer, so rows may still wait on the wire), `failed` (the statement or a read failed).
 */
export type ReadOutcome = 'done' | 'cut' | 'failed';

/** One open result on one connection, converted to JSON-safe rows. */
export interface OpenResult {
  columns: ResultColumn[];
  /** The next rows (about `count` of them, exactly where the driver can); none once exhausted. */
  read(count: number): Promise<JsonScalar[][]>;
  /** Ends the result when no read failed, before the connection goes back. */
  close(outcome: Exclude<ReadOutcome, 'failed'>): Promise<void>;
}

export interface StatementDriver<C> {
  /** Takes a connection from the engine's pool (waiting if none is free). */
  acquire(): Promise<C>;
  /** Starts the statement; `firstRead` is how many rows the first `read` will ask for. */
  open(connection: C, query: CompiledQuery, firstRead: number): Promise<OpenResult>;
  /** Stops the statement on the server; a returned promise is awaited before `release`. */
  interrupt(connection: C): void | Promise<void>;
  /** Re-sends `interrupt` this often until the statement is over (see `CancellationScope`). */
  interruptRepeatMs?: number;
  /** Gives the connection back to the pool. */
  release(connection: C, outcome: ReadOutcome): void;
}

/** The cancellation scope of one statement, and the interrupt it may have sent. */
function watch<C>(driver: StatementDriver<C>, options: Pick<RunOptions, 'signal' | 'timeoutMs'>) {
  const state: { connection?: C; interrupting: Promise<void>; scope: CancellationScope } = {
    interrupting: Promise.resolve(),
    scope: new CancellationScope(
      options,
      () => {
        if (state.connection !== undefined)
          state.interrupting = Promise.resolve(driver.interrupt(state.connection));
      },
      driver.interruptRepeatMs,
    ),
  };
  return state;
}

/** Reads until one row past the cap, so a huge result is never materialized. */
export function runStatement<C>(
  driver: StatementDriver<C>,
  query: CompiledQuery,
  options: RunOptions,
): Promise<QueryResult> {
  const state = watch(driver, options);
  const { scope } = state;
  const want = (read: number): number => Math.min(RUN_READ_SIZE, options.maxRows + 1 - read);
  const work = (async () => {
    const connection = await driver.acquire();
    state.connection = connection;
    let outcome: ReadOutcome = 'failed';
    try {
      scope.throwIfCancelled();
      const result = await driver.open(connection, query, want(0));
      const rows: JsonScalar[][] = [];
      for (;;) {
        const read = await result.read(want(rows.length));
        if (read.length === 0) {
          outcome = 'done';
          break;
        }
        for (const row of read) rows.push(row);
        if (rows.length > options.maxRows) {
          outcome = 'cut';
          break;
        }
      }
      await result.close(outcome);
      const truncated = rows.length > options.maxRows;
      if (truncated) rows.length = options.maxRows;
      return { columns: result.columns, rows, truncated };
    } finally {
      scope.finish();
      // A cancel still on its way must not hit the next statement on this connection.
      await state.interrupting;
      driver.release(connection, outcome);
    }
  })();
  return scope.guard(work);
}

/** Holds one pooled connection until the consumer finishes or leaves the loop. */
export async function streamStatement<C>(
  driver: StatementDriver<C>,
  query: CompiledQuery,
  options: StreamOptions,
): Promise<RowStream> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const state = watch(driver, options);
  const { scope } = state;
  let result: OpenResult | undefined;
  let outcome: Exclude<ReadOutcome, 'failed'> = 'cut';
  const release = async (): Promise<void> => {
    const failed = await scope.settled();
    scope.finish();
    await state.interrupting;
    const held = state.connection;
    state.connection = undefined;
    if (held === undefined) return;
    // A failed result has already ended on the server; ending it again could wait forever.
    if (!failed) await result?.close(outcome).catch(() => {});
    driver.release(held, failed ? 'failed' : outcome);
  };
  try {
    result = await scope.track(
      (async () => {
        const connection = await driver.acquire();
        state.connection = connection;
        scope.throwIfCancelled();
        return driver.open(connection, query, batchSize);
      })(),
    );
  } catch (error) {
    void release();
    throw error;
  }
  const open = result;
  async function* batches(): AsyncGenerator<JsonScalar[][]> {
    try {
      let batch: JsonScalar[][] = [];
      for (;;) {
        const rows = await scope.track(open.read(batchSize - batch.length));
        if (rows.length === 0) break;
        for (const row of rows) batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      outcome = 'done';
      if (batch.length > 0) yield batch;
    } finally {
      void release();
    }
  }
  return { columns: open.columns, batches: batches() };
}

/** `maxTables` that lists every table: far beyond any catalog, and still exact as a LIMIT + 1. */
export const EVERY_TABLE = 2 ** 52;

/**
 * Catalog rows `[schema, table, is view, column, native type, nullable, logical type?]` of at most
 * `maxTables + 1` tables, ordered by schema, table and column position, grouped into the first
 * `maxTables` tables; the extra one only tells that the listing was cut. The logical type, where
 * given, overrides the one read from the native type; booleans may be 1/0.
 */
export function catalogOfColumns(rows: Iterable<readonly unknown[]>, maxTables: number): Catalog {
  const tables = new Map<string, TableInfo>();
  for (const [schema, name, isView, column, nativeType, nullable, type] of rows) {
    const key = JSON.stringify([schema, name]);
    let table = tables.get(key);
    if (!table) {
      table = {
        schema: String(schema),
        name: String(name),
        kind: Number(isView) === 1 ? 'view' : 'table',
        columns: [],
      };
      tables.set(key, table);
    }
    table.columns.push({
      name: String(column),
      type: (type as ColumnType | null | undefined) ?? columnTypeOfNative(String(nativeType)),
      nativeType: String(nativeType),
      nullable: Number(nullable) === 1,
    });
  }
  const listed = [...tables.values()];
  return { tables: listed.slice(0, maxTables), truncated: listed.length > maxTables };
}
