import type { DuckDBConnection } from '@duckdb/node-api';
import { conflict, notFound, RosettaError, validationError } from '../../core/errors.ts';
import { columnTypeOfNative } from '../columnTypes.ts';
import { toEngineError } from '../errors.ts';
import { assertDistinct, checkTableDefinition } from '../storage-input.ts';
import type { ColumnType, JsonScalar, ManagedStorage, StorageColumn, StorageOperation } from '../types.ts';
import { appendRows } from './appending.ts';
import { type DuckDbDatabase, quoteIdent, quoteLiteral, STORAGE_SCHEMA } from './database.ts';
import { convertersOf, rowsOfChunk } from './values.ts';

const SQL_TYPES: Record<StorageColumn['type'], string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP',
};

/** A column of an existing storage table, typed from the table itself (the table is the truth). */
/** The managed table a write goes to: its bare name, its quoted full name, its catalog. */
interface Target {
  table: string;
  sql: string;
  catalog: string;
}

interface TableColumn {
  name: string;
  type: ColumnType;
  sqlType: string;
}

const STAGING = quoteIdent('rosetta_staging');
const SEQUENCE = quoteIdent('rosetta_sequence');

const columnList = (columns: readonly { name: string }[], prefix = ''): string =>
  columns.map((column) => prefix + quoteIdent(column.name)).join(', ');

/**
 * Managed storage tables in the `storage` schema. Rows go in through the appender, each batch in
 * one transaction; writes to one table are serialized, so DuckDB's optimistic concurrency never
 * aborts a concurrent upsert of the same rows.
 */
export class DuckDbStorage implements ManagedStorage {
  readonly storageSchema = STORAGE_SCHEMA;
  readonly #opened: Promise<DuckDbDatabase>;
  readonly #tableLocks = new Map<string, Promise<unknown>>();

  constructor(opening: Promise<DuckDbDatabase>) {
    this.#opened = opening;
    opening.catch(() => {});
  }

  /** The open database; after `close()` every call fails at once instead of waiting for a connection. */
  protected async database(): Promise<DuckDbDatabase> {
    let database: DuckDbDatabase;
    try {
      database = await this.#opened;
    } catch (error) {
      throw toEngineError(error);
    }
    if (database.closed) throw new RosettaError('ERR_ENGINE', 'the DuckDB engine is closed');
    return database;
  }

  /** A whole (small) result, for Rosetta's own statements; user queries go through `run`. */
  protected async query(sql: string, params: JsonScalar[] = []): Promise<JsonScalar[][]> {
    const database = await this.database();
    try {
      return await database.pool.use(async (connection) => {
        const result = await connection.run(sql, params);
        const converters = convertersOf(result);
        return (await result.fetchAllChunks()).flatMap((chunk) => rowsOfChunk(chunk, converters));
      });
    } catch (error) {
      throw toEngineError(error);
    }
  }

