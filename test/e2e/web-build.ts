import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds web/dist unless it is newer than every file it is built from. Used by the end-to-end
 * test itself, and usable as a vitest `globalSetup` (the default export) so the build runs
 * before any test file starts instead of beside them.
 */
const ROOT = join(import.meta.dirname, '..', '..');

function newestSource(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const entry of readdirSync(path)) newest = Math.max(newest, newestSource([join(path, entry)]));
    } else newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

/** Builds web/dist unless it is newer than every file it is built from. */
export function ensureWebBuild(): void {
  const index = join(ROOT, 'web', 'dist', 'index.html');
  const sources = newestSource([
    join(ROOT, 'web', 'src'),
    join(ROOT, 'web', 'index.html'),
    join(ROOT, 'web', 'vite.config.ts'),
    // the browser-safe chart and formatting modules the web app imports live here
    join(ROOT, 'src', 'core', 'exports'),
    join(ROOT, 'src', 'core', 'query'), // drill-through queries (drill.ts)
    join(ROOT, 'src', 'core', 'schedules'), // alert conditions, evaluated in the alert dialog
  ]);
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  const started = Date.now();
  const build = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      // vitest sets NODE_ENV=test, which would make Vite bundle React's slow development build
      env: { ...process.env, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
  console.log(`built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export default function setup(): void {
  ensureWebBuild();
}
