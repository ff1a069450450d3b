import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createTempClickhouseDatabase } from '../../../test/support/clickhouse.ts';
import { createTempMysql, createTempPostgres, type TempDatabase } from '../../../test/support/databases.ts';
import { createEngine } from '../../engines/index.ts';
import type { CompiledQuery, Engine, EngineDialect, JsonScalar, RunOptions } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import type { Model } from './model.ts';
import { createQueryService, type QueryService } from './service.ts';

/**
 * Test support for the query module: one small shop model, principals, and runners that execute
 * compiled SQL directly on DuckDB, PostgreSQL and MariaDB (not through src/engines, which is
 * built separately) with results normalised to the same JSON shapes.
 */
export const shopModel: Model = {
  name: 'shop',
  connectionId: 1,
  baseTable: 'orders',
  tables: [
    { name: 'orders', relation: { kind: 'table', table: 'orders' } },
    { name: 'customers', relation: { kind: 'table', table: 'customers' } },
    { name: 'regions', relation: { kind: 'sql', sql: 'SELECT id, label FROM regions' } },
  ],
  joins: [
    { table: 'customers', type: 'left', on: [{ left: 'orders.customer_id', right: 'customers.id' }] },
    { table: 'regions', type: 'left', on: [{ left: 'customers.region_id', right: 'regions.id' }] },
  ],
  dimensions: [
    { name: 'id', table: 'orders', column: 'id', type: 'integer' },
    { name: 'country', table: 'orders', column: 'country', type: 'string' },
    { name: 'date', table: 'orders', column: 'order_date', type: 'date' },
    { name: 'created_at', table: 'orders', column: 'created_at', type: 'datetime' },
    { name: 'quantity', table: 'orders', column: 'quantity', type: 'integer' },
    { name: 'price', table: 'orders', column: 'price', type: 'number' },
    { name: 'cost', table: 'orders', column: 'cost', type: 'number' },
    { name: 'note', table: 'orders', column: 'note', type: 'string' },
    { name: 'paid', table: 'orders', column: 'paid', type: 'boolean' },
    { name: 'id', table: 'customers', column: 'id', type: 'integer' },
    { name: 'name', table: 'customers', column: 'name', type: 'string' },
    { name: 'segment', table: 'customers', column: 'segment', type: 'string' },
    { name: 'label', table: 'regions', column: 'label', type: 'string' },
  ],
  metrics: [
    { name: 'revenue', table: 'orders', aggregation: 'sum', column: 'price' },
    { name: 'total_cost', table: 'orders', aggregation: 'sum', column: 'cost' },
    { name: 'margin', table: 'orders', formula: 'revenue - total_cost' },
    { name: 'margin_rate', table: 'orders', formula: 'margin / revenue' },
    { name: 'orders_count', table: 'orders', aggregation: 'count' },
  ],
  policies: [],
  version: 1,
  dataSourceIds: [10],
};

/** Order rows: id, country, order_date, created_at, quantity, price, cost, customer_id, note, paid. */
export const orderRows: JsonScalar[][] = [
  [1, 'FR', '2024-01-05', '2024-01-05 10:00:00', 2, 10.5, 6, 1, "a'b", true],
  [2, 'FR', '2024-01-20', '2024-01-20 23:59:59', 3, 25, 10, 2, null, false],
  [3, 'DE', '2024-02-03', '2024-02-03 08:30:00', 1, 40, 20, 1, '50% off', true],
  [4, 'US', '2024-02-29', '2024-02-29 12:00:00', 5, 22, 11, 3, 'x_y', true],
  [5, 'US', '2024-03-10', '2024-03-10 00:00:00', 4, 15, 5, 3, '', false],
  [6, 'DE', '2024-03-11', '2024-03-11 09:15:00', 2, 30, 18, 2, 'Hello', true],
  [7, 'FR', '2024-04-01', '2024-04-01 18:45:00', 7, 12, 4, 1, 'hello world', true],
  [8, null, '2024-04-15', '2024-04-15 07:00:00', 1, 100, 60, 4, "O'Reilly; --", false],
];
/** Customer rows: id, name, segment, region_id. */
export const customerRows: JsonScalar[][] = [
  [1, 'Alice', 'A', 1],
  [2, 'Bob', 'B', 2],
  [3, 'Carol', 'A', 1],
  [4, 'Dan', 'B', null],
];
const regionRows: JsonScalar[][] = [
  [1, 'Europe'],
  [2, 'America'],
];

