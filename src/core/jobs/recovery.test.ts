import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { openPostgresStore, openSqliteStore } from '../../store/database.ts';
import { createJobService, type JobService, systemOwner } from './index.ts';
import { migrateJobs, tempSqliteFile } from './test-support.ts';

const fixture = fileURLToPath(new URL('./crash-child.fixture.ts', import.meta.url));

/** Runs the fixture until its jobs are inside their handlers, then kills it without warning. */
async function crashChildMidRun(file: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('running') && resolve());
    child.on('exit', (code) => reject(new Error(`fixture exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('crash recovery', () => {
  it('requeues or fails the jobs a killed process left running', async () => {
    const temp = tempSqliteFile();
    await crashChildMidRun(temp.file);
    const store = openSqliteStore(temp.file);
    try {
      const left = await store.db.selectFrom('jobs').select(['id', 'type', 'status']).orderBy('id').execute();
      expect(left.map((j) => j.status)).toEqual(['running', 'running', 'running']);

      const jobs = createJobService({ store, pollIntervalMs: 50 });
      const definition = { concurrency: 1, timeoutMs: 5000 };
      jobs.register('crash-requeue', {
        ...definition,
        onInterrupted: 'requeue',
        run: async () => 'recovered',
      });
      jobs.register('crash-fail', { ...definition, onInterrupted: 'fail', run: async () => 'never' });
      await jobs.start();
      const [requeued, failed, unregistered] = await Promise.all(
        left.map((j) => jobs.wait(j.id, { timeoutMs: 5000 })),
      );
      await jobs.stop();
      expect(requeued).toMatchObject({ status: 'success', result: 'recovered', attempts: 1 });
      expect(failed).toMatchObject({ status: 'failure', error: 'interrupted by a restart' });
      expect(unregistered).toMatchObject({ status: 'failure', error: 'interrupted by a restart' });
      const running = await store.db
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'running')
        .execute();
      expect(running).toEqual([]);
      const logs = await store.db
        .selectFrom('job_logs')
        .select('message')
        .where('job_id', '=', left[0].id)
        .execute();
      expect(logs.map((l) => l.message)).toEqual([
        'started in the child',
        'interrupted by a restart; queued again',
      ]);
    } finally {
      await store.close();
      temp.remove();
    }
  });
});

describe('several processes on one PostgreSQL database', async () => {
  const postgres = await createTempPostgres('rosetta_jobs_claim');
  afterAll(() => postgres.drop());

  it.skipIf(!postgres.available)('never runs the same job twice', async () => {
    const stores = [openPostgresStore(postgres.url), openPostgresStore(postgres.url)];
    await migrateJobs(stores[0]);
    const runs: { jobId: number; worker: number }[] = [];
    const services: JobService[] = stores.map((store, worker) => {
      const jobs = createJobService({ store, pollIntervalMs: 20 });
      jobs.register('claim-race', {
        concurrency: 4,
        timeoutMs: 5000,
        onInterrupted: 'fail',
        async run(job) {
          runs.push({ jobId: job.id, worker });
          await new Promise((resolve) => setTimeout(resolve, 5));
        },
      });
      return jobs;
    });
    try {
      const queued = await Promise.all(
        Array.from({ length: 50 }, (_, i) => services[i % 2].enqueue(systemOwner(1), 'claim-race', { i })),
      );
      await Promise.all(services.map((s) => s.start()));
      const done = await Promise.all(queued.map((j) => services[0].wait(j.id, { timeoutMs: 20_000 })));
      expect(done.every((j) => j.status === 'success' && j.attempts === 1)).toBe(true);
      const byId = (a: number, b: number) => a - b;
      expect(runs.map((r) => r.jobId).sort(byId)).toEqual(queued.map((j) => j.id).sort(byId));
      // Both processes took part, or the race was never run.
      expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
    } finally {
      for (const service of services) await service.stop();
      for (const store of stores) await store.close();
    }
  });
});
