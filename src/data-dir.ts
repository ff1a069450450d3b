import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * The data dir holds the server secret, the metadata (password hashes, sealed secrets), the
 * warehouse, exports and uploads: only the server's user may read it. From here on the process
 * creates files 0600 and directories 0700 (umask 077); at every start the dir becomes 0700 and
 * what an earlier version left at its top level loses its group and other bits. Deeper entries
 * need no chmod: nobody else can enter a 0700 directory.
 */
export function protectDataDir(dataDir: string): void {
  // A worker thread may not set the umask (it is the process's); the 0700 dir still guards there.
  if (isMainThread) process.umask(0o077);
  chmodSync(dataDir, 0o700);
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isFile() && !entry.isDirectory()) continue;
    const path = join(dataDir, entry.name);
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) chmodSync(path, mode & 0o700);
  }
}
