/** How to reach a warehouse. Secrets appear here decrypted; only core/data stores them, encrypted. */
export type EngineSpec =
  | {
      type: 'duckdb';
      /** database file; ':memory:' only in tests */
      file: string;
      poolSize?: number;
    }
  | {
      type: 'postgres';
      host: string;
      port: number;
      database: string;
      user: string;
      password?: string;
      ssl?: boolean;
      poolSize?: number;
    }
  | {
      type: 'mysql';
      host: string;
      port: number;
      database: string;
      user: string;
      password?: string;
      ssl?: boolean;
      poolSize?: number;
    };
