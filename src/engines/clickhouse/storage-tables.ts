import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { conflict, notFound, validationError } from '../../core/errors.ts';
import type { JsonScalar, StorageColumn } from '../types.ts';
import type { ClickHouseClient } from './client.ts';
import { clickhouseIdentifier as ident, clickhouseLiteral as literal } from './literal.ts';
import { columnTypeOfClickhouse } from './values.ts';

/**
 * The statements managed storage is made of, on one database: what a table's columns and key
 * are, native inserts, staging tables, and the copy-and-swap that stands in for transactions.
 * Scratch tables are named `__rosetta_<kind>_<random>`, short whatever the table's name (a
 * table's name becomes a directory name, which has a length limit).
 */

/** One INSERT is one block up to this many rows (ClickHouse's default), so batches up to it are atomic. */
const ATOMIC_INSERT_ROWS = 1_048_576;
/** The staging tables' column numbering the rows of a batch, so the last row of a key wins. */
export const SEQUENCE = '__rosetta_sequence';

export interface TableColumn extends StorageColumn {
  sqlType: string;
  /** Part of the declared primary key (the table's sorting key). */
  key: boolean;
}

export type JsonRow = Record<string, JsonScalar>;

export const columnList = (names: readonly string[]): string => names.map(ident).join(', ');
export const keyTuple = (names: readonly string[]): string => `(${columnList(names)})`;
export const keyOf = (row: JsonRow, names: readonly string[]): string =>
  JSON.stringify(names.map((name) => row[name]));

/** How 18.16 words an error: the text between the code and the `e.what()` tail. */
const SERVER_REFUSAL = /^Code: \d+, e\.displayText\(\) = DB::Exception: (.*?)(?:, e\.what\(\) = .*)?$/s;

/** The server's error code: the client parses it only from servers of 19.x and later. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code !== undefined) return String(code);
  return error instanceof Error ? /^Code: (\d+)/.exec(error.message)?.[1] : undefined;
}

export function refuseDuplicatesInBatch(keys: readonly string[], rows: readonly JsonRow[]): void {
  const seen = new Set<string>();
  for (const [index, row] of rows.entries()) {
    const key = keyOf(row, keys);
    if (seen.has(key)) throw conflict(`duplicate key ${key} in rows[${index}]`, `rows[${index}]`);
    seen.add(key);
  }
}

export function assertDistinct(names: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name === '')
      throw validationError(field, 'column names must be non-empty');
    if (seen.has(name)) throw validationError(field, `column "${name}" appears twice`);
    seen.add(name);
  }
}

/** The table's own columns for the requested names, in the requested order. */
export function pick(
  existing: readonly TableColumn[],
  requested: readonly { name: string }[],
  field = 'columns',
) {
  assertDistinct(
    requested.map((column) => column.name),
    field,
  );
  return requested.map(({ name }) => {
    const column = existing.find((candidate) => candidate.name === name);
    if (!column) throw validationError(field, `unknown column "${name}"`);
    return column;
  });
}

export const keyNames = (columns: readonly TableColumn[]) =>
  columns.filter((column) => column.key).map((column) => column.name);
export const stagingDefinitions = (columns: readonly TableColumn[]) => [
  ...columns.map((column) => `${ident(column.name)} ${column.sqlType}`),
  `${ident(SEQUENCE)} UInt64`,
];
/** The staged rows, the last of each key only. */
export const latestOf = (stage: string, columns: readonly string[], key: readonly string[]) =>
  `SELECT ${columnList(columns)} FROM ${stage} ORDER BY ${ident(SEQUENCE)} DESC LIMIT 1 BY ${columnList(key)}`;

export class StorageTables {
  readonly #client: ClickHouseClient;
  readonly #database: string;

  constructor(client: ClickHouseClient, database: string) {
    this.#client = client;
    this.#database = database;
  }

  /** The quoted, database-qualified name of a table. */
  name(table: string): string {
    return `${ident(this.#database)}.${ident(table)}`;
  }

  scratchName(kind: 'next' | 'old' | 'stage'): string {
    return this.name(`__rosetta_${kind}_${randomBytes(6).toString('hex')}`);
  }

  /** The table's columns in order (system.columns lists them so; 18.16 has no position to sort on). */
  async columnsOf(table: string): Promise<TableColumn[]> {
    const rows = await this.select<{ name: string; type: string; key: number }>(
      `SELECT name, type, is_in_primary_key AS key FROM system.columns
       WHERE database = ${literal(this.#database)} AND table = ${literal(table)}`,
    );
    if (rows.length === 0) throw notFound('storage table', table);
    return rows.map(({ name, type, key }) => ({
      name,
      sqlType: type,
      key: Number(key) === 1,
      type: columnTypeOfClickhouse(type) as StorageColumn['type'],
    }));
  }

  async command(sql: string, settings: Record<string, number> = {}): Promise<void> {
    await this.#client.command({ query: sql, clickhouse_settings: settings });
  }

