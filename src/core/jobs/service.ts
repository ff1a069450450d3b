import type { Store } from '../../store/database.ts';
import type { Action } from '../auth/actions.ts';
import { authorize, can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, notFound, RosettaError, validationError } from '../errors.ts';
import { byIdNewestFirst, type Page, type PageRequest, pageFromRows, pageWindow } from '../paging.ts';
import { appendLog, cancelJob, dueJobCounts, findJob, insertJob, listJobs, readLogs, toJob } from './repo.ts';
import {
  type EnqueueOptions,
  isFinished,
  type Job,
  type JobDefinition,
  type JobFilters,
  type JobLogLine,
  type JobOwner,
  type JobQueue,
} from './types.ts';
import { createWorker, JobAbort } from './worker.ts';

export interface JobServiceOptions {
  store: Pick<Store, 'db' | 'kind'>;
  /** The clock of stored timestamps and due times. */
  now?: () => Date;
  /** How often the loop looks for due jobs enqueued by other processes and for dead workers. Default 1 000. */
  pollIntervalMs?: number;
  /** Default 5 000; a running job whose heartbeat is older than `staleAfterMs` (default 4×) is interrupted. */
  heartbeatIntervalMs?: number;
  staleAfterMs?: number;
  /**
   * True when no other process works on this store, so every job found running at start is an
   * orphan. Default: true on SQLite, false on PostgreSQL (there only stale heartbeats count).
   */
  singleProcess?: boolean;
  /** Log lines kept per job. Default 1 000. */
  maxLogLines?: number;
  /** Default 5 000. */
  abortGraceMs?: number;
  onError?: (error: unknown) => void;
}

export interface JobService {
  register<P, R>(type: string, definition: JobDefinition<P, R>): void;
  enqueue(owner: JobOwner, type: string, payload: unknown, options?: EnqueueOptions): Promise<Job>;
  get(principal: Principal, ref: number | string, access?: JobAccess): Promise<Job>;
  /** Newest first, one page (100 jobs unless the request says otherwise). */
  list(principal: Principal, filters?: JobFilters, page?: PageRequest): Promise<Page<Job>>;
  logs(
    principal: Principal,
    ref: number | string,
    options?: { after?: number; limit?: number },
  ): Promise<JobLogLine[]>;
  cancel(principal: Principal, ref: number | string, access?: JobAccess): Promise<Job>;
  /** Each job type's workers in this process and how many are busy (admins: `job.all`). */
  queues(principal: Principal): JobQueue[];
  /** Jobs due and not yet claimed, per type, across every node (operations: the metrics). */
  dueCounts(): Promise<Record<string, number>>;
  /** Resolves with the job once it has ended; ERR_TIMEOUT after `timeoutMs`. */
  wait(id: number, options: { timeoutMs: number }): Promise<Job>;
  start(): Promise<void>;
  /** Stops claiming jobs; running ones may finish within `graceMs` (default 0), then are interrupted. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * The right that lets a caller follow their own job, `job.own` by default. A module that queues
 * jobs as part of another action names that action (query jobs: `query.adhoc`, which a data-API
 * key carries although it follows no other job).
 */
export interface JobAccess {
  action: Action;
}

/** Admins see every job of their organization (`job.all`); everyone else only the jobs they own. */
const seesAllJobs = (p: Principal): boolean => can(p, 'job.all');

export function createJobService(options: JobServiceOptions): JobService {
  const { db } = options.store;
  const now = options.now ?? (() => new Date());
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
  const definitions = new Map<string, JobDefinition>();
  const waiters = new Map<number, Set<() => void>>();
  const notify = (jobId: number) => {
    for (const wake of waiters.get(jobId) ?? []) wake();
  };
  const worker = createWorker({
    db,
    definitions,
    now,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    heartbeatIntervalMs,
    staleAfterMs: options.staleAfterMs ?? heartbeatIntervalMs * 4,
    singleProcess: options.singleProcess ?? options.store.kind === 'sqlite',
    maxLogLines: options.maxLogLines ?? 1000,
    abortGraceMs: options.abortGraceMs ?? 5000,
    onSettled: notify,
    onError: options.onError ?? ((error) => console.error('jobs:', error)),
  });

  async function visibleRow(principal: Principal, ref: number | string, access?: JobAccess) {
    authorize(principal, access?.action ?? 'job.own');
    const row = await findJob(db, ref);
    const visible =
      row?.organization_id === principal.organizationId &&
      (seesAllJobs(principal) || row.owner_id === principal.userId);
    if (!row || !visible) throw notFound('job', ref);
    return row;
  }

  return {
    register(type, definition) {
      if (definitions.has(type)) throw new Error(`job type "${type}" registered twice`);
      if (!(definition.concurrency >= 1 && definition.timeoutMs > 0)) {
        throw new Error(`job type "${type}" needs a concurrency ≥ 1 and a positive timeout`);
      }
      definitions.set(type, definition as JobDefinition);
    },

    async enqueue(owner, type, payload, enqueueOptions = {}) {
      const definition = definitions.get(type);
      if (!definition) throw validationError('type', `unknown job type "${type}"`);
      const { idempotencyKey, runAfter } = enqueueOptions;
      const maxAttempts = enqueueOptions.maxAttempts ?? definition.maxAttempts ?? 1;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
        throw validationError('maxAttempts', 'must be an integer from 1 to 100');
      }
      if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
        throw validationError('idempotencyKey', 'must be 1 to 200 characters');
      }
      if (runAfter !== undefined && Number.isNaN(runAfter.getTime())) {
        throw validationError('runAfter', 'must be a valid date');
      }
      const { row, created } = await insertJob(db, {
        organizationId: owner.organizationId,
        ownerId: owner.kind === 'system' ? null : owner.userId,
        type,
        payload: JSON.stringify(payload ?? null),
        maxAttempts,
        timeoutMs: definition.timeoutMs,
        runAfter: (runAfter ?? now()).toISOString(),
        idempotencyKey: idempotencyKey ?? null,
        now: now().toISOString(),
      });
      if (created) worker.wake(runAfter);
      return toJob(row);
    },

