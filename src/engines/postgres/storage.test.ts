import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres, type TempDatabase } from '../../../test/support/databases.ts';
import { createEngine, hasManagedStorage } from '../index.ts';
import {
  describeStorageContract,
  failure,
  HOSTILE_STRINGS,
  STORAGE_COLUMNS,
  tableRows,
} from '../storage-testkit.ts';
import { serverSpecOf } from '../testkit.ts';
import type { Engine, JsonScalar, ManagedStorage } from '../types.ts';

const db: TempDatabase = await createTempPostgres('rosetta_storage');

afterAll(async () => {
  await db.drop();
});

/** A storage engine as `createEngine` builds it from a spec naming a storage schema. */
function openStorage(schema = 'storage'): Engine & ManagedStorage {
  const engine = createEngine({ type: 'postgres', ...serverSpecOf(db.url), storage: { schema } });
  if (!hasManagedStorage(engine)) throw new Error('a PostgreSQL spec with storage must give managed storage');
  return engine;
}

describeStorageContract('PostgreSQL', { available: db.available, open: () => openStorage() });

describe.skipIf(!db.available)('PostgreSQL managed storage', () => {
  // A schema name that needs quoting, created on the first write.
  const engine = db.available ? openStorage('Rosetta "Store"') : undefined;
  const storage = engine as Engine & ManagedStorage;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rosetta-pg-storage-'));
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('offers storage only on an engine whose spec names a schema', async () => {
    const plain = createEngine({ type: 'postgres', ...serverSpecOf(db.url) });
    expect(hasManagedStorage(plain)).toBe(false);
    await plain.close();
    expect(storage.storageSchema).toBe('Rosetta "Store"');
  });

  it('copies hostile strings exactly in a large batch, and refuses NUL naming the column', async () => {
    await storage.createTable('hostile', STORAGE_COLUMNS.slice(0, 2), ['id']);
    const rows = Array.from({ length: 20_000 }, (_, i): JsonScalar[] => [
      i,
      `${HOSTILE_STRINGS[i % HOSTILE_STRINGS.length]}\\t${i}\r`,
    ]);
    expect(await storage.insertRows('hostile', STORAGE_COLUMNS.slice(0, 2), rows)).toBe(20_000);
    expect(await tableRows(storage, 'hostile')).toEqual(rows);
    const nul = await failure(storage.insertRows('hostile', STORAGE_COLUMNS.slice(0, 2), [[-1, 'a\0b']]));
    expect([nul.code, nul.field]).toEqual(['ERR_VALIDATION', 'rows[0].name']);
    const huge = await failure(
      storage.insertRows('hostile', STORAGE_COLUMNS.slice(0, 2), [['9223372036854775808', 'x']]),
    );
    expect([huge.code, huge.field]).toEqual(['ERR_VALIDATION', 'rows[0].id']);
  });

  it('inserts 100,000 rows through COPY in reasonable time', async () => {
    await storage.createTable('large', STORAGE_COLUMNS, ['id']);
    const rows = Array.from({ length: 100_000 }, (_, i): JsonScalar[] => [
      i,
      `name ${i}`,
      i / 3,
      i % 2 === 0,
      '2024-01-02',
      '2024-01-02T03:04:05.678',
    ]);
    const started = Date.now();
    expect(await storage.insertRows('large', STORAGE_COLUMNS, rows)).toBe(100_000);
    expect(Date.now() - started).toBeLessThan(5000);
    const { rows: sums } = await storage.run(
      {
        sql: `SELECT count(*), sum(id), sum(amount), count(*) FILTER (WHERE active), min(at)
              FROM "Rosetta ""Store""".large`,
        params: [],
      },
      { maxRows: 1 },
    );
    const expectedAmount = rows.reduce((sum, row) => sum + (row[2] as number), 0);
    expect(sums[0].slice(0, 2)).toEqual([100_000, (99_999 * 100_000) / 2]);
    expect(sums[0][2]).toBeCloseTo(expectedAmount, 3);
    expect(sums[0].slice(3)).toEqual([50_000, '2024-01-02T03:04:05.678Z']);
  });

  it('serializes writes to a table across processes through its advisory lock', async () => {
    await storage.createTable('locked', STORAGE_COLUMNS.slice(0, 2), ['id']);
    // Another node's open write transaction holds the table's lock.
    const otherNode = new pg.Client({ connectionString: db.url });
    await otherNode.connect();
    try {
      await otherNode.query('BEGIN');
      await otherNode.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        'rosetta managed table Rosetta "Store".locked',
      ]);
      let finished = false;
      const write = storage.insertRows('locked', STORAGE_COLUMNS.slice(0, 2), [[1, 'a']]).then((count) => {
        finished = true;
        return count;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(finished).toBe(false);
      await otherNode.query('COMMIT');
      expect(await write).toBe(1);
    } finally {
      await otherNode.end();
    }
  });

  it('refuses names PostgreSQL would cut, a multi-byte delimiter, and names the bad CSV value', async () => {
    const long = 'x'.repeat(64);
    expect(await failure(storage.createTable(long, STORAGE_COLUMNS, []))).toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'table',
    });
    expect(
      await failure(storage.createTable('short', [{ name: `é${'x'.repeat(62)}`, type: 'string' }], [])),
    ).toMatchObject({ code: 'ERR_VALIDATION', field: 'columns' });
    await storage.createTable('csv', STORAGE_COLUMNS.slice(0, 3), ['id']);
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'id,name,amount\n1,a,1\n2,b,lots\n');
    const options = { delimiter: ',', header: true, mode: 'append' as const };
    const bad = await failure(storage.loadCsv('csv', STORAGE_COLUMNS.slice(0, 3), file, options));
    expect(bad).toMatchObject({ code: 'ERR_VALIDATION', field: 'amount' });
    expect(bad.message).toMatch(/line 3, column "amount"/);
    const delimiter = await failure(
      storage.loadCsv('csv', STORAGE_COLUMNS.slice(0, 3), file, { ...options, delimiter: '§' }),
    );
    expect(delimiter.field).toBe('delimiter');
    expect(await storage.countRows('csv')).toBe(0);
  });
});
