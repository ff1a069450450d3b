import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ResourcePool } from '../pool.ts';

export const STORAGE_SCHEMA = 'storage';

/** An identifier for DuckDB SQL: always quoted, embedded quotes doubled (names come from users). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A string literal for the places DuckDB takes no parameter (table-function options). */
export const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** One open DuckDB file and the small pool of connections that share it. */
export class DuckDbDatabase {
  readonly #instance: DuckDBInstance;
  readonly #connections: DuckDBConnection[];
  #closing: Promise<void> | undefined;
  readonly pool: ResourcePool<DuckDBConnection>;
  /** The database's catalog name, taken from its file name. */
  readonly catalog: string;

  private constructor(instance: DuckDBInstance, connections: DuckDBConnection[], catalog: string) {
    this.#instance = instance;
    this.catalog = catalog;
    this.#connections = connections;
    this.pool = new ResourcePool(connections);
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
    const connections: DuckDBConnection[] = [];
    for (let i = 0; i < poolSize; i++) connections.push(await instance.connect());
    const [[catalog]] = await (await connections[0].run('SELECT current_database()')).getRows();
    const database = new DuckDbDatabase(instance, connections, String(catalog));
    await connections[0].run(
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(database.catalog)}.${quoteIdent(STORAGE_SCHEMA)}`,
    );
    return database;
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
      for (let i = 0; i < this.#connections.length; i++) await this.pool.acquire();
      for (const connection of this.#connections) connection.disconnectSync();
      this.#instance.closeSync();
    })();
    return this.#closing;
  }
}
