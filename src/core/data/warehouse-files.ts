import { mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { notFound, validationError } from '../errors.ts';

/**
 * Where DuckDB connections keep their files: each organization in its own folder, so no
 * connection of one organization can open another's warehouse. The first organization's folder
 * is the data dir itself, where installs made before organizations had folders keep
 * `warehouse.duckdb` and their other DuckDB files; the others get `<data dir>/organizations/<uuid>/`.
 */

/**
 * What Rosetta itself keeps in the data dir, which no DuckDB connection may name: the files dir's
 * folders among them, as it is the data dir unless `ROSETTA_FILES_DIR` moves it (a files dir
 * inside the data dir exists from the start, and a directory is never taken for a database).
 */
const ROSETTA_FILES = new Set([
  'rosetta.sqlite',
  'rosetta.sqlite-wal',
  'rosetta.sqlite-shm',
  'rosetta.sqlite-journal',
  'secret',
  'exports',
  'uploads',
  'attachments',
  'outbox',
  'query-results',
  'organizations',
]);
/** What DuckDB keeps beside a database file: its WAL, its spill directory, its staging area. */
const DUCKDB_COMPANIONS = ['.wal', '.tmp', '.staging'];

/** DuckDB writes this at byte 8 of every database file. */
const DUCKDB_MAGIC = 'DUCK';

/** The folder of an organization's DuckDB files (created on first use). */
export async function organizationFolder(
  db: Kysely<Database>,
  dataDir: string,
  organizationId: number,
): Promise<string> {
  const first = await db.selectFrom('organizations').select('id').orderBy('id').executeTakeFirst();
  // A store without organizations (the data module on its own) has one tenant: the data dir.
  if (!first || first.id === organizationId) return resolve(dataDir);
  const organization = await db
    .selectFrom('organizations')
    .select('uuid')
    .where('id', '=', organizationId)
    .executeTakeFirst();
  if (!organization) throw notFound('organization', organizationId);
  const folder = resolve(dataDir, 'organizations', organization.uuid);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  return folder;
}

/**
 * The full path of a DuckDB connection's `file`: a plain name inside its organization's folder,
 * not one of Rosetta's own files nor a DuckDB companion, and, when it exists, a DuckDB database
 * (so even a file Rosetta adds to the data dir later cannot be opened through a connection).
 */
export async function duckdbFile(dataDir: string, folder: string, file: string): Promise<string> {
  const name = file;
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.'))
    throw validationError('file', 'must be a file name (letters, digits, _ . -) without a folder');
  const lower = name.toLowerCase();
  if (
    (resolve(folder) === resolve(dataDir) && ROSETTA_FILES.has(lower)) ||
    DUCKDB_COMPANIONS.some((suffix) => lower.endsWith(suffix))
  )
    throw validationError('file', `"${name}" is reserved for Rosetta's own files`);
  const path = join(resolve(folder), name);
  if (!(await isDuckdbOrAbsent(path))) throw validationError('file', `"${name}" is not a DuckDB database`);
  return path;
}

async function isDuckdbOrAbsent(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  try {
    if (!(await handle.stat()).isFile()) return false;
    const header = Buffer.alloc(12);
    const { bytesRead } = await handle.read(header, 0, 12, 0);
    return bytesRead === 0 || header.subarray(8, 12).toString('latin1') === DUCKDB_MAGIC;
  } finally {
    await handle.close();
  }
}
