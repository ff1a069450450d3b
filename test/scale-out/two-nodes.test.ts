import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempClickhouseDatabase, type TempClickhouseDatabase } from '../support/clickhouse.ts';
import { createTempPostgres, type TempDatabase } from '../support/databases.ts';
import { ensureServerBuild } from '../support/server-build.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

/**
 * Two Rosetta processes behind no load balancer but the test itself: one PostgreSQL metadata
 * database, managed storage on one ClickHouse database, export files as PostgreSQL large objects
 * (no shared directory). Whatever one node does, the other must see.
 */
const KEY = `scale-out-${randomBytes(24).toString('hex')}`;
// Schedules fire for this long while both nodes run (SCALE_OUT_SCHEDULE_SECONDS to soak longer).
const SCHEDULE_SECONDS = Number(process.env.SCALE_OUT_SCHEDULE_SECONDS ?? 75);

const metadata: TempDatabase = await createTempPostgres('rosetta_nodes_meta');
const warehouse: TempDatabase = await createTempPostgres('rosetta_nodes_wh');
const storage: TempClickhouseDatabase = await createTempClickhouseDatabase('rosetta_nodes');
const available = metadata.available && warehouse.available && storage.available;
let nodeA: ServerProcess;
let nodeB: ServerProcess;
const dataDirs: string[] = [];

async function startNode(environment: Record<string, string>): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-node-'));
  dataDirs.push(dataDir);
  return startServerProcess({ dataDir, env: environment, timeoutMs: 120_000 });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
