import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The compiled server (`npm start` without npm) as a child process on a loopback port. */
export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** From spawning the process to the first `GET /health` 200, in ms. */
  startMs: number;
  /** CPU time (user + system) the process used until then, in ms: what a busy machine does not inflate. */
  startCpuMs: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resident memory of the process now, in bytes (Linux /proc). */
  rss(): number;
  /** SIGTERM, and resolves once the process has exited. */
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..');

/** Fields of /proc/<pid>/stat after the command name; utime and stime count USER_HZ (100) ticks. */
const cpuMsOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** `node dist/main.js` on `dataDir`; run `ensureServerBuild()` (test/support/server-build.ts) first. */
export async function startServerProcess(options: {
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      UV_THREADPOOL_SIZE: '16',
      PORT: String(port),
      HOST: '127.0.0.1',
      ROSETTA_DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => (output += chunk));
  const deadline = started + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health in time:\n${output}`);
    }
    const health = await fetch(`${baseUrl}/health`).catch(() => undefined);
    if (health?.ok) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const startMs = performance.now() - started;
  return {
    child,
    baseUrl,
    startMs,
    startCpuMs: cpuMsOf(child.pid as number),
    output: () => output,
    rss: () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
