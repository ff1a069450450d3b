import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../store/database.ts';
import { isRosettaError } from '../errors.ts';
import { appendLog, claimJob, countLogs, dueJobIds, runningJobs, toJob, updateAttempt } from './repo.ts';
import type { JobRow } from './tables.ts';
import {
  type JobContext,
  type JobDefinition,
  type JobErrorDetail,
  type LogLevel,
  TransientJobError,
} from './types.ts';

/**
 * The in-process worker: claims due jobs per type up to each type's concurrency, runs one
 * attempt at a time per job under a lease (`claim_token`), heartbeats it, and settles it. The
 * database row is the truth: a cancel or a takeover by another process changes the row, the
 * heartbeat notices, and the attempt's signal is aborted.
 */

type Row = Selectable<JobRow>;

export interface WorkerOptions {
  db: Kysely<Database>;
  definitions: Map<string, JobDefinition>;
  now: () => Date;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  staleAfterMs: number;
  /** At start every running job is an orphan of this process's previous life. */
  singleProcess: boolean;
  maxLogLines: number;
  /** How long an aborted handler may keep its concurrency slot before it is given up. */
  abortGraceMs: number;
  onSettled(jobId: number): void;
  onError(error: unknown): void;
}

/** A crash loop (a job that kills its process every time) ends after this many interruptions. */
const MAX_INTERRUPTIONS = 3;
const RESTART = 'interrupted by a restart';

