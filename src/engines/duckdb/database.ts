import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ResourcePool } from '../pool.ts';
import { StagingArea } from './staging.ts';

export const STORAGE_SCHEMA = 'storage';

/** An identifier for DuckDB SQL: always quoted, embedded quotes doubled (names come from users). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A string literal for the places DuckDB takes no parameter (table-function options). */
export const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Connections kept for `COPY … TO` (exports), apart from the pool that runs queries. */
const EXPORT_POOL_SIZE = 2;

/** One open DuckDB file, the small pool of connections that share it, and its staging area. */
export class DuckDbDatabase {
  readonly #instance: DuckDBInstance;
  readonly #connections: DuckDBConnection[];
  #closing: Promise<void> | undefined;
  readonly pool: ResourcePool<DuckDBConnection>;
  /** Connections that write CSV exports; their session drops insertion order (see `open`). */
  readonly exportPool: ResourcePool<DuckDBConnection>;
  /** The only directory SQL on this database may read or write. */
  readonly staging: StagingArea;
  /** The database's catalog name, taken from its file name. */
  readonly catalog: string;

  private constructor(
    instance: DuckDBInstance,
    pools: { queries: DuckDBConnection[]; exports: DuckDBConnection[] },
    staging: StagingArea,
    catalog: string,
  ) {
    this.#instance = instance;
    this.catalog = catalog;
    this.staging = staging;
    this.#connections = [...pools.queries, ...pools.exports];
    this.pool = new ResourcePool(pools.queries);
    this.exportPool = new ResourcePool(pools.exports);
  }

  /**
   * Extensions are never fetched: a missing one must fail at once with DuckDB's message.
   * Instances come from DuckDB's per-process cache, so everything in this process that opens the
   * same file (another connection spec, a benchmark's raw baseline) shares one instance instead
   * of fighting over the file.
   */
  static async open(file: string, poolSize: number): Promise<DuckDbDatabase> {
    const instance = await DuckDBInstance.fromCache(file, {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connect = async (count: number) => {
      const connections: DuckDBConnection[] = [];
      for (let i = 0; i < count; i++) connections.push(await instance.connect());
      return connections;
    };
    const queries = await connect(poolSize);
    const exports = await connect(EXPORT_POOL_SIZE);
    let staging: StagingArea | undefined;
    try {
      staging = await StagingArea.of(file);
      await confine(queries[0], exports, staging, file);
      const [[catalog]] = await (await queries[0].run('SELECT current_database()')).getRows();
      const database = new DuckDbDatabase(instance, { queries, exports }, staging, String(catalog));
      await queries[0].run(
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(database.catalog)}.${quoteIdent(STORAGE_SCHEMA)}`,
      );
      return database;
    } catch (error) {
      for (const connection of [...queries, ...exports]) connection.disconnectSync();
      instance.closeSync();
      await staging?.dispose();
      throw error;
    }
  }

  /**
   * A managed table's full name. The catalog is spelled out because a file named `storage.duckdb`
   * makes a catalog called `storage`, and `storage.t` would then be ambiguous.
   */
  storageTable(table: string): string {
    return [this.catalog, STORAGE_SCHEMA, table].map(quoteIdent).join('.');
  }

  /** Runs `work` inside one transaction: it commits whole or rolls back whole. */
  transaction<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.pool.use(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const result = await work(connection);
        await connection.run('COMMIT');
        return result;
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Stops running statements, waits for every connection to come back, then closes the file; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const connection of this.#connections) connection.interrupt();
      for (const pool of [this.pool, this.exportPool])
        for (let i = 0; i < pool.size; i++) await pool.acquire();
      for (const connection of this.#connections) connection.disconnectSync();
      this.#instance.closeSync();
      await releaseUnreachableResults();
      await this.staging.dispose();
    })();
    return this.#closing;
  }
}

/**
 * A streamed result a reader stopped early (the row cap) keeps its DuckDB client context, hence
 * the database, alive until the garbage collector finalizes it: the node API has no way to close
 * one. DuckDB's instance cache then makes the next open of the same file in this process (a
 * restart, a connection re-created) wait for that old database to shut down, which only a
 * collection that may not come for minutes ends. So closing collects now, then lets the
 * finalizers, which Node runs after the collection, release the database.
 */
async function releaseUnreachableResults(): Promise<void> {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * No SQL may touch the host: external access is switched off, leaving only the database's
 * staging area, and the configuration is locked so no statement can switch it back. DuckDB takes
 * neither setting at creation, hence the SETs on a fresh instance; an instance this process has
 * already confined (a shared one from the cache) is only checked. Locked settings cannot change
 * per session either, so the export connections drop insertion order before the lock: COPY then
 * streams instead of buffering (≈ 40 MB instead of 300+ MB for 10 million rows) while query
 * connections keep insertion order.
 */
async function confine(
  connection: DuckDBConnection,
  exports: DuckDBConnection[],
  staging: StagingArea,
  file: string,
): Promise<void> {
  const setting = async (name: string) =>
    (await (await connection.run(`SELECT current_setting(${quoteLiteral(name)})`)).getRows())[0][0];
  if ((await setting('lock_configuration')) === true) {
    if ((await setting('enable_external_access')) !== false)
      throw new Error(`DuckDB file ${file} is already open in this process with file access enabled`);
    return;
  }
  // The first opener in this process owns the file: what an earlier process staged is stale.
  await staging.clear();
  for (const exporter of exports) await exporter.run('SET SESSION preserve_insertion_order = false');
  await connection.run(`SET allowed_directories = [${quoteLiteral(`${staging.directory}/`)}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
}
