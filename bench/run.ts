import { benchAnalytics } from './analytics.ts';
import { benchClickhouseQuery } from './clickhouse.ts';
import { fillSource } from './dataset.ts';
import { benchCsvExport, benchDashboardPdf } from './exports.ts';
import { benchQuery } from './query.ts';
import { benchColdStart } from './start.ts';
import { benchPostgresIngest } from './storage-ingest.ts';
import { benchClickhouseIngest } from './storage-ingest-clickhouse.ts';
import { startBenchServer } from './support.ts';

/**
 * `npm run bench`: Rosetta's costs as ratios against raw baselines measured in the same run.
 * BENCH_ROWS sets the size of the data set (default 10 million).
 */
const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
/** Rows pushed into shared storage (BENCH_INGEST_ROWS, default 500 000). */
const ingestRows = Number(process.env.BENCH_INGEST_ROWS ?? 500_000);
console.log('start: node dist/main.js (npm start) on a data dir with the demo already loaded');
await benchColdStart();
const server = await startBenchServer({ ROSETTA_DEMO: 'true', ROSETTA_MAX_QUERY_ROWS: String(rows * 2) });
try {
  const started = Date.now();
  const dataset = await fillSource(server, rows);
  console.log(
    `data set: ${rows.toLocaleString('en')} rows loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log('query: group-by through POST /api/query vs the same SQL on raw DuckDB');
  await benchQuery(server, dataset);
  console.log('query: totals, top 5 + Others and a running total vs the same SQL by hand on raw DuckDB');
  await benchAnalytics(server, dataset);
  console.log('export: CSV of every row through the export job vs DuckDB COPY … TO');
  await benchCsvExport(server, dataset, rows);
  console.log('export: demo dashboard as PDF');
  await benchDashboardPdf(server);
  dataset.raw.closeSync();
  dataset.rawBeside.closeSync();
} finally {
  await server.close();
}

// Shared storage and ClickHouse need their servers (PostgreSQL at TEST_POSTGRES_URL, ClickHouse at
// ROSETTA_TEST_CLICKHOUSE_URL); a missing one skips its part, loudly.
for (const [title, run] of [
  [
    'query: a compiled group-by through the ClickHouse engine vs the same SQL through @clickhouse/client',
    () => benchClickhouseQuery(),
  ],
  [
    'ingest: rows into PostgreSQL storage in 10 000-row batches vs one raw COPY',
    () => benchPostgresIngest(ingestRows),
  ],
  [
    'ingest: rows into ClickHouse storage in 10 000-row batches vs one raw insert',
    () => benchClickhouseIngest(ingestRows),
  ],
] as const) {
  console.log(title);
  await run().catch((error: unknown) => console.log(`  !!! skipped: ${(error as Error).message}`));
}
