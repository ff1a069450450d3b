import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganizationWithAdmin } from '../src/cli/create-organization.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';
import { exportFile } from './support/exports.ts';

/**
 * SQL cannot touch the host, and each organization has a warehouse of its own: on the real server,
 * a developer's SQL (console, `sql` data sources, model `sql` tables) reads neither host files nor
 * Rosetta's own, writes nothing, and never reaches another organization's storage.
 */
let app: TestApp;
/** Organization A (the default one) and B (made by the admin command), each with a developer. */
const a = { admin: ADMIN_KEY, developer: '', embedded: 0, sales: '', table: '' };
const b = { admin: '', developer: '', embedded: 0, sales: '', table: '', uuid: '' };

const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;
const consoleSql = (token: string, connection: number, sql: string) =>
  app.request('POST', `/api/connections/${connection}/sql`, { sql }, { token });

async function developerOf(adminToken: string, email: string): Promise<string> {
  const password = 'developer password 1';
  const created = await app.request(
    'POST',
    '/api/users',
    { email, password, role: 'developer' },
    { token: adminToken },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const login = await app.request('POST', '/api/auth/login', { email, password }, { token: '' });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return login.body.token;
}

/** A storage source `sales` with these rows: its uuid and its table's name. */
async function salesSource(token: string, rows: { id: number; shop: string }[]) {
  const created = await app.request(
    'POST',
    '/api/data-sources',
    {
      name: 'sales',
      type: 'storage',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'shop', type: 'string' },
      ],
      primaryKey: ['id'],
    },
    { token },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const pushed = await app.request(
    'POST',
    `/api/data-sources/${created.body.uuid}/rows`,
    { mode: 'insert', rows },
    { token },
  );
  expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
  return { sales: created.body.uuid as string, table: created.body.table as string };
}

const embeddedOf = async (token: string): Promise<number> =>
  (await app.request('GET', '/api/connections', undefined, { token })).body.items.find(
    (connection: { builtin: boolean }) => connection.builtin,
  ).id;

