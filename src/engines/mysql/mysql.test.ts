import { afterAll, expect } from 'vitest';
import { createTempMysql, type TempDatabase } from '../../../test/support/databases.ts';
import { describeEngineContract, serverSpecOf } from '../testkit.ts';
import { MysqlEngine } from './engine.ts';

const db: TempDatabase = await createTempMysql();

afterAll(async () => {
  await db.drop();
});

describeEngineContract('MysqlEngine', {
  available: db.available,
  open: () => new MysqlEngine({ type: 'mysql', ...serverSpecOf(db.url) }),
  param: () => '?',
  typed: {
    // MySQL has no boolean values outside a TINYINT(1) column, so the values go through a table.
    before: [
      {
        sql: `CREATE TABLE typed (s VARCHAR(20), i INT, d DOUBLE, b BOOLEAN, n INT, big BIGINT, small BIGINT,
                dec_value DECIMAL(10,2), day DATE, ts DATETIME(3), stamp TIMESTAMP NULL, doc JSON)`,
        params: [],
      },
      {
        sql: 'INSERT INTO typed VALUES (?, ?, ?, ?, NULL, 9007199254740993, 42, 12.34, ?, ?, ?, ?)',
        params: [
          "it's",
          41,
          2.5,
          true,
          '2024-02-29',
          '2024-02-29 13:14:15.678',
          '2024-02-29 13:14:15',
          '{"a": 1}',
        ],
      },
    ],
    sql: 'SELECT s, i + ? AS i, d, b, n, big, small, dec_value, day, ts, stamp, doc FROM typed WHERE s = ?',
    params: [1, "it's"],
    extra: {
      // JSON is its own type on MySQL and a LONGTEXT on MariaDB.
      values: ['2024-02-29T13:14:15.000Z', expect.stringMatching(/^\{"a": ?1\}$/)],
      types: ['datetime', expect.any(String)],
    },
  },
  // Recursion stops at 1000 rows on both MariaDB and MySQL, so a thousand digits are crossed.
  series: (count) =>
    `WITH RECURSIVE d (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < 999)
     SELECT a.i * 1000 + b.i + 1 AS n FROM d a, d b WHERE a.i * 1000 + b.i < ${count} ORDER BY n`,
  empty: 'SELECT 1 AS one FROM DUAL WHERE 1 = 0',
  slow: 'SELECT SLEEP(30)',
  runningSlow: "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(30)'",
  userWrites: [
    // DDL commits a READ ONLY transaction implicitly: only a READ ONLY session stops these.
    'TRUNCATE {orders}',
    'RENAME TABLE {orders} TO rosetta_scratch',
    `SELECT id FROM {orders} INTO OUTFILE '/tmp/rosetta-read-only-check-${Date.now()}.csv'`,
    'SET SESSION TRANSACTION READ WRITE',
    'COMMIT',
  ],
  catalog: {
    create: [
      `CREATE TABLE orders (id BIGINT NOT NULL, amount DECIMAL(12,2), sold_on DATE, sold_at DATETIME,
         note VARCHAR(20), ok BOOLEAN)`,
      'CREATE VIEW order_ids AS SELECT id FROM orders',
    ],
    orders: { schema: db.name, name: 'orders' },
    view: { schema: db.name, name: 'order_ids' },
    amountNativeType: 'decimal(12,2)',
    extra: [],
  },
});
