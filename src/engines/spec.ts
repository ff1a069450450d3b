/** A warehouse server reached over the network (PostgreSQL, MySQL/MariaDB). */
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
  | ({ type: 'postgres' } & ServerSpec)
  | ({ type: 'mysql' } & ServerSpec);
