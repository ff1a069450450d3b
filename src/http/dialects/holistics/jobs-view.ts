import { isFinished, type Job } from '../../../core/jobs/index.ts';

/** Holistics' job statuses (`JobStatus`) of a core job. */
export type HolisticsJobStatus = 'created' | 'queued' | 'running' | 'success' | 'failure' | 'cancelled';

export const holisticsJobStatus = (job: Job): HolisticsJobStatus => job.status;

/** What a job was started for, as `Job.source` names it (`{type: 'DataSet', id: 3, action: 'submit_query'}`). */
export interface JobSource {
  type: string;
  id: number | string | null;
  action: string;
}

/** `AsyncResult`: the answer of every `submit_*` operation, `{job: {id, status}}`. */
export const asyncResult = (job: Job) => ({ job: { id: job.id, status: holisticsJobStatus(job) } });

/** The `Job` schema of a core job; `source` is what the face that started it recorded (absent: null). */
export function jobJson(job: Job, source: JobSource | null = null) {
  return {
    id: job.id,
    user_id: job.ownerId ?? 0,
    status: holisticsJobStatus(job),
    start_time: job.startedAt,
    end_time: job.finishedAt,
    cancellable: !isFinished(job.status),
    last_error_log: job.status === 'failure' || job.status === 'cancelled' ? (job.error ?? null) : null,
    data_source_stats: null,
    source,
    existing_job_id: null,
  };
}