  async createTable(table: string, columns: StorageColumn[], primaryKey: string[]): Promise<void> {
    checkTableDefinition(columns, primaryKey);
    const definitions = columns.map((column) => `${quoteIdent(column.name)} ${SQL_TYPES[column.type]}`);
    if (primaryKey.length > 0)
      definitions.push(`PRIMARY KEY (${columnList(primaryKey.map((name) => ({ name })))})`);
    await this.#write(table, async (connection, target) => {
      if ((await this.#columnsOf(connection, target.table)).length > 0) {
        throw conflict(`storage table "${table}" already exists`, 'table');
      }
      await connection.run(`CREATE TABLE ${target.sql} (${definitions.join(', ')})`);
    });
  }

  async dropTable(table: string): Promise<void> {
    await this.#write(table, (connection, target) => connection.run(`DROP TABLE IF EXISTS ${target.sql}`));
  }

  async addColumns(table: string, columns: StorageColumn[]): Promise<void> {
    assertDistinct(
      columns.map((column) => column.name),
      'columns',
    );
    await this.#write(table, async (connection, target) => {
      const existing = new Set(
        (await this.#existingColumns(connection, target.table)).map((column) => column.name),
      );
      for (const column of columns.filter((candidate) => !existing.has(candidate.name))) {
        await connection.run(
          `ALTER TABLE ${target.sql} ADD COLUMN ${quoteIdent(column.name)} ${SQL_TYPES[column.type]}`,
        );
      }
    });
  }

  insertRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number> {
    return this.#write(table, (connection, target) => this.#append(connection, target, columns, rows));
  }

  /** Rows are staged, the last row of each key wins, then one INSERT … ON CONFLICT merges them. */
  upsertRows(
    table: string,
    columns: StorageColumn[],
    primaryKey: string[],
    rows: JsonScalar[][],
  ): Promise<number> {
    if (primaryKey.length === 0) throw validationError('primaryKey', 'an upsert needs a primary key');
    return this.#write(table, async (connection, target) => {
      const staged = await this.#stage(connection, target, columns, rows);
      for (const key of primaryKey) {
        if (!staged.some((column) => column.name === key))
          throw validationError('primaryKey', `"${key}" is not among the columns`);
      }
      const keys = columnList(primaryKey.map((name) => ({ name })));
      const updates = staged
        .filter((column) => !primaryKey.includes(column.name))
        .map((column) => `${quoteIdent(column.name)} = excluded.${quoteIdent(column.name)}`);
      const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
      const result = await connection.run(
        `INSERT INTO ${target.sql} (${columnList(staged)})
         SELECT ${columnList(staged)} FROM temp.main.${STAGING}
         QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${SEQUENCE} DESC) = 1
         ON CONFLICT (${keys}) ${action}`,
      );
      return result.rowsChanged;
    });
  }

  deleteRows(table: string, primaryKey: StorageColumn[], keys: JsonScalar[][]): Promise<number> {
    if (primaryKey.length === 0) throw validationError('primaryKey', 'deleting rows needs a primary key');
    return this.#write(table, async (connection, target) => {
      const staged = await this.#stage(connection, target, primaryKey, keys);
      const matches = staged
        .map((column) => `target.${quoteIdent(column.name)} = ${STAGING}.${quoteIdent(column.name)}`)
        .join(' AND ');
      const result = await connection.run(
        `DELETE FROM ${target.sql} AS target USING temp.main.${STAGING} WHERE ${matches}`,
      );
      return result.rowsChanged;
    });
  }

  replaceRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number> {
    return this.#write(table, async (connection, target) => {
      await this.#existingColumns(connection, target.table);
      await connection.run(`DELETE FROM ${target.sql}`);
      return this.#append(connection, target, columns, rows);
    });
  }

  /**
   * DuckDB's own CSV reader (gzip by extension) with the table's types forced on every column.
   * DuckDB reads files only in its staging area, so the file is staged there for the load.
   */
  async loadCsv(
    table: string,
    columns: StorageColumn[],
    file: string,
    options: { delimiter: string; header: boolean; mode: 'replace' | 'append' },
  ): Promise<number> {
    const database = await this.database();
    const load = (staged: string) =>
      this.#write(table, async (connection, target) => {
        const targets = this.#pick(await this.#existingColumns(connection, target.table), columns);
        const forced = targets.map(
          (column) => `${quoteLiteral(column.name)}: ${quoteLiteral(column.sqlType)}`,
        );
        if (options.mode === 'replace') await connection.run(`DELETE FROM ${target.sql}`);
        const result = await connection.run(
          `INSERT INTO ${target.sql} (${columnList(targets)})
           SELECT ${columnList(targets)} FROM read_csv(${quoteLiteral(staged)}, columns = {${forced.join(', ')}},
             delim = ${quoteLiteral(options.delimiter)}, header = ${options.header}, auto_detect = false)`,
        );
        return result.rowsChanged;
      });
    try {
      return await database.staging.withInput(file, load);
    } catch (error) {
      throw toEngineError(error);
    }
  }

  applyOperations(table: string, operations: StorageOperation[]): Promise<number> {
    return this.#write(table, async (connection, target) => {
      let written = 0;
      for (const operation of operations) {
        if (operation.mode === 'insert') {
          written += await this.#append(connection, target, operation.columns, operation.rows);
          continue;
        }
        if (operation.key.length === 0)
          throw validationError('primaryKey', `a ${operation.mode} needs a key`);
        const staged = await this.#stage(connection, target, operation.columns, operation.rows);
        const matches = operation.key
          .map((name) => `target.${quoteIdent(name)} = ${STAGING}.${quoteIdent(name)}`)
          .join(' AND ');
        const deleted = await connection.run(
          `DELETE FROM ${target.sql} AS target USING temp.main.${STAGING} WHERE ${matches}`,
        );
        if (operation.mode === 'delete') {
          written += deleted.rowsChanged;
          continue;
        }
        const keys = columnList(operation.key.map((name) => ({ name })));
        const inserted = await connection.run(
          `INSERT INTO ${target.sql} (${columnList(staged)})
           SELECT ${columnList(staged)} FROM temp.main.${STAGING}
           QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${SEQUENCE} DESC) = 1`,
        );
        written += inserted.rowsChanged;
      }
      return written;
    });
  }

  async countRows(table: string): Promise<number> {
    const database = await this.database();
    try {
      return await database.pool.use(async (connection) => {
        await this.#existingColumns(connection, table);
        const result = await connection.run(`SELECT count(*) FROM ${database.storageTable(table)}`);
        const [[count]] = await result.getRows();
        return Number(count);
      });
    } catch (error) {
      throw toEngineError(error);
    }
  }

  /** One transaction, after any earlier write to the same table has finished. */
  async #write<T>(
    table: string,
    work: (connection: DuckDBConnection, target: Target) => Promise<T>,
  ): Promise<T> {
    if (typeof table !== 'string' || table === '') throw validationError('table', 'a table name is required');
    const database = await this.database();
    const previous = this.#tableLocks.get(table) ?? Promise.resolve();
    const target = { table, sql: database.storageTable(table), catalog: database.catalog };
    const current = previous
      .catch(() => {})
      .then(() => database.transaction((connection) => work(connection, target)));
    this.#tableLocks.set(table, current);
    try {
      return await current;
    } catch (error) {
      throw toEngineError(error);
    } finally {
      if (this.#tableLocks.get(table) === current) this.#tableLocks.delete(table);
    }
  }

  async #columnsOf(connection: DuckDBConnection, table: string): Promise<TableColumn[]> {
    const result = await connection.run(
      `SELECT column_name, data_type FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 ORDER BY column_index`,
      [STORAGE_SCHEMA, table],
    );
    return (await result.getRows()).map(([name, sqlType]) => ({
      name: String(name),
      sqlType: String(sqlType),
      type: columnTypeOfNative(String(sqlType)),
    }));
  }

  async #existingColumns(connection: DuckDBConnection, table: string): Promise<TableColumn[]> {
    const columns = await this.#columnsOf(connection, table);
    if (columns.length === 0) throw notFound('storage table', table);
    return columns;
  }

  /** The table's own columns for the requested names, in the requested order. */
  #pick(existing: TableColumn[], requested: readonly { name: string }[]): TableColumn[] {
    assertDistinct(
      requested.map((column) => column.name),
      'columns',
    );
    return requested.map(({ name }) => {
      const column = existing.find((candidate) => candidate.name === name);
      if (!column) throw validationError('columns', `unknown column "${name}"`);
      return column;
    });
  }

  /** Appends straight into the table when the rows carry all its columns in order, else via staging. */
  async #append(
    connection: DuckDBConnection,
    target: Target,
    columns: StorageColumn[],
    rows: JsonScalar[][],
  ): Promise<number> {
    const existing = await this.#existingColumns(connection, target.table);
    const targets = this.#pick(existing, columns);
    if (targets.length === existing.length && targets.every((column, index) => column === existing[index])) {
      await this.#appendInto(connection, target.table, STORAGE_SCHEMA, target.catalog, targets, rows);
      return rows.length;
    }
    await this.#stage(connection, target, columns, rows);
    await connection.run(
      `INSERT INTO ${target.sql} (${columnList(targets)}) SELECT ${columnList(targets)} FROM temp.main.${STAGING}`,
    );
    return rows.length;
  }

  /** A fresh temporary table with the named columns (plus a sequence number), filled by the appender. */
  async #stage(
    connection: DuckDBConnection,
    target: Target,
    columns: readonly { name: string }[],
    rows: JsonScalar[][],
  ): Promise<TableColumn[]> {
    const targets = this.#pick(await this.#existingColumns(connection, target.table), columns);
    const definitions = targets.map((column) => `${quoteIdent(column.name)} ${column.sqlType}`);
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${STAGING} (${definitions.join(', ')}, ${SEQUENCE} BIGINT)`,
    );
    await this.#appendInto(connection, 'rosetta_staging', 'main', 'temp', targets, rows, (index) =>
      BigInt(index),
    );
    return targets;
  }

  async #appendInto(
    connection: DuckDBConnection,
    table: string,
    schema: string,
    catalog: string,
    columns: TableColumn[],
    rows: JsonScalar[][],
    sequence?: (rowIndex: number) => bigint,
  ): Promise<void> {
    const appender = await connection.createAppender(table, schema, catalog);
    try {
      appendRows(appender, columns, rows, sequence);
      appender.closeSync();
    } catch (error) {
      appender.clear();
      appender.closeSync();
      throw error;
    }
  }
}
