import { openSqliteStore } from '../../store/database.ts';
import { createJobService, systemOwner } from './index.ts';
import { migrateJobs } from './test-support.ts';

/**
 * Child process of the crash-recovery test: starts one job of each recovery kind on the SQLite
 * file given as argument, prints `running` once all handlers are inside their run, and hangs
 * until the test kills it with SIGKILL.
 */
const store = openSqliteStore(process.argv[2]);
await migrateJobs(store);
const jobs = createJobService({ store, pollIntervalMs: 50, heartbeatIntervalMs: 100 });
const types = ['crash-requeue', 'crash-fail', 'crash-unregistered'];
let started = 0;
for (const type of types) {
  jobs.register(type, {
    concurrency: 1,
    timeoutMs: 60_000,
    onInterrupted: type === 'crash-requeue' ? 'requeue' : 'fail',
    async run(_job, context) {
      await context.log('started in the child');
      if (++started === types.length) console.log('running');
      await new Promise((resolve) => setTimeout(resolve, 60_000));
    },
  });
  await jobs.enqueue(systemOwner(1), type, { type });
}
await jobs.start();