async function api(node: ServerProcess, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${node.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      'cache-control': 'max-age=0',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return parsed;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

beforeAll(async () => {
  if (!available) return;
  ensureServerBuild();
  const environment = {
    DATABASE_URL: metadata.url,
    ROSETTA_STORAGE_URL: storage.url.replace(/^http/, 'clickhouse'),
    ROSETTA_SECRET: randomBytes(24).toString('base64url'),
    ROSETTA_BOOTSTRAP_API_KEY: KEY,
    ROSETTA_ADMIN_PASSWORD: 'two-nodes-password',
    ROSETTA_DEMO: 'false',
    ROSETTA_OUTBOUND_ALLOW: '127.0.0.1',
  };
  // One after the other: the first start sets the metadata up.
  nodeA = await startNode(environment);
  nodeB = await startNode(environment);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([nodeA?.stop(), nodeB?.stop()]);
  await Promise.allSettled([metadata.drop(), warehouse.drop(), storage.drop()]);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

interface Source {
  uuid: string;
  id: number;
}

const totals = (node: ServerProcess, source: Source) =>
  api(node, 'POST', '/api/query', {
    source: source.uuid,
    metrics: [
      { field: 'amount', aggregation: 'sum' },
      { field: 'id', aggregation: 'count' },
    ],
  });

describe('two Rosetta nodes on one PostgreSQL and one ClickHouse', () => {
  let orders: Source;
  const pushed: { id: number; batch: number; amount: number }[] = [];
  const push = async (node: ServerProcess, batch: number, size: number) => {
    const rows = Array.from({ length: size }, (_, i) => ({
      id: batch * 1000 + i,
      batch,
      amount: Math.round((batch * 7.25 + i * 0.5) * 100) / 100,
    }));
    await api(node, 'POST', `/api/data-sources/${orders.uuid}/rows`, { mode: 'insert', rows });
    pushed.push(...rows);
  };
  const expectedSum = () => Math.round(pushed.reduce((sum, row) => sum + row.amount, 0) * 100) / 100;

  it.skipIf(!available)('queries through node B the rows pushed through node A', async () => {
    orders = await api(nodeA, 'POST', '/api/data-sources', {
      name: 'orders',
      type: 'storage',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'batch', type: 'integer' },
        { name: 'amount', type: 'number' },
      ],
      primaryKey: ['id'],
    });
    await push(nodeA, 1, 250);
    const answer = await totals(nodeB, orders);
    expect(answer.rows[0][0]).toBeCloseTo(expectedSum(), 6);
    expect(answer.rows[0][1]).toBe(250);
  });

  it.skipIf(!available)('drops a result cached on node B when node A writes or invalidates', async () => {
    await totals(nodeB, orders);
    expect((await totals(nodeB, orders)).cached).toBe(true);
    await push(nodeA, 2, 40);
    const fresh = await totals(nodeB, orders);
    expect(fresh.cached).toBe(false);
    expect(fresh.rows[0][0]).toBeCloseTo(expectedSum(), 6);
    expect(fresh.rows[0][1]).toBe(290);

    expect((await totals(nodeB, orders)).cached).toBe(true);
    await api(nodeA, 'POST', '/api/cache/invalidate', {});
    // The invalidation travels over the metadata store's notifications.
    await until('node B to drop its cache', async () =>
      (await totals(nodeB, orders)).cached === false ? true : undefined,
    );
  });

  it.skipIf(!available)('downloads through node B an export made on node A', async () => {
    const queued = await api(nodeA, 'POST', '/api/exports', {
      query: {
        source: orders.uuid,
        dimensions: [{ field: 'batch' }],
        metrics: [{ field: 'id', aggregation: 'count' }],
      },
      format: 'csv',
    });
    const job = await until('the export', async () => {
      const { job } = await api(nodeA, 'GET', `/api/jobs/${queued.job.id}`);
      return ['success', 'failed'].includes(job.status) ? job : undefined;
    });
    expect(job.status, job.error).toBe('success');
    const download = await fetch(`${nodeB.baseUrl}${job.result.downloadUrl}`);
    expect(download.status).toBe(200);
    const lines = (await download.text()).trim().split(/\r?\n/);
    expect(lines.slice(1).sort()).toEqual(['1,250', '2,40']);
  });

  it.skipIf(!available)(
    'delivers each fire time of a schedule firing every few seconds exactly once',
    async () => {
      const deliveries: string[] = [];
      const receiver: Server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          deliveries.push(JSON.parse(body).fireTime);
          response.end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const { port } = receiver.address() as { port: number };
      try {
        const chart = await api(nodeA, 'POST', '/api/charts', {
          name: 'Orders',
          query: { source: orders.uuid, metrics: [{ field: 'id', aggregation: 'count' }] },
          visualization: { type: 'table' },
        });
        const dashboard = await api(nodeA, 'POST', '/api/dashboards', {
          name: 'Orders',
          widgets: [{ id: 'tile', chartId: chart.uuid }],
        });
        const { schedule } = await api(nodeA, 'POST', '/api/schedules', {
          name: 'Every few seconds',
          cron: '*/4 * * * * *',
          target: { widget: { dashboard: dashboard.uuid, widget: 'tile' } },
          format: 'csv',
          destination: { type: 'webhook', url: `http://127.0.0.1:${port}/hook` },
        });
        await sleep(SCHEDULE_SECONDS * 1000);
        await api(nodeB, 'POST', `/api/schedules/${schedule.id}/pause`);
        const runs = await api(nodeB, 'GET', `/api/schedules/${schedule.id}/runs?limit=100`);
        const fired = new Set<string>(runs.items.map((run: { fireTime: string }) => run.fireTime));
        // Every run's delivery lands (retries included) before the count is taken.
        await until('the last deliveries', async () => (deliveries.length >= fired.size ? true : undefined));
        await sleep(3000);
        console.log(
          `schedule: ${fired.size} fire times, ${deliveries.length} deliveries in ${SCHEDULE_SECONDS} s`,
        );
        const counts = new Map<string, number>();
        for (const fireTime of deliveries) counts.set(fireTime, (counts.get(fireTime) ?? 0) + 1);
        expect(
          [...counts.values()].every((count) => count === 1),
          JSON.stringify([...counts]),
        ).toBe(true);
        expect(new Set(deliveries)).toEqual(fired);
        // Both nodes tick every 10 s: a fire time every few seconds is seen at least that often.
        expect(fired.size).toBeGreaterThanOrEqual(Math.floor(SCHEDULE_SECONDS / 10) - 1);
      } finally {
        receiver.close();
      }
    },
    (SCHEDULE_SECONDS + 120) * 1000,
  );

  it.skipIf(!available)(
    'finishes on node B the jobs of node A killed with -9, and loses no acknowledged row',
    async () => {
      const connection = await api(nodeA, 'POST', '/api/connections', {
        name: 'warehouse',
        type: 'postgres',
        ...(() => {
          const url = new URL(warehouse.url);
          return { host: url.hostname, port: Number(url.port), database: warehouse.name, user: url.username };
        })(),
      });
      // Each run of a query over this source takes a few seconds.
      const slow = await api(nodeA, 'POST', '/api/data-sources', {
        name: 'slow',
        type: 'sql',
        connectionId: connection.connection?.id ?? connection.id,
        sql: 'SELECT n FROM generate_series(1, 3) AS n, pg_sleep(6) AS pause',
      });
      const jobs = await Promise.all(
        Array.from({ length: 6 }, () =>
          api(nodeA, 'POST', '/api/query/jobs', { source: slow.uuid, dimensions: [{ field: 'n' }] }),
        ),
      );
      const acknowledged: number[] = [];
      const pushing = (async () => {
        for (let batch = 10; ; batch++) {
          try {
            await push(nodeA, batch, 100);
            acknowledged.push(batch);
          } catch {
            return;
          }
        }
      })();
      await sleep(2500);
      nodeA.child.kill('SIGKILL');
      await pushing;
      expect(acknowledged.length).toBeGreaterThan(0);

      const finished = await until(
        'the jobs to finish on node B',
        async () => {
          const states = await Promise.all(jobs.map((job) => api(nodeB, 'GET', `/api/query/jobs/${job.id}`)));
          return states.every((state) => state.status === 'success' || state.status === 'failed')
            ? states
            : undefined;
        },
        120_000,
      );
      for (const state of finished) {
        expect(state.status, state.error).toBe('success');
        expect(state.rows).toEqual([[1], [2], [3]]);
      }
      const logs = await Promise.all(jobs.map((job) => api(nodeB, 'GET', `/api/jobs/${job.id}/logs`)));
      expect(JSON.stringify(logs)).toContain('stopped sending heartbeats');

      const batches = await api(nodeB, 'POST', '/api/query', {
        source: orders.uuid,
        dimensions: [{ field: 'batch' }],
        metrics: [{ field: 'id', aggregation: 'count' }],
        filters: { field: 'batch', operator: '>=', values: [10] },
      });
      const counts = new Map<number, number>(batches.rows.map((row: [number, number]) => [row[0], row[1]]));
      for (const batch of acknowledged) expect(counts.get(batch), `batch ${batch}`).toBe(100);
      // A batch cut by the kill landed whole or not at all.
      for (const [batch, count] of counts) expect(count, `batch ${batch}`).toBe(100);
    },
    240_000,
  );
});
