import pg from 'pg';
import { conflict, notFound, type RosettaError, validationError } from '../../core/errors.ts';
import { toEngineError } from '../errors.ts';
import { assertDistinct, checkTableDefinition } from '../storage-input.ts';
import type { JsonScalar, ManagedStorage, StorageColumn, StorageOperation } from '../types.ts';
import { copyFile } from './copy-in.ts';
import { columnList, columnsOf, quoteIdent, TableWrite } from './table-write.ts';

const SQL_TYPES: Record<StorageColumn['type'], string> = {
  string: 'text',
  integer: 'bigint',
  number: 'double precision',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
};

/** PostgreSQL silently cuts longer identifiers, which would make two names one. */
const MAX_IDENTIFIER_BYTES = 63;

const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

function checkIdentifier(name: string, field: string): void {
  if (typeof name !== 'string' || name === '') throw validationError(field, 'a name is required');
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES)
    throw validationError(field, `"${name}" is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes`);
}

function checkColumns(columns: readonly StorageColumn[]): void {
  assertDistinct(
    columns.map((column) => column.name),
    'columns',
  );
  for (const column of columns) checkIdentifier(column.name, 'columns');
}

/** A duplicate key is the caller's conflict, as the core maps DuckDB's (`mapStorageError`). */
function storageError(error: unknown): RosettaError {
  if (!(error instanceof pg.DatabaseError) || error.code !== '23505') return toEngineError(error);
  const message = error.message.split('\n')[0];
  return conflict(error.detail ? `${message}: ${error.detail}` : message);
}

/**
 * A value COPY refused in a CSV file is the file's fault: ERR_VALIDATION on the column, with the
 * line. PostgreSQL places it as `COPY <table>, line <n>[, column <name>]: …`.
 */
function csvLoadError(error: unknown, table: string, columns: readonly { name: string }[]): unknown {
  if (!(error instanceof pg.DatabaseError) || !error.code?.startsWith('22')) return error;
  const place = error.where?.split('\n').find((line) => line.startsWith(`COPY ${table}, line `));
  const [, line, rest] = /^, line (\d+)(.*)$/s.exec(place?.slice(`COPY ${table}`.length) ?? '') ?? [];
  if (!line) return error;
  const column = columns.find((candidate) => rest.startsWith(`, column ${candidate.name}:`))?.name;
  const message = error.message.split('\n')[0];
  return validationError(column ?? 'file', `line ${line}${column ? `, column "${column}"` : ''}: ${message}`);
}

/**
 * Managed storage tables in one schema of a PostgreSQL database that every Rosetta node shares.
 * Every write is one transaction holding a transaction-level advisory lock on its table, so
 * writes to one table serialize across processes; rows travel through `COPY … FROM STDIN`.
 */
export class PostgresStorage implements ManagedStorage {
  readonly storageSchema: string;
  readonly #pool: pg.Pool;
  #schemaCreated: Promise<void> | undefined;

  constructor(pool: pg.Pool, schema = 'storage') {
    checkIdentifier(schema, 'schema');
    this.#pool = pool;
    this.storageSchema = schema;
  }

