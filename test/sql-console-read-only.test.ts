import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTempMysql, createTempPostgres, type TempDatabase } from './support/databases.ts';

/**
 * The SQL console on PostgreSQL and MariaDB runs only what the server itself accepts as one
 * reading statement: writes, DDL and file output are a 400 on `sql` with the server's words,
 * and the data is unchanged.
 */
const pgDatabase: TempDatabase = await createTempPostgres('rosetta_console');
const mysqlDatabase: TempDatabase = await createTempMysql('rosetta_console');
let app: TestApp;

beforeAll(async () => {
  if (pgDatabase.available || mysqlDatabase.available) app = await startTestApp({ demo: false });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await pgDatabase.drop();
  await mysqlDatabase.drop();
});

async function connectionTo(type: 'postgres' | 'mysql', database: TempDatabase): Promise<number> {
  const url = new URL(database.url);
  const created = await app.request('POST', '/api/connections', {
    name: type,
    type,
    host: url.hostname,
    port: Number(url.port),
    database: database.name,
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Runs each refused statement, then checks the shops are still there, untouched. */
async function expectRefusedAndUnchanged(connection: number, statements: string[], select: string) {
  for (const sql of statements) {
    const { status, body } = await app.request('POST', `/api/connections/${connection}/sql`, { sql });
    expect(status, `${sql} → ${JSON.stringify(body)}`).toBe(400);
    expect(body.error, sql).toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'sql',
      message: expect.stringMatching(/^sql: ./),
    });
  }
  const { status, body } = await app.request('POST', `/api/connections/${connection}/sql`, { sql: select });
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.rows).toEqual([
    [1, 'Lyon'],
    [2, 'Oslo'],
  ]);
}

describe.skipIf(!pgDatabase.available)('the SQL console on a real PostgreSQL', () => {
  it('refuses WITH … INSERT, WITH … DELETE, writes, DDL and COPY, and changes nothing', async () => {
    const client = new pg.Client({ connectionString: pgDatabase.url });
    await client.connect();
    await client.query(`CREATE TABLE public.shops (id int PRIMARY KEY, name text);
      INSERT INTO public.shops VALUES (1, 'Lyon'), (2, 'Oslo')`);
    await client.end();
    const connection = await connectionTo('postgres', pgDatabase);
    await expectRefusedAndUnchanged(
      connection,
      [
        "WITH added AS (INSERT INTO public.shops VALUES (3, 'Rome') RETURNING *) SELECT * FROM added",
        'WITH gone AS (DELETE FROM public.shops RETURNING *) SELECT * FROM gone',
        'DELETE FROM public.shops',
        'DROP TABLE public.shops',
        'SELECT 1; DROP TABLE public.shops',
        'DO $$BEGIN SET TRANSACTION READ WRITE; DELETE FROM public.shops; END$$',
        // pg-cursor cannot read COPY data: this once crashed the whole server.
        'COPY public.shops TO STDOUT',
        "COPY public.shops TO '/tmp/rosetta-console-pg.csv'",
      ],
      'SELECT id, name FROM public.shops ORDER BY id',
    );
    const refused = await app.request('POST', `/api/connections/${connection}/sql`, {
      sql: 'DELETE FROM public.shops',
    });
    expect(refused.body.error.message).toBe('sql: cannot execute DELETE in a read-only transaction');
  });
});

describe.skipIf(!mysqlDatabase.available)('the SQL console on a real MariaDB', () => {
  it('refuses WITH … INSERT, WITH … DELETE, writes, DDL and INTO OUTFILE, and changes nothing', async () => {
    const client = await mysql.createConnection({ uri: mysqlDatabase.url });
    await client.query('CREATE TABLE shops (id INT PRIMARY KEY, name VARCHAR(20))');
    await client.query("INSERT INTO shops VALUES (1, 'Lyon'), (2, 'Oslo')");
    await client.query(`CREATE FUNCTION add_shop() RETURNS INT MODIFIES SQL DATA
      BEGIN INSERT INTO shops VALUES (3, 'Rome'); RETURN 3; END`);
    await client.end();
    const connection = await connectionTo('mysql', mysqlDatabase);
    await expectRefusedAndUnchanged(
      connection,
      [
        "WITH x AS (SELECT 1) INSERT INTO shops VALUES (3, 'Rome')",
        'WITH x AS (SELECT 1) DELETE FROM shops',
        'DELETE FROM shops',
        'DROP TABLE shops',
        'TRUNCATE shops',
        'SELECT 1; DROP TABLE shops',
        `SELECT * FROM shops INTO OUTFILE '/tmp/rosetta-console-${Date.now()}.csv'`,
        'SET SESSION TRANSACTION READ WRITE',
        // A SELECT whose function writes: only the READ ONLY session stops it.
        'SELECT add_shop()',
      ],
      'SELECT id, name FROM shops ORDER BY id',
    );
    const run = (sql: string) => app.request('POST', `/api/connections/${connection}/sql`, { sql });
    expect((await run('DROP TABLE shops')).body.error.message).toBe(
      'sql: must be a SELECT statement: this one returns no rows',
    );
    expect((await run('SELECT add_shop()')).body.error.message).toBe(
      'sql: Cannot execute statement in a READ ONLY transaction',
    );
  });
});
