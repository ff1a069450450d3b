import { type ErrorCode, type ErrorReason, RosettaError } from '../../core/errors.ts';
import { isFinished, type Job, type JobService } from '../../core/jobs/index.ts';

/**
 * Sync-or-job replies for every face: a client either asks for a task id and polls, or asks to
 * wait for the end. Both go through one core job, so the work, its permission checks and its
 * record are the same whichever the client chose; a face only maps the shapes below.
 */

export type JobState = 'queued' | 'running' | 'success' | 'failure' | 'cancelled';

export interface JobErrorView {
  /** `ERR_INTERNAL` for a job that crashed without a coded error. */
  code: ErrorCode | 'ERR_INTERNAL';
  reason?: ErrorReason;
  field?: string;
  message: string;
}

/** A job as every face sees it, before it is mapped to the vendor's task shape. */
export interface JobView {
  id: string;
  state: JobState;
  /** 0–100 while the job has not ended. */
  progress?: number;
  result?: unknown;
  error?: JobErrorView;
}

const stateOf = (job: Job): JobState => (job.status === 'created' ? 'queued' : job.status);

export function jobView(job: Job): JobView {
  const view: JobView = { id: job.uuid, state: stateOf(job) };
  if (!isFinished(job.status)) view.progress = job.progress;
  else if (job.status === 'success') view.result = job.result;
  else {
    const detail = job.errorDetail;
    view.error = {
      code: detail?.code ?? 'ERR_INTERNAL',
      ...(detail && { reason: detail.reason }),
      ...(detail?.field !== undefined && { field: detail.field }),
      message: messageOf(job),
    };
  }
  return view;
}

const messageOf = (job: Job) => job.error ?? `job ${job.status}`;

/**
 * The error a failed or cancelled job ended with, as the coded error it was when thrown, so a
 * synchronous reply answers exactly what the work would have answered run in the request. A job
 * that crashed without a code is an internal error.
 */
export function jobFailure(job: Job): Error {
  const message = messageOf(job);
  const detail = job.errorDetail;
  if (!detail)
    return job.status === 'cancelled' ? new RosettaError('ERR_CANCELLED', message) : new Error(message);
  const named = detail.field === undefined ? '' : `${detail.field}: `;
  const problem = named !== '' && message.startsWith(named) ? message.slice(named.length) : message;
  return new RosettaError(detail.code, message, detail.field, { reason: detail.reason, problem });
}

const DEFAULT_SYNC_WAIT_MS = 10 * 60_000;

export interface SyncOrJobOptions {
  /** The client asked for a task id rather than the outcome. */
  async: boolean;
  enqueue: () => Promise<Job>;
  /** How long a synchronous client is kept waiting (then ERR_TIMEOUT; the job runs on); default 10 minutes. */
  waitMs?: number;
  /** Hand a failed job back rather than throw its error: for faces whose reply reports the failure. */
  keepFailures?: boolean;
}

/**
 * Runs the work as a job and, unless the client asked async, waits for its end. `finished` says
 * which: the queued job (async) or the ended job (sync), whose failure is thrown as its error.
 */
export async function syncOrJob(
  jobs: Pick<JobService, 'wait'>,
  options: SyncOrJobOptions,
): Promise<{ job: Job; finished: boolean }> {
  const queued = await options.enqueue();
  if (options.async) return { job: queued, finished: false };
  const job = await jobs.wait(queued.id, { timeoutMs: options.waitMs ?? DEFAULT_SYNC_WAIT_MS });
  if (job.status !== 'success' && !options.keepFailures) throw jobFailure(job);
  return { job, finished: true };
}
