import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './dataset.ts';
import { type BenchServer, formatTiming, timeAlternately } from './support.ts';

interface JobAnswer {
  job: { id: number; status: string; error?: string; result?: { rows?: number } };
}

/** POST /api/exports and poll the job until it ends; the whole round trip a client sees. */
async function exportAndWait(server: BenchServer, body: unknown): Promise<JobAnswer['job']> {
  const queued = await server.api<JobAnswer>('POST', '/api/exports', body);
  for (;;) {
    const { job } = await server.api<JobAnswer>('GET', `/api/jobs/${queued.job.id}`);
    if (job.status === 'success') return job;
    if (['failure', 'cancelled'].includes(job.status)) throw new Error(`export ${job.status}: ${job.error}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `work` while sampling this process's resident memory every 50 ms (the bench server runs
 * in this process), and returns the highest growth over the memory at the start.
 */
async function withPeakRssGrowth(work: () => Promise<void>): Promise<number> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, process.memoryUsage.rss()) - baseline;
}

/** CSV export through the job queue against DuckDB's own COPY … TO of the same rows. */
export async function benchCsvExport(
  server: BenchServer,
  { source, raw }: Dataset,
  rows: number,
): Promise<number> {
  const query = { source: source.uuid, aggregate: false, limit: rows };
  const compiled = await server.api<{ sql: string; params: Array<string | number | boolean | null> }>(
    'POST',
    '/api/query/sql',
    query,
  );
  // The raw baseline shares the server's DuckDB, which writes only into its staging area.
  const scratch = mkdtempSync(join(server.dataDir, 'warehouse.duckdb.staging', 'bench-copy-'));
  let exported = 0;
  let peakRssGrowth = 0;
  try {
    const timings = await timeAlternately(
      {
        rosetta: async () => {
          const growth = await withPeakRssGrowth(async () => {
            exported = (await exportAndWait(server, { query, format: 'csv' })).result?.rows ?? 0;
          });
          peakRssGrowth = Math.max(peakRssGrowth, growth);
        },
        copy: async () => {
          const target = join(scratch, 'copy.csv').replaceAll("'", "''");
          await raw.run(`COPY (${compiled.sql}) TO '${target}' (HEADER, DELIMITER ',')`, compiled.params);
        },
      },
      { warmup: 1, runs: 3 },
    );
    if (exported !== rows) throw new Error(`exported ${exported} rows, expected ${rows}`);
    const ratio = timings.copy.median / timings.rosetta.median;
    const throughput = rows / (timings.rosetta.median / 1000);
    console.log(
      `  rosetta CSV export job: ${formatTiming(timings.rosetta)}, ${Math.round(throughput).toLocaleString('en')} rows/s`,
    );
    console.log(`  DuckDB COPY … TO:       ${formatTiming(timings.copy)}`);
    console.log(
      `  server peak RSS growth during the CSV export job: ${(peakRssGrowth / 2 ** 20).toFixed(1)} MB`,
    );
    console.log(`  throughput ratio rosetta/COPY: ${ratio.toFixed(3)} (target ≥ 0.5)`);
    return ratio;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The demo dashboard rendered to PDF through the export job, warm. */
export async function benchDashboardPdf(server: BenchServer): Promise<number> {
  const list = await server.api<{ items: Array<{ uuid: string; name: string }> }>('GET', '/api/dashboards');
  const demo = list.items.find((item) => item.name === 'Demo sales');
  if (!demo) throw new Error('the demo dashboard is missing');
  // Each run asks for fresh query results, so the time includes the widget queries.
  await server.api('POST', '/api/cache/invalidate', {});
  const timings = await timeAlternately(
    {
      pdf: async () => {
        await server.api('POST', '/api/cache/invalidate', {});
        await exportAndWait(server, { dashboard: demo.uuid, format: 'pdf' });
      },
    },
    { warmup: 2, runs: 7 },
  );
  console.log(
    `  demo dashboard → PDF (export job, queries included): ${formatTiming(timings.pdf)} (target < 1000 ms)`,
  );
  return timings.pdf.median;
}
