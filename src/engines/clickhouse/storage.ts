import { conflict, notFound, validationError } from '../../core/errors.ts';
import { toEngineError } from '../errors.ts';
import type { JsonScalar, ManagedStorage, StorageColumn, StorageOperation } from '../types.ts';
import type { ClickHouseClient } from './client.ts';
import { clickhouseIdentifier as ident } from './literal.ts';
import {
  CSV_CHECK_SETTINGS,
  csvCheckSql,
  csvProblem,
  csvStagingDefinitions,
  csvValues,
} from './storage-csv.ts';
import {
  assertDistinct,
  columnList,
  errorCode,
  keyNames,
  keyOf,
  keyTuple,
  latestOf,
  pick,
  refuseDuplicatesInBatch,
  SEQUENCE,
  StorageTables,
  stagingDefinitions,
} from './storage-tables.ts';
import { jsonRowsOf } from './storage-values.ts';

/**
 * Managed storage tables in one ClickHouse database, shared by every Rosetta node.
 *
 * ClickHouse has no transactions, so atomicity comes from two things the server does guarantee:
 * one INSERT of at most `max_insert_block_size` rows into a table without partitions is one part,
 * written whole or not at all; and a table no reader knows of can be filled step by step, then put
 * in place by one RENAME. Plain inserts are the first kind; every write that changes or removes
 * rows (upsert, delete, replace, several operations, CSV loads) builds the table's next version
 * beside it and swaps it in, so a failure leaves the table as it was and a reader sees the old
 * version or the new one, never a half one. The price: such a write copies the whole table.
 *
 * Primary key columns are the table's sorting key (not Nullable: 18.16 refuses Nullable sorting
 * keys), which `system.columns.is_in_primary_key` reports back; ClickHouse does not enforce
 * uniqueness, so every write checks it. Writes to one table are serialized in this process;
 * across nodes the core holds a lock.
 */

const SQL_TYPES: Record<StorageColumn['type'], string> = {
  string: 'String',
  integer: 'Int64',
  number: 'Float64',
  // The engine reads this Enum8 as a boolean: servers before 21.12 have no Bool.
  boolean: "Enum8('false' = 0, 'true' = 1)",
  date: 'Date',
  // Whole seconds: DateTime64 arrived in 20.1.
  datetime: "DateTime('UTC')",
};
const UNKNOWN_TABLE = '60';
const TABLE_ALREADY_EXISTS = '57';

export class ClickHouseStorage implements ManagedStorage {
  readonly storageSchema: string;
  readonly #tables: StorageTables;
  readonly #tableLocks = new Map<string, Promise<unknown>>();

  constructor(client: ClickHouseClient, database: string) {
    this.storageSchema = database;
    this.#tables = new StorageTables(client, database);
  }

