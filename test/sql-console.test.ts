import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ROWS } from '../src/core/data/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTempPostgres, type TempDatabase } from './support/databases.ts';

/** The SQL console over HTTP: schema tree and SQL runs on a connection, for developers and admins. */
describe('connection schema and SQL over /api', () => {
  let app: TestApp;
  let embedded: number;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    const list = await app.request('GET', '/api/connections');
    embedded = list.body.items.find((c: { builtin: boolean }) => c.builtin).id;
    for (const role of ['viewer', 'editor', 'developer']) {
      const email = `${role}@example.com`;
      const password = `${role} password 1`;
      expect((await app.request('POST', '/api/users', { email, password, role })).status).toBe(201);
      const login = await app.request('POST', '/api/auth/login', { email, password }, { token: '' });
      tokens[role] = login.body.token;
    }
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  let demoTable: string;

  it('lists the demo warehouse as schemas, tables and typed columns, labelled with their sources', async () => {
    const { status, body } = await app.request('GET', `/api/connections/${embedded}/schema`, undefined, {
      token: tokens.developer,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ dialect: 'duckdb', truncated: false, maxTables: 1000 });
    const storage = body.schemas.find((schema: { name: string }) => schema.name === 'storage');
    const demo = storage.tables.find((table: { dataSources: string[] }) =>
      table.dataSources.includes('demo_sales'),
    );
    expect(demo).toMatchObject({ kind: 'table', dataSources: ['demo_sales'] });
    expect(demo.sqlName).toBe(`"storage"."${demo.name}"`);
    expect(demo.columns.slice(0, 2)).toEqual([
      { name: 'date', type: 'datetime', nativeType: 'TIMESTAMP', nullable: true },
      { name: 'country', type: 'string', nativeType: 'VARCHAR', nullable: true },
    ]);
    demoTable = demo.sqlName;
  });

  it('runs a SELECT with a row cap, elapsed time and truncation', async () => {
    const sql = `select country, count(*) as n from ${demoTable} group by 1 order by 2 desc;`;
    const { status, body } = await app.request('POST', `/api/connections/${embedded}/sql`, { sql });
    expect(status).toBe(200);
    expect(body.columns).toEqual([
      { name: 'country', type: 'string', nativeType: 'VARCHAR' },
      { name: 'n', type: 'integer', nativeType: 'BIGINT' },
    ]);
    expect(body.rows).toHaveLength(20);
    expect(body.rows.reduce((sum: number, row: [string, number]) => sum + row[1], 0)).toBe(DEMO_ROWS);
    expect(body.truncated).toBe(false);
    expect(body.durationMs).toBeGreaterThanOrEqual(0);
    const capped = await app.request('POST', `/api/connections/${embedded}/sql`, {
      sql: `select * from ${demoTable}`,
      limit: 5,
    });
    expect(capped.body.rows).toHaveLength(5);
    expect(capped.body.truncated).toBe(true);
  });

  it('answers a statement the warehouse rejects with a 400 carrying its message', async () => {
    const missing = await app.request('POST', `/api/connections/${embedded}/sql`, {
      sql: `select nope from ${demoTable}`,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('ERR_VALIDATION');
    expect(missing.body.error.message).toMatch(/^sql: .*nope/);
  });

  it('refuses anything but one SELECT, and bad limits, naming the field', async () => {
    const run = (body: unknown) => app.request('POST', `/api/connections/${embedded}/sql`, body);
    const cases: [unknown, RegExp][] = [
      [{ sql: 'drop table storage.demo_sales' }, /^sql: must be a SELECT statement/],
      [{ sql: 'select 1; drop table storage.demo_sales' }, /^sql: must be a single statement/],
      [{ sql: 'select 1', limit: 0 }, /^limit: must be an integer from 1 to 10000/],
      [{ sql: 'select 1', limit: 10_001 }, /^limit: must be an integer from 1 to 10000/],
      [{ sql: '' }, /sql/],
      [{}, /sql/],
    ];
    for (const [body, message] of cases) {
      const answer = await run(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.message).toMatch(message);
    }
    const quoted = await run({ sql: "-- a note; still one statement\nselect ';' as s; " });
    expect(quoted.body.rows).toEqual([[';']]);
    expect((await run({ sql: `select count(*) from ${demoTable}` })).body.rows).toEqual([[DEMO_ROWS]]);
  });

  it('answers any text with a result or a 400, never a server error, and changes nothing', async () => {
    const text = fc.oneof(
      fc.string(),
      fc.string().map((rest) => `select ${rest}`),
      fc.string().map((rest) => `with ${rest}`),
    );
    await fc.assert(
      fc.asyncProperty(text, async (sql) => {
        const { status, body } = await app.request('POST', `/api/connections/${embedded}/sql`, { sql });
        expect([200, 400], `${sql} → ${JSON.stringify(body)}`).toContain(status);
        if (status === 400) expect(body.error.message).toMatch(/^sql: ./);
      }),
      { numRuns: 150 },
    );
    const count = await app.request('POST', `/api/connections/${embedded}/sql`, {
      sql: `select count(*) from ${demoTable}`,
    });
    expect(count.body.rows).toEqual([[DEMO_ROWS]]);
  });

  it('forbids viewers and editors, and hides other connections', async () => {
    for (const role of ['viewer', 'editor']) {
      const options = { token: tokens[role] };
      const schema = await app.request('GET', `/api/connections/${embedded}/schema`, undefined, options);
      expect(schema.status).toBe(403);
      const run = await app.request('POST', `/api/connections/${embedded}/sql`, { sql: 'select 1' }, options);
      expect(run.status).toBe(403);
    }
    expect((await app.request('GET', '/api/connections/99999/schema')).status).toBe(404);
    expect((await app.request('POST', '/api/connections/99999/sql', { sql: 'select 1' })).status).toBe(404);
  });

  it('lists the routes in the OpenAPI document', async () => {
    const { body } = await app.request('GET', '/api/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/connections/{id}/schema', '/api/connections/{id}/sql']),
    );
  });
});

