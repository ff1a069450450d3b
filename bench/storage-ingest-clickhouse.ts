import { createClickHouseClient } from '../src/engines/clickhouse/client.ts';
import { ClickHouseStorage } from '../src/engines/clickhouse/storage.ts';
import { createTempClickhouseDatabase } from '../test/support/clickhouse.ts';
import { BATCH_ROWS, COLUMNS, salesRows } from './storage-ingest.ts';
import { formatTiming, timeAlternately } from './support.ts';

/**
 * Rows/s through `ClickHouseStorage.insertRows` in batches of 10,000 (the ingestor's path: value
 * checks, conversion, one native JSONEachRow insert per batch) against the same rows sent by one
 * hand-written JSONEachRow insert through the client. Returns the throughput ratio.
 */
export async function benchClickhouseIngest(rows: number): Promise<number> {
  const database = await createTempClickhouseDatabase('rosetta_bench');
  if (!database.available) throw new Error('the ClickHouse ingest bench needs a ClickHouse server');
  const url = new URL(database.url);
  const client = createClickHouseClient({
    type: 'clickhouse',
    host: url.hostname,
    port: Number(url.port),
    database: database.database,
    user: 'default',
  });
  try {
    const storage = new ClickHouseStorage(client, database.database);
    await storage.createTable('sales', COLUMNS, []);
    const data = salesRows(rows);
    const table = `${database.database}.sales`;
    const timings = await timeAlternately(
      {
        rosetta: async () => {
          await client.command({ query: `TRUNCATE TABLE ${table}` });
          for (let first = 0; first < data.length; first += BATCH_ROWS)
            await storage.insertRows('sales', COLUMNS, data.slice(first, first + BATCH_ROWS));
        },
        raw: async () => {
          await client.command({ query: `TRUNCATE TABLE ${table}` });
          const values = data.map(([id, soldAt, country, quantity, price, paid]) => ({
            id,
            sold_at: String(soldAt).slice(0, 19).replace('T', ' '),
            country,
            quantity,
            price,
            paid: String(paid),
          }));
          await client.insert({ table, values, format: 'JSONEachRow' });
        },
      },
      { warmup: 1, runs: 3 },
    );
    const counted = await storage.countRows('sales');
    if (counted !== rows) throw new Error(`loaded ${counted} rows, expected ${rows}`);
    const rate = (ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en');
    const ratio = timings.raw.median / timings.rosetta.median;
    console.log(
      `  ClickHouseStorage.insertRows, ${BATCH_ROWS.toLocaleString('en')} a batch: ${formatTiming(timings.rosetta)}, ${rate(timings.rosetta.median)} rows/s`,
    );
    console.log(
      `  raw JSONEachRow insert, one request:  ${formatTiming(timings.raw)}, ${rate(timings.raw.median)} rows/s`,
    );
    console.log(`  throughput ratio rosetta/raw: ${ratio.toFixed(3)} (target ≥ 0.5)`);
    return ratio;
  } finally {
    await client.close();
    await database.drop();
  }
}
