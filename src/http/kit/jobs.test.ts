import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldError, RosettaError, validationError } from '../../core/errors.ts';
import { createJobService, type Job, type JobService } from '../../core/jobs/index.ts';
import { openJobStore, userPrincipal } from '../../core/jobs/test-support.ts';
import type { Store } from '../../store/database.ts';
import { jobFailure, jobView, syncOrJob } from './jobs.ts';

/** Sync-or-job replies over a real job service on SQLite: what a face gets back in each mode. */
describe('sync-or-job replies', () => {
  const principal = userPrincipal(1, 'editor');
  let store: Store;
  let close: () => Promise<void>;
  let jobs: JobService;
  /** Releases of the `held` jobs now running, in the order they started. */
  const running: Array<() => void> = [];
  const nextRunning = async () => {
    while (running.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    return running.shift() as () => void;
  };

  beforeAll(async () => {
    ({ store, close } = await openJobStore('sqlite', ''));
    jobs = createJobService({ store, pollIntervalMs: 50, heartbeatIntervalMs: 100 });
    const define = (type: string, run: (payload: { value?: number }) => Promise<unknown>) =>
      jobs.register<{ value?: number }, unknown>(type, {
        concurrency: 2,
        timeoutMs: 5000,
        onInterrupted: 'fail',
        run: (_job, { payload }) => run(payload),
      });
    define('double', async ({ value = 0 }) => ({ doubled: value * 2 }));
    define('refuse', async () => {
      throw fieldError('ERR_LIMIT', 'file', 'larger than the upload limit of 1 MB');
    });
    define('crash', async () => {
      throw new Error('a broken invariant');
    });
    define('held', () => new Promise((resolve) => running.push(() => resolve('released'))));
    await jobs.start();
  });
  afterAll(async () => {
    await jobs.stop();
    await close();
  });

  const enqueue = (type: string, value?: number) => () => jobs.enqueue(principal, type, { value });

  it('hands back the queued job when asked async, without waiting', async () => {
    const { job, finished } = await syncOrJob(jobs, { async: true, enqueue: enqueue('held') });
    expect(finished).toBe(false);
    expect(jobView(job)).toEqual({ id: job.uuid, state: 'queued', progress: 0 });
    (await nextRunning())();
    const done = await jobs.wait(job.id, { timeoutMs: 5000 });
    expect(jobView(done)).toEqual({ id: job.uuid, state: 'success', result: 'released' });
  });

  it('waits for the end when asked sync and returns the finished job', async () => {
    const { job, finished } = await syncOrJob(jobs, { async: false, enqueue: enqueue('double', 21) });
    expect(finished).toBe(true);
    expect(job.status).toBe('success');
    expect(jobView(job)).toEqual({ id: job.uuid, state: 'success', result: { doubled: 42 } });
  });

  it('throws the coded error a failed job stored, field and problem included', async () => {
    const error = await syncOrJob(jobs, { async: false, enqueue: enqueue('refuse') }).catch((e) => e);
    expect(error).toBeInstanceOf(RosettaError);
    expect(error).toMatchObject({
      code: 'ERR_LIMIT',
      reason: 'limit',
      field: 'file',
      message: 'file: larger than the upload limit of 1 MB',
      problem: 'larger than the upload limit of 1 MB',
    });
  });

  it('keeps a failed job when the face reports failures in its reply', async () => {
    const { job, finished } = await syncOrJob(jobs, {
      async: false,
      enqueue: enqueue('refuse'),
      keepFailures: true,
    });
    expect(finished).toBe(true);
    expect(jobView(job)).toEqual({
      id: job.uuid,
      state: 'failure',
      error: {
        code: 'ERR_LIMIT',
        reason: 'limit',
        field: 'file',
        message: 'file: larger than the upload limit of 1 MB',
      },
    });
  });

  it('answers an uncoded crash as an internal error, never as a client error', async () => {
    const error = await syncOrJob(jobs, { async: false, enqueue: enqueue('crash') }).catch((e) => e);
    expect(error).not.toBeInstanceOf(RosettaError);
    expect(error.message).toBe('a broken invariant');
    const { job } = await syncOrJob(jobs, { async: false, enqueue: enqueue('crash'), keepFailures: true });
    expect(jobView(job).error).toEqual({ code: 'ERR_INTERNAL', message: 'a broken invariant' });
  });

  it('gives up waiting after the budget with ERR_TIMEOUT while the job runs on', async () => {
    let queued: Job | undefined;
    const enqueueHeld = async () => (queued = await enqueue('held')());
    const error = await syncOrJob(jobs, { async: false, enqueue: enqueueHeld, waitMs: 100 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'ERR_TIMEOUT' });
    const release = await nextRunning();
    const id = queued?.id ?? 0;
    expect((await jobs.get(principal, id)).status).toBe('running');
    release();
    expect((await jobs.wait(id, { timeoutMs: 5000 })).status).toBe('success');
  });

  it('maps a cancelled job to ERR_CANCELLED', async () => {
    const { job } = await syncOrJob(jobs, { async: true, enqueue: enqueue('held') });
    const release = await nextRunning();
    await jobs.cancel(principal, job.uuid);
    const cancelled = await jobs.wait(job.id, { timeoutMs: 5000 });
    expect(jobView(cancelled)).toMatchObject({ state: 'cancelled', error: { code: 'ERR_CANCELLED' } });
    expect(jobFailure(cancelled)).toMatchObject({ code: 'ERR_CANCELLED' });
    release();
  });

  it('keeps a message that does not start with its field whole', () => {
    const stored = validationError('name', 'x');
    const job = {
      uuid: 'u',
      status: 'failure',
      error: 'a message of its own',
      errorDetail: { code: stored.code, reason: stored.reason, field: 'name' },
    } as Parameters<typeof jobFailure>[0];
    expect(jobFailure(job)).toMatchObject({
      message: 'a message of its own',
      problem: 'a message of its own',
    });
  });
});
