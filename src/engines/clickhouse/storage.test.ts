import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTempClickhouseDatabase } from '../../../test/support/clickhouse.ts';
import { createEngine } from '../index.ts';
import { describeStorageContract, failure, STORAGE_COLUMNS, tableRows } from '../storage-testkit.ts';
import type { Engine, JsonScalar, ManagedStorage, StorageColumn } from '../types.ts';
import type { ClickHouseSpec } from './client.ts';
import { clickhouseIdentifier as ident, clickhouseLiteral as literal } from './literal.ts';

const db = await createTempClickhouseDatabase('rosetta_storage');

afterAll(async () => {
  await db.drop();
});

const spec = (): ClickHouseSpec => {
  const url = new URL(db.url || 'http://127.0.0.1:18123');
  return {
    type: 'clickhouse',
    host: url.hostname,
    port: Number(url.port),
    database: db.database,
    user: 'default',
  };
};

/** A "node": the engine `createEngine` makes for a ClickHouse `ROSETTA_STORAGE_URL`. */
const openNode = () =>
  createEngine({ ...spec(), storage: { schema: db.database } }) as Engine & ManagedStorage;

describeStorageContract('ClickHouse', { available: db.available, open: openNode, wholeSeconds: true });

describe.skipIf(!db.available)('ClickHouseStorage on ClickHouse 18.16', () => {
  let node: Engine & ManagedStorage;
  let reader: Engine & ManagedStorage;
  let dir: string;
  let table: string;
  let counter = 0;
  const ID: StorageColumn[] = [{ name: 'id', type: 'integer' }];

  beforeAll(async () => {
    node = openNode();
    reader = openNode();
    dir = await mkdtemp(join(tmpdir(), 'rosetta-clickhouse-storage-'));
  });
  afterAll(async () => {
    await node?.close();
    await reader?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    table = `t ${++counter} ' \\ \` "`;
    await node.createTable(table, STORAGE_COLUMNS, ['id']);
  });

  const scratchTables = async () =>
    (
      await node.run(
        {
          sql: `SELECT name FROM system.tables WHERE database = ${literal(db.database)} AND name LIKE '__rosetta_%'`,
          params: [],
        },
        { maxRows: 100 },
      )
    ).rows;

  it('carries hostile text and 64-bit integers exactly, in hostile column names', async () => {
    const columns: StorageColumn[] = [
      { name: 'id', type: 'integer' },
      { name: 'na\'me \\ `x` "y" 🎉', type: 'string' },
      { name: 'big', type: 'integer' },
    ];
    await node.addColumns(table, columns);
    const texts = ['nul\0byte', "'; DROP TABLE x; --", '\\\\\\', 'ünï 漢字', '__proto__'];
    const bigs = ['9223372036854775807', '-9223372036854775808', '9007199254740993', -42, 0];
    await node.insertRows(
      table,
      columns,
      texts.map((text, i) => [i + 1, text, bigs[i]]),
    );
    const rows = await tableRows(node, table);
    expect(rows.map((row) => [row[1], row[6], row[7]])).toEqual([
      [null, texts[0], '9223372036854775807'],
      [null, texts[1], '-9223372036854775808'],
      [null, texts[2], '9007199254740993'],
      [null, texts[3], -42],
      [null, texts[4], 0],
    ]);
  });

  it('refuses values the types cannot hold, naming row and column, and writes nothing', async () => {
    const bad: [JsonScalar[], string][] = [
      [['9223372036854775808', 'x', 1, null, null, null], 'rows[0].id'],
      [[1, 'x', 1, 'maybe', null, null], 'rows[0].active'],
      [[1, 'x', 1, true, '1969-12-31', null], 'rows[0].day'],
      [[1, 'x', 1, true, '2106-01-01', null], 'rows[0].day'],
      [[1, 'x', 1, true, '2024-02-30', null], 'rows[0].day'],
      [[1, 'x', 1, true, null, '2200-01-01T00:00:00Z'], 'rows[0].at'],
      [[null, 'x', 1, true, null, null], 'rows[0].id'],
    ];
    for (const [row, field] of bad) {
      const error = await failure(node.insertRows(table, STORAGE_COLUMNS, [row]));
      expect([error.code, error.field], JSON.stringify(row)).toEqual(['ERR_VALIDATION', field]);
    }
    const keyLeftOut = await failure(node.insertRows(table, STORAGE_COLUMNS.slice(1, 3), [['x', 1]]));
    expect([keyLeftOut.code, keyLeftOut.field]).toEqual(['ERR_VALIDATION', 'columns']);
    expect(await node.countRows(table)).toBe(0);
  });

  it('keeps whole seconds of date-times (18.16 has no DateTime64) and reads 1970-01-01 back', async () => {
    await node.insertRows(table, STORAGE_COLUMNS, [
      [1, null, null, null, '1970-01-01', '2024-01-02T03:04:05.999Z'],
      [2, null, null, null, '2105-12-31', 1_700_000_000_123],
    ]);
    const rows = await tableRows(node, table);
    expect(rows.map((row) => row.slice(4))).toEqual([
      ['1970-01-01', '2024-01-02T03:04:05.000Z'],
      ['2105-12-31', '2023-11-14T22:13:20.000Z'],
    ]);
  });

  it('keeps rows whose key is NULL when operations match on a nullable column', async () => {
    await node.insertRows(table, STORAGE_COLUMNS.slice(0, 2), [
      [1, null],
      [2, 'two'],
    ]);
    const written = await node.applyOperations(table, [
      { mode: 'delete', columns: [STORAGE_COLUMNS[1]], key: ['name'], rows: [['two'], ['nope']] },
    ]);
    expect(written).toBe(1);
    expect((await tableRows(node, table)).map((row) => row[0])).toEqual([1]);
  });

  it('refuses an operation that would repeat the primary key, leaving the table and no scratch tables', async () => {
    await node.insertRows(table, STORAGE_COLUMNS.slice(0, 2), [
      [1, 'a'],
      [2, 'b'],
    ]);
    const before = await tableRows(node, table);
    const error = await failure(
      node.applyOperations(table, [
        { mode: 'delete', columns: ID, key: ['id'], rows: [[1]] },
        { mode: 'upsert', columns: STORAGE_COLUMNS.slice(0, 2), key: ['name'], rows: [[2, 'c']] },
      ]),
    );
    expect(error.code).toBe('ERR_CONFLICT');
    const duplicateInReplace = await failure(
      node.replaceRows(table, STORAGE_COLUMNS.slice(0, 2), [
        [5, 'x'],
        [5, 'y'],
      ]),
    );
    expect(duplicateInReplace.code).toBe('ERR_CONFLICT');
    expect(await tableRows(node, table)).toEqual(before);
    expect(await scratchTables()).toEqual([]);
  });

  it('refuses CSV fields that ClickHouse would wrap or roll over, naming the column', async () => {
    const cases = [
      ['id,day\n1,2024-01-01\n9223372036854775808,\n', 'line 3, column "id"'],
      ['id,day\n1,2024-01-01\n2,2024-02-30\n3,x\n', 'line 3, column "day"'],
      ['id,active\n1,yes\nx,no\n', 'line 2, column "active"'],
      ['id,at\n1,2024-02-30 00:00:00\n', 'line 2, column "at"'],
      ['id,at\n1,2200-01-01T00:00:00Z\n', 'line 2, column "at"'],
      ['id,at\n1,2024-01-01,extra\n', 'file: '],
    ];
    for (const [content, where] of cases) {
      const file = join(dir, 'bad.csv');
      await writeFile(file, content);
      const names = content.split('\n')[0].split(',');
      const columns = STORAGE_COLUMNS.filter((c) => names.includes(c.name));
      const error = await failure(
        node.loadCsv(table, columns, file, { delimiter: ',', header: true, mode: 'append' }),
      );
      expect(error.code).toBe('ERR_VALIDATION');
      expect(error.message).toContain(where);
    }
    const good = join(dir, 'good.csv');
    await writeFile(good, 'id,active,day\n007,1,1970-01-01\n-2,FALSE,\n');
    const columns = [STORAGE_COLUMNS[0], STORAGE_COLUMNS[3], STORAGE_COLUMNS[4]];
    expect(await node.loadCsv(table, columns, good, { delimiter: ',', header: true, mode: 'append' })).toBe(
      2,
    );
    expect((await tableRows(node, table)).map((row) => [row[0], row[3], row[4]])).toEqual([
      [-2, false, null],
      [7, true, '1970-01-01'],
    ]);
    expect(await scratchTables()).toEqual([]);
  });

  it('never shows another node a half-written table while upserts and replaces swap it in', async () => {
    const size = 2000;
    const version = (v: number) => Array.from({ length: size }, (_, i): JsonScalar[] => [i, `v${v}`, v]);
    await node.insertRows(table, STORAGE_COLUMNS.slice(0, 3), version(0));
    let writing = true;
    const seen: string[] = [];
    const sql = `SELECT count() AS n, uniqExact(name) AS versions FROM ${ident(db.database)}.${ident(table)}`;
    const readers = Array.from({ length: 3 }, async () => {
      while (writing) {
        const [[count, versions]] = (await reader.run({ sql, params: [] }, { maxRows: 1 })).rows;
        seen.push(`${count}/${versions}`);
      }
    });
    for (let v = 1; v <= 10; v++) {
      if (v % 2 === 0) await node.replaceRows(table, STORAGE_COLUMNS.slice(0, 3), version(v));
      else await node.upsertRows(table, STORAGE_COLUMNS.slice(0, 3), ['id'], version(v));
    }
    writing = false;
    await Promise.all(readers);
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen)).toEqual(new Set([`${size}/1`]));
    expect((await tableRows(node, table)).every((row) => row[1] === 'v10' && row[2] === 10)).toBe(true);
  });
});