  async select<T>(sql: string, settings: Record<string, number> = {}): Promise<T[]> {
    const result = await this.#client.query({
      query: sql,
      format: 'JSONEachRow',
      clickhouse_settings: settings,
    });
    return result.json<T>();
  }

  async count(sql: string): Promise<number> {
    const [{ rows }] = await this.select<{ rows: string }>(sql);
    return Number(rows);
  }

  /** One native JSONEachRow insert, made one block so it lands whole or not at all. */
  async insert(table: string, rows: readonly JsonRow[]): Promise<void> {
    await this.#client.insert({
      table,
      values: rows as JsonRow[],
      format: 'JSONEachRow',
      clickhouse_settings: { max_insert_block_size: String(Math.max(rows.length, ATOMIC_INSERT_ROWS)) },
    });
  }

  /**
   * Streams a CSV file (gunzipped when named `.gz`) into a table of text columns. Text columns
   * take any field, so what the server refuses here is the file's shape (a row with too few or
   * too many fields, an unclosed quote): ERR_VALIDATION on `file` with the server's words.
   */
  async insertCsv(
    table: string,
    file: string,
    options: { delimiter: string; header: boolean },
  ): Promise<void> {
    const input = createReadStream(file);
    try {
      await this.#client.insert({
        table,
        values: file.endsWith('.gz') ? input.pipe(createGunzip()) : input,
        format: options.header ? 'CSVWithNames' : 'CSV',
        clickhouse_settings: { format_csv_delimiter: options.delimiter },
      });
    } catch (error) {
      const refusal = error instanceof Error ? SERVER_REFUSAL.exec(error.message) : null;
      if (refusal) throw validationError('file', refusal[1].replace(/\s+/g, ' ').trim());
      throw error;
    }
  }

  /**
   * Builds the target's next version in a scratch table shaped like it (`build` fills it), then
   * puts it in place with one RENAME; on any failure before that the scratch table is dropped
   * and the target is untouched. Readers hold the table while they read, so a reader sees the
   * old version or the new one.
   */
  async swap(target: string, build: (next: string) => Promise<void>): Promise<void> {
    const next = this.scratchName('next');
    const old = this.scratchName('old');
    await this.command(`CREATE TABLE ${next} AS ${target}`);
    try {
      await build(next);
      await this.command(`RENAME TABLE ${target} TO ${old}, ${next} TO ${target}`);
    } catch (error) {
      await this.command(`DROP TABLE IF EXISTS ${next}`).catch(() => {});
      throw error;
    }
    await this.command(`DROP TABLE IF EXISTS ${old}`);
  }

  /** A Memory table of these columns (plus `extra` definitions) holding the rows for the length of `work`. */
  async withStage<T>(
    definitions: readonly string[],
    rows: readonly JsonRow[] | undefined,
    work: (stage: string) => Promise<T>,
  ): Promise<T> {
    const stage = this.scratchName('stage');
    await this.command(`CREATE TABLE ${stage} (${definitions.join(', ')}) ENGINE = Memory`);
    try {
      if (rows && rows.length > 0) await this.insert(stage, rows);
      return await work(stage);
    } finally {
      await this.command(`DROP TABLE IF EXISTS ${stage}`);
    }
  }

  /** Copies the rows of `from` whose key the staged rows do not name (a NULL key matches nothing). */
  copyUnmatched(from: string, to: string, stage: string, key: readonly string[]): Promise<void> {
    const matched = `${keyTuple(key)} IN (SELECT ${columnList(key)} FROM ${stage})`;
    return this.command(`INSERT INTO ${to} SELECT * FROM ${from} WHERE NOT ifNull(${matched}, 0)`);
  }

  /** Refuses rows whose key repeats within them or is already in the table. */
  async refuseDuplicateKeys(
    target: string,
    keys: readonly TableColumn[],
    rows: readonly JsonRow[],
  ): Promise<void> {
    const names = keys.map((key) => key.name);
    refuseDuplicatesInBatch(names, rows);
    const keyRows = rows.map((row) => Object.fromEntries(names.map((name) => [name, row[name]])));
    const definitions = keys.map((key) => `${ident(key.name)} ${key.sqlType}`);
    await this.withStage(definitions, keyRows, async (stage) => {
      const found = await this.count(
        `SELECT count() AS rows FROM ${target} WHERE ${keyTuple(names)} IN (SELECT ${columnList(names)} FROM ${stage})`,
      );
      if (found > 0)
        throw conflict(`duplicate key: ${found} row(s) of the batch have keys already in the table`);
    });
  }

  /** After a rebuild: the declared primary key still names each row once. */
  async refuseRepeatedKeys(table: string, columns: readonly TableColumn[]): Promise<void> {
    const keys = columns.filter((column) => column.key).map((column) => column.name);
    if (keys.length === 0) return;
    const [{ rows, distinct }] = await this.select<{ rows: string; distinct: string }>(
      `SELECT count() AS rows, uniqExact(${columnList(keys)}) AS distinct FROM ${table}`,
    );
    if (rows !== distinct)
      throw conflict(`duplicate key: ${Number(rows) - Number(distinct)} row(s) repeat a primary key`);
  }
}