    async get(principal, ref, access) {
      return toJob(await visibleRow(principal, ref, access));
    },

    async list(principal, filters = {}, page = {}) {
      authorize(principal, 'job.own');
      const window = pageWindow(page, byIdNewestFirst);
      const ownerId = seesAllJobs(principal) ? null : principal.userId;
      const rows = await listJobs(db, principal.organizationId, ownerId, filters, window);
      return pageFromRows(rows.map(toJob), window, byIdNewestFirst);
    },

    async logs(principal, ref, { after = 0, limit = 1000 } = {}) {
      const row = await visibleRow(principal, ref);
      return readLogs(db, row.id, after, Math.max(1, Math.min(limit, 10_000)));
    },

    async cancel(principal, ref, access) {
      const row = await visibleRow(principal, ref, access);
      const status = toJob(row).status;
      if (status === 'cancelled') return toJob(row);
      if (isFinished(status)) throw conflict(`job ${row.id} already ended (${status})`);
      // The row is the truth: writing `cancelled` first makes the running attempt's own writes
      // no-ops, and its heartbeat aborts it in whichever process runs it.
      if (await cancelJob(db, row.id, now().toISOString())) {
        await appendLog(db, row.id, now().toISOString(), 'warn', `cancelled by user ${principal.userId}`);
        worker.abort(row.id, new JobAbort('cancel', 'cancelled'));
        notify(row.id);
      }
      return toJob(await visibleRow(principal, row.id, access));
    },

    async wait(id, { timeoutMs }) {
      const deadline = Date.now() + timeoutMs;
      const pollMs = options.pollIntervalMs ?? 1000;
      for (;;) {
        const row = await findJob(db, id);
        if (!row) throw notFound('job', id);
        const job = toJob(row);
        if (isFinished(job.status)) return job;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new RosettaError('ERR_TIMEOUT', `job ${id} did not finish within ${timeoutMs} ms`);
        // Woken by this process's worker; polling covers jobs that end in another process.
        await new Promise<void>((resolve) => {
          const set = waiters.get(id) ?? new Set();
          const wake = () => {
            clearTimeout(timer);
            set.delete(wake);
            if (set.size === 0) waiters.delete(id);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, pollMs));
          set.add(wake);
          waiters.set(id, set);
        });
      }
    },

    queues(principal) {
      authorize(principal, 'job.all');
      return [...definitions].map(([type, definition]) => ({
        type,
        workers: definition.concurrency,
        busy: worker.busy(type),
      }));
    },
    dueCounts: () => dueJobCounts(db, now().toISOString()),
    start: () => worker.start(),
    stop: (stopOptions) => worker.stop(stopOptions?.graceMs),
  };
}
