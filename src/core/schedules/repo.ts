import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../store/database.ts';
import type { PageWindow } from '../paging.ts';
import { destinationView } from './destinations.ts';
import type { ScheduleRow, ScheduleRunRow } from './tables.ts';
import {
  dashboardOfTarget,
  type RunStatus,
  type Schedule,
  type ScheduleKind,
  type ScheduleRun,
  type ScheduleTarget,
} from './types.ts';

/** Storage of schedules and their run history. */

export type Db = Kysely<Database>;

export function toSchedule(row: Selectable<ScheduleRow>): Schedule {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    projectId: row.project_id,
    ownerId: row.owner_id,
    kind: row.kind as ScheduleKind,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    paused: row.paused === 1,
    target: JSON.parse(row.target),
    format: row.format as Schedule['format'],
    filters: JSON.parse(row.filters),
    filterValues: JSON.parse(row.filter_values),
    variables: JSON.parse(row.variables),
    destination: destinationView(row),
    conditions: JSON.parse(row.conditions),
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastStatus: row.last_status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toRun(row: Selectable<ScheduleRunRow>): ScheduleRun {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    fireTime: row.fire_time,
    trigger: row.trigger as ScheduleRun['trigger'],
    jobId: row.job_id,
    status: row.status as RunStatus,
    error: row.error,
    result: row.result === null ? null : JSON.parse(row.result),
    triggered: row.triggered === null ? null : row.triggered === 1,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export const findSchedule = (db: Db, ref: number | string) =>
  db
    .selectFrom('schedules')
    .selectAll()
    .where(typeof ref === 'number' ? 'id' : 'uuid', '=', ref)
    .executeTakeFirst();

export async function updateSchedule(db: Db, id: number, set: Updateable<ScheduleRow>) {
  return db.updateTable('schedules').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export const dueSchedules = (db: Db, now: string, limit: number) =>
  db
    .selectFrom('schedules')
    .selectAll()
    .where('paused', '=', 0)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(limit)
    .execute();

/**
 * Moves a schedule past the fire time `from`. The WHERE on the old value makes it a
 * compare-and-set: of several processes ticking at once, exactly one updates the row.
 */
export async function advanceSchedule(db: Db, id: number, from: string, next: string | null, now: string) {
  const result = await db
    .updateTable('schedules')
    .set({ next_run_at: next, last_run_at: from, updated_at: now })
    .where('id', '=', id)
    .where('next_run_at', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a run for a job; a second call for the same job (a re-enqueued fire time) is a no-op. */
export async function recordRun(
  db: Db,
  run: { scheduleId: number; fireTime: string; trigger: 'cron' | 'manual'; jobId: number; now: string },
) {
  await db
    .insertInto('schedule_runs')
    .values({
      schedule_id: run.scheduleId,
      fire_time: run.fireTime,
      trigger: run.trigger,
      job_id: run.jobId,
      status: 'queued',
      created_at: run.now,
    })
    .onConflict((oc) => oc.column('job_id').doNothing())
    .execute();
}

export async function finishRun(
  db: Db,
  jobId: number,
  outcome: { status: RunStatus; error?: string | null; result?: unknown; triggered?: boolean; now: string },
) {
  const finished = outcome.status !== 'running' && outcome.status !== 'retrying';
  const row = await db
    .updateTable('schedule_runs')
    .set({
      status: outcome.status,
      error: outcome.error ?? null,
      result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      triggered: outcome.triggered === undefined ? null : outcome.triggered ? 1 : 0,
      finished_at: finished ? outcome.now : null,
    })
    .where('job_id', '=', jobId)
    .returning('schedule_id')
    .executeTakeFirst();
  if (row && finished) {
    await db
      .updateTable('schedules')
      .set({ last_status: outcome.status })
      .where('id', '=', row.schedule_id)
      .execute();
  }
}

/** Newest first, one row past the window's limit (it says whether there is a next page). */
export const listRuns = async (db: Db, scheduleId: number, window: PageWindow): Promise<ScheduleRun[]> =>
  (
    await db
      .selectFrom('schedule_runs')
      .selectAll()
      .where('schedule_id', '=', scheduleId)
      .$if(window.after !== null, (query) => query.where('id', '<', Number(window.after?.[0])))
      .orderBy('id', 'desc')
      .limit(window.limit + 1)
      .execute()
  ).map(toRun);

/** Moves the schedules of a dashboard (or of one of its widgets) to the dashboard's new project. */
export async function moveDashboardSchedules(
  db: Db,
  dashboard: { id: number; organizationId: number },
  projectId: number,
): Promise<void> {
  const rows = await db
    .selectFrom('schedules')
    .select(['id', 'target'])
    .where('organization_id', '=', dashboard.organizationId)
    .execute();
  const ids = rows
    .filter((row) => {
      return dashboardOfTarget(JSON.parse(row.target) as ScheduleTarget) === dashboard.id;
    })
    .map((row) => row.id);
  if (ids.length > 0)
    await db.updateTable('schedules').set({ project_id: projectId }).where('id', 'in', ids).execute();
}
