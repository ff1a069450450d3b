import { benchQuery } from './query.ts';
import { startBenchServer } from './support.ts';

/**
 * `npm run bench`: Rosetta's costs as ratios against raw baselines measured in the same run.
 * BENCH_ROWS sets the size of the query data set (default 10 million).
 */
const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const server = await startBenchServer();
try {
  console.log(`query: group-by over a ${rows.toLocaleString('en')}-row storage source`);
  await benchQuery(server, rows);
} finally {
  await server.close();
}
