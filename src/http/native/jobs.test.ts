import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../../core/auth/bootstrap.ts';
import { createAuthService } from '../../core/auth/index.ts';
import { createDirectoryService } from '../../core/directory/index.ts';
import { openTestStore } from '../../core/directory/test-support.ts';
import { createJobService, systemOwner } from '../../core/jobs/index.ts';
import { type App, createServer } from '../server.ts';
import { nativeApi } from './index.ts';
import { registerJobRoutes } from './jobs.ts';

describe('job routes', async () => {
  // Every module's tables, the jobs' included.
  const env = await openTestStore('sqlite');
  const auth = createAuthService({ store: env.store });
  const directory = createDirectoryService(env.store);
  const jobs = createJobService({ store: env.store, pollIntervalMs: 50 });
  let release: () => void = () => {};
  jobs.register('report', {
    concurrency: 1,
    timeoutMs: 5000,
    onInterrupted: 'fail',
    async run(_job, context) {
      await context.log('rendering');
      await context.progress(40);
      await new Promise<void>((resolve) => {
        release = resolve;
        context.signal.addEventListener('abort', () => resolve());
      });
      return { pages: 2 };
    },
  });
  let app: App;
  let adminKey: string;
  let viewerToken: string;

  beforeAll(async () => {
    adminKey = (
      await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com', adminPassword: 'admin-pass' })
    ).generatedApiKey as string;
    const admin = await auth.authenticate(adminKey);
    await directory.createUser(admin, { email: 'v@example.com', password: 'viewer-pass', role: 'viewer' });
    viewerToken = (await auth.login('v@example.com', 'viewer-pass')).token;
    app = createServer({ logLevel: 'silent' });
    await nativeApi.register(app, {
      auth: { auth },
      routes(api) {
        registerJobRoutes(api, { jobs });
      },
    });
    await app.ready();
    await jobs.start();
  });
  afterAll(async () => {
    release();
    await jobs.stop();
    await app.close();
    await env.close();
  });

  const call = (method: 'GET' | 'POST', url: string, token: string) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

  it('shows a job, its logs and its end; lists with filters', async () => {
    const viewer = await auth.authenticate(viewerToken);
    const job = await jobs.enqueue(viewer, 'report', { dashboard: 7 });
    while ((await jobs.get(viewer, job.id)).progress !== 40) await new Promise((r) => setTimeout(r, 10));

    const running = await call('GET', `/api/jobs/${job.id}`, viewerToken);
    expect(running.statusCode).toBe(200);
    expect(running.json().job).toMatchObject({
      id: job.id,
      uuid: job.uuid,
      type: 'report',
      status: 'running',
    });
    expect(running.json().job).not.toHaveProperty('payload');
    const logs = await call('GET', `/api/jobs/${job.uuid}/logs`, viewerToken);
    expect(logs.json().items).toMatchObject([{ level: 'info', message: 'rendering' }]);
    expect(logs.json().items[0].time).toMatch(/Z$/);
    const after = logs.json().items[0].id;
    expect((await call('GET', `/api/jobs/${job.id}/logs?after=${after}`, viewerToken)).json().items).toEqual(
      [],
    );

    release();
    const done = await jobs.wait(job.id, { timeoutMs: 5000 });
    const finished = (await call('GET', `/api/jobs/${job.id}`, viewerToken)).json().job;
    expect(finished).toMatchObject({
      status: 'success',
      progress: 100,
      result: { pages: 2 },
      error: null,
      errorDetail: null,
    });
    expect(finished.finishedAt).toBe(done.finishedAt);

    const list = await call('GET', '/api/jobs?status=success&type=report', viewerToken);
    expect(list.json().items.map((j: { id: number }) => j.id)).toEqual([job.id]);
    expect((await call('GET', '/api/jobs?status=queued', viewerToken)).json().items).toEqual([]);
  });

  it('cancels, hides others’ jobs, and names bad input', async () => {
    const system = await jobs.enqueue(systemOwner(1), 'report', null, {
      runAfter: new Date(Date.now() + 60_000),
    });
    expect((await call('GET', `/api/jobs/${system.id}`, viewerToken)).statusCode).toBe(404);
    expect((await call('POST', `/api/jobs/${system.id}/cancel`, viewerToken)).statusCode).toBe(404);
    const cancelled = await call('POST', `/api/jobs/${system.id}/cancel`, adminKey);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().job).toMatchObject({
      status: 'cancelled',
      ownerId: null,
      error: 'cancelled',
      errorDetail: { code: 'ERR_CANCELLED', reason: 'cancelled' },
    });
    expect((await call('GET', '/api/jobs', adminKey)).json().items.length).toBe(2);
    expect((await call('GET', '/api/jobs', viewerToken)).json().items.length).toBe(1);

    const badStatus = await call('GET', '/api/jobs?status=done', viewerToken);
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error).toMatchObject({ code: 'ERR_VALIDATION', field: 'status' });
    const badAfter = await call('GET', `/api/jobs/${system.id}/logs?after=-1`, adminKey);
    expect(badAfter.json().error.field).toBe('after');
    expect((await call('GET', '/api/jobs?colour=red', adminKey)).json().error.field).toBe('colour');
    expect((await call('GET', '/api/jobs/999999', adminKey)).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/jobs' })).statusCode).toBe(401);
  });
});
