import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTempPostgres, type TempDatabase } from './support/databases.ts';

/** A changed connection serves no result cached from before the change, whichever face changed it. */
let app: TestApp;
const [first, second] = await Promise.all([
  createTempPostgres('rosetta_cache_a'),
  createTempPostgres('rosetta_cache_b'),
]);
const available = first.available && second.available;

async function table(database: TempDatabase, rows: number) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('CREATE TABLE facts (n integer)');
  await client.query('INSERT INTO facts SELECT generate_series(1, $1)', [rows]);
  await client.end();
}

beforeAll(async () => {
  if (!available) return;
  await table(first, 3);
  await table(second, 5);
  app = await startTestApp({ demo: false });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await first.drop();
  await second.drop();
});

describe('the query cache after a connection change', () => {
  it.skipIf(!available)('answers from the new connection at once', async () => {
    const url = new URL(first.url);
    const connection = await app.request('POST', '/api/connections', {
      name: 'warehouse',
      type: 'postgres',
      host: url.hostname,
      port: Number(url.port),
      database: first.name,
      user: decodeURIComponent(url.username),
    });
    expect(connection.status).toBe(201);
    const source = await app.request('POST', '/api/data-sources', {
      name: 'facts',
      type: 'table',
      connectionId: connection.body.id,
      table: 'facts',
    });
    const count = () =>
      app.request('POST', '/api/query', { source: source.body.uuid, metrics: [{ aggregation: 'count' }] });
    expect((await count()).body).toMatchObject({ rows: [[3]], cached: false });
    expect((await count()).body).toMatchObject({ rows: [[3]], cached: true });
    const moved = await app.request('PATCH', `/api/connections/${connection.body.id}`, {
      database: second.name,
    });
    expect(moved.status).toBe(200);
    expect((await count()).body).toMatchObject({ rows: [[5]], cached: false });
  });
});
