import { afterAll } from 'vitest';
import { createTempClickhouseDatabase } from '../../../test/support/clickhouse.ts';
import { describeEngineContract } from '../testkit.ts';
import { ClickHouseEngine } from './engine.ts';

const db = await createTempClickhouseDatabase('rosetta_engine');

afterAll(async () => {
  await db.drop();
});

const BOOLEAN = "Enum8('false' = 0, 'true' = 1)";
/** About 30 seconds of sleeping, one row per block, so a kill lands within a tenth of a second. */
const SLOW = 'SELECT sleepEachRow(0.1) FROM system.numbers LIMIT 300 SETTINGS max_block_size = 1';

function open(): ClickHouseEngine {
  const url = new URL(db.url || 'http://127.0.0.1:18123');
  return new ClickHouseEngine({
    type: 'clickhouse',
    host: url.hostname,
    port: Number(url.port),
    database: db.database,
    user: 'default',
    poolSize: 3,
  });
}

describeEngineContract('ClickHouseEngine', {
  available: db.available,
  open,
  param: (n) => `$${n}`,
  typed: {
    // DateTime has whole seconds before DateTime64 (20.1).
    wholeSeconds: true,
    sql: `SELECT $1 AS s, $2 + 1 AS i, $3 AS d, CAST($4 AS ${BOOLEAN}) AS b, CAST(NULL AS Nullable(Int32)) AS n,
            toInt64('9007199254740993') AS big, toInt64(42) AS small, toDecimal32(12.34, 2) AS dec_value,
            toDate('2024-02-29') AS day, toDateTime('2024-02-29 13:14:15', 'UTC') AS ts,
            toDateTime('2024-02-29 14:14:15', 'Europe/Paris') AS paris, toUInt64('18446744073709551615') AS huge,
            toFloat64('inf') AS infinite, 'tab\\there' AS escaped`,
    params: ["it's", 41, 2.5, true],
    extra: {
      values: ['2024-02-29T13:14:15.000Z', '18446744073709551615', 'Infinity', 'tab\there'],
      types: ['datetime', 'integer', 'number', 'string'],
    },
  },
  series: (count) => `SELECT number + 1 AS n FROM system.numbers LIMIT ${count}`,
  empty: 'SELECT 1 AS one FROM system.one WHERE 0',
  slow: SLOW,
  runningSlow: `SELECT count() FROM system.processes WHERE query = '${SLOW}'`,
  runtimeError: "SELECT toInt32(concat('x', toString(number))) FROM system.numbers LIMIT 10",
  userWrites: [
    'TRUNCATE TABLE {orders}',
    'RENAME TABLE {orders} TO rosetta_scratch',
    'ALTER TABLE {orders} DELETE WHERE 1',
    'SELECT 1 SETTINGS readonly = 0',
    'SET readonly = 0',
    "SELECT id FROM {orders} INTO OUTFILE '/tmp/rosetta-read-only-check.csv'",
    'INSERT INTO {orders} SELECT * FROM {orders}',
    'KILL QUERY WHERE 1 SYNC',
  ],
  clearOrders: 'TRUNCATE TABLE {orders}',
  catalog: {
    create: [
      `CREATE TABLE orders (id Int64, amount Nullable(Decimal(12, 2)), sold_on Nullable(Date),
         sold_at Nullable(DateTime), note Nullable(String), ok Nullable(${BOOLEAN}), tags Array(String))
         ENGINE = MergeTree ORDER BY id`,
      'CREATE VIEW order_ids AS SELECT id FROM orders',
    ],
    orders: { schema: db.database, name: 'orders' },
    view: { schema: db.database, name: 'order_ids' },
    amountNativeType: 'Nullable(Decimal(12, 2))',
    extra: [['tags', 'string', false]],
  },
});
