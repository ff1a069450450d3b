import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { ErrorCode, ErrorReason } from '../errors.ts';
import type { PageWindow } from '../paging.ts';
import type { JobRow } from './tables.ts';
import type { Job, JobFilters, JobLogLine, JobStatus, LogLevel } from './types.ts';

/** Storage of job records and log lines; every state change of a running attempt names its lease. */

type Row = Selectable<JobRow>;
type Db = Kysely<Database>;

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function toJob(row: Row): Job {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    ownerId: row.owner_id,
    type: row.type,
    payload: parse(row.payload),
    status: row.status as JobStatus,
    progress: row.progress,
    result: parse(row.result),
    error: row.error,
    errorDetail: row.error_code
      ? {
          code: row.error_code as ErrorCode,
          reason: row.error_reason as ErrorReason,
          ...(row.error_field === null ? {} : { field: row.error_field }),
        }
      : null,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    idempotencyKey: row.idempotency_key,
    timeoutMs: row.timeout_ms,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
  };
}

export interface NewJob {
  organizationId: number;
  ownerId: number | null;
  type: string;
  payload: string;
  maxAttempts: number;
  timeoutMs: number;
  runAfter: string;
  idempotencyKey: string | null;
  now: string;
}

/** Inserts a queued job; with an idempotency key already used, returns the existing job instead. */
export async function insertJob(db: Db, job: NewJob): Promise<{ row: Row; created: boolean }> {
  const inserted = await db
    .insertInto('jobs')
    .values({
      uuid: randomUUID(),
      organization_id: job.organizationId,
      owner_id: job.ownerId,
      type: job.type,
      payload: job.payload,
      status: 'queued',
      progress: 0,
      attempts: 0,
      interruptions: 0,
      max_attempts: job.maxAttempts,
      run_after: job.runAfter,
      idempotency_key: job.idempotencyKey,
      timeout_ms: job.timeoutMs,
      created_at: job.now,
      updated_at: job.now,
    })
    .onConflict((oc) => oc.columns(['organization_id', 'type', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await db
    .selectFrom('jobs')
    .selectAll()
    .where('organization_id', '=', job.organizationId)
    .where('type', '=', job.type)
    .where('idempotency_key', '=', job.idempotencyKey)
    .executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

export const findJob = (db: Db, ref: number | string): Promise<Row | undefined> =>
  db
    .selectFrom('jobs')
    .selectAll()
    .where(typeof ref === 'number' ? 'id' : 'uuid', '=', ref)
    .executeTakeFirst();

/** Newest first, one row past the window's limit (it says whether there is a next page). */
export function listJobs(
  db: Db,
  organizationId: number,
  ownerId: number | null,
  filters: JobFilters,
  window: PageWindow,
) {
  let query = db.selectFrom('jobs').selectAll().where('organization_id', '=', organizationId);
  if (ownerId !== null) query = query.where('owner_id', '=', ownerId);
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.type) query = query.where('type', '=', filters.type);
  if (window.after !== null) query = query.where('id', '<', Number(window.after[0]));
  return query
    .orderBy('id', 'desc')
    .limit(window.limit + 1)
    .execute();
}

export const dueJobIds = async (db: Db, type: string, now: string, limit: number): Promise<number[]> =>
  (
    await db
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'queued')
      .where('type', '=', type)
      .where('run_after', '<=', now)
      .orderBy('run_after')
      .orderBy('id')
      .limit(limit)
      .execute()
  ).map((r) => r.id);

/** Jobs due and waiting for a worker, per type, across every process on the store. */
export const dueJobCounts = async (db: Db, now: string): Promise<Record<string, number>> => {
  const rows = await db
    .selectFrom('jobs')
    .select(['type', (eb) => eb.fn.countAll<number | string>().as('due')])
    .where('status', '=', 'queued')
    .where('run_after', '<=', now)
    .groupBy('type')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.type, Number(row.due)]));
};

/**
 * Takes a queued job for one attempt. The status test in the WHERE makes this a compare-and-set:
 * on PostgreSQL a second claimer blocks on the row lock, re-reads the row, and updates nothing.
 */
export const claimJob = (db: Db, id: number, token: string, now: string): Promise<Row | undefined> =>
  db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      claim_token: token,
      attempts: eb('attempts', '+', 1),
      progress: 0,
      started_at: now,
      heartbeat_at: now,
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();

/** Updates the attempt holding `token` while it still runs; false when the lease was lost. */
export async function updateAttempt(
  db: Db,
  id: number,
  token: string,
  set: Updateable<JobRow>,
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set(set)
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function cancelJob(db: Db, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({
      status: 'cancelled',
      error: 'cancelled',
      error_code: 'ERR_CANCELLED',
      error_reason: 'cancelled',
      finished_at: now,
      updated_at: now,
      claim_token: null,
    })
    .where('id', '=', id)
    .where('status', 'in', ['created', 'queued', 'running'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Running jobs, optionally only those whose heartbeat is older than `staleBefore`. */
export function runningJobs(db: Db, staleBefore?: string) {
  let query = db.selectFrom('jobs').selectAll().where('status', '=', 'running');
  if (staleBefore) query = query.where('heartbeat_at', '<', staleBefore);
  return query.execute();
}

export async function appendLog(db: Db, jobId: number, time: string, level: LogLevel, message: string) {
  await db.insertInto('job_logs').values({ job_id: jobId, time, level, message }).execute();
}

export const countLogs = async (db: Db, jobId: number): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('job_logs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('job_id', '=', jobId)
        .executeTakeFirstOrThrow()
    ).n,
  );

export async function readLogs(db: Db, jobId: number, after: number, limit: number): Promise<JobLogLine[]> {
  const rows = await db
    .selectFrom('job_logs')
    .select(['id', 'time', 'level', 'message'])
    .where('job_id', '=', jobId)
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, level: r.level as LogLevel }));
}
