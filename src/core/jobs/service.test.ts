import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type RosettaError, validationError } from '../errors.ts';
import {
  createJobService,
  type JobDefinition,
  type JobService,
  type JobServiceOptions,
  systemOwner,
  TransientJobError,
} from './index.ts';
import { openJobStore, userPrincipal } from './test-support.ts';

const admin = userPrincipal(1, 'admin');
const ann = userPrincipal(2, 'editor');
const bob = userPrincipal(3, 'viewer');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: RosettaError) => `${e.code}${e.field ? `:${e.field}` : ''}`,
  );
const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

const postgres = await createTempPostgres('rosetta_jobs');
afterAll(async () => {
  await postgres.drop();
});

describe.each(['sqlite', 'postgres'] as const)('job service on %s', (kind) => {
  let store: Store;
  let close: () => Promise<void>;
  const services: JobService[] = [];
  let typeCounter = 0;
  const available = () => kind === 'sqlite' || postgres.available;

  beforeAll(async () => {
    if (!available()) return;
    ({ store, close } = await openJobStore(kind, postgres.url));
  });
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
  });
  afterAll(async () => {
    await close?.();
  });

  /** A started service with one fresh job type, so tests sharing a store never run each other's jobs. */
  async function serviceWith<P, R>(
    definition: Partial<JobDefinition<P, R>> & Pick<JobDefinition<P, R>, 'run'>,
    options: Partial<JobServiceOptions> & { start?: boolean } = {},
  ) {
    const jobs = createJobService({ store, pollIntervalMs: 50, heartbeatIntervalMs: 100, ...options });
    services.push(jobs);
    const type = `test-${++typeCounter}`;
    jobs.register(type, { concurrency: 1, timeoutMs: 5000, onInterrupted: 'fail', ...definition });
    if (options.start !== false) await jobs.start();
    return { jobs, type };
  }

  it.skipIf(!available())('runs a job to success with progress, logs and result', async () => {
    const { jobs, type } = await serviceWith<{ n: number }, { doubled: number }>({
      async run(job, context) {
        await context.progress(50);
        await context.log(`halfway through job ${job.id}`);
        context.log('a detail', 'debug');
        return { doubled: context.payload.n * 2 };
      },
    });
    const queued = await jobs.enqueue(ann, type, { n: 21 });
    expect(queued).toMatchObject({ status: 'queued', ownerId: 2, organizationId: 1, progress: 0 });
    const done = await jobs.wait(queued.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'success', progress: 100, result: { doubled: 42 }, attempts: 1 });
    expect(done.error).toBeNull();
    expect(Date.parse(done.finishedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(done.startedAt as string),
    );
    const logs = await jobs.logs(ann, queued.uuid);
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['info', `halfway through job ${queued.id}`],
      ['debug', 'a detail'],
    ]);
    expect(await jobs.logs(ann, queued.id, { after: logs[0].id })).toHaveLength(1);
  });

  it.skipIf(!available())('fails at once on an ordinary error, even with attempts left', async () => {
    const { jobs, type } = await serviceWith({
      maxAttempts: 3,
      async run() {
        throw new Error('the warehouse said no');
      },
    });
    const job = await jobs.wait((await jobs.enqueue(ann, type, null)).id, { timeoutMs: 5000 });
    expect(job).toMatchObject({
      status: 'failure',
      error: 'the warehouse said no',
      errorDetail: null,
      attempts: 1,
    });
    expect((await jobs.logs(ann, job.id)).at(-1)).toMatchObject({ level: 'error' });
  });

  it.skipIf(!available())('keeps the code, reason and field of a coded failure', async () => {
    const { jobs, type } = await serviceWith({
      async run() {
        throw validationError('query.dimensions[0].field', 'unknown field "colour"', 'query.unknown_field');
      },
    });
    const job = await jobs.wait((await jobs.enqueue(ann, type, null)).id, { timeoutMs: 5000 });
    expect(job).toMatchObject({
      status: 'failure',
      error: 'query.dimensions[0].field: unknown field "colour"',
      errorDetail: {
        code: 'ERR_VALIDATION',
        reason: 'query.unknown_field',
        field: 'query.dimensions[0].field',
      },
    });
  });

  it.skipIf(!available())('retries transient errors with growing back-off, then succeeds', async () => {
    const runs: number[] = [];
    const { jobs, type } = await serviceWith({
      maxAttempts: 3,
      retryDelayMs: 40,
      async run() {
        runs.push(Date.now());
        if (runs.length < 3) throw new TransientJobError(`blip ${runs.length}`);
        return 'ok';
      },
    });
    const job = await jobs.wait((await jobs.enqueue(ann, type, null)).id, { timeoutMs: 5000 });
    expect(job).toMatchObject({ status: 'success', result: 'ok', attempts: 3, error: null });
    // Equal jitter: the n-th retry waits at least half of 40·2^(n-1) ms.
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(19);
    expect(runs[2] - runs[1]).toBeGreaterThanOrEqual(39);
    const warnings = (await jobs.logs(ann, job.id)).filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^attempt 1 of 3 failed: blip 1; retry in \d+ ms$/);
  });

  it.skipIf(!available())('fails once the attempts are exhausted', async () => {
    const { jobs, type } = await serviceWith({
      async run() {
        throw new TransientJobError('still down');
      },
      retryDelayMs: 10,
    });
    const job = await jobs.wait((await jobs.enqueue(ann, type, null, { maxAttempts: 2 })).id, {
      timeoutMs: 5000,
    });
    expect(job).toMatchObject({ status: 'failure', error: 'still down (after 2 attempts)', attempts: 2 });
  });

  it.skipIf(!available())('aborts the signal and fails the job on timeout', async () => {
    let signal: AbortSignal | undefined;
    const { jobs, type } = await serviceWith({
      timeoutMs: 150,
      run: (_job, context) => {
        signal = context.signal;
        return untilAborted(context.signal);
      },
    });
    const job = await jobs.wait((await jobs.enqueue(ann, type, null)).id, { timeoutMs: 5000 });
    expect(job).toMatchObject({
      status: 'failure',
      error: 'timed out after 150 ms',
      errorDetail: { code: 'ERR_TIMEOUT', reason: 'timeout' },
      timeoutMs: 150,
    });
    expect(signal?.aborted).toBe(true);
  });

  it.skipIf(!available())('cancels a queued job at once and a running one through its signal', async () => {
    let signal: AbortSignal | undefined;
    const { jobs, type } = await serviceWith({
      run: (_job, context) => {
        signal = context.signal;
        return untilAborted(context.signal);
      },
    });
    const running = await jobs.enqueue(ann, type, null);
    const queued = await jobs.enqueue(ann, type, null);
    while ((await jobs.get(ann, running.id)).status !== 'running') await sleep(10);
    expect((await jobs.cancel(ann, queued.id)).status).toBe('cancelled');
    const cancelled = await jobs.cancel(ann, running.uuid);
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(signal?.aborted).toBe(true);
    await sleep(100);
    expect((await jobs.get(ann, running.id)).status).toBe('cancelled');
    expect((await jobs.logs(ann, running.id)).at(-1)?.message).toBe('cancelled by user 2');
    expect((await jobs.cancel(ann, running.id)).status).toBe('cancelled');
  });

  it.skipIf(!available())('refuses to cancel a finished job', async () => {
    const { jobs, type } = await serviceWith({ run: async () => 1 });
    const job = await jobs.wait((await jobs.enqueue(ann, type, null)).id, { timeoutMs: 5000 });
    expect(await codeOf(jobs.cancel(ann, job.id))).toBe('ERR_CONFLICT');
  });

  it.skipIf(!available())('returns the existing job for a repeated idempotency key', async () => {
    const { jobs, type } = await serviceWith({ run: async () => 1 }, { start: false });
    const first = await jobs.enqueue(ann, type, { a: 1 }, { idempotencyKey: 'export-7' });
    const again = await jobs.enqueue(bob, type, { a: 2 }, { idempotencyKey: 'export-7' });
    expect(again).toMatchObject({ id: first.id, payload: { a: 1 } });
    const otherOrganization = await jobs.enqueue(systemOwner(2), type, null, { idempotencyKey: 'export-7' });
    expect(otherOrganization.id).not.toBe(first.id);
    expect((await jobs.enqueue(ann, type, null)).id).not.toBe(first.id);
  });

  it.skipIf(!available())('never runs more jobs of a type at once than its concurrency', async () => {
    let current = 0;
    let peak = 0;
    const { jobs, type } = await serviceWith({
      concurrency: 3,
      async run() {
        current += 1;
        peak = Math.max(peak, current);
        await sleep(30);
        current -= 1;
      },
    });
    const queued = await Promise.all(Array.from({ length: 12 }, () => jobs.enqueue(ann, type, null)));
    const done = await Promise.all(queued.map((j) => jobs.wait(j.id, { timeoutMs: 10_000 })));
    expect(done.every((j) => j.status === 'success')).toBe(true);
    expect(peak).toBe(3);
  });

  it.skipIf(!available())('shows a user their own jobs, an admin all of the organization', async () => {
    const { jobs, type } = await serviceWith({ run: async () => 1 }, { start: false });
    const anns = await jobs.enqueue(ann, type, null);
    const system = await jobs.enqueue(systemOwner(1), type, null);
    expect((await jobs.get(ann, anns.id)).id).toBe(anns.id);
    expect(await codeOf(jobs.get(bob, anns.id))).toBe('ERR_NOT_FOUND');
    expect(await codeOf(jobs.cancel(bob, anns.id))).toBe('ERR_NOT_FOUND');
    expect(await codeOf(jobs.get(ann, system.id))).toBe('ERR_NOT_FOUND');
    expect(await codeOf(jobs.get(userPrincipal(9, 'admin', 2), anns.id))).toBe('ERR_NOT_FOUND');
    expect((await jobs.get(admin, system.uuid)).ownerId).toBeNull();
    expect((await jobs.list(ann, { type })).items.map((j) => j.id)).toEqual([anns.id]);
    expect((await jobs.list(admin, { type })).items.map((j) => j.id)).toEqual([system.id, anns.id]);
    expect((await jobs.list(admin, { type, status: 'success' })).items).toEqual([]);
  });

  it.skipIf(!available())('validates enqueue input and times out waiting', async () => {
    const { jobs, type } = await serviceWith({ run: async () => 1 }, { start: false });
    expect(await codeOf(jobs.enqueue(ann, 'no-such-type', null))).toBe('ERR_VALIDATION:type');
    expect(await codeOf(jobs.enqueue(ann, type, null, { maxAttempts: 0 }))).toBe(
      'ERR_VALIDATION:maxAttempts',
    );
    const job = await jobs.enqueue(ann, type, null);
    expect(await codeOf(jobs.wait(job.id, { timeoutMs: 50 }))).toBe('ERR_TIMEOUT');
  });

  it.skipIf(!available())('waits for run_after before starting a job', async () => {
    const { jobs, type } = await serviceWith({ run: async () => Date.now() });
    const enqueuedAt = Date.now();
    const job = await jobs.enqueue(ann, type, null, { runAfter: new Date(enqueuedAt + 200) });
    const done = await jobs.wait(job.id, { timeoutMs: 5000 });
    expect(done.result as number).toBeGreaterThanOrEqual(enqueuedAt + 200);
  });

  it.skipIf(!available())('caps the log lines of a job', async () => {
    const { jobs, type } = await serviceWith(
      {
        async run(_job, context) {
          for (let i = 0; i < 10; i++) await context.log(`line ${i}`);
        },
      },
      { maxLogLines: 4 },
    );
    const job = await jobs.wait((await jobs.enqueue(ann, type, null)).id, { timeoutMs: 5000 });
    const messages = (await jobs.logs(ann, job.id)).map((l) => l.message);
    expect(messages).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'log truncated at 4 lines']);
  });

  it.skipIf(!available())('requeues or fails jobs whose worker stopped sending heartbeats', async () => {
    let ran = 0;
    const { jobs, type } = await serviceWith(
      { onInterrupted: 'requeue', run: async () => ++ran },
      { start: false, singleProcess: false, staleAfterMs: 500 },
    );
    const failType = `${type}-fail`;
    jobs.register(failType, {
      concurrency: 1,
      timeoutMs: 5000,
      onInterrupted: 'fail',
      run: async () => ++ran,
    });
    await jobs.start();
    const later = { runAfter: new Date(Date.now() + 3_600_000) };
    const a = await jobs.enqueue(ann, type, null, later);
    const b = await jobs.enqueue(ann, failType, null, later);
    // Another process claimed both and died: running, under a lease nobody renews.
    await store.db
      .updateTable('jobs')
      .set({
        status: 'running',
        claim_token: 'dead',
        attempts: 1,
        heartbeat_at: new Date(Date.now() - 1000).toISOString(),
      })
      .where('id', 'in', [a.id, b.id])
      .execute();
    expect(await jobs.wait(a.id, { timeoutMs: 5000 })).toMatchObject({ status: 'success', attempts: 1 });
    expect(await jobs.wait(b.id, { timeoutMs: 5000 })).toMatchObject({
      status: 'failure',
      error: 'interrupted: its worker stopped sending heartbeats',
    });
    expect(ran).toBe(1);
    const notes = (await jobs.logs(ann, a.id)).map((l) => l.message);
    expect(notes).toEqual(['interrupted: its worker stopped sending heartbeats; queued again']);
  });

  it.skipIf(!available())('requeues running jobs of a requeue type when stopped', async () => {
    const { jobs, type } = await serviceWith({
      onInterrupted: 'requeue',
      run: (_j, c) => untilAborted(c.signal),
    });
    const job = await jobs.enqueue(ann, type, null);
    while ((await jobs.get(ann, job.id)).status !== 'running') await sleep(10);
    await jobs.stop();
    expect(await jobs.get(ann, job.id)).toMatchObject({ status: 'queued', attempts: 0 });
  });
});
