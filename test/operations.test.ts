import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemOwner } from '../src/core/jobs/index.ts';
import { CACHE_BUST_JOB_TYPE } from '../src/core/query/cache-busts.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/** `/metrics` and `/health/ready` on a whole server: what operators' tooling reads. */

const METRICS_TOKEN = 'scrape-token-0123456789';

/** The value of one sample of the Prometheus text, 0 when the series does not exist yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

let app: TestApp;
const scrape = async () => {
  const response = await app.rosetta.server.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
};

beforeAll(async () => {
  app = await startTestApp({ demo: false, env: { ROSETTA_METRICS_TOKEN: METRICS_TOKEN } });
}, 60_000);
afterAll(() => app?.close());

describe('GET /metrics', () => {
  it('asks for the configured token', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${METRICS_TOKEN}`]) {
      const response = await app.rosetta.server.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.message).toContain('ROSETTA_METRICS_TOKEN');
      expect(response.body).not.toContain('rosetta_http_requests_total');
    }
  });

  it('counts requests by route pattern and status, never by raw URL', async () => {
    const before = await scrape();
    const byId = 'rosetta_http_requests_total{method="GET",route="/api/dashboards/:id",status="404"}';
    const unmatched = 'rosetta_http_requests_total{method="DELETE",route="unmatched",status="404"}';
    for (const id of ['900001', '900002', '900003'])
      expect((await app.request('GET', `/api/dashboards/${id}`)).status).toBe(404);
    // Every GET path is the web app's; no route takes a DELETE of these.
    for (const path of ['/no/such/page-1', '/no/such/page-2'])
      expect((await app.rosetta.server.inject({ method: 'DELETE', url: path })).statusCode).toBe(404);
    const after = await scrape();
    expect(sample(after, byId) - sample(before, byId)).toBe(3);
    expect(sample(after, unmatched) - sample(before, unmatched)).toBe(2);
    expect(after).not.toContain('/api/dashboards/900001');
    expect(after).not.toContain('/no/such');
    const histogram = 'rosetta_http_request_duration_seconds_count{method="GET",route="/api/dashboards/:id"}';
    expect(sample(after, histogram) - sample(before, histogram)).toBe(3);
    expect(after).toContain('process_cpu_user_seconds_total');
  });

  it('counts rows ingested, warehouse statements per engine and cache hits', async () => {
    const created = await app.request('POST', '/api/data-sources', {
      type: 'storage',
      name: 'metered',
      columns: [
        { name: 'id', type: 'number' },
        { name: 'amount', type: 'number' },
      ],
    });
    expect(created.status).toBe(201);
    const uuid = created.body.uuid;
    const before = await scrape();
    const rows = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ id: from + i, amount: i }));
    for (const [from, count] of [
      [0, 7],
      [100, 5],
    ])
      expect(
        (
          await app.request('POST', `/api/data-sources/${uuid}/rows`, {
            mode: 'insert',
            rows: rows(from, count),
          })
        ).status,
      ).toBe(200);
    const query = { source: uuid, metrics: [{ field: 'amount', aggregation: 'sum' }] };
    const first = await app.request('POST', '/api/query', query);
    const second = await app.request('POST', '/api/query', query);
    expect(first.status).toBe(200);
    // 0..6 and 0..4, summed independently of the engine.
    expect(Number(first.body.rows[0][0])).toBe(21 + 10);
    expect([first.body.cached, second.body.cached]).toEqual([false, true]);
    const after = await scrape();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('rosetta_ingest_rows_total')).toBe(12);
    expect(delta('rosetta_query_duration_seconds_count{engine="duckdb"}')).toBe(1);
    expect(delta('rosetta_query_duration_seconds_sum{engine="duckdb"}')).toBeGreaterThan(0);
    expect(delta('rosetta_query_cache_hits_total')).toBe(1);
    expect(delta('rosetta_query_cache_misses_total')).toBe(1);
  });

  it('reads the due jobs per type from the jobs table at each scrape', async () => {
    const { jobs } = app.rosetta.services;
    // A stopped worker claims nothing: what is enqueued now stays due.
    await jobs.stop();
    const series = `rosetta_jobs_queued{type="${CACHE_BUST_JOB_TYPE}"}`;
    expect(sample(await scrape(), series)).toBe(0);
    for (let i = 0; i < 3; i++) await jobs.enqueue(systemOwner(1), CACHE_BUST_JOB_TYPE, {});
    expect(sample(await scrape(), series)).toBe(3);
  });
});

describe('GET /health/ready', () => {
  it('is ready when the metadata store and the warehouse answer', async () => {
    const response = await app.rosetta.server.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { metadata: 'ok', warehouse: 'ok' } });
  });
});
