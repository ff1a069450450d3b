import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { RosettaError } from '../core/errors.ts';
import type { Engine, JsonScalar, ManagedStorage, StorageColumn } from './types.ts';

/**
 * The contract every managed storage keeps, run against each real warehouse by its own test file
 * (`describeStorageContract(name, setup)`). Rows are read back through the engine's own `run`, so
 * the storage and the query side are checked to agree on every value.
 */

export interface StorageContractSetup {
  /** False when the warehouse is not reachable: the suite is skipped (the reason is printed). */
  available?: boolean | (() => boolean);
  /** A fresh engine with managed storage; the suite closes it at the end. */
  open(): Promise<Engine & ManagedStorage> | (Engine & ManagedStorage);
  /** Date-times are kept to the second (ClickHouse before 20.1 has no DateTime64). */
  wholeSeconds?: boolean;
}

type StorageEngine = Engine & ManagedStorage;

export const STORAGE_COLUMNS: StorageColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'number' },
  { name: 'active', type: 'boolean' },
  { name: 'day', type: 'date' },
  { name: 'at', type: 'datetime' },
];
const FIRST_THREE = STORAGE_COLUMNS.slice(0, 3);
const ID: StorageColumn[] = [{ name: 'id', type: 'integer' }];

/** Text that breaks naive COPY, CSV, JSON or SQL literal encodings. */
export const HOSTILE_STRINGS = [
  'tab\there',
  'line\nbreak',
  'carriage\r\nreturn',
  'back\\slash',
  '\\N',
  '\\',
  "it's",
  '"quoted"',
  '`tick`',
  'comma, semi; pipe|',
  'ünïcödé ✓ 漢字 🎉',
  '',
  ' padded ',
  'NULL',
];

/** A fully quoted identifier in the engine's dialect. */
export function quoteIdentifier(engine: Engine, name: string): string {
  const quote = ['clickhouse', 'mysql'].includes(engine.dialect) ? '`' : '"';
  // Only ClickHouse reads backslash escapes inside quoted identifiers.
  const escaped = engine.dialect === 'clickhouse' ? name.replaceAll('\\', '\\\\') : name;
  return quote + escaped.replaceAll(quote, quote + quote) + quote;
}

/** Every row of a storage table, ordered by `id`, as the engine's queries see them. */
export async function tableRows(engine: StorageEngine, table: string): Promise<JsonScalar[][]> {
  const from = `${quoteIdentifier(engine, engine.storageSchema)}.${quoteIdentifier(engine, table)}`;
  const sql = `SELECT * FROM ${from} ORDER BY ${quoteIdentifier(engine, 'id')}`;
  return (await engine.run({ sql, params: [] }, { maxRows: 100_000 })).rows;
}

/** The RosettaError a promise rejects with; a resolved promise or an uncoded error fails the test. */
export const failure = (promise: Promise<unknown>): Promise<RosettaError> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      if (!(error instanceof RosettaError)) throw error;
      return error;
    },
  );

/** A duplicate key reaches the user as a conflict: coded so, or as the engine error `mapStorageError` maps. */
export const isDuplicateKeyError = (error: RosettaError): boolean =>
  error.code === 'ERR_CONFLICT' ||
  (error.code === 'ERR_ENGINE' && /duplicate key|constraint/i.test(error.message));

const row = (id: number, name: JsonScalar = `n${id}`, amount: JsonScalar = id): JsonScalar[] => [
  id,
  name,
  amount,
  true,
  null,
  null,
];

