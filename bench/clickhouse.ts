import type { Principal } from '../src/core/auth/principal.ts';
import { compileQuery } from '../src/core/query/compile.ts';
import type { Model } from '../src/core/query/model.ts';
import { parseQueryBody } from '../src/core/query/parse.ts';
import { createClickHouseClient } from '../src/engines/clickhouse/client.ts';
import { ClickHouseEngine } from '../src/engines/clickhouse/engine.ts';
import { substituteParams } from '../src/engines/clickhouse/literal.ts';
import { createTempClickhouseDatabase } from '../test/support/clickhouse.ts';
import { formatTiming, timeAlternately } from './support.ts';

const ROWS = 1_000_000;

const salesModel: Model = {
  name: 'sales',
  connectionId: 1,
  baseTable: 'sales',
  tables: [{ name: 'sales', relation: { kind: 'table', table: 'sales' } }],
  joins: [],
  dimensions: [
    { name: 'country', table: 'sales', column: 'country', type: 'string' },
    { name: 'sold_on', table: 'sales', column: 'sold_on', type: 'date' },
    { name: 'quantity', table: 'sales', column: 'quantity', type: 'integer' },
    { name: 'price', table: 'sales', column: 'price', type: 'number' },
  ],
  metrics: [],
  policies: [],
  version: 1,
  dataSourceIds: [1],
};

const admin: Principal = {
  kind: 'session',
  userId: 1,
  userUuid: '00000000-0000-0000-0000-000000000001',
  email: 'bench@example.com',
  organizationId: 1,
  projectId: 1,
  role: 'admin',
  groupIds: [],
  attributes: {},
};

/**
 * A compiled group-by over 1M generated rows through `ClickHouseEngine.run` (literal substitution,
 * TabSeparated decoding, value conversion) against the same SQL through `@clickhouse/client`
 * directly (JSONEachRow, the client's own parsing). Returns the time ratio engine/raw.
 */
export async function benchClickhouseQuery(): Promise<number> {
  const database = await createTempClickhouseDatabase('rosetta_bench');
  if (!database.available) throw new Error('the ClickHouse query bench needs a ClickHouse server');
  const url = new URL(database.url);
  const spec = {
    type: 'clickhouse' as const,
    host: url.hostname,
    port: Number(url.port),
    database: database.database,
    user: 'default',
  };
  const engine = new ClickHouseEngine(spec);
  const client = createClickHouseClient(spec);
  try {
    await client.command({
      query: `CREATE TABLE sales (country String, sold_on Date, quantity Int32, price Float64)
              ENGINE = MergeTree ORDER BY sold_on`,
    });
    await client.command({
      query: `INSERT INTO sales SELECT concat('country_', toString(number % 50)),
                toDate('2023-01-01') + number % 730, 1 + number % 10, 5 + (number % 10000) / 100
              FROM system.numbers LIMIT ${ROWS}`,
    });
    const ir = parseQueryBody({
      source: 'sales',
      dimensions: ['country', { field: 'sold_on', granularity: 'month' }],
      metrics: [
        { field: 'quantity', aggregation: 'sum' },
        { field: 'price', aggregation: 'avg' },
      ],
      filters: { and: [{ field: 'price', operator: '>', values: [20] }] },
      sorts: [{ field: 'sum_quantity', descending: true }],
    }).ir;
    const compiled = compileQuery(salesModel, ir, { dialect: 'clickhouse', principal: admin, maxRows: 5000 });
    let engineRows = 0;
    let rawRows = 0;
    const timings = await timeAlternately(
      {
        engine: async () => {
          engineRows = (await engine.run(compiled, { maxRows: compiled.rowCap })).rows.length;
        },
        raw: async () => {
          const result = await client.query({ query: substituteParams(compiled), format: 'JSONEachRow' });
          rawRows = Math.min((await result.json()).length, compiled.rowCap);
        },
      },
      { warmup: 2, runs: 10 },
    );
    if (engineRows !== rawRows) throw new Error(`row counts differ: engine ${engineRows}, raw ${rawRows}`);
    const ratio = timings.engine.median / timings.raw.median;
    console.log(`  result: ${engineRows} groups over ${ROWS} rows`);
    console.log(`  ClickHouseEngine.run:        ${formatTiming(timings.engine)}`);
    console.log(`  @clickhouse/client, same SQL: ${formatTiming(timings.raw)}`);
    console.log(`  ratio engine/raw: ${ratio.toFixed(3)} (target ≤ 1.15)`);
    return ratio;
  } finally {
    await engine.close();
    await client.close();
    await database.drop();
  }
}
