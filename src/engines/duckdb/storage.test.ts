import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RosettaError } from '../../core/errors.ts';
import type { JsonScalar, StorageColumn } from '../types.ts';
import { DuckDbEngine } from './engine.ts';

let dir: string;
let engine: DuckDbEngine;

const COLUMNS: StorageColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'number' },
  { name: 'active', type: 'boolean' },
  { name: 'day', type: 'date' },
  { name: 'at', type: 'datetime' },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosetta-storage-'));
  engine = new DuckDbEngine({ type: 'duckdb', file: join(dir, 'storage.duckdb') });
});

afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

let table: string;
let tableCounter = 0;
beforeEach(async () => {
  // Names with quotes and spaces prove that identifiers are always quoted.
  table = `sales "${++tableCounter}" it's`;
  await engine.createTable(table, COLUMNS, ['id']);
});

const contents = async (name = table): Promise<JsonScalar[][]> =>
  (
    await engine.run(
      // The file is named storage.duckdb on purpose: its catalog `storage` clashes with the schema.
      { sql: `SELECT * FROM storage.storage."${name.replaceAll('"', '""')}" ORDER BY id`, params: [] },
      { maxRows: 1000 },
    )
  ).rows;

const failure = (promise: Promise<unknown>): Promise<RosettaError> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      if (!(error instanceof RosettaError)) throw error;
      return error;
    },
  );