export function describeStorageContract(name: string, setup: StorageContractSetup): void {
  const isAvailable = () =>
    typeof setup.available === 'function' ? setup.available() : setup.available !== false;

  describe.skipIf(setup.available === false)(`${name} managed storage contract`, () => {
    let engine: StorageEngine;
    let dir: string;
    let table: string;
    let tableCounter = 0;
    let warned = false;
    const contents = (of = table) => tableRows(engine, of);
    /** Skips the case at run time when availability is only known once the file's own hooks ran. */
    const guard = (context: TestContext) => {
      if (isAvailable()) return;
      if (!warned) console.warn(`\n!!! ${name} is not reachable: its storage contract is SKIPPED !!!\n`);
      warned = true;
      context.skip();
    };
    const csv = async (fileName: string, content: string | Buffer) => {
      const file = join(dir, fileName);
      await writeFile(file, content);
      return file;
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rosetta-storage-contract-'));
      if (isAvailable()) engine = await setup.open();
    });
    afterAll(async () => {
      await engine?.close();
      await rm(dir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      if (!engine) return;
      // Quotes, a backslash and spaces in every table name prove that identifiers are always quoted.
      table = `sales "${++tableCounter}" it's \\ \`x\``;
      await engine.createTable(table, STORAGE_COLUMNS, ['id']);
    });

    it('creates a table in the storage schema and refuses a second one with the same name', async (context) => {
      guard(context);
      const created = (await engine.introspect()).find(
        (candidate) => candidate.schema === engine.storageSchema && candidate.name === table,
      );
      expect(created?.columns.map((column) => column.name)).toEqual(
        STORAGE_COLUMNS.map((column) => column.name),
      );
      expect((await failure(engine.createTable(table, STORAGE_COLUMNS, ['id']))).code).toBe('ERR_CONFLICT');
      expect((await failure(engine.createTable('bad', STORAGE_COLUMNS, ['nope']))).code).toBe(
        'ERR_VALIDATION',
      );
      expect(await engine.countRows(table)).toBe(0);
    });

    it('inserts every column and reads each type back as a JSON scalar', async (context) => {
      guard(context);
      const inserted = await engine.insertRows(table, STORAGE_COLUMNS, [
        [1, 'a', 1.5, true, '2024-01-02', '2024-01-02T03:04:05.123Z'],
        [2, 'b', -0.25, false, '1999-12-31', '2024-01-02T03:04:05.123'],
        [3, null, null, null, null, null],
        [Number.MAX_SAFE_INTEGER, 'big', 1e15, true, '2024-02-29', '2024-01-02T03:04:05+02:00'],
      ]);
      expect(inserted).toBe(4);
      const stamp = setup.wholeSeconds ? '2024-01-02T03:04:05.000Z' : '2024-01-02T03:04:05.123Z';
      expect(await contents()).toEqual([
        [1, 'a', 1.5, true, '2024-01-02', stamp],
        [2, 'b', -0.25, false, '1999-12-31', stamp],
        [3, null, null, null, null, null],
        [Number.MAX_SAFE_INTEGER, 'big', 1e15, true, '2024-02-29', '2024-01-02T01:04:05.000Z'],
      ]);
      expect(await engine.countRows(table)).toBe(4);
    });

    it('carries hostile strings exactly through inserts, upserts and CSV loads', async (context) => {
      guard(context);
      const rows = HOSTILE_STRINGS.map((text, index) => row(index + 1, text));
      await engine.insertRows(table, STORAGE_COLUMNS, rows);
      expect((await contents()).map((values) => values[1])).toEqual(HOSTILE_STRINGS);
      const reversed = HOSTILE_STRINGS.toReversed();
      await engine.upsertRows(
        table,
        FIRST_THREE.slice(0, 2),
        ['id'],
        reversed.map((text, index) => [index + 1, text]),
      );
      expect((await contents()).map((values) => values[1])).toEqual(reversed);
      const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
      // Warehouses differ on whether a quoted empty CSV field is NULL, so the empty string stays out.
      const texts = HOSTILE_STRINGS.filter((text) => text !== '');
      const file = await csv(
        'hostile.csv',
        `id,name\n${texts.map((text, index) => `${index + 1},${quoted(text)}`).join('\n')}\n`,
      );
      await engine.loadCsv(table, FIRST_THREE.slice(0, 2), file, {
        delimiter: ',',
        header: true,
        mode: 'replace',
      });
      expect((await contents()).map((values) => values[1])).toEqual(texts);
    });

    it('inserts a subset of columns in any order', async (context) => {
      guard(context);
      await engine.insertRows(
        table,
        [
          { name: 'name', type: 'string' },
          { name: 'id', type: 'integer' },
        ],
        [
          ['x', 10],
          ['y', 11],
        ],
      );
      expect(await contents()).toEqual([
        [10, 'x', null, null, null, null],
        [11, 'y', null, null, null, null],
      ]);
    });

    it('leaves the table unchanged when a batch holds a bad value, a bad date or a duplicate key', async (context) => {
      guard(context);
      await engine.insertRows(table, STORAGE_COLUMNS, [[1, 'keep', 1, true, '2024-01-01', null]]);
      const many = Array.from({ length: 5000 }, (_, i): JsonScalar[] => row(i + 100));
      const badNumber = await failure(
        engine.insertRows(table, STORAGE_COLUMNS, [...many, row(9, 'x', 'abc')]),
      );
      expect([badNumber.code, badNumber.field]).toEqual(['ERR_VALIDATION', 'rows[5000].amount']);
      const badDate = await failure(
        engine.insertRows(table, STORAGE_COLUMNS, [...many, [9, 'x', 1, true, 'nope', null]]),
      );
      expect([badDate.code, badDate.field]).toEqual(['ERR_VALIDATION', 'rows[5000].day']);
      const existingKey = await failure(
        engine.insertRows(table, STORAGE_COLUMNS, [...many, row(1, 'again')]),
      );
      expect(isDuplicateKeyError(existingKey), existingKey.message).toBe(true);
      const keyTwiceInBatch = await failure(
        engine.insertRows(table, STORAGE_COLUMNS, [...many, row(100, 'again')]),
      );
      expect(isDuplicateKeyError(keyTwiceInBatch), keyTwiceInBatch.message).toBe(true);
      const wrongWidth = await failure(engine.insertRows(table, STORAGE_COLUMNS, [[5, 'short']]));
      expect(wrongWidth.field).toBe('rows[0]');
      expect(await contents()).toEqual([[1, 'keep', 1, true, '2024-01-01', null]]);
      expect(await engine.replaceRows(table, STORAGE_COLUMNS, [row(2, 'new')])).toBe(1);
      expect(await failure(engine.replaceRows(table, STORAGE_COLUMNS, [row(3, 'x', 'bad')]))).toBeInstanceOf(
        RosettaError,
      );
      expect(await contents()).toEqual([row(2, 'new')]);
    });

    it('upserts: updates existing keys, inserts new ones, and the last duplicate in a batch wins', async (context) => {
      guard(context);
      await engine.insertRows(table, STORAGE_COLUMNS, [row(1, 'one'), row(2, 'two')]);
      const partial: StorageColumn[] = [
        { name: 'id', type: 'integer' },
        { name: 'amount', type: 'number' },
      ];
      const changed = await engine.upsertRows(
        table,
        partial,
        ['id'],
        [
          [2, 20],
          [3, 30],
          [3, 33],
        ],
      );
      expect(changed).toBe(2);
      expect(await contents()).toEqual([row(1, 'one'), row(2, 'two', 20), [3, null, 33, null, null, null]]);
    });

    it('deletes rows by primary key', async (context) => {
      guard(context);
      await engine.insertRows(
        table,
        STORAGE_COLUMNS,
        [1, 2, 3, 4].map((id) => row(id)),
      );
      expect(await engine.deleteRows(table, ID, [[2], [4], [99]])).toBe(2);
      expect((await contents()).map((values) => values[0])).toEqual([1, 3]);
    });

    it('replaces the whole content atomically, reusing keys', async (context) => {
      guard(context);
      await engine.insertRows(table, STORAGE_COLUMNS, [row(1, 'a'), row(2, 'b')]);
      expect(await engine.replaceRows(table, STORAGE_COLUMNS, [[1, 'z', 9, false, null, null]])).toBe(1);
      expect(await contents()).toEqual([[1, 'z', 9, false, null, null]]);
    });

    it('loads plain and gzipped CSV with forced types, custom delimiters, replace and append', async (context) => {
      guard(context);
      const plain = await csv(
        'plain.csv',
        'id;name;amount;active;day;at\n1;"a;b";1.5;true;2024-01-02;2024-01-02 03:04:05\n2;007;2;false;;\n',
      );
      const options = { delimiter: ';', header: true, mode: 'replace' as const };
      expect(await engine.loadCsv(table, STORAGE_COLUMNS, plain, options)).toBe(2);
      expect(await contents()).toEqual([
        [1, 'a;b', 1.5, true, '2024-01-02', '2024-01-02T03:04:05.000Z'],
        [2, '007', 2, false, null, null],
      ]);
      const gzipped = await csv('more.csv.gz', gzipSync('3|c|3\n4|d|4\n'));
      const pipes = { delimiter: '|', header: false };
      expect(await engine.loadCsv(table, FIRST_THREE, gzipped, { ...pipes, mode: 'append' })).toBe(2);
      expect(await engine.countRows(table)).toBe(4);
      expect(await engine.loadCsv(table, FIRST_THREE, gzipped, { ...pipes, mode: 'replace' })).toBe(2);
      expect(await contents()).toEqual([
        [3, 'c', 3, null, null, null],
        [4, 'd', 4, null, null, null],
      ]);
    });

    it('leaves the table unchanged when a CSV value does not fit its forced type', async (context) => {
      guard(context);
      await engine.insertRows(table, STORAGE_COLUMNS, [row(1, 'keep')]);
      const bad = await csv('bad.csv', '5,x,1\n6,y,not-a-number\n');
      const error = await failure(
        engine.loadCsv(table, FIRST_THREE, bad, { delimiter: ',', header: false, mode: 'replace' }),
      );
      expect(['ERR_ENGINE', 'ERR_VALIDATION']).toContain(error.code);
      expect(await contents()).toEqual([row(1, 'keep')]);
    });

    it('adds missing columns, with hostile names, and keeps existing ones', async (context) => {
      guard(context);
      await engine.insertRows(table, STORAGE_COLUMNS, [row(1, 'a')]);
      const extra: StorageColumn[] = [
        { name: 'extra "col"', type: 'integer' },
        { name: "it's \\ `odd`", type: 'string' },
      ];
      await engine.addColumns(table, [{ name: 'name', type: 'string' }, ...extra]);
      expect(await contents()).toEqual([[...row(1, 'a'), null, null]]);
      await engine.upsertRows(table, [...ID, ...extra], ['id'], [[1, 7, 'seven']]);
      await engine.insertRows(table, [...ID, ...extra], [[2, 8, 'eight']]);
      expect((await contents()).map((values) => values.slice(6))).toEqual([
        [7, 'seven'],
        [8, 'eight'],
      ]);
      expect(await engine.deleteRows(table, ID, [[2]])).toBe(1);
    });

    it('reports a missing table as ERR_NOT_FOUND and drops tables', async (context) => {
      guard(context);
      expect((await failure(engine.countRows('nope'))).code).toBe('ERR_NOT_FOUND');
      expect((await failure(engine.insertRows('nope', STORAGE_COLUMNS, []))).code).toBe('ERR_NOT_FOUND');
      expect((await failure(engine.upsertRows('nope', ID, ['id'], [[1]]))).code).toBe('ERR_NOT_FOUND');
      await engine.dropTable(table);
      expect((await failure(engine.countRows(table))).code).toBe('ERR_NOT_FOUND');
      await engine.dropTable(table);
    });

    it('serializes concurrent upserts of the same rows: one whole batch wins', async (context) => {
      guard(context);
      const batches = Array.from({ length: 8 }, (_, batch) =>
        engine.upsertRows(
          table,
          FIRST_THREE,
          ['id'],
          Array.from({ length: 100 }, (_, i) => [i, `b${batch}`, batch]),
        ),
      );
      await Promise.all(batches);
      const rows = await contents();
      expect(rows).toHaveLength(100);
      const winner = rows[0][2];
      expect(rows.every((values) => values[1] === `b${winner}` && values[2] === winner)).toBe(true);
    });

    it('applies several operations in one transaction: all or nothing', async (context) => {
      guard(context);
      await engine.insertRows(table, STORAGE_COLUMNS, [row(1, 'one')]);
      const written = await engine.applyOperations(table, [
        {
          mode: 'insert',
          columns: FIRST_THREE,
          key: [],
          rows: [
            [2, 'two', 2],
            [3, 'three', 3],
          ],
        },
        {
          mode: 'upsert',
          columns: FIRST_THREE,
          key: ['id'],
          rows: [
            [3, 'x', 30],
            [4, 'y', 4],
            [4, 'z', 40],
          ],
        },
        { mode: 'delete', columns: ID, key: ['id'], rows: [[1], [99]] },
        // A key need not be the declared primary key.
        { mode: 'upsert', columns: FIRST_THREE, key: ['name'], rows: [[2, 'two', 22]] },
      ]);
      expect(written).toBe(2 + 2 + 1 + 1);
      const expected = [
        [2, 'two', 22, null, null, null],
        [3, 'x', 30, null, null, null],
        [4, 'z', 40, null, null, null],
      ];
      expect(await contents()).toEqual(expected);
      const failed = await failure(
        engine.applyOperations(table, [
          { mode: 'delete', columns: ID, key: ['id'], rows: [[2], [3]] },
          { mode: 'insert', columns: FIRST_THREE, key: [], rows: [[5, 'five', 5]] },
          { mode: 'upsert', columns: FIRST_THREE, key: ['id'], rows: [[6, 'six', 'bad']] },
        ]),
      );
      expect(failed.code).toBe('ERR_VALIDATION');
      expect(await contents()).toEqual(expected);
    });
  });
}
