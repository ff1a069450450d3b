import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { openPostgresStore, type Store } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { CHUNK_BYTES, createLargeObjectFiles } from './large-objects.ts';

const database = await createTempPostgres('rosetta_files');
const HOUR = 3_600_000;

describe.skipIf(!database.available)('shared files in PostgreSQL large objects', () => {
  let store: Store;
  let dir: string;
  const files = () => createLargeObjectFiles(store);
  const largeObjects = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from pg_largeobject_metadata`.execute(store.db))
      .rows[0].n;

  beforeAll(async () => {
    store = openPostgresStore(database.url);
    await migrateToLatest(store);
    dir = mkdtempSync(join(tmpdir(), 'rosetta-lo-'));
  });
  afterAll(async () => {
    await store?.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips a 5 MB random file exactly, in chunks, to another local folder', async () => {
    // Not a multiple of the chunk size, so the last chunk is a partial one.
    const content = randomBytes(5 * CHUNK_BYTES + 12_345);
    await writeFile(join(dir, 'big.bin'), content);
    await files().publish('exports/big/big.bin', join(dir, 'big.bin'));

    const copy = join(dir, 'other-node', 'exports', 'big', 'big.bin');
    expect(await files().fetch('exports/big/big.bin', copy)).toBe(true);
    expect((await readFile(copy)).equals(content)).toBe(true);
    // An up-to-date copy is not downloaded again.
    const before = await stat(copy);
    expect(await files().fetch('exports/big/big.bin', copy)).toBe(true);
    expect((await stat(copy)).ino).toBe(before.ino);
    expect(await files().list('exports/big')).toEqual(['big.bin']);
  });

  it('overwrites: a stale local copy of the same size is replaced, the old object unlinked', async () => {
    const origin = join(dir, 'a.txt');
    const cached = join(dir, 'cache-a.txt');
    await writeFile(origin, 'first');
    await files().publish('uploads/a.csv', origin, new Date('2026-01-01T00:00:00.000Z'));
    expect(await files().fetch('uploads/a.csv', cached)).toBe(true);
    const objects = await largeObjects();

    await writeFile(origin, 'other');
    await files().publish('uploads/a.csv', origin, new Date('2026-01-01T00:00:01.000Z'));
    expect(await largeObjects()).toBe(objects);
    expect(await files().fetch('uploads/a.csv', cached)).toBe(true);
    expect(await readFile(cached, 'utf8')).toBe('other');
  });

  it('publishes an empty file', async () => {
    await writeFile(join(dir, 'empty'), '');
    await files().publish('attachments/1/empty', join(dir, 'empty'));
    expect(await files().fetch('attachments/1/empty', join(dir, 'empty-copy'))).toBe(true);
    expect(await readFile(join(dir, 'empty-copy'), 'utf8')).toBe('');
  });

  it('removes a file or a folder, with its objects, and a fetch then removes the stale copy', async () => {
    await writeFile(join(dir, 'r'), 'r');
    await files().publish('outbox/1/m_1/0', join(dir, 'r'));
    await files().publish('outbox/1/m_1/1', join(dir, 'r'));
    await files().publish('outbox/1/m_10/0', join(dir, 'r'));
    await files().publish('outbox/1/m%1', join(dir, 'r'));
    const objects = await largeObjects();

    await files().remove('outbox/1/m_1');
    expect(await largeObjects()).toBe(objects - 2);
    expect(await files().list('outbox/1')).toEqual(['m%1', 'm_10/0']);
    await files().remove('outbox/1/m%1');
    expect(await files().list('outbox/1')).toEqual(['m_10/0']);

    const stale = join(dir, 'stale');
    await writeFile(stale, 'r');
    expect(await files().fetch('outbox/1/m_1/0', stale)).toBe(false);
    await expect(stat(stale)).rejects.toThrow(/ENOENT/);
  });

  it('expires files of a folder published longer ago than the retention', async () => {
    await writeFile(join(dir, 'e'), 'e');
    const published = new Date('2026-03-01T10:00:00.000Z');
    await files().publish('query-results/old/rows.jsonl', join(dir, 'e'), published);
    await files().publish('query-results/old/index.json', join(dir, 'e'), published);
    await files().publish(
      'query-results/new/rows.jsonl',
      join(dir, 'e'),
      new Date(published.getTime() + HOUR),
    );
    await files().publish('query-resultsx/old', join(dir, 'e'), published);
    const objects = await largeObjects();

    const at = new Date(published.getTime() + HOUR + 1);
    expect(await files().removeExpired('query-results', HOUR, at)).toBe(2);
    expect(await largeObjects()).toBe(objects - 2);
    expect(await files().list('query-results')).toEqual(['new/rows.jsonl']);
    expect(await files().list('query-resultsx')).toEqual(['old']);
  });
});
