import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRosetta, type Rosetta } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export const BENCH_KEY = 'bench-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** A real Rosetta listening on loopback, on a throw-away data dir. */
export interface BenchServer {
  rosetta: Rosetta;
  dataDir: string;
  baseUrl: string;
  api<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-bench-'));
  const rosetta = await createRosetta(
    loadConfig({
      ROSETTA_DATA_DIR: dataDir,
      ROSETTA_BOOTSTRAP_API_KEY: BENCH_KEY,
      ROSETTA_ADMIN_PASSWORD: 'bench-password',
      ROSETTA_DEMO: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    }),
  );
  const address = await rosetta.server.listen({ port: 0, host: '127.0.0.1' });
  return {
    rosetta,
    dataDir,
    baseUrl: address,
    async api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${address}${path}`, {
        method,
        headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
      return answer as T;
    },
    async close() {
      await rosetta.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Timing {
  median: number;
  min: number;
  max: number;
}

/** Runs the contenders alternately (so drift hits both alike) and returns each one's timings in ms. */
export async function timeAlternately(
  contenders: Record<string, () => Promise<unknown>>,
  options: { warmup: number; runs: number },
): Promise<Record<string, Timing>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(contenders).map((name) => [name, []]),
  );
  for (let run = 0; run < options.warmup + options.runs; run++) {
    for (const [name, contender] of Object.entries(contenders)) {
      const started = process.hrtime.bigint();
      await contender();
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (run >= options.warmup) samples[name].push(elapsed);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, timingOf(values)]));
}

export function timingOf(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) ?? 0 };
}

export const formatTiming = (t: Timing): string =>
  `median ${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)})`;
