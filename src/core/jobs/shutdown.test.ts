import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../../store/database.ts';
import { createJobService, type JobService, systemOwner } from './index.ts';
import { migrateJobs, tempSqliteFile } from './test-support.ts';

/** A stopping server stops claiming, lets running jobs finish within the grace, then interrupts. */
describe('stopping the job service', () => {
  const opened: { store: Store; remove(): void }[] = [];
  afterEach(async () => {
    for (const { store, remove } of opened.splice(0)) {
      await store.close();
      remove();
    }
  });

  async function jobsWith(
    runMs: number,
  ): Promise<{ jobs: JobService; store: Store; started: Promise<void> }> {
    const temp = tempSqliteFile();
    const store = openSqliteStore(temp.file);
    opened.push({ store, remove: temp.remove });
    await migrateJobs(store);
    const jobs = createJobService({ store, pollIntervalMs: 20 });
    let markStarted = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    jobs.register('slow', {
      concurrency: 2,
      timeoutMs: 60_000,
      onInterrupted: 'requeue',
      run: async (_job, { signal }) => {
        markStarted();
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, runMs);
          const abort = () => {
            clearTimeout(timer);
            reject(signal.reason);
          };
          signal.addEventListener('abort', abort, { once: true });
        });
        return 'done';
      },
    });
    await jobs.start();
    return { jobs, store, started };
  }

  const statusOf = async (store: Store, id: number) =>
    (await store.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow())
      .status;

  it('lets a running job finish within the grace and claims nothing new', async () => {
    const { jobs, store, started } = await jobsWith(300);
    const running = await jobs.enqueue(systemOwner(1), 'slow', {});
    await started;
    const stopping = jobs.stop({ graceMs: 10_000 });
    const later = await jobs.enqueue(systemOwner(1), 'slow', {});
    const began = performance.now();
    await stopping;
    expect(performance.now() - began).toBeLessThan(5_000);
    expect(await statusOf(store, running.id)).toBe('success');
    expect(await statusOf(store, later.id)).toBe('queued');
    expect(await jobs.dueCounts()).toEqual({ slow: 1 });
  });

  it('interrupts a job still running when the grace ends, queueing it again for another node', async () => {
    const { jobs, store, started } = await jobsWith(60_000);
    const running = await jobs.enqueue(systemOwner(1), 'slow', {});
    await started;
    const began = performance.now();
    await jobs.stop({ graceMs: 200 });
    expect(performance.now() - began).toBeGreaterThanOrEqual(190);
    expect(performance.now() - began).toBeLessThan(5_000);
    expect(await statusOf(store, running.id)).toBe('queued');
    expect(await jobs.dueCounts()).toEqual({ slow: 1 });
  });
});
