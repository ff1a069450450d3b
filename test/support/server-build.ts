import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start` runs the compiled server in dist/. Tests that start it call `ensureServerBuild`
 * first, so they run the checkout's code and not an older build. Test files run in parallel:
 * a lock directory makes them build one at a time, and the second finds the build fresh.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const LOCK = join(ROOT, '.tmp', 'server-build.lock');

/** Newest modification time of what the build reads; tests are not built. */
function newestSource(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return path.endsWith('.test.ts') ? 0 : info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestSource(join(path, entry))));
}

function isFresh(): boolean {
  if (!existsSync(MAIN)) return false;
  const sources = ['src', 'tsconfig.json', 'tsconfig.build.json'].map((path) =>
    newestSource(join(ROOT, path)),
  );
  return statSync(MAIN).mtimeMs > Math.max(...sources);
}

function build(): void {
  const started = new Date();
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, encoding: 'utf8', timeout: 300_000 },
  );
  if (tsc.status !== 0) throw new Error(`npm run build failed:\n${tsc.stdout}\n${tsc.stderr}`);
  // A source saved while tsc ran may not be in this build: date the build from its start.
  utimesSync(MAIN, started, started);
  console.log(`built dist/ in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s`);
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Builds dist/ unless it is newer than every source it is built from. */
export function ensureServerBuild(): void {
  if (isFresh()) return;
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than any build is left over from a killed run.
      const lockedAt = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > 300_000) rmSync(LOCK, { force: true, recursive: true });
      if (Date.now() > deadline) throw new Error(`${LOCK} held for 5 minutes`);
      sleep(200);
    }
  }
  try {
    if (!isFresh()) build();
  } finally {
    rmSync(LOCK, { force: true, recursive: true });
  }
}
