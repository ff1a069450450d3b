import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStorageContract, STORAGE_COLUMNS } from '../storage-testkit.ts';
import type { JsonScalar } from '../types.ts';
import { DuckDbEngine } from './engine.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosetta-storage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeStorageContract('DuckDB', {
  open: () => new DuckDbEngine({ type: 'duckdb', file: join(dir, 'contract.duckdb') }),
});

describe('DuckDbEngine managed storage', () => {
  let engine: DuckDbEngine;
  beforeAll(() => {
    // The file is named storage.duckdb on purpose: its catalog `storage` clashes with the schema.
    engine = new DuckDbEngine({ type: 'duckdb', file: join(dir, 'storage.duckdb') });
  });
  afterAll(() => engine.close());

  const contents = async (table: string): Promise<JsonScalar[][]> =>
    (
      await engine.run(
        { sql: `SELECT * FROM storage.storage."${table}" ORDER BY id`, params: [] },
        { maxRows: 1000 },
      )
    ).rows;

  it('converts text values by column type, in a database whose catalog is named like the schema', async () => {
    await engine.createTable('converted', STORAGE_COLUMNS, ['id']);
    const inserted = await engine.insertRows('converted', STORAGE_COLUMNS, [
      [1, 'a', 1.5, true, '2024-01-02', '2024-01-02T03:04:05.123Z'],
      ['2', 'b', '2.25', 'false', '2024-01-03', '2024-01-02T03:04:05+02:00'],
    ]);
    expect(inserted).toBe(2);
    expect(await contents('converted')).toEqual([
      [1, 'a', 1.5, true, '2024-01-02', '2024-01-02T03:04:05.123Z'],
      [2, 'b', 2.25, false, '2024-01-03', '2024-01-02T01:04:05.000Z'],
    ]);
  });

  it('appends a large batch quickly', async () => {
    await engine.createTable('large', STORAGE_COLUMNS, ['id']);
    const rows = Array.from({ length: 200_000 }, (_, i): JsonScalar[] => [
      i,
      `name ${i}`,
      i / 3,
      i % 2 === 0,
      '2024-01-02',
      '2024-01-02 03:04:05',
    ]);
    const started = Date.now();
    expect(await engine.insertRows('large', STORAGE_COLUMNS, rows)).toBe(200_000);
    const elapsed = Date.now() - started;
    expect(await engine.countRows('large')).toBe(200_000);
    expect(elapsed).toBeLessThan(5000);
  });
});
