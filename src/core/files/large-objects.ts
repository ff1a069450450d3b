import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { SharedFiles } from './shared-files.ts';
import type { SharedFileTables } from './tables.ts';

type FilesDb = Kysely<Database & SharedFileTables>;

/** Bytes per `lo_put`/`lo_get` call: a file never sits in memory whole. */
export const CHUNK_BYTES = 1024 * 1024;
/** The first key of this module's advisory locks (two-key locks do not meet one-key ones). */
const LOCK_CLASS = 0x5f11e5;

const underFolder = (folder: string) => `${folder.replace(/\/+$/, '')}/`;

/** Copies large object `oid` of `size` bytes to `file`, one chunk at a time. */
async function download(db: FilesDb, oid: number, size: number, file: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
      const chunk = await sql<{ bytes: Buffer }>`
        select lo_get(${oid}::oid, ${offset}, ${CHUNK_BYTES}) as bytes`.execute(db);
      await handle.write(chunk.rows[0].bytes);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Shared files in PostgreSQL large objects, for nodes whose metadata is on PostgreSQL and
 * which share no directory. The local folder is each node's cache: a local copy carries the
 * publication time as its mtime, so a copy whose size or mtime differs from the row's is stale
 * (the file was published again) and is fetched anew.
 */
export function createLargeObjectFiles(store: { db: Kysely<Database> }): SharedFiles {
  const db = store.db.withTables<SharedFileTables>();

  /** Rows whose path is `path` or lies under the folder `path` (no LIKE: names hold `_` and `%`). */
  const pathOrBelow = (path: string) =>
    sql<boolean>`(path = ${path} or substr(path, 1, ${path.length + 1}) = ${`${path}/`})`;

  return {
    async publish(path, localFile, at = new Date()) {
      const handle = await open(localFile, 'r');
      try {
        await db.transaction().execute(async (trx) => {
          const created = await sql<{ oid: number }>`select lo_create(0) as oid`.execute(trx);
          const { oid } = created.rows[0];
          const buffer = Buffer.alloc(CHUNK_BYTES);
          let size = 0;
          for (;;) {
            const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, size);
            if (bytesRead === 0) break;
            await sql`select lo_put(${oid}, ${size}, ${buffer.subarray(0, bytesRead)})`.execute(trx);
            size += bytesRead;
          }
          // Held to the commit, so two nodes publishing one path never both keep an object.
          await sql`select pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${path}))`.execute(trx);
          const previous = await trx
            .selectFrom('shared_files')
            .select('oid')
            .where('path', '=', path)
            .executeTakeFirst();
          if (previous) await sql`select lo_unlink(${previous.oid}::oid)`.execute(trx);
          const row = { oid, size, created_at: at.toISOString() };
          await trx
            .insertInto('shared_files')
            .values({ path, ...row })
            .onConflict((conflict) => conflict.column('path').doUpdateSet(row))
            .execute();
        });
      } finally {
        await handle.close();
      }
      await utimes(localFile, at, at);
    },

    async fetch(path, localFile) {
      // Repeatable read: an object replaced meanwhile stays readable to the end of the copy.
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const row = await trx
            .selectFrom('shared_files')
            .select(['oid', 'size', 'created_at'])
            .where('path', '=', path)
            .executeTakeFirst();
          if (!row) {
            await rm(localFile, { force: true });
            return false;
          }
          const at = new Date(row.created_at);
          const local = await stat(localFile).catch(() => undefined);
          if (local?.size === row.size && Math.round(local.mtimeMs) === at.getTime()) return true;
          // A hidden name beside the target: readers listing the folder skip dot files.
          const partial = join(dirname(localFile), `.${basename(localFile)}.${randomUUID()}.part`);
          await mkdir(dirname(localFile), { recursive: true });
          try {
            await download(trx, row.oid, row.size, partial);
            await utimes(partial, at, at);
            await rename(partial, localFile);
          } catch (error) {
            await rm(partial, { force: true });
            throw error;
          }
          return true;
        });
    },

    async list(folder) {
      const prefix = underFolder(folder);
      const rows = await db
        .selectFrom('shared_files')
        .select('path')
        .where(sql<boolean>`substr(path, 1, ${prefix.length}) = ${prefix}`)
        .orderBy('path')
        .execute();
      return rows.map((row) => row.path.slice(prefix.length));
    },

    async remove(path) {
      await sql`
        with gone as (delete from shared_files where ${pathOrBelow(path)} returning oid)
        select lo_unlink(oid::oid) from gone`.execute(db);
    },

    async removeExpired(folder, retentionMs, now) {
      const prefix = underFolder(folder);
      const cutoff = new Date(now.getTime() - retentionMs).toISOString();
      const result = await sql<{ removed: number }>`
        with gone as (
          delete from shared_files
          where substr(path, 1, ${prefix.length}) = ${prefix} and created_at < ${cutoff}
          returning oid
        )
        select count(lo_unlink(oid::oid))::int as removed from gone`.execute(db);
      return result.rows[0]?.removed ?? 0;
    },
  };
}
