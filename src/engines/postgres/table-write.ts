import type pg from 'pg';
import { notFound, validationError } from '../../core/errors.ts';
import { columnTypeOfNative } from '../columnTypes.ts';
import { assertDistinct } from '../storage-input.ts';
import type { JsonScalar, StorageColumn } from '../types.ts';
import { copyRows, copyTextChunks } from './copy-in.ts';

const COLUMNS_SQL = `
  SELECT a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY a.attnum`;

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const columnList = (names: readonly string[], prefix = ''): string =>
  names.map((name) => prefix + quoteIdent(name)).join(', ');

export interface TableColumn {
  name: string;
  type: StorageColumn['type'];
  sqlType: string;
}

/** Rows copied into a temporary table whose columns are `c0…cN` plus their batch order `seq`. */
export interface Staged {
  sql: string;
  columns: TableColumn[];
  /** The staging column holding `name`. */
  ref(name: string): string;
}

/** One write transaction on one managed table, holding the table's cross-node lock. */
export class TableWrite {
  #stagings = 0;
  #columns: TableColumn[] | undefined;

  constructor(
    readonly client: pg.PoolClient,
    readonly schema: string,
    readonly table: string,
  ) {}

  get sql(): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(this.table)}`;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(sql, params)).rowCount ?? 0;
  }

  /** The table's columns (ERR_NOT_FOUND without the table), read again after a change of shape. */
  async columns(): Promise<TableColumn[]> {
    this.#columns ??= await columnsOf(this.client, this.schema, this.table);
    if (this.#columns.length === 0) throw notFound('storage table', this.table);
    return this.#columns;
  }

  /** The table's own columns for the requested names, in the requested order. */
  async pick(requested: readonly { name: string }[]): Promise<TableColumn[]> {
    const existing = await this.columns();
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

  /** COPY straight into the table: a subset of columns leaves the others NULL. */
  async copy(columns: readonly { name: string }[], rows: JsonScalar[][]): Promise<number> {
    const targets = await this.pick(columns);
    if (rows.length === 0) return 0;
    return copyRows(
      this.client,
      `COPY ${this.sql} (${columnList(targets.map((c) => c.name))}) FROM STDIN`,
      copyTextChunks(targets, rows),
    );
  }

  async stage(columns: readonly { name: string }[], rows: JsonScalar[][]): Promise<Staged> {
    const targets = await this.pick(columns);
    const sql = `pg_temp.rosetta_staging_${++this.#stagings}`;
    const definitions = targets.map((column, index) => `c${index} ${column.sqlType}`);
    await this.client.query(
      `CREATE TEMP TABLE ${sql} (${definitions.join(', ')}, seq bigint) ON COMMIT DROP`,
    );
    if (rows.length > 0)
      await copyRows(this.client, `COPY ${sql} FROM STDIN`, copyTextChunks(targets, rows, true));
    return {
      sql,
      columns: targets,
      ref(name) {
        const index = targets.findIndex((column) => column.name === name);
        if (index < 0) throw validationError('primaryKey', `"${name}" is not among the columns`);
        return `c${index}`;
      },
    };
  }

  /** Inserts the staged rows, keeping only the last one of each key. */
  insertLatest(staged: Staged, key: readonly string[], onConflict = ''): Promise<number> {
    const refs = staged.columns.map((column) => staged.ref(column.name));
    const keyRefs = key.map((name) => staged.ref(name)).join(', ');
    return this.run(
      `INSERT INTO ${this.sql} AS target (${columnList(staged.columns.map((column) => column.name))})
       SELECT ${refs.join(', ')} FROM (
         SELECT DISTINCT ON (${keyRefs}) * FROM ${staged.sql} ORDER BY ${keyRefs}, seq DESC) AS latest
       ${onConflict}`,
    );
  }

  /** Deletes the table's rows whose `key` matches a staged row. */
  deleteMatching(staged: Staged, key: readonly string[]): Promise<number> {
    const matches = key
      .map((name) => `target.${quoteIdent(name)} = staged.${staged.ref(name)}`)
      .join(' AND ');
    return this.run(`DELETE FROM ${this.sql} AS target USING ${staged.sql} AS staged WHERE ${matches}`);
  }
}

export async function columnsOf(
  client: pg.PoolClient | pg.Pool,
  schema: string,
  table: string,
): Promise<TableColumn[]> {
  const { rows } = await client.query<[string, string]>({
    text: COLUMNS_SQL,
    values: [schema, table],
    rowMode: 'array',
  });
  return rows.map(([name, sqlType]) => ({
    name,
    sqlType,
    type: columnTypeOfNative(sqlType) as StorageColumn['type'],
  }));
}
