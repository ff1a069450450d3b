import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestResponse } from './support/app.ts';
import { createTempPostgres, type TempDatabase } from './support/databases.ts';
import { REDIS_URL, redisAvailable } from './support/redis.ts';

/**
 * Two nodes on one PostgreSQL metadata database: what one node changes, the other stops serving
 * from its cache (and its engines), over LISTEN/NOTIFY or over Redis.
 */
const [first, second] = await Promise.all([
  createTempPostgres('rosetta_cluster_a'),
  createTempPostgres('rosetta_cluster_b'),
]);
const redisUp = await redisAvailable();
afterAll(async () => {
  await first.drop();
  await second.drop();
});

async function table(database: TempDatabase, rows: number) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('CREATE TABLE facts (n integer)');
  await client.query('INSERT INTO facts SELECT generate_series(1, $1)', [rows]);
  await client.end();
}

beforeAll(async () => {
  if (!first.available || !second.available) return;
  await table(first, 3);
  await table(second, 5);
});

/** Asks until the answer is no longer the cached one (the other node's message is on its way). */
async function untilMissed(ask: () => Promise<{ body: { cached: boolean } }>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await ask();
    if (!answer.body.cached || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Kills the nodes' LISTEN connections on the metadata database, as a failover would. */
async function cutListeners(metadata: TempDatabase): Promise<number> {
  const admin = new pg.Client({ connectionString: metadata.url });
  await admin.connect();
  try {
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'rosetta-bus-%'",
      [metadata.name],
    );
    return killed.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe.each<{ bus: string; env: Record<string, string>; needsRedis: boolean }>([
  { bus: 'PostgreSQL LISTEN/NOTIFY', env: {}, needsRedis: false },
  { bus: 'Redis pub/sub', env: { ROSETTA_REDIS_URL: REDIS_URL }, needsRedis: true },
])('two nodes on $bus', ({ env, needsRedis }) => {
  const available = first.available && second.available && (!needsRedis || redisUp);
  let metadata: TempDatabase;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let countOn: (node: TestApp) => () => Promise<TestResponse>;

  beforeAll(async () => {
    if (!available) return;
    metadata = await createTempPostgres('rosetta_cluster_meta');
    // One secret for the cluster: a password stored through one node is read by the other.
    const shared = { ROSETTA_SECRET: randomBytes(24).toString('hex'), ...env };
    // Both bootstrap the same metadata: the first must be done before the second starts.
    nodeA = await startTestApp({ demo: false, databaseUrl: metadata.url, env: shared });
    nodeB = await startTestApp({ demo: false, databaseUrl: metadata.url, env: shared });
  }, 120_000);
  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
    await metadata?.drop();
  });

  it.skipIf(!available)(
    'a connection changed through A is read anew by B; an invalidation through A empties B',
    async () => {
      const url = new URL(first.url);
      const connection = await nodeA.request('POST', '/api/connections', {
        name: 'warehouse',
        type: 'postgres',
        host: url.hostname,
        port: Number(url.port),
        database: first.name,
        user: decodeURIComponent(url.username),
      });
      expect(connection.status).toBe(201);
      const source = await nodeA.request('POST', '/api/data-sources', {
        name: 'facts',
        type: 'table',
        connectionId: connection.body.id,
        table: 'facts',
      });
      expect(source.status).toBe(201);
      countOn = (node: TestApp) => () =>
        node.request('POST', '/api/query', { source: source.body.uuid, metrics: [{ aggregation: 'count' }] });

      expect((await countOn(nodeB)()).body).toMatchObject({ rows: [[3]], cached: false });
      expect((await countOn(nodeB)()).body).toMatchObject({ rows: [[3]], cached: true });
      expect((await countOn(nodeA)()).body).toMatchObject({ rows: [[3]], cached: false });

      const moved = await nodeA.request('PATCH', `/api/connections/${connection.body.id}`, {
        database: second.name,
      });
      expect(moved.status).toBe(200);
      // B's cache is dropped and its engine, still open on the first database, is closed.
      expect((await untilMissed(countOn(nodeB))).body).toMatchObject({ rows: [[5]], cached: false });
      expect((await countOn(nodeB)()).body).toMatchObject({ rows: [[5]], cached: true });

      const invalidated = await nodeA.request('POST', '/api/cache/invalidate', {});
      expect(invalidated.status).toBe(200);
      expect((await untilMissed(countOn(nodeB))).body).toMatchObject({ rows: [[5]], cached: false });
      expect((await countOn(nodeB)()).body).toMatchObject({ rows: [[5]], cached: true });
    },
  );

  // On Redis the bus does not use the metadata database; its reconnect is tested in core/cluster.
  if (!needsRedis)
    it.skipIf(!available)(
      'B drops its cache when its LISTEN connection is killed (it may have missed messages)',
      async () => {
        expect((await countOn(nodeB)()).body).toMatchObject({ rows: [[5]], cached: true });
        expect(await cutListeners(metadata)).toBe(2);
        expect((await untilMissed(countOn(nodeB))).body).toMatchObject({ rows: [[5]], cached: false });
        // And it hears again: a change through A still reaches B.
        expect(await nodeA.request('POST', '/api/cache/invalidate', {})).toMatchObject({ status: 200 });
        expect((await untilMissed(countOn(nodeB))).body).toMatchObject({ rows: [[5]], cached: false });
      },
    );
});
