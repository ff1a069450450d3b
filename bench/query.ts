import type { Dataset } from './dataset.ts';
import { type BenchServer, formatTiming, timeAlternately } from './support.ts';

/** Rosetta's POST /api/query against the same SQL run directly on DuckDB, in the same process. */
export async function benchQuery(server: BenchServer, { source, raw }: Dataset): Promise<number> {
  const body = {
    source: source.uuid,
    dimensions: ['country', 'category', { field: 'date', granularity: 'month' }],
    metrics: [
      { field: 'quantity', aggregation: 'sum' },
      { field: 'price', aggregation: 'avg' },
    ],
    filters: { and: [{ field: 'price', operator: '>', values: [20] }] },
    sorts: [{ field: 'quantity', descending: true }],
  };
  const compiled = await server.api<{ sql: string; params: Array<string | number | boolean | null> }>(
    'POST',
    '/api/query/sql',
    body,
  );
  let rosettaRows = 0;
  let rawRows = 0;
  const timings = await timeAlternately(
    {
      rosetta: async () => {
        const answer = await server.api<{ rows: unknown[] }>('POST', '/api/query', body, {
          'cache-control': 'no-cache',
        });
        rosettaRows = answer.rows.length;
      },
      raw: async () => {
        rawRows = (await (await raw.run(compiled.sql, compiled.params)).getRows()).length;
      },
    },
    { warmup: 2, runs: 10 },
  );
  if (rosettaRows !== rawRows) throw new Error(`row counts differ: rosetta ${rosettaRows}, raw ${rawRows}`);
  const ratio = timings.rosetta.median / timings.raw.median;
  console.log(`  result: ${rosettaRows} groups`);
  console.log(`  rosetta POST /api/query: ${formatTiming(timings.rosetta)}`);
  console.log(`  raw DuckDB, same SQL:    ${formatTiming(timings.raw)}`);
  console.log(`  ratio rosetta/raw: ${ratio.toFixed(3)} (target ≤ 1.15)`);
  return ratio;
}
