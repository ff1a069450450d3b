import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServerBuild } from './support/server-build.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

async function waitForHealth(port: number, deadline: number): Promise<{ status: string; version: string }> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) return (await response.json()) as { status: string; version: string };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not answer /health in time');
}

/** `npm start` on an empty data dir, as a user runs it: the real process, real files. */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-start-'));
  let child: ChildProcess | undefined;
  // npm start runs dist/: built from this checkout, outside the 10 s.
  beforeAll(ensureServerBuild);
  afterAll(() => {
    // The whole group: npm, its shell and the server, which a failed test would otherwise leave running.
    if (child && child.exitCode === null && child.signalCode === null)
      process.kill(-(child.pid as number), 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /health within 10 s and prints the generated credentials once', async () => {
    const port = await freePort();
    const started = Date.now();
    child = spawn('npm', ['start', '--silent'], {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        ROSETTA_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const health = await waitForHealth(port, started + 30_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`npm start served /health after ${seconds.toFixed(2)} s`);
    expect(health.status).toBe('ok');
    expect(seconds).toBeLessThan(10);
    expect(output).toMatch(/generated admin password: \S{12,}/);
    expect(output).toMatch(/generated admin API key: +\S{32,}/);

    const key = output.match(/generated admin API key: +(\S+)/)?.[1];
    const sources = await fetch(`http://127.0.0.1:${port}/api/data-sources`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(sources.status).toBe(200);

    process.kill(-(child.pid as number), 'SIGTERM');
    await new Promise((resolve) => child?.once('exit', resolve));
  });
});