const shopsOf = async (token: string, source: string) =>
  (
    await app.request(
      'POST',
      '/api/query',
      { source, aggregate: false, dimensions: ['shop'], sorts: ['shop'] },
      { token },
    )
  ).body.rows;

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  const created = await createOrganizationWithAdmin(
    { store: app.rosetta.store, connections: app.rosetta.services.data.connections },
    { name: 'Organization B', adminEmail: 'admin@b.test' },
  );
  b.admin = created.apiKey;
  b.uuid = created.organization.uuid;
  a.developer = await developerOf(a.admin, 'developer@a.test');
  b.developer = await developerOf(b.admin, 'developer@b.test');
  a.embedded = await embeddedOf(a.developer);
  b.embedded = await embeddedOf(b.developer);
  Object.assign(
    a,
    await salesSource(a.developer, [
      { id: 1, shop: 'Lyon' },
      { id: 2, shop: 'Oslo' },
    ]),
  );
  Object.assign(b, await salesSource(b.developer, [{ id: 1, shop: 'Bergen' }]));
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('the SQL console on the embedded DuckDB', () => {
  it("reads neither host files nor Rosetta's own, and attaches, copies or installs nothing", async () => {
    const file = (name: string) => quoted(join(app.dataDir, name));
    const attempts = [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      `SELECT * FROM read_blob(${file('secret')})`,
      `SELECT * FROM read_text(${file('secret')})`,
      `SELECT * FROM ${file('secret')}`,
      `SELECT * FROM read_blob(${file('rosetta.sqlite')})`,
      `SELECT * FROM glob(${quoted(`${app.dataDir}/*`)})`,
      `ATTACH ${file('rosetta.sqlite')} AS metadata (TYPE sqlite)`,
      `ATTACH ${file('stolen.duckdb')} AS stolen`,
      `COPY (SELECT 1) TO ${file('copied.csv')}`,
      "COPY (SELECT 1) TO '/tmp/rosetta-console-copy.csv'",
      `EXPORT DATABASE ${file('exported')}`,
      'INSTALL httpfs',
      'LOAD parquet',
      'SET enable_external_access = true',
      'PRAGMA enable_profiling',
    ];
    const secret = readFileSync(join(app.dataDir, 'secret'), 'utf8').trim();
    for (const sql of attempts) {
      const { status, body } = await consoleSql(a.developer, a.embedded, sql);
      expect(status, `${sql} → ${JSON.stringify(body)}`).toBe(400);
      expect(body.error).toMatchObject({ code: 'ERR_VALIDATION', field: 'sql' });
      expect(JSON.stringify(body)).not.toContain(secret);
    }
    for (const name of ['copied.csv', 'exported', 'stolen.duckdb'])
      expect(existsSync(join(app.dataDir, name))).toBe(false);
    expect(existsSync('/tmp/rosetta-console-copy.csv')).toBe(false);
  });

  it('refuses WITH … INSERT, WITH … DELETE and other writes, and the rows stay as they were', async () => {
    const table = `storage."${a.table}"`;
    for (const sql of [
      `WITH x AS (SELECT 1) INSERT INTO ${table} VALUES (3, 'Rome')`,
      `WITH x AS (SELECT 1) DELETE FROM ${table}`,
      `UPDATE ${table} SET shop = 'Paris'`,
      `DROP TABLE ${table}`,
      `SELECT 1; DELETE FROM ${table}`,
    ]) {
      const { status, body } = await consoleSql(a.developer, a.embedded, sql);
      expect(status, sql).toBe(400);
      expect(body.error.message, sql).toMatch(
        /^sql: must be a (single statement|SELECT statement, not (INSERT|DELETE|UPDATE|DROP))$/,
      );
    }
    const rows = await consoleSql(a.developer, a.embedded, `SELECT id, shop FROM ${table} ORDER BY id`);
    expect(rows.body.rows).toEqual([
      [1, 'Lyon'],
      [2, 'Oslo'],
    ]);
  });

  it('holds the SQL of data sources and model tables to the same rule when they are saved', async () => {
    const source = (sql: string) =>
      app.request(
        'POST',
        '/api/data-sources',
        { type: 'sql', name: `s${Math.random()}`, connectionId: a.embedded, sql },
        { token: a.developer },
      );
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      `SELECT * FROM read_text(${quoted(join(app.dataDir, 'secret'))})`,
      `WITH x AS (SELECT 1) INSERT INTO storage."${a.table}" VALUES (4, 'Kyiv')`,
    ]) {
      const { status, body } = await source(sql);
      expect(status, `${sql} → ${JSON.stringify(body)}`).toBe(400);
      expect(body.error.field).toBe('sql');
    }
    const model = await app.request(
      'POST',
      '/api/models',
      {
        name: 'reads the host',
        connectionId: a.embedded,
        baseTable: 'host',
        tables: [{ name: 'host', sql: "SELECT * FROM read_text('/etc/passwd')" }],
        dimensions: [{ name: 'content', table: 'host', column: 'content' }],
      },
      { token: a.developer },
    );
    expect(model.status, JSON.stringify(model.body)).toBe(400);
    expect(model.body.error.message).toMatch(/disabled by configuration/);
    expect(await shopsOf(a.developer, a.sales)).toEqual([['Lyon'], ['Oslo']]);
  });
});

describe('one warehouse per organization', () => {
  it("keeps each organization's storage rows in its own warehouse file", async () => {
    expect(await shopsOf(a.developer, a.sales)).toEqual([['Lyon'], ['Oslo']]);
    expect(await shopsOf(b.developer, b.sales)).toEqual([['Bergen']]);
    expect(existsSync(join(app.dataDir, 'organizations', b.uuid, 'warehouse.duckdb'))).toBe(true);
    const listed = await app.request('GET', `/api/connections/${b.embedded}/schema`, undefined, {
      token: b.developer,
    });
    const tables = listed.body.schemas.flatMap((schema: { tables: { name: string }[] }) =>
      schema.tables.map((t) => t.name),
    );
    expect(tables).toEqual([b.table]);
    expect(
      (await app.request('GET', `/api/data-sources/${a.sales}`, undefined, { token: b.developer })).status,
    ).toBe(404);
  });

  it("gives a developer of B no way to A's storage: console, sql source, model table or a DuckDB connection", async () => {
    const ofA = [`storage."${a.table}"`, `"warehouse"."storage"."${a.table}"`];
    for (const table of ofA) {
      const read = await consoleSql(b.developer, b.embedded, `SELECT * FROM ${table}`);
      expect(read.status, table).toBe(400);
      expect(read.body.error.message).toMatch(/does not exist/);
      const written = await consoleSql(b.developer, b.embedded, `WITH x AS (SELECT 1) DELETE FROM ${table}`);
      expect(written.status, table).toBe(400);
    }
    for (const sql of [
      `ATTACH ${quoted(join(app.dataDir, 'warehouse.duckdb'))} AS a`,
      `SELECT * FROM read_blob(${quoted(join(app.dataDir, 'warehouse.duckdb'))})`,
      `SELECT * FROM glob(${quoted(join(app.dataDir, 'warehouse.duckdb.staging', '*'))})`,
    ]) {
      expect((await consoleSql(b.developer, b.embedded, sql)).status, sql).toBe(400);
    }
    const source = await app.request(
      'POST',
      '/api/data-sources',
      { type: 'sql', name: 'steal', connectionId: b.embedded, sql: `SELECT * FROM ${ofA[0]}` },
      { token: b.developer },
    );
    expect(source.status, JSON.stringify(source.body)).toBe(400);
    const model = await app.request(
      'POST',
      '/api/models',
      {
        name: 'steal',
        connectionId: b.embedded,
        baseTable: 'a',
        tables: [{ name: 'a', sql: `SELECT * FROM ${ofA[0]}` }],
        dimensions: [{ name: 'shop', table: 'a', column: 'shop' }],
      },
      { token: b.developer },
    );
    expect(model.status, JSON.stringify(model.body)).toBe(400);

    // B's admin may add DuckDB connections, but only to files in B's own folder.
    const connect = (token: string, file: string) =>
      app.request('POST', '/api/connections', { name: `file ${file}`, type: 'duckdb', file }, { token });
    for (const file of ['../warehouse.duckdb', '../../secret', `../${b.uuid}/warehouse.duckdb`]) {
      const refused = await connect(b.admin, file);
      expect(refused.status, file).toBe(400);
      expect(refused.body.error.field).toBe('file');
    }
    const own = await connect(b.admin, 'warehouse.duckdb');
    expect(own.status).toBe(201);
    const throughIt = await consoleSql(b.admin, own.body.id, `SELECT * FROM ${ofA[0]}`);
    expect(throughIt.status).toBe(400);
    expect(
      (await consoleSql(b.admin, own.body.id, `SELECT shop FROM storage."${b.table}"`)).body.rows,
    ).toEqual([['Bergen']]);
    expect(await shopsOf(a.developer, a.sales)).toEqual([['Lyon'], ['Oslo']]);
  });

  it("lets no DuckDB connection of the default organization name Rosetta's own files", async () => {
    for (const file of [
      'rosetta.sqlite',
      'rosetta.sqlite-wal',
      'secret',
      'exports',
      'uploads',
      'organizations',
    ]) {
      const refused = await app.request('POST', '/api/connections', { name: file, type: 'duckdb', file });
      expect(refused.status, file).toBe(400);
      expect(refused.body.error.field).toBe('file');
    }
  });

  it('still loads CSV files and exports CSV in every organization, leaving nothing staged', async () => {
    const upload = await app.rosetta.server.inject({
      method: 'POST',
      url: `/api/data-sources/${b.sales}/csv?mode=append`,
      headers: { authorization: `Bearer ${b.developer}`, 'content-type': 'text/csv' },
      payload: 'id,shop\n2,Tromsø\n',
    });
    expect(upload.statusCode, upload.body).toBe(200);
    expect(await shopsOf(b.developer, b.sales)).toEqual([['Bergen'], ['Tromsø']]);
    const query = { source: b.sales, aggregate: false, dimensions: ['id', 'shop'], sorts: ['id'] };
    const { data } = await exportFile(app, { query, format: 'csv' }, b.developer);
    expect(data.toString('utf8')).toBe('id,shop\r\n1,Bergen\r\n2,Tromsø\r\n');
    const staged = [
      join(app.dataDir, 'warehouse.duckdb.staging'),
      join(app.dataDir, 'organizations', b.uuid, 'warehouse.duckdb.staging'),
    ];
    for (const directory of staged) expect(readdirSync(directory)).toEqual([]);
  });
});
