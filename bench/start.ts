import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../test/support/server-process.ts';
import { formatTiming, timingOf } from './support.ts';

const RESTARTS = 5;
const MB = 1024 * 1024;

/**
 * Cold start of the compiled server as `npm start` runs it: `node dist/main.js` spawned on a data
 * dir whose first start already created the organization and the demo, until `GET /health`
 * answers 200; then its resident memory after a second of idling.
 */
export async function benchColdStart(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-bench-start-'));
  try {
    await (await startServerProcess({ dataDir })).stop();
    const samples: number[] = [];
    const cpu: number[] = [];
    let idleRss = 0;
    for (let run = 0; run < RESTARTS; run++) {
      const server = await startServerProcess({ dataDir });
      samples.push(server.startMs);
      cpu.push(server.startCpuMs);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      idleRss = Math.max(idleRss, server.rss());
      await server.stop();
    }
    console.log(`  spawn → GET /health 200: ${formatTiming(timingOf(samples))} (target ≤ 2000 ms)`);
    console.log(
      `  CPU used until then: ${formatTiming(timingOf(cpu))} (what a loaded machine does not inflate)`,
    );
    console.log(
      `  idle RSS 1 s after start: ${Math.round(idleRss / MB)} MB (highest of ${RESTARTS}; target ≤ 200 MB)`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