describe('DuckDbEngine managed storage', () => {
  it('creates a table in the storage schema and refuses a second one with the same name', async () => {
    const tables = await engine.introspect();
    const created = tables.find((candidate) => candidate.schema === 'storage' && candidate.name === table);
    expect(created?.columns.map((column) => [column.name, column.type])).toEqual(
      COLUMNS.map((column) => [column.name, column.type]),
    );
    expect((await failure(engine.createTable(table, COLUMNS, ['id']))).code).toBe('ERR_CONFLICT');
    expect((await failure(engine.createTable('bad', COLUMNS, ['nope']))).code).toBe('ERR_VALIDATION');
  });

  it('inserts rows through the appender and converts values by column type', async () => {
    const inserted = await engine.insertRows(table, COLUMNS, [
      [1, 'a', 1.5, true, '2024-01-02', '2024-01-02T03:04:05.123Z'],
      ['2', 'b', '2.25', 'false', '2024-01-03', '2024-01-02T03:04:05+02:00'],
      [3, null, null, null, null, null],
    ]);
    expect(inserted).toBe(3);
    expect(await contents()).toEqual([
      [1, 'a', 1.5, true, '2024-01-02', '2024-01-02T03:04:05.123Z'],
      [2, 'b', 2.25, false, '2024-01-03', '2024-01-02T01:04:05.000Z'],
      [3, null, null, null, null, null],
    ]);
    expect(await engine.countRows(table)).toBe(3);
  });

  it('inserts a subset of columns in any order through staging', async () => {
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

  it('leaves the table unchanged when a batch holds a bad value, a bad date or a duplicate key', async () => {
    await engine.insertRows(table, COLUMNS, [[1, 'keep', 1, true, '2024-01-01', null]]);
    const many = Array.from({ length: 5000 }, (_, i): JsonScalar[] => [i + 100, 'n', i, true, null, null]);
    const badNumber = await failure(
      engine.insertRows(table, COLUMNS, [...many, [9, 'x', 'abc', true, null, null]]),
    );
    expect(badNumber.code).toBe('ERR_VALIDATION');
    expect(badNumber.field).toBe('rows[5000].amount');
    const badDate = await failure(
      engine.insertRows(table, COLUMNS, [...many, [9, 'x', 1, true, 'nope', null]]),
    );
    expect(badDate.code).toBe('ERR_VALIDATION');
    expect(badDate.field).toBe('rows[5000].day');
    const duplicate = await failure(
      engine.insertRows(table, COLUMNS, [...many, [1, 'again', 1, true, null, null]]),
    );
    expect(duplicate.code).toBe('ERR_ENGINE');
    const wrongWidth = await failure(engine.insertRows(table, COLUMNS, [[5, 'short']]));
    expect(wrongWidth.field).toBe('rows[0]');
    expect(await contents()).toEqual([[1, 'keep', 1, true, '2024-01-01', null]]);
    expect(await engine.replaceRows(table, COLUMNS, [[2, 'new', 1, true, null, null]])).toBe(1);
    expect(
      await failure(engine.replaceRows(table, COLUMNS, [[3, 'x', 'bad', true, null, null]])),
    ).toBeInstanceOf(RosettaError);
    expect(await contents()).toEqual([[2, 'new', 1, true, null, null]]);
  });

  it('upserts: updates existing keys, inserts new ones, and the last duplicate in a batch wins', async () => {
    await engine.insertRows(table, COLUMNS, [
      [1, 'one', 1, true, null, null],
      [2, 'two', 2, true, null, null],
    ]);
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
    expect(await contents()).toEqual([
      [1, 'one', 1, true, null, null],
      [2, 'two', 20, true, null, null],
      [3, null, 33, null, null, null],
    ]);
  });

  it('deletes rows by primary key', async () => {
    await engine.insertRows(
      table,
      COLUMNS,
      [1, 2, 3, 4].map((id) => [id, `n${id}`, id, true, null, null]),
    );
    const deleted = await engine.deleteRows(table, [{ name: 'id', type: 'integer' }], [[2], [4], [99]]);
    expect(deleted).toBe(2);
    expect((await contents()).map((row) => row[0])).toEqual([1, 3]);
  });

  it('replaces the whole content atomically, reusing keys', async () => {
    await engine.insertRows(table, COLUMNS, [
      [1, 'a', 1, true, null, null],
      [2, 'b', 2, true, null, null],
    ]);
    expect(await engine.replaceRows(table, COLUMNS, [[1, 'z', 9, false, null, null]])).toBe(1);
    expect(await contents()).toEqual([[1, 'z', 9, false, null, null]]);
  });

  it('loads plain and gzipped CSV with forced types, custom delimiters, replace and append', async () => {
    const plain = join(dir, 'plain.csv');
    await writeFile(
      plain,
      'id;name;amount;active;day;at\n1;"a;b";1.5;true;2024-01-02;2024-01-02 03:04:05\n2;007;2;false;;\n',
    );
    const options = { delimiter: ';', header: true, mode: 'replace' as const };
    expect(await engine.loadCsv(table, COLUMNS, plain, options)).toBe(2);
    expect(await contents()).toEqual([
      [1, 'a;b', 1.5, true, '2024-01-02', '2024-01-02T03:04:05.000Z'],
      [2, '007', 2, false, null, null],
    ]);
    const gzipped = join(dir, 'more.csv.gz');
    await writeFile(gzipped, gzipSync('3|c|3\n4|d|4\n'));
    const subset = COLUMNS.slice(0, 3);
    expect(
      await engine.loadCsv(table, subset, gzipped, { delimiter: '|', header: false, mode: 'append' }),
    ).toBe(2);
    expect(await engine.countRows(table)).toBe(4);
    expect(
      await engine.loadCsv(table, subset, gzipped, { delimiter: '|', header: false, mode: 'replace' }),
    ).toBe(2);
    expect((await contents()).map((row) => row[0])).toEqual([3, 4]);
  });

  it('leaves the table unchanged when a CSV value does not fit its forced type', async () => {
    await engine.insertRows(table, COLUMNS, [[1, 'keep', 1, true, null, null]]);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, '5,x,1\n6,y,not-a-number\n');
    const error = await failure(
      engine.loadCsv(table, COLUMNS.slice(0, 3), bad, { delimiter: ',', header: false, mode: 'replace' }),
    );
    expect(error.code).toBe('ERR_ENGINE');
    expect(await contents()).toEqual([[1, 'keep', 1, true, null, null]]);
  });

  it('adds missing columns and keeps existing ones', async () => {
    await engine.insertRows(table, COLUMNS, [[1, 'a', 1, true, null, null]]);
    await engine.addColumns(table, [
      { name: 'name', type: 'string' },
      { name: 'extra "col"', type: 'integer' },
    ]);
    expect(await contents()).toEqual([[1, 'a', 1, true, null, null, null]]);
    await engine.upsertRows(
      table,
      [
        { name: 'id', type: 'integer' },
        { name: 'extra "col"', type: 'integer' },
      ],
      ['id'],
      [[1, 7]],
    );
    expect((await contents())[0][6]).toBe(7);
  });

  it('reports a missing table as ERR_NOT_FOUND and drops tables', async () => {
    expect((await failure(engine.countRows('nope'))).code).toBe('ERR_NOT_FOUND');
    expect((await failure(engine.insertRows('nope', COLUMNS, []))).code).toBe('ERR_NOT_FOUND');
    await engine.dropTable(table);
    expect((await failure(engine.countRows(table))).code).toBe('ERR_NOT_FOUND');
  });

  it('serializes concurrent upserts of the same rows', async () => {
    const batches = Array.from({ length: 8 }, (_, batch) =>
      engine.upsertRows(
        table,
        COLUMNS.slice(0, 3),
        ['id'],
        Array.from({ length: 100 }, (_, i) => [i, `b${batch}`, batch]),
      ),
    );
    await Promise.all(batches);
    expect(await engine.countRows(table)).toBe(100);
  });

  it('appends a large batch quickly', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i): JsonScalar[] => [
      i,
      `name ${i}`,
      i / 3,
      i % 2 === 0,
      '2024-01-02',
      '2024-01-02 03:04:05',
    ]);
    const started = Date.now();
    expect(await engine.insertRows(table, COLUMNS, rows)).toBe(200_000);
    const elapsed = Date.now() - started;
    expect(await engine.countRows(table)).toBe(200_000);
    expect(elapsed).toBeLessThan(5000);
  });
});