/** Why an attempt's signal was aborted. */
export class JobAbort extends Error {
  constructor(
    readonly why: 'cancel' | 'timeout' | 'shutdown' | 'lost',
    message: string,
  ) {
    super(message);
    this.name = 'JobAbort';
  }
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function backoffMs(baseMs: number, attempt: number): number {
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), 3_600_000);
  // Equal jitter: at least half the delay, so retries spread out without collapsing to zero.
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function createWorker(options: WorkerOptions) {
  const { db, definitions } = options;
  const iso = (offsetMs = 0) => new Date(options.now().getTime() + offsetMs).toISOString();
  const active = new Map<number, { controller: AbortController; done: Promise<void> }>();
  const activeByType = new Map<string, number>();
  const wakeTimers = new Set<NodeJS.Timeout>();
  let poller: NodeJS.Timeout | undefined;
  let started = false;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;

  const log = (jobId: number, level: LogLevel, message: string) =>
    appendLog(db, jobId, iso(), level, message).catch(options.onError);

  /** Claims what is due; runs again when something changed while it was claiming. */
  function pump(): void {
    if (!started) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = (async () => {
      do {
        pumpAgain = false;
        await claimDue().catch(options.onError);
      } while (pumpAgain && started);
      pumping = undefined;
    })();
  }

  async function claimDue(): Promise<void> {
    for (const [type, definition] of definitions) {
      const free = definition.concurrency - (activeByType.get(type) ?? 0);
      if (free <= 0) continue;
      for (const id of await dueJobIds(db, type, iso(), free)) {
        if (!started) return;
        const row = await claimJob(db, id, randomUUID(), iso());
        // Lost to another claimer: look again, other jobs may be due.
        if (!row) pumpAgain = true;
        else launch(row, definition);
      }
    }
  }

  function launch(row: Row, definition: JobDefinition): void {
    activeByType.set(row.type, (activeByType.get(row.type) ?? 0) + 1);
    const controller = new AbortController();
    const done = runAttempt(row, definition, controller)
      .catch(options.onError)
      .finally(() => {
        // A retry of this job may already run under a new lease while this one waited for its handler.
        if (active.get(row.id)?.controller === controller) active.delete(row.id);
        activeByType.set(row.type, (activeByType.get(row.type) ?? 1) - 1);
        pump();
      });
    active.set(row.id, { controller, done });
  }

  async function runAttempt(row: Row, definition: JobDefinition, controller: AbortController): Promise<void> {
    const job = toJob(row);
    const token = row.claim_token as string;
    const { signal } = controller;
    let logged = await countLogs(db, job.id);
    let progress = 0;
    let writes: Promise<void> = Promise.resolve();
    // Writes of one attempt stay in order and never reject into the handler.
    const write = (fn: () => Promise<unknown>): Promise<void> => {
      writes = writes.then(fn).then(() => undefined, options.onError);
      return writes;
    };
    const context: JobContext<unknown> = {
      payload: job.payload,
      signal,
      progress(percent) {
        const value = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
        if (value === progress) return writes;
        progress = value;
        return write(() => updateAttempt(db, job.id, token, { progress: value, updated_at: iso() }));
      },
      log(message, level = 'info') {
        logged += 1;
        if (logged > options.maxLogLines + 1) return writes;
        const text = logged > options.maxLogLines ? `log truncated at ${options.maxLogLines} lines` : message;
        return write(() => appendLog(db, job.id, iso(), logged > options.maxLogLines ? 'warn' : level, text));
      },
    };

    const heartbeat = setInterval(() => {
      updateAttempt(db, job.id, token, { heartbeat_at: iso() })
        .then((held) => held || controller.abort(new JobAbort('lost', 'the job was cancelled or taken over')))
        .catch(options.onError);
    }, options.heartbeatIntervalMs);
    const timeout = setTimeout(
      () => controller.abort(new JobAbort('timeout', `timed out after ${job.timeoutMs} ms`)),
      job.timeoutMs,
    );
    const aborted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    );
    const handler = Promise.resolve().then(() => definition.run(job, context));

    let outcome: Outcome;
    try {
      outcome = { ok: true, result: await Promise.race([handler, aborted]) };
    } catch (error) {
      // A handler that throws because its signal fired reports the abort, not its own AbortError.
      outcome = { ok: false, error: signal.aborted ? signal.reason : error };
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
    }
    await writes;
    await settle(row, token, definition, outcome);
    // The slot stays taken while the handler still runs, but an ignored signal cannot hold it forever.
    await Promise.race([handler.then(undefined, () => undefined), sleep(options.abortGraceMs)]);
  }

  async function settle(row: Row, token: string, definition: JobDefinition, outcome: Outcome) {
    const now = iso();
    const attempts = row.attempts;
    if (outcome.ok) {
      let result: string;
      try {
        result = JSON.stringify(outcome.result ?? null);
      } catch (error) {
        return fail(row, token, `the job's result is not JSON: ${messageOf(error)}`);
      }
      const done = await updateAttempt(db, row.id, token, {
        status: 'success',
        result,
        progress: 100,
        error: null,
        finished_at: now,
        updated_at: now,
      });
      if (done) options.onSettled(row.id);
      return;
    }
    const { error } = outcome;
    if (error instanceof JobAbort) {
      if (error.why === 'timeout')
        return fail(row, token, error.message, { code: 'ERR_TIMEOUT', reason: 'timeout' });
      if (error.why === 'shutdown') await interrupt(row, 'interrupted by a shutdown');
      return; // cancelled or taken over: the row already says what happened
    }
    if (error instanceof TransientJobError && attempts < row.max_attempts) {
      const delay = backoffMs(definition.retryDelayMs ?? 1000, attempts);
      const requeued = await updateAttempt(db, row.id, token, {
        status: 'queued',
        claim_token: null,
        error: error.message,
        run_after: iso(delay),
        updated_at: now,
      });
      if (!requeued) return;
      await log(
        row.id,
        'warn',
        `attempt ${attempts} of ${row.max_attempts} failed: ${error.message}; retry in ${delay} ms`,
      );
      wakeIn(delay);
      return;
    }
    const suffix = error instanceof TransientJobError ? ` (after ${attempts} attempts)` : '';
    const detail = isRosettaError(error)
      ? { code: error.code, reason: error.reason, field: error.field }
      : undefined;
    await fail(row, token, `${messageOf(error)}${suffix}`, detail);
  }

  async function fail(row: Row, token: string, message: string, detail?: JobErrorDetail): Promise<void> {
    const now = iso();
    const failed = await updateAttempt(db, row.id, token, {
      status: 'failure',
      error: message,
      error_code: detail?.code ?? null,
      error_reason: detail?.reason ?? null,
      error_field: detail?.field ?? null,
      finished_at: now,
      updated_at: now,
    });
    if (!failed) return;
    await log(row.id, 'error', message);
    options.onSettled(row.id);
  }

  /** A running attempt that will never report: requeued or failed by its type's `onInterrupted`. */
  async function interrupt(row: Row, reason: string): Promise<void> {
    const definition = definitions.get(row.type);
    const token = row.claim_token as string;
    const interruptions = row.interruptions + 1;
    if (definition?.onInterrupted === 'requeue' && interruptions < MAX_INTERRUPTIONS) {
      const requeued = await updateAttempt(db, row.id, token, {
        status: 'queued',
        claim_token: null,
        attempts: row.attempts - 1,
        interruptions,
        run_after: iso(),
        updated_at: iso(),
      });
      if (requeued) await log(row.id, 'warn', `${reason}; queued again`);
      return;
    }
    const tooMany = definition?.onInterrupted === 'requeue' ? ` (${interruptions} times)` : '';
    await fail(row, token, `${reason}${tooMany}`);
  }

  /**
   * Interrupts running jobs of dead workers: at start every stale one (every one with `all`),
   * later only stale ones of types this process knows, so that during a rolling deploy an
   * older process leaves a newer type to a process that can requeue it.
   */
  async function recover(atStart: boolean, all: boolean, reason: string): Promise<void> {
    const rows = await runningJobs(db, all ? undefined : iso(-options.staleAfterMs));
    for (const row of rows) {
      if (active.has(row.id) || !(atStart || definitions.has(row.type))) continue;
      await interrupt(row, reason);
    }
  }

  function wakeIn(delayMs: number): void {
    const timer = setTimeout(() => {
      wakeTimers.delete(timer);
      pump();
    }, delayMs);
    timer.unref();
    wakeTimers.add(timer);
  }

  return {
    /** Jobs of that type this process runs now (its busy slots). */
    busy: (type: string): number => activeByType.get(type) ?? 0,
    async start(): Promise<void> {
      if (started) return;
      await recover(true, options.singleProcess, RESTART);
      started = true;
      poller = setInterval(() => {
        recover(false, false, 'interrupted: its worker stopped sending heartbeats')
          .catch(options.onError)
          .finally(pump);
      }, options.pollIntervalMs);
      poller.unref();
      pump();
    },
    /** Wakes the loop now, or when a job enqueued for later becomes due. */
    wake(runAfter?: Date): void {
      const delay = runAfter ? runAfter.getTime() - options.now().getTime() : 0;
      if (delay > 0) wakeIn(delay);
      else pump();
    },
    /** Aborts the attempt this process runs for `jobId`, if any; the row already records why. */
    abort(jobId: number, reason: JobAbort): void {
      active.get(jobId)?.controller.abort(reason);
    },
    /**
     * Stops claiming; running attempts may finish within `graceMs` (default none), then those
     * left are interrupted (requeued or failed by type) and awaited.
     */
    async stop(graceMs = 0): Promise<void> {
      started = false;
      clearInterval(poller);
      for (const timer of wakeTimers) clearTimeout(timer);
      wakeTimers.clear();
      await pumping;
      if (graceMs > 0)
        await Promise.race([Promise.all([...active.values()].map((a) => a.done)), sleep(graceMs)]);
      const attempts = [...active.values()];
      for (const attempt of attempts)
        attempt.controller.abort(new JobAbort('shutdown', 'the server is stopping'));
      await Promise.all(attempts.map((a) => a.done));
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