/** A Saturday, in week 16 of 2024: the pinned clock of relative-date tests. */
export const pinnedNow = new Date('2024-04-20T12:00:00Z');

export const principal = (overrides: Partial<Principal> = {}): Principal => ({
  kind: 'session',
  userId: 2,
  userUuid: '00000000-0000-0000-0000-000000000002',
  email: 'user@example.com',
  organizationId: 1,
  projectId: 1,
  role: 'interactive_viewer',
  groupIds: [],
  attributes: {},
  ...overrides,
});

export const admin = principal({ role: 'admin', userId: 1, email: 'admin@example.com' });

export interface SqlRunner {
  dialect: EngineDialect;
  available: boolean;
  run(query: CompiledQuery): Promise<JsonScalar[][]>;
  close(): Promise<void>;
}

const types: Record<EngineDialect, Record<'int' | 'text' | 'date' | 'ts' | 'float' | 'bool', string>> = {
  duckdb: {
    int: 'INTEGER',
    text: 'VARCHAR',
    date: 'DATE',
    ts: 'TIMESTAMP',
    float: 'DOUBLE',
    bool: 'BOOLEAN',
  },
  postgres: {
    int: 'integer',
    text: 'text',
    date: 'date',
    ts: 'timestamp',
    float: 'double precision',
    bool: 'boolean',
  },
  mysql: { int: 'INT', text: 'VARCHAR(100)', date: 'DATE', ts: 'DATETIME', float: 'DOUBLE', bool: 'BOOLEAN' },
  // Booleans as the enum the ClickHouse engine reads as one (no Bool before 21.12).
  clickhouse: {
    int: 'Nullable(Int32)',
    text: 'Nullable(String)',
    date: 'Nullable(Date)',
    ts: "Nullable(DateTime('UTC'))",
    float: 'Nullable(Float64)',
    bool: "Nullable(Enum8('false' = 0, 'true' = 1))",
  },
};

/** The DDL and data, as literal SQL (fixed test data, written once for the three engines). */
export function setupStatements(dialect: EngineDialect): string[] {
  const t = types[dialect];
  // ClickHouse takes an enum's names only, and wants each table's engine.
  const literal = (value: JsonScalar): string =>
    value === null
      ? 'NULL'
      : typeof value === 'string' || (typeof value === 'boolean' && dialect === 'clickhouse')
        ? `'${String(value).replaceAll("'", "''")}'`
        : String(value);
  const engine = dialect === 'clickhouse' ? ' ENGINE = Memory' : '';
  const insert = (table: string, rows: JsonScalar[][]) =>
    `INSERT INTO ${table} VALUES ${rows.map((row) => `(${row.map(literal).join(', ')})`).join(', ')}`;
  return [
    `CREATE TABLE orders (id ${t.int}, country ${t.text}, order_date ${t.date}, created_at ${t.ts}, quantity ${t.int}, price ${t.float}, cost ${t.float}, customer_id ${t.int}, note ${t.text}, paid ${t.bool})${engine}`,
    `CREATE TABLE customers (id ${t.int}, name ${t.text}, segment ${t.text}, region_id ${t.int})${engine}`,
    `CREATE TABLE regions (id ${t.int}, label ${t.text})${engine}`,
    insert('orders', orderRows),
    insert('customers', customerRows),
    insert('regions', regionRows),
  ];
}

/** Numeric strings (BIGINT, HUGEINT, NUMERIC) become numbers, so the engines compare equal. */
const normalise = (rows: unknown[][]): JsonScalar[][] =>
  rows.map((row) =>
    row.map((cell) => {
      if (typeof cell === 'bigint') return Number(cell);
      if (typeof cell === 'string' && /^-?\d+(\.\d+)?$/.test(cell)) return Number(cell);
      return cell as JsonScalar;
    }),
  );

