import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTempPostgres, type TempDatabase } from '../support/databases.ts';
import { sisenseLogin, sx } from './support.ts';

/**
 * Live connectors (LC-01…08) against real engines: the built-in DuckDB through its saved
 * connection, and a fresh PostgreSQL database through unsaved parameters and a saved connection.
 */

let app: TestApp;
let warehouse: TempDatabase;
let developerToken: string;
let builtinOid: string;
const PASSWORD = 'a-long-password-1';

beforeAll(async () => {
  app = await startTestApp();
  warehouse = await createTempPostgres('rosetta_live');
  if (warehouse.available) {
    const client = new pg.Client({ connectionString: warehouse.url });
    await client.connect();
    await client.query(`CREATE SCHEMA shop;
      CREATE TABLE shop.orders (id int PRIMARY KEY, amount numeric(10,2) NOT NULL, note text);
      INSERT INTO shop.orders SELECT g, g * 1.5, 'n' || g FROM generate_series(1, 25) g;
      CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE amount > 30;`);
    await client.end();
  }
  await app.request('POST', '/api/users', { email: 'dev@live.test', role: 'developer', password: PASSWORD });
  developerToken = await sisenseLogin(app, 'dev@live.test', PASSWORD);
  builtinOid = (await sx(app, 'GET', '/api/v1/connection')).body.find(
    (c: { builtin: boolean }) => c.builtin,
  )._id;
}, 120_000);
afterAll(async () => {
  await app.close();
  await warehouse.drop();
});

/** The connection parameters of the temp database, as a Sisense client sends them. */
function parameters(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const url = new URL(warehouse.url);
  return {
    Server: `${url.hostname}:${url.port || 5432}`,
    DefaultDatabase: warehouse.name,
    UserName: decodeURIComponent(url.username),
    ...(url.password && { Password: decodeURIComponent(url.password) }),
    ...extra,
  };
}

const live = (action: string, connectionParameters: unknown, options: { token?: string } = {}) =>
  sx(app, 'POST', `/api/v1/live_connectors/postgresql/${action}`, { connectionParameters }, options);

describe('live connector types', () => {
  it('lists the engines as connectors and describes their parameters', async () => {
    const list = await sx(app, 'GET', '/api/v1/live_connectors');
    expect(list.status).toBe(200);
    expect(list.body.map((c: { provider: string }) => c.provider)).toEqual(['postgresql', 'mysql', 'duckdb']);
    const manifest = await sx(app, 'GET', '/api/v1/live_connectors/PostgreSQL');
    expect(manifest.body.parameters.map((p: { name: string }) => p.name)).toContain('DefaultDatabase');
    expect((await sx(app, 'GET', '/api/v1/live_connectors/oracle')).status).toBe(404);
  });
});

describe('the built-in DuckDB, by its saved connection', () => {
  const duck = (action: string, connectionParameters: unknown) =>
    sx(app, 'POST', `/api/v1/live_connectors/duckdb/${action}`, { connectionParameters });

  it('tests it, lists its database and tables, and previews a table', async () => {
    expect((await duck('test_connection', { id: builtinOid })).body).toEqual({ status: 'OK' });
    expect((await duck('list_databases', { id: builtinOid })).body).toEqual([{ name: 'warehouse.duckdb' }]);
    const tables = await duck('list_table_schemas', { id: builtinOid });
    expect(tables.status).toBe(200);
    expect(tables.body.length).toBeGreaterThan(0);
    const [first] = tables.body;
    const details = await duck('table_schema_details', {
      id: builtinOid,
      schema: first.schemaName,
      table: first.tableName,
    });
    expect(details.status, details.text).toBe(200);
    expect(details.body.columns.length).toBeGreaterThan(0);
    const count = await duck('count', { id: builtinOid, schema: first.schemaName, table: first.tableName });
    expect(count.body.count).toBeGreaterThan(0);
    const preview = await duck('table_preview', {
      id: builtinOid,
      schema: first.schemaName,
      table: first.tableName,
      limit: 2,
    });
    expect(preview.body.rows).toHaveLength(2);
    expect(preview.body.columns.map((c: { name: string }) => c.name)).toEqual(
      details.body.columns.map((c: { columnName: string }) => c.columnName),
    );
  });

  it('refuses a provider that is not the connection’s, unsaved DuckDB files, and bad bodies', async () => {
    const mismatch = await live('test_connection', { id: builtinOid });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.field).toBe('provider');
    const unsaved = await duck('test_connection', { File: 'warehouse.duckdb' });
    expect(unsaved.status).toBe(400);
    const noBody = await sx(app, 'POST', '/api/v1/live_connectors/duckdb/count', {});
    expect(noBody.body.error.field).toBe('connectionParameters');
    const noTable = await duck('count', { id: builtinOid });
    expect(noTable.body.error.field).toBe('connectionParameters.table');
    expect((await duck('count', { id: builtinOid, table: 'no_such_table' })).status).toBe(404);
    expect((await duck('count', { id: 'zz' })).body.error.field).toBe('connectionParameters.id');
    const both = await duck('test_connection', { id: builtinOid, File: 'other.duckdb' });
    expect(both.body.error.field).toBe('connectionParameters.File');
  });
});

