import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type BenchServer, formatTiming, timeAlternately } from './support.ts';

interface CreatedSource {
  uuid: string;
  table: string;
}

const COUNTRIES = Array.from({ length: 20 }, (_, i) => `'country_${String(i).padStart(2, '0')}'`).join(',');
const CATEGORIES = ["'Books'", "'Garden'", "'Kitchen'", "'Sports'", "'Toys'"].join(',');

/** Fills a Rosetta storage source with `rows` synthetic sales straight in DuckDB (setup only). */
async function fillSource(server: BenchServer, rows: number) {
  const source = await server.api<CreatedSource>('POST', '/api/data-sources', {
    name: 'bench_sales',
    type: 'storage',
    columns: [
      { name: 'date', type: 'datetime' },
      { name: 'country', type: 'string' },
      { name: 'category', type: 'string' },
      { name: 'quantity', type: 'integer' },
      { name: 'price', type: 'number' },
    ],
  });
  const instance = await DuckDBInstance.fromCache(join(server.dataDir, 'warehouse.duckdb'), {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const raw = await instance.connect();
  const [[catalog]] = await (await raw.run('SELECT current_database()')).getRows();
  await raw.run(`
    INSERT INTO "${catalog}".storage."${source.table}"
    SELECT TIMESTAMP '2023-01-01' + to_seconds((i * 7919) % 94608000),
           [${COUNTRIES}][1 + (i % 20)::INTEGER],
           [${CATEGORIES}][1 + ((i // 20) % 5)::INTEGER],
           1 + (i * 31) % 10,
           5 + ((i * 13) % 10000) / 100.0
    FROM range(${rows}) t(i)`);
  return { source, raw };
}

/** Rosetta's POST /api/query against the same SQL run directly on DuckDB, in the same process. */
export async function benchQuery(server: BenchServer, rows: number): Promise<number> {
  const started = Date.now();
  const { source, raw } = await fillSource(server, rows);
  console.log(
    `  loaded ${rows.toLocaleString('en')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
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
  raw.closeSync();
  if (rosettaRows !== rawRows) throw new Error(`row counts differ: rosetta ${rosettaRows}, raw ${rawRows}`);
  const ratio = timings.rosetta.median / timings.raw.median;
  console.log(`  result: ${rosettaRows} groups`);
  console.log(`  rosetta POST /api/query: ${formatTiming(timings.rosetta)}`);
  console.log(`  raw DuckDB, same SQL:    ${formatTiming(timings.raw)}`);
  console.log(`  ratio rosetta/raw: ${ratio.toFixed(3)} (target ≤ 1.15)`);
  return ratio;
}
