import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../engines/duckdb/engine.ts';
import { openSqliteStore } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { createOrganization } from '../directory/organizations.ts';
import { isRosettaError } from '../errors.ts';
import { duckdbFile, organizationFolder } from './warehouse-files.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-warehouse-files-'));
const store = openSqliteStore(join(dataDir, 'rosetta.sqlite'));
await migrateToLatest(store);

afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The message a call is refused with (or the path it resolved to). */
const outcome = (promise: Promise<string>): Promise<string> =>
  promise.then(
    (path) => path,
    (error: unknown) => (isRosettaError(error) ? `${error.code} ${error.message}` : String(error)),
  );

describe('organization folders and DuckDB connection files', () => {
  it('gives the first organization the data dir and every other one a folder of its own', async () => {
    expect(await organizationFolder(store.db, dataDir, 1)).toBe(dataDir);
    const first = await createOrganization(store.db, 'First');
    const second = await createOrganization(store.db, 'Second');
    expect(await organizationFolder(store.db, dataDir, first.organization.id)).toBe(dataDir);
    const folder = await organizationFolder(store.db, dataDir, second.organization.id);
    expect(folder).toBe(join(dataDir, 'organizations', second.organization.uuid));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(await outcome(organizationFolder(store.db, dataDir, 999))).toMatch(/^ERR_NOT_FOUND organization/);
  });

  it("resolves plain names inside the folder, never Rosetta's own files, companions or other files", async () => {
    writeFileSync(join(dataDir, 'notes.txt'), 'not a database');
    const existing = new DuckDbEngine({ type: 'duckdb', file: join(dataDir, 'sales.duckdb') });
    await existing.ping();
    await existing.close();
    expect(await outcome(duckdbFile(dataDir, dataDir, 'warehouse.duckdb'))).toBe(
      join(dataDir, 'warehouse.duckdb'),
    );
    expect(await outcome(duckdbFile(dataDir, dataDir, 'sales.duckdb'))).toBe(join(dataDir, 'sales.duckdb'));
    const refused: [string, RegExp][] = [
      ['../elsewhere.duckdb', /file: must be a file name/],
      ['organizations/x/warehouse.duckdb', /file: must be a file name/],
      ['.hidden', /file: must be a file name/],
      ['', /file: must be a file name/],
      ['rosetta.sqlite', /reserved/],
      ['ROSETTA.sqlite-wal', /reserved/],
      ['secret', /reserved/],
      ['exports', /reserved/],
      ['uploads', /reserved/],
      ['organizations', /reserved/],
      ['warehouse.duckdb.wal', /reserved/],
      ['warehouse.duckdb.staging', /reserved/],
      ['notes.txt', /not a DuckDB database/],
    ];
    for (const [file, message] of refused) {
      expect(await outcome(duckdbFile(dataDir, dataDir, file)), file).toMatch(message);
      expect(await outcome(duckdbFile(dataDir, dataDir, file)), file).toMatch(/^ERR_VALIDATION file: /);
    }
    // In another organization's folder, where Rosetta keeps nothing of its own, a name is just a name.
    const other = join(dataDir, 'organizations', 'x');
    expect(await outcome(duckdbFile(dataDir, other, 'secret'))).toBe(join(other, 'secret'));
  });
});
