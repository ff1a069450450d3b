import { afterEach, describe, expect, it } from 'vitest';
import type { RosettaError } from '../errors.ts';
import { createJobService, type JobService } from './index.ts';
import { openJobStore, userPrincipal } from './test-support.ts';

const admin = userPrincipal(1, 'admin');
const developer = userPrincipal(2, 'developer');

describe('job queues', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function startedService(): Promise<JobService> {
    const { store, close } = await openJobStore('sqlite', '');
    const jobs = createJobService({ store, pollIntervalMs: 20 });
    cleanups.push(async () => {
      await jobs.stop();
      await close();
    });
    return jobs;
  }

  it("answers each type's workers and how many are busy, to admins only", async () => {
    const jobs = await startedService();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    jobs.register('slow', {
      concurrency: 3,
      timeoutMs: 10_000,
      onInterrupted: 'fail',
      async run() {
        started();
        await held;
      },
    });
    jobs.register('quick', { concurrency: 1, timeoutMs: 10_000, onInterrupted: 'fail', run: async () => 1 });
    await jobs.start();
    expect(jobs.queues(admin)).toEqual([
      { type: 'slow', workers: 3, busy: 0 },
      { type: 'quick', workers: 1, busy: 0 },
    ]);
    const job = await jobs.enqueue(admin, 'slow', {});
    await running;
    expect(jobs.queues(admin)[0]).toEqual({ type: 'slow', workers: 3, busy: 1 });
    release();
    await jobs.wait(job.id, { timeoutMs: 5000 });
    await expect.poll(() => jobs.queues(admin)[0].busy).toBe(0);
    expect(() => jobs.queues(developer)).toThrow(
      expect.objectContaining({ code: 'ERR_FORBIDDEN' }) as unknown as RosettaError,
    );
  });
});
