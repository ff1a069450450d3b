import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { BenchServer } from './support.ts';

export interface Dataset {
  source: CreatedSource;
  /** A raw connection to the same DuckDB instance, for baselines. */
  raw: DuckDBConnection;
  /** A second one, for baselines that run two statements at once as Rosetta does. */
  rawBeside: DuckDBConnection;
}

interface CreatedSource {
  uuid: string;
  table: string;
}

const COUNTRIES = Array.from({ length: 20 }, (_, i) => `'country_${String(i).padStart(2, '0')}'`).join(',');
const CATEGORIES = ["'Books'", "'Garden'", "'Kitchen'", "'Sports'", "'Toys'"].join(',');

/** Fills a Rosetta storage source with `rows` synthetic sales straight in DuckDB (setup only). */
export async function fillSource(server: BenchServer, rows: number): Promise<Dataset> {
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
  return { source, raw, rawBeside: await instance.connect() };
}