describe('PostgreSQL', () => {
  it('tests, lists and reads a warehouse from unsaved parameters (admins only)', async (context) => {
    if (!warehouse.available) context.skip();
    expect((await live('test_connection', parameters())).body).toEqual({ status: 'OK' });
    expect((await live('list_databases', parameters())).body).toEqual([{ name: warehouse.name }]);
    const tables = await live('list_table_schemas', parameters({ schema: 'shop' }));
    expect(tables.body).toEqual([
      { schemaName: 'shop', tableName: 'big_orders', tableType: 'view' },
      { schemaName: 'shop', tableName: 'orders', tableType: 'table' },
    ]);
    const details = await live('table_schema_details', parameters({ schema: 'shop', table: 'orders' }));
    expect(
      details.body.columns.map((c: { columnName: string; nullable: boolean }) => [c.columnName, c.nullable]),
    ).toEqual([
      ['id', false],
      ['amount', false],
      ['note', true],
    ]);
    expect((await live('count', parameters({ table: 'orders' }))).body).toEqual({ count: 25 });
    expect((await live('count', parameters({ table: 'big_orders' }))).body).toEqual({ count: 5 });
    const preview = await live('table_preview', parameters({ schema: 'shop', table: 'orders', limit: 3 }));
    expect(preview.body.rows).toEqual([
      [1, 1.5, 'n1'],
      [2, 3, 'n2'],
      [3, 4.5, 'n3'],
    ]);
    expect(preview.body.truncated).toBe(true);
    const developer = await live('test_connection', parameters(), { token: developerToken });
    expect(developer.status).toBe(403);
  });

  it('reads a saved PostgreSQL connection by id, developers included', async (context) => {
    if (!warehouse.available) context.skip();
    const created = await sx(app, 'POST', '/api/v1/connection', {
      provider: 'postgresql',
      parameters: parameters(),
    });
    expect(created.status, created.text).toBe(201);
    const byId = await live(
      'count',
      { id: created.body._id, schema: 'shop', table: 'orders' },
      { token: developerToken },
    );
    expect(byId.body).toEqual({ count: 25 });
  });

  it('answers a server that does not answer, or refuses the login, with a 4xx naming the problem', async () => {
    const down = await live('test_connection', {
      Server: '127.0.0.1:1',
      DefaultDatabase: 'x',
      UserName: 'u',
    });
    expect(down.status).toBe(400);
    expect(down.body.error.message).toMatch(/connection failed/);
    const missing = await live('test_connection', { Server: '127.0.0.1' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toMatch(/^connectionParameters\.(DefaultDatabase|UserName)$/);
    const unknown = await live('test_connection', { Sever: 'x' });
    expect(unknown.body.error.field).toBe('connectionParameters.Sever');
  });
});
