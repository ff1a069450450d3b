import { type JobService, systemOwner } from '../jobs/index.ts';
import { nextFireTime } from './cron.ts';
import { advanceSchedule, type Db, dueSchedules, recordRun } from './repo.ts';
import { type ScheduleKind, scheduleJobTypes } from './types.ts';

/**
 * Turns due fire times into jobs, exactly once per fire time across processes and restarts:
 *
 * 1. enqueue the run with the idempotency key `schedule:<id>:<fire time>` — every process that
 *    saw the schedule due gets the same single job;
 * 2. advance `next_run_at` with a compare-and-set on the fire time — one process wins.
 *
 * Enqueueing before advancing means a crash in between loses nothing: after the restart the
 * schedule is still due and the same key finds the same job. The next fire time is computed from
 * now, not from the missed one, so a schedule that was due many times while the server was down
 * runs once at start-up and then continues on its cron.
 */

const BATCH = 100;

export function createTicker(deps: {
  db: Db;
  jobs: Pick<JobService, 'enqueue'>;
  now: () => Date;
  tickMs: number;
  onError: (error: unknown) => void;
}) {
  const { db, jobs, now } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function fireDue(): Promise<number> {
    let claimed = 0;
    const at = now();
    for (const row of await dueSchedules(db, at.toISOString(), BATCH)) {
      const fireTime = row.next_run_at as string;
      try {
        const job = await jobs.enqueue(
          systemOwner(row.organization_id),
          scheduleJobTypes[row.kind as ScheduleKind],
          { scheduleId: row.id, fireTime },
          { idempotencyKey: `schedule:${row.id}:${fireTime}` },
        );
        await recordRun(db, {
          scheduleId: row.id,
          fireTime,
          trigger: 'cron',
          jobId: job.id,
          now: at.toISOString(),
        });
        const next = nextFireTime(row.cron, row.timezone, at)?.toISOString() ?? null;
        if (await advanceSchedule(db, row.id, fireTime, next, at.toISOString())) claimed += 1;
      } catch (error) {
        // One broken schedule must not hold up the others; it is tried again next tick.
        deps.onError(error);
      }
    }
    return claimed;
  }

  /** Ticks never overlap in one process; a tick asked for during another waits for it. */
  function tick(): Promise<number> {
    const previous = running ?? Promise.resolve(0);
    const next = previous.then(fireDue, fireDue).finally(() => {
      if (running === next) running = undefined;
    });
    running = next;
    return next;
  }

  return {
    tick,
    async start(): Promise<void> {
      if (timer) return;
      await tick();
      timer = setInterval(() => tick().catch(deps.onError), deps.tickMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => 0);
    },
  };
}
