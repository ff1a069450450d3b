/** A warehouse server reached over the network (PostgreSQL, MySQL/MariaDB, ClickHouse). */
export interface ServerSpec {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  ssl?: boolean;
  poolSize?: number;
}

/** How to reach a warehouse. Secrets appear here decrypted; only core/data stores them, encrypted. */
export type EngineSpec =
  | {
      type: 'duckdb';
      /** database file; ':memory:' only in tests */
      file: string;
      poolSize?: number;
    }
  | ({
      type: 'postgres';
      /** Managed storage tables live in this schema (created if missing); absent on plain connections. */
      storage?: { schema: string };
    } & ServerSpec)
  | ({ type: 'mysql' } & ServerSpec)
  /** `port` is the HTTP interface's (8123 by default); `database` is a ClickHouse database. */
  | ({
      type: 'clickhouse';
      /** Managed storage tables live in this database; absent on plain connections. */
      storage?: { schema: string };
    } & ServerSpec);
