import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';
import { registerOperations } from './operations.ts';
import { createServer } from './server.ts';

/** Readiness answers for each check, and metrics are served to anyone when no token is set. */
describe('readiness and open metrics', async () => {
  let warehouse: () => Promise<void> = async () => {};
  const app = createServer({ logLevel: 'silent' });
  const operations = registerOperations(app, {
    metrics: createMetrics(),
    checks: { metadata: async () => {}, warehouse: () => warehouse() },
    checkTimeoutMs: 100,
    dueJobs: async () => ({ export: 2 }),
  });
  await app.ready();
  afterAll(() => app.close());
  const ready = () => app.inject({ method: 'GET', url: '/health/ready' });

  it('names the failing check with its message', async () => {
    warehouse = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:18123\n    at stack lines');
    };
    const response = await ready();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'unready',
      checks: { metadata: 'ok', warehouse: 'connect ECONNREFUSED 127.0.0.1:18123' },
    });
  });

  it('fails a check that does not answer in time', async () => {
    warehouse = () => new Promise(() => {});
    const started = performance.now();
    const response = await ready();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(response.statusCode).toBe(503);
    expect(response.json().checks).toEqual({ metadata: 'ok', warehouse: 'no answer within 100 ms' });
  });

  it('serves metrics without credentials when no token is configured', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('rosetta_jobs_queued{type="export"} 2');
  });

  it('answers 503 stopping once the server is shutting down, whatever the checks say', async () => {
    warehouse = async () => {};
    expect((await ready()).statusCode).toBe(200);
    operations.markStopping();
    const response = await ready();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'stopping' });
  });
});
