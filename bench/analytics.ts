import type { Dataset } from './dataset.ts';
import { type BenchServer, formatTiming, timeAlternately } from './support.ts';

/**
 * A query with the v2 analytics — top 5 countries + Others, a running total per country along
 * the months, grand totals — through POST /api/query, against the same answer written by hand
 * in DuckDB SQL (two statements run at once: the grouped rows, the totals) on the same instance.
 */
export async function benchAnalytics(
  server: BenchServer,
  { source, raw, rawBeside }: Dataset,
): Promise<number> {
  const body = {
    source: source.uuid,
    dimensions: ['country', { field: 'date', granularity: 'month' }],
    metrics: [{ field: 'quantity', aggregation: 'sum' }],
    top: { dimension: 'country', by: 'sum_quantity', n: 5, others: true },
    post: [{ id: 'running', type: 'running_total', of: 'sum_quantity', partitionBy: ['country'] }],
    totals: true,
  };
  const table = `storage."${source.table}"`;
  const grouped = `
    WITH ranked AS (
      SELECT country AS k, ROW_NUMBER() OVER (ORDER BY SUM(quantity) DESC NULLS LAST, country) AS r
      FROM ${table} GROUP BY country),
    base AS (
      SELECT CASE WHEN ranked.r <= 5 THEN t.country ELSE 'Others' END AS country,
             CAST(date_trunc('month', t.date) AS DATE) AS date_month, SUM(t.quantity) AS sum_quantity
      FROM ${table} AS t LEFT JOIN ranked ON t.country IS NOT DISTINCT FROM ranked.k
      GROUP BY 1, 2)
    SELECT *, SUM(sum_quantity) OVER (PARTITION BY country ORDER BY date_month ROWS UNBOUNDED PRECEDING) AS running
    FROM base ORDER BY country, date_month`;
  const totals = `SELECT SUM(quantity) FROM ${table}`;
  let rosetta = { rows: 0, total: 0 };
  let hand = { rows: 0, total: 0 };
  const timings = await timeAlternately(
    {
      rosetta: async () => {
        const answer = await server.api<{ rows: unknown[]; totals: { sum_quantity: number } }>(
          'POST',
          '/api/query',
          body,
          { 'cache-control': 'no-cache' },
        );
        rosetta = { rows: answer.rows.length, total: Number(answer.totals.sum_quantity) };
      },
      raw: async () => {
        // Both statements at once on two connections, as the query service runs them.
        const [rows, [[total]]] = await Promise.all([
          raw.run(grouped).then(async (result) => (await result.getRows()).length),
          rawBeside.run(totals).then((result) => result.getRows()),
        ]);
        hand = { rows, total: Number(total) };
      },
    },
    { warmup: 2, runs: 10 },
  );
  if (rosetta.rows !== hand.rows || rosetta.total !== hand.total)
    throw new Error(`answers differ: rosetta ${JSON.stringify(rosetta)}, by hand ${JSON.stringify(hand)}`);
  const ratio = timings.rosetta.median / timings.raw.median;
  console.log(`  result: ${rosetta.rows} rows, total ${rosetta.total}`);
  console.log(`  rosetta POST /api/query:  ${formatTiming(timings.rosetta)}`);
  console.log(`  raw DuckDB, SQL by hand:  ${formatTiming(timings.raw)}`);
  console.log(`  ratio rosetta/raw: ${ratio.toFixed(3)} (target ≤ 1.3)`);
  return ratio;
}