  async createTable(table: string, columns: StorageColumn[], primaryKey: string[]): Promise<void> {
    assertDistinct(
      columns.map((column) => column.name),
      'columns',
    );
    if (columns.length === 0) throw validationError('columns', 'a table needs at least one column');
    for (const key of primaryKey) {
      if (!columns.some((column) => column.name === key))
        throw validationError('primaryKey', `unknown column "${key}"`);
    }
    const definitions = columns.map((column) => {
      const type = SQL_TYPES[column.type];
      if (!type) throw validationError('columns', `unknown type "${column.type}" of column "${column.name}"`);
      return `${ident(column.name)} ${primaryKey.includes(column.name) ? type : `Nullable(${type})`}`;
    });
    const order = primaryKey.length > 0 ? keyTuple(primaryKey) : 'tuple()';
    await this.#write(table, async (target) => {
      try {
        await this.#tables.command(
          `CREATE TABLE ${target} (${definitions.join(', ')}) ENGINE = MergeTree ORDER BY ${order}`,
        );
      } catch (error) {
        if (errorCode(error) === TABLE_ALREADY_EXISTS)
          throw conflict(`storage table "${table}" already exists`, 'table');
        throw error;
      }
    });
  }

  async dropTable(table: string): Promise<void> {
    await this.#write(table, (target) => this.#tables.command(`DROP TABLE IF EXISTS ${target}`));
  }

  async addColumns(table: string, columns: StorageColumn[]): Promise<void> {
    assertDistinct(
      columns.map((column) => column.name),
      'columns',
    );
    await this.#write(table, async (target) => {
      const existing = new Set((await this.#tables.columnsOf(table)).map((column) => column.name));
      const added = columns
        .filter((column) => !existing.has(column.name))
        .map((column) => `ADD COLUMN ${ident(column.name)} Nullable(${SQL_TYPES[column.type]})`);
      if (added.length > 0) await this.#tables.command(`ALTER TABLE ${target} ${added.join(', ')}`);
    });
  }

  /** One native insert; with a primary key, the batch's keys are first checked against themselves and the table. */
  insertRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number> {
    return this.#write(table, async (target) => {
      const existing = await this.#tables.columnsOf(table);
      const targets = pick(existing, columns);
      const keys = existing.filter((column) => column.key);
      const missing = keys.find((key) => !targets.includes(key));
      if (missing) throw validationError('columns', `the primary key column "${missing.name}" is required`);
      const values = jsonRowsOf(targets, rows, { required: new Set(keyNames(keys)) });
      if (values.length === 0) return 0;
      if (keys.length > 0) await this.#tables.refuseDuplicateKeys(target, keys, values);
      await this.#tables.insert(target, values);
      return values.length;
    });
  }

  /** Columns the rows leave out keep their values in rows that exist: the key's old row is joined in. */
  upsertRows(
    table: string,
    columns: StorageColumn[],
    primaryKey: string[],
    rows: JsonScalar[][],
  ): Promise<number> {
    if (primaryKey.length === 0) throw validationError('primaryKey', 'an upsert needs a primary key');
    return this.#write(table, async (target) => {
      const existing = await this.#tables.columnsOf(table);
      const staged = pick(existing, columns);
      const keys = pick(
        existing,
        primaryKey.map((name) => ({ name })),
        'primaryKey',
      );
      const missing = keys.find((key) => !staged.includes(key));
      if (missing) throw validationError('primaryKey', `"${missing.name}" is not among the columns`);
      const values = jsonRowsOf(staged, rows, { required: new Set(primaryKey), sequence: SEQUENCE });
      const names = staged.map((column) => column.name);
      const kept = existing.filter((column) => !staged.includes(column));
      const old = (index: number) => ident(`__rosetta_old_${index}`);
      const olds = kept.map((column, index) => `${ident(column.name)} AS ${old(index)}`);
      await this.#tables.withStage(stagingDefinitions(staged), values, (stage) =>
        this.#tables.swap(target, async (next) => {
          await this.#tables.copyUnmatched(target, next, stage, primaryKey);
          const latest = `(${latestOf(stage, names, primaryKey)})`;
          const source =
            kept.length === 0
              ? latest
              : `${latest} ANY LEFT JOIN (SELECT ${columnList(primaryKey)}, ${olds.join(', ')} FROM ${target}) USING ${keyTuple(primaryKey)}`;
          const picks = [...names.map(ident), ...kept.map((_, index) => old(index))];
          const into = columnList([...names, ...kept.map((column) => column.name)]);
          await this.#tables.command(
            `INSERT INTO ${next} (${into}) SELECT ${picks.join(', ')} FROM ${source}`,
            {
              join_use_nulls: 1,
            },
          );
          await this.#tables.refuseRepeatedKeys(next, existing);
        }),
      );
      return new Set(values.map((row) => keyOf(row, primaryKey))).size;
    });
  }

  deleteRows(table: string, primaryKey: StorageColumn[], keys: JsonScalar[][]): Promise<number> {
    if (primaryKey.length === 0) throw validationError('primaryKey', 'deleting rows needs a primary key');
    const key = primaryKey.map((column) => column.name);
    return this.applyOperations(table, [{ mode: 'delete', columns: primaryKey, key, rows: keys }]);
  }

  replaceRows(table: string, columns: StorageColumn[], rows: JsonScalar[][]): Promise<number> {
    return this.#write(table, async (target) => {
      const existing = await this.#tables.columnsOf(table);
      const keys = keyNames(existing);
      const values = jsonRowsOf(pick(existing, columns), rows, { required: new Set(keys) });
      if (keys.length > 0) refuseDuplicatesInBatch(keys, values);
      await this.#tables.swap(target, async (next) => {
        if (values.length > 0) await this.#tables.insert(next, values);
      });
      return values.length;
    });
  }

  /** The file is streamed into staging as text, checked and converted there, then swapped in. */
  loadCsv(
    table: string,
    columns: StorageColumn[],
    file: string,
    options: { delimiter: string; header: boolean; mode: 'replace' | 'append' },
  ): Promise<number> {
    if (typeof options.delimiter !== 'string' || !/^[^"'\r\n]$/.test(options.delimiter))
      throw validationError('delimiter', 'must be one character, not a quote or a line break');
    return this.#write(table, async (target) => {
      const existing = await this.#tables.columnsOf(table);
      const targets = pick(existing, columns);
      return this.#tables.withStage([csvStagingDefinitions(targets)], undefined, async (stage) => {
        await this.#tables.insertCsv(stage, file, options);
        const check = csvCheckSql(stage, targets);
        const [answer] = await this.#tables.select<Record<string, unknown>>(check, CSV_CHECK_SETTINGS);
        const problem = csvProblem(targets, answer, options.header);
        if (problem) throw problem;
        await this.#tables.swap(target, async (next) => {
          if (options.mode === 'append')
            await this.#tables.command(`INSERT INTO ${next} SELECT * FROM ${target}`);
          await this.#tables.command(
            `INSERT INTO ${next} (${columnList(targets.map((column) => column.name))}) SELECT ${csvValues(targets)} FROM ${stage}`,
          );
          await this.#tables.refuseRepeatedKeys(next, existing);
        });
        return this.#tables.count(`SELECT count() AS rows FROM ${stage}`);
      });
    });
  }

  countRows(table: string): Promise<number> {
    return this.#guarded(table, (target) => this.#tables.count(`SELECT count() AS rows FROM ${target}`));
  }

  /**
   * Every row is checked before the server is touched; then each step rewrites the scratch copy
   * (an upsert or delete through one more scratch table, as MergeTree has no synchronous
   * DELETE), and the copy is swapped in once the declared primary key holds over it.
   */
  applyOperations(table: string, operations: StorageOperation[]): Promise<number> {
    return this.#write(table, async (target) => {
      const existing = await this.#tables.columnsOf(table);
      const steps = operations.map((operation, index) => {
        const field = `operations[${index}]`;
        if (operation.mode !== 'insert' && operation.key.length === 0)
          throw validationError(`${field}.key`, `a ${operation.mode} needs a key`);
        const columns = pick(existing, operation.columns, `${field}.columns`);
        const lacking =
          operation.mode === 'delete' ? undefined : existing.find((c) => c.key && !columns.includes(c));
        if (lacking)
          throw validationError(`${field}.columns`, `the primary key column "${lacking.name}" is required`);
        for (const key of operation.key)
          if (!columns.some((column) => column.name === key))
            throw validationError(`${field}.key`, `"${key}" is not among the columns`);
        const keyed = operation.mode === 'delete' ? operation.key : [...operation.key, ...keyNames(existing)];
        const sequence = operation.mode === 'insert' ? undefined : SEQUENCE;
        return {
          ...operation,
          columns,
          values: jsonRowsOf(columns, operation.rows, { required: new Set(keyed), sequence }),
        };
      });
      if (steps.length === 0) return 0;
      let written = 0;
      await this.#tables.swap(target, async (next) => {
        await this.#tables.command(`INSERT INTO ${next} SELECT * FROM ${target}`);
        for (const step of steps) {
          if (step.mode === 'insert') {
            if (step.values.length > 0) await this.#tables.insert(next, step.values);
            written += step.values.length;
            continue;
          }
          const following = this.#tables.scratchName('next');
          await this.#tables.command(`CREATE TABLE ${following} AS ${target}`);
          await this.#tables.withStage(stagingDefinitions(step.columns), step.values, async (stage) => {
            await this.#tables.copyUnmatched(next, following, stage, step.key);
            if (step.mode === 'upsert') {
              const names = step.columns.map((column) => column.name);
              await this.#tables.command(
                `INSERT INTO ${following} (${columnList(names)}) ${latestOf(stage, names, step.key)}`,
              );
              written += new Set(step.values.map((row) => keyOf(row, step.key))).size;
            } else {
              const before = await this.#tables.count(`SELECT count() AS rows FROM ${next}`);
              written += before - (await this.#tables.count(`SELECT count() AS rows FROM ${following}`));
            }
          });
          await this.#tables.command(`DROP TABLE ${next}`);
          await this.#tables.command(`RENAME TABLE ${following} TO ${next}`);
        }
        await this.#tables.refuseRepeatedKeys(next, existing);
      });
      return written;
    });
  }

  /** Runs `work` on the table once earlier writes to it have finished. */
  async #write<T>(table: string, work: (target: string) => Promise<T>): Promise<T> {
    if (typeof table !== 'string' || table === '') throw validationError('table', 'a table name is required');
    const previous = this.#tableLocks.get(table) ?? Promise.resolve();
    const current = previous.catch(() => {}).then(() => this.#guarded(table, work));
    this.#tableLocks.set(table, current);
    try {
      return await current;
    } finally {
      if (this.#tableLocks.get(table) === current) this.#tableLocks.delete(table);
    }
  }

  /** Driver failures become ERR_ENGINE with the server's words, a missing table ERR_NOT_FOUND. */
  async #guarded<T>(table: string, work: (target: string) => Promise<T>): Promise<T> {
    try {
      return await work(this.#tables.name(table));
    } catch (error) {
      if (errorCode(error) === UNKNOWN_TABLE) throw notFound('storage table', table);
      throw toEngineError(error);
    }
  }
}