  async createTable(table: string, columns: StorageColumn[], primaryKey: string[]): Promise<void> {
    checkColumns(columns);
    checkTableDefinition(columns, primaryKey);
    const definitions = columns.map((column) => `${quoteIdent(column.name)} ${SQL_TYPES[column.type]}`);
    if (primaryKey.length > 0) definitions.push(`PRIMARY KEY (${columnList(primaryKey)})`);
    await this.#write(table, async (write) => {
      if ((await columnsOf(write.client, this.storageSchema, table)).length > 0)
        throw conflict(`storage table "${table}" already exists`, 'table');
      await write.run(`CREATE TABLE ${write.sql} (${definitions.join(', ')})`);
    });
  }

  async dropTable(table: string): Promise<void> {
    await this.#write(table, (write) => write.run(`DROP TABLE IF EXISTS ${write.sql}`));
  }

  async addColumns(table: string, columns: StorageColumn[]): Promise<void> {
    checkColumns(columns);
    await this.#write(table, async (write) => {
      await write.columns();
      if (columns.length === 0) return;
      const additions = columns.map(
        (column) => `ADD COLUMN IF NOT EXISTS ${quoteIdent(column.name)} ${SQL_TYPES[column.type]}`,
      );
      await write.run(`ALTER TABLE ${write.sql} ${additions.join(', ')}`);
    });
  }

  async insertRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number> {
    return this.#write(table, (write) => write.copy(columns, rows));
  }

  async upsertRows(
    table: string,
    columns: StorageColumn[],
    primaryKey: string[],
    rows: JsonScalar[][],
  ): Promise<number> {
    if (primaryKey.length === 0) throw validationError('primaryKey', 'an upsert needs a primary key');
    return this.#write(table, async (write) => {
      const staged = await write.stage(columns, rows);
      const updates = staged.columns
        .filter((column) => !primaryKey.includes(column.name))
        .map((column) => `${quoteIdent(column.name)} = excluded.${quoteIdent(column.name)}`);
      const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
      return write.insertLatest(staged, primaryKey, `ON CONFLICT (${columnList(primaryKey)}) ${action}`);
    });
  }

  async deleteRows(table: string, primaryKey: StorageColumn[], keys: JsonScalar[][]): Promise<number> {
    if (primaryKey.length === 0) throw validationError('primaryKey', 'deleting rows needs a primary key');
    return this.#write(table, async (write) => {
      const staged = await write.stage(primaryKey, keys);
      return write.deleteMatching(
        staged,
        primaryKey.map((column) => column.name),
      );
    });
  }

  async replaceRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number> {
    return this.#write(table, async (write) => {
      await write.columns();
      await write.run(`DELETE FROM ${write.sql}`);
      return write.copy(columns, rows);
    });
  }

  /**
   * The file streams through COPY's CSV reader straight into the table, whose column types parse
   * every value; a bad one aborts the transaction, so a replace leaves the old rows in place.
   */
  async loadCsv(
    table: string,
    columns: StorageColumn[],
    file: string,
    options: { delimiter: string; header: boolean; mode: 'replace' | 'append' },
  ): Promise<number> {
    if (Buffer.byteLength(options.delimiter) !== 1 || /["\r\n]/.test(options.delimiter))
      throw validationError(
        'delimiter',
        'PostgreSQL takes a one-byte delimiter other than a quote or newline',
      );
    return this.#write(table, async (write) => {
      const targets = await write.pick(columns);
      if (options.mode === 'replace') await write.run(`DELETE FROM ${write.sql}`);
      return copyFile(
        write.client,
        `COPY ${write.sql} (${columnList(targets.map((column) => column.name))}) FROM STDIN
         WITH (FORMAT csv, DELIMITER ${quoteLiteral(options.delimiter)}, HEADER ${options.header})`,
        file,
      ).catch((error: unknown) => {
        throw csvLoadError(error, table, targets);
      });
    });
  }

  async applyOperations(table: string, operations: StorageOperation[]): Promise<number> {
    return this.#write(table, async (write) => {
      let written = 0;
      for (const operation of operations) {
        if (operation.mode === 'insert') {
          written += await write.copy(operation.columns, operation.rows);
          continue;
        }
        if (operation.key.length === 0)
          throw validationError('primaryKey', `a ${operation.mode} needs a key`);
        const staged = await write.stage(operation.columns, operation.rows);
        const deleted = await write.deleteMatching(staged, operation.key);
        written += operation.mode === 'delete' ? deleted : await write.insertLatest(staged, operation.key);
      }
      return written;
    });
  }

  async countRows(table: string): Promise<number> {
    try {
      if ((await columnsOf(this.#pool, this.storageSchema, table)).length === 0)
        throw notFound('storage table', table);
      const { rows } = await this.#pool.query<{ count: string }>(
        `SELECT count(*) FROM ${quoteIdent(this.storageSchema)}.${quoteIdent(table)}`,
      );
      return Number(rows[0].count);
    } catch (error) {
      throw storageError(error);
    }
  }

  /** One transaction under the table's advisory lock, which every node's writes to it take. */
  async #write<T>(table: string, work: (write: TableWrite) => Promise<T>): Promise<T> {
    checkIdentifier(table, 'table');
    let client: pg.PoolClient;
    try {
      await this.#createSchema();
      client = await this.#pool.connect();
    } catch (error) {
      throw storageError(error);
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `rosetta managed table ${this.storageSchema}.${table}`,
      ]);
      const result = await work(new TableWrite(client, this.storageSchema, table));
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw storageError(error);
    }
  }

  /** Once per process; the lock keeps two nodes starting together from racing on the catalog. */
  #createSchema(): Promise<void> {
    this.#schemaCreated ??= this.#runCreateSchema().catch((error: unknown) => {
      this.#schemaCreated = undefined;
      throw error;
    });
    return this.#schemaCreated;
  }

  async #runCreateSchema(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        "SELECT pg_advisory_xact_lock(hashtextextended('rosetta managed storage schema', 0))",
      );
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.storageSchema)}`);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      throw error;
    }
  }
}
