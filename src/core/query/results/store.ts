/**
 * Results of query jobs on disk, under the files dir: `query-results/<job uuid>/rows.jsonl` holds
 * one JSON array per row, and `index.json` the row count and the byte offset of every
 * `CHUNK_ROWS`-th row, so any page is one read of an exact byte range, wherever it starts. Files
 * rather than the metadata database: a result may hold the row cap's million rows, which would
 * bloat the store and its backups for an hour of life, while the data dir already keeps exports
 * the same way; the job record (status, owner, columns) stays in the database. Both files are
 * published to the shared store, so a page reads through any node.
 */
import { mkdir, open, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonScalar } from '../../../engines/types.ts';
import { removeExpired } from '../../expiry.ts';
import { directoryFiles, type SharedFiles } from '../../files/index.ts';

/** Rows between two offsets of the index: a page reads at most one chunk more than it returns. */
export const CHUNK_ROWS = 1000;

const KEY_PATTERN = /^[0-9a-f-]{36}$/;

interface ResultIndex {
  rows: number;
  /** Byte offset of rows 0, CHUNK_ROWS, 2·CHUNK_ROWS, …, and the file's length last. */
  offsets: number[];
}

export interface ResultStore {
  /** Writes a result from scratch (a requeued job rewrites its own); its retention runs from `now`. */
  write(key: string, rows: JsonScalar[][], now: Date): Promise<void>;
  /** Rows `start` … `start + count - 1`; undefined when the result is gone (purged). */
  read(key: string, start: number, count: number): Promise<JsonScalar[][] | undefined>;
  remove(key: string): Promise<void>;
  /** Deletes results older than the retention; returns how many. */
  purge(now: Date): Promise<number>;
}

export function createResultStore(options: {
  filesDir: string;
  sharedFiles?: SharedFiles;
  retentionMs: number;
}): ResultStore {
  const root = join(options.filesDir, 'query-results');
  const shared = options.sharedFiles ?? directoryFiles;
  const dirOf = (key: string): string => {
    // Keys are job uuids; anything else could name a path outside the store.
    if (!KEY_PATTERN.test(key)) throw new Error(`not a result key: ${JSON.stringify(key)}`);
    return join(root, key);
  };
  /** Fetches `name` of result `key` when the shared store has it; its local path, or undefined. */
  const fetched = async (key: string, name: 'rows.jsonl' | 'index.json') => {
    const local = join(dirOf(key), name);
    return (await shared.fetch(`query-results/${key}/${name}`, local)) ? local : undefined;
  };

  const readIndex = async (key: string): Promise<ResultIndex | undefined> => {
    const file = await fetched(key, 'index.json');
    const text = file && (await readFile(file, 'utf8').catch(() => undefined));
    return text === undefined ? undefined : (JSON.parse(text) as ResultIndex);
  };

  return {
    async write(key, rows, now) {
      const dir = dirOf(key);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const file = await open(join(dir, 'rows.jsonl'), 'w');
      const offsets = [0];
      try {
        for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
          const chunk = rows.slice(start, start + CHUNK_ROWS);
          // JSON.stringify escapes line breaks inside strings: one row is one line.
          const bytes = Buffer.from(`${chunk.map((row) => JSON.stringify(row)).join('\n')}\n`);
          await file.write(bytes);
          offsets.push(offsets[offsets.length - 1] + bytes.length);
        }
      } finally {
        await file.close();
      }
      // The index is written last: a result without one is incomplete and reads as gone.
      const index: ResultIndex = { rows: rows.length, offsets };
      await writeFile(join(dir, 'index.json'), JSON.stringify(index));
      // Published in the same order: a shared result with an index has its rows.
      await shared.publish(`query-results/${key}/rows.jsonl`, join(dir, 'rows.jsonl'), now);
      await shared.publish(`query-results/${key}/index.json`, join(dir, 'index.json'), now);
      await utimes(dir, now, now);
    },

    async read(key, start, count) {
      const index = await readIndex(key);
      if (!index) return undefined;
      const end = Math.min(start + count, index.rows);
      if (end <= start) return [];
      const firstChunk = Math.floor(start / CHUNK_ROWS);
      const from = index.offsets[firstChunk];
      const to = index.offsets[Math.ceil(end / CHUNK_ROWS)];
      const rowsFile = await fetched(key, 'rows.jsonl');
      const file = rowsFile && (await open(rowsFile, 'r').catch(() => undefined));
      if (!file) return undefined;
      try {
        const buffer = Buffer.alloc(to - from);
        await file.read(buffer, 0, buffer.length, from);
        const lines = buffer.toString('utf8').split('\n');
        const skip = start - firstChunk * CHUNK_ROWS;
        return lines.slice(skip, skip + end - start).map((line) => JSON.parse(line) as JsonScalar[]);
      } finally {
        await file.close();
      }
    },

    async remove(key) {
      await rm(dirOf(key), { recursive: true, force: true });
      await shared.remove(`query-results/${key}`);
    },

    async purge(now) {
      await shared.removeExpired('query-results', options.retentionMs, now);
      return removeExpired(root, options.retentionMs, now);
    },
  };
}