export async function duckdbRunner(): Promise<SqlRunner> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const statement of setupStatements('duckdb')) await connection.run(statement);
  return {
    dialect: 'duckdb',
    available: true,
    async run(query) {
      const reader = await connection.runAndReadAll(query.sql, [...query.params] as never);
      return normalise(reader.getRowsJson() as unknown[][]);
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

export async function postgresRunner(): Promise<SqlRunner & { database: TempDatabase }> {
  const database = await createTempPostgres('rosetta_query');
  if (!database.available)
    return { dialect: 'postgres', available: false, database, run: async () => [], close: async () => {} };
  const raw = (value: string) => value;
  const client = new pg.Client({
    connectionString: database.url,
    // Dates and timestamps as written (no local-time Date objects), 64-bit and numeric as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text') =>
        [1082, 1114, 1184].includes(oid)
          ? raw
          : [20, 1700].includes(oid)
            ? Number
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  await client.connect();
  for (const statement of setupStatements('postgres')) await client.query(statement);
  return {
    dialect: 'postgres',
    available: true,
    database,
    async run(query) {
      const result = await client.query({ text: query.sql, values: [...query.params], rowMode: 'array' });
      return normalise(result.rows);
    },
    async close() {
      await client.end();
      await database.drop();
    },
  };
}

export async function mysqlRunner(): Promise<SqlRunner & { database: TempDatabase }> {
  const database = await createTempMysql('rosetta_query');
  if (!database.available)
    return { dialect: 'mysql', available: false, database, run: async () => [], close: async () => {} };
  const connection = await mysql.createConnection({
    uri: database.url,
    dateStrings: true,
    decimalNumbers: true,
    supportBigNumbers: true,
  });
  for (const statement of setupStatements('mysql')) await connection.query(statement);
  return {
    dialect: 'mysql',
    available: true,
    database,
    async run(query) {
      // execute = a server-side prepared statement: the strictest check of the `?` placeholders.
      const [rows] = await connection.execute({ sql: query.sql, rowsAsArray: true }, [...query.params]);
      return normalise(rows as unknown[][]);
    },
    async close() {
      await connection.end();
      await database.drop();
    },
  };
}

/** Through the ClickHouse engine itself: it substitutes the bound values, which the server cannot take. */
export async function clickhouseRunner(): Promise<SqlRunner> {
  const database = await createTempClickhouseDatabase('rosetta_query');
  if (!database.available)
    return { dialect: 'clickhouse', available: false, run: async () => [], close: async () => {} };
  const url = new URL(database.url);
  const engine = createEngine({
    type: 'clickhouse',
    host: url.hostname,
    port: Number(url.port),
    database: database.database,
    user: 'default',
  });
  for (const sql of setupStatements('clickhouse')) await engine.run({ sql, params: [] }, { maxRows: 1 });
  return {
    dialect: 'clickhouse',
    available: true,
    async run(query) {
      // Timestamps as the other runners give them: the text, not the engine's ISO instants.
      const { rows } = await engine.run(query, { maxRows: 10_000 });
      return normalise(rows).map((row) =>
        row.map((cell) =>
          typeof cell === 'string' && /^\d{4}-\d\d-\d\dT[\d:]{8}\.000Z$/.test(cell)
            ? cell.slice(0, 19).replace('T', ' ')
            : cell,
        ),
      );
    },
    async close() {
      await engine.close();
      await database.drop();
    },
  };
}

/**
 * The query service over a runner, as if the runner were the model's engine (no cache): tests of
 * what the service adds to the SQL — pivots, totals — on the three engines. Result columns carry
 * no engine names or types here.
 */
export function serviceOver(runner: SqlRunner, model: Model, maxRows = 100): QueryService {
  const engine = {
    dialect: runner.dialect,
    async run(query: CompiledQuery, options: RunOptions) {
      const rows = await runner.run(query);
      return { columns: [], rows: rows.slice(0, options.maxRows), truncated: rows.length > options.maxRows };
    },
  } as unknown as Engine;
  return createQueryService({
    resolveModel: async () => model,
    sourceModel: async () => model,
    engineFor: async () => engine,
    maxRows,
    timeoutMs: 10_000,
    now: () => pinnedNow,
  });
}
