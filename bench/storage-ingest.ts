import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PostgresStorage } from '../src/engines/postgres/storage.ts';
import type { JsonScalar, StorageColumn } from '../src/engines/types.ts';
import { createTempPostgres } from '../test/support/databases.ts';
import { formatTiming, timeAlternately } from './support.ts';

/** The batch size the core's ingestor hands to a storage (`core/data/ingest.ts`). */
export const BATCH_ROWS = 10_000;

export const COLUMNS: StorageColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'sold_at', type: 'datetime' },
  { name: 'country', type: 'string' },
  { name: 'quantity', type: 'integer' },
  { name: 'price', type: 'number' },
  { name: 'paid', type: 'boolean' },
];

/** Synthetic sales, valued as the core's coercion leaves them (datetimes as UTC ISO without `Z`). */
export function salesRows(count: number): JsonScalar[][] {
  const start = Date.UTC(2023, 0, 1);
  return Array.from({ length: count }, (_, i) => [
    i,
    new Date(start + ((i * 7919) % 94_608_000) * 1000).toISOString().slice(0, -1),
    `country_${i % 20}`,
    1 + ((i * 31) % 10),
    5 + ((i * 13) % 10_000) / 100,
    i % 3 !== 0,
  ]);
}

/** The rows as COPY text in chunks of 1,000 lines; the bench data needs no escaping. */
function* copyChunks(rows: JsonScalar[][]): Generator<string> {
  for (let first = 0; first < rows.length; first += 1000) {
    yield rows
      .slice(first, first + 1000)
      .map((row) => `${row.join('\t')}\n`)
      .join('');
  }
}

/**
 * Rows/s through `PostgresStorage.insertRows` in batches of 10,000 (the ingestor's path: checks,
 * COPY text encoding, one transaction and advisory lock per batch) against the same rows sent by
 * one hand-written `COPY … FROM STDIN` on a raw connection. Returns the throughput ratio.
 */
export async function benchPostgresIngest(rows: number): Promise<number> {
  const database = await createTempPostgres('rosetta_bench');
  if (!database.available) throw new Error('the PostgreSQL ingest bench needs a PostgreSQL server');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    const storage = new PostgresStorage(pool, 'storage');
    await storage.createTable('sales', COLUMNS, []);
    const data = salesRows(rows);
    const table = 'storage.sales';
    const timings = await timeAlternately(
      {
        rosetta: async () => {
          await pool.query(`TRUNCATE ${table}`);
          for (let first = 0; first < data.length; first += BATCH_ROWS)
            await storage.insertRows('sales', COLUMNS, data.slice(first, first + BATCH_ROWS));
        },
        copy: async () => {
          await pool.query(`TRUNCATE ${table}`);
          const client = await pool.connect();
          try {
            await pipeline(
              Readable.from(copyChunks(data)),
              client.query(copyFrom(`COPY ${table} FROM STDIN`)),
            );
          } finally {
            client.release();
          }
        },
      },
      { warmup: 1, runs: 3 },
    );
    const { rows: counted } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
    if (counted[0].n !== rows) throw new Error(`loaded ${counted[0].n} rows, expected ${rows}`);
    const rate = (ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en');
    const ratio = timings.copy.median / timings.rosetta.median;
    console.log(
      `  PostgresStorage.insertRows, ${BATCH_ROWS.toLocaleString('en')} a batch: ${formatTiming(timings.rosetta)}, ${rate(timings.rosetta.median)} rows/s`,
    );
    console.log(
      `  raw COPY … FROM STDIN, one stream:  ${formatTiming(timings.copy)}, ${rate(timings.copy.median)} rows/s`,
    );
    console.log(`  throughput ratio rosetta/COPY: ${ratio.toFixed(3)} (target ≥ 0.5)`);
    return ratio;
  } finally {
    await pool.end();
    await database.drop();
  }
}