describe('connection schema and SQL on a real PostgreSQL', async () => {
  const db: TempDatabase = await createTempPostgres();
  let app: TestApp;

  beforeAll(async () => {
    if (!db.available) return;
    app = await startTestApp({ demo: false });
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  it.skipIf(!db.available)('browses and queries a PostgreSQL connection', async () => {
    const url = new URL(db.url);
    const created = await app.request('POST', '/api/connections', {
      name: 'pg',
      type: 'postgres',
      host: url.hostname,
      port: Number(url.port),
      database: db.name,
      user: decodeURIComponent(url.username),
      password: url.password ? decodeURIComponent(url.password) : undefined,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`CREATE TABLE public.shops (id int NOT NULL, name text);
      INSERT INTO public.shops VALUES (1, 'Lyon'), (2, 'Oslo');
      CREATE VIEW public.shop_names AS SELECT name FROM public.shops`);
    await client.end();
    const source = { type: 'table', name: 'Shops', connectionId: id, table: 'shops' };
    expect((await app.request('POST', '/api/data-sources', source)).status).toBe(201);

    const { body } = await app.request('GET', `/api/connections/${id}/schema`);
    expect(body).toEqual({
      dialect: 'postgres',
      schemas: [
        {
          name: 'public',
          tables: [
            {
              name: 'shop_names',
              kind: 'view',
              sqlName: '"public"."shop_names"',
              dataSources: [],
              columns: [{ name: 'name', type: 'string', nativeType: 'text', nullable: true }],
            },
            {
              name: 'shops',
              kind: 'table',
              sqlName: '"public"."shops"',
              dataSources: ['Shops'],
              columns: [
                { name: 'id', type: 'integer', nativeType: 'integer', nullable: false },
                { name: 'name', type: 'string', nativeType: 'text', nullable: true },
              ],
            },
          ],
        },
      ],
      truncated: false,
      maxTables: 1000,
    });
    const run = (sql: string) => app.request('POST', `/api/connections/${id}/sql`, { sql });
    expect((await run('select name from "public"."shops" order by id')).body.rows).toEqual([
      ['Lyon'],
      ['Oslo'],
    ]);
    const rejected = await run('select nope from public.shops');
    expect(rejected.status).toBe(400);
    expect(rejected.body.error.message).toMatch(/^sql: column "nope" does not exist/);
  });
});
