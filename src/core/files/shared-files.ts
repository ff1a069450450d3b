import { stat } from 'node:fs/promises';

/**
 * The store every node reads files from, beyond the folder `ROSETTA_FILES_DIR` each store keeps
 * its files in. Paths are relative to that folder with `/` separators (`exports/<key>/<name>`), so
 * the same path names the local copy and the shared one. When the folder itself is shared (or
 * there is one node) there is nothing beyond it: `directoryFiles`. When it is a per-node cache,
 * the files live in PostgreSQL large objects (`large-objects.ts`).
 */
export interface SharedFiles {
  /** Makes the complete file `localFile` readable from every node as `path`; its age runs from `at`. */
  publish(path: string, localFile: string, at?: Date): Promise<void>;
  /**
   * True when `path` exists, with `localFile` an up-to-date copy of it; false when it exists
   * nowhere (a stale local copy is then removed, so a file removed on another node reads as gone).
   */
  fetch(path: string, localFile: string): Promise<boolean>;
  /** Paths under folder `folder` (relative to it) that only the shared store may know of. */
  list(folder: string): Promise<string[]>;
  /** Forgets the file `path`, or every file under the folder `path`; the local copy is the caller's. */
  remove(path: string): Promise<void>;
  /** Forgets the files under `folder` published more than `retentionMs` before `now`; returns how many. */
  removeExpired(folder: string, retentionMs: number, now: Date): Promise<number>;
}

/** The folder is shared (or there is one node): the local file is the only one. */
export const directoryFiles: SharedFiles = {
  publish: async () => {},
  fetch: async (_path, localFile) => (await stat(localFile).catch(() => undefined)) !== undefined,
  list: async () => [],
  remove: async () => {},
  removeExpired: async () => 0,
};
