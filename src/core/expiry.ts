import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Deletes the entries of `dir` (files or folders) last modified more than `retentionMs` before
 * `now`; returns how many. Export files, query results and uploaded attachments all expire so.
 */
export async function removeExpired(dir: string, retentionMs: number, now: Date): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now.getTime() - info.mtimeMs > retentionMs) {
      await rm(path, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}
