import type { Principal } from '../auth/principal.ts';
import type { ErrorCode, ErrorReason } from '../errors.ts';

/**
 * `created` exists for records written before they are handed to the queue; `enqueue` writes
 * `queued` directly because nothing happens in between.
 */
export const jobStatuses = ['created', 'queued', 'running', 'success', 'failure', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];
export const isFinished = (status: JobStatus): boolean =>
  status === 'success' || status === 'failure' || status === 'cancelled';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface Job {
  id: number;
  uuid: string;
  organizationId: number;
  ownerId: number | null;
  type: string;
  payload: unknown;
  status: JobStatus;
  progress: number;
  result: unknown;
  /** Why a failed or cancelled job ended, as text. */
  error: string | null;
  /** The code of that failure when it was a coded error; null for an uncoded crash. */
  errorDetail: JobErrorDetail | null;
  attempts: number;
  maxAttempts: number;
  runAfter: string;
  idempotencyKey: string | null;
  timeoutMs: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
}

export interface JobErrorDetail {
  code: ErrorCode;
  reason: ErrorReason;
  field?: string;
}

export interface JobLogLine {
  id: number;
  time: string;
  level: LogLevel;
  message: string;
}

/** What a handler gets besides its job record. */
export interface JobContext<P> {
  payload: P;
  /** Fired on cancel, timeout, shutdown or lost lease; pass it to every query and network call. */
  signal: AbortSignal;
  /** 0–100; never rejects (a failed write is reported, not thrown into the handler). */
  progress(percent: number): Promise<void>;
  log(message: string, level?: LogLevel): Promise<void>;
}

export interface JobDefinition<P = unknown, R = unknown> {
  /** Jobs of this type running at once in this process. */
  concurrency: number;
  timeoutMs: number;
  /** Default 1: only a `TransientJobError` is ever retried. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. Default 1 000 ms. */
  retryDelayMs?: number;
  /** What happens to a job of this type that was running when its process died. */
  onInterrupted: 'requeue' | 'fail';
  /** The result is stored as JSON. */
  run(job: Job, context: JobContext<P>): Promise<R>;
}

/** Thrown by a handler for failures worth retrying (a network blip, a 429, a busy warehouse). */
export class TransientJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientJobError';
  }
}

/** Jobs started by the server itself (schedules, alert checks) have no owner. */
export interface SystemOwner {
  kind: 'system';
  organizationId: number;
}
export const systemOwner = (organizationId: number): SystemOwner => ({ kind: 'system', organizationId });
export type JobOwner = Principal | SystemOwner;

export interface EnqueueOptions {
  idempotencyKey?: string;
  runAfter?: Date;
  maxAttempts?: number;
}

/**
 * A job type's queue as this process works it: `workers` jobs at once (the type's concurrency),
 * `busy` of them running now. Other processes sharing the store have workers of their own.
 */
export interface JobQueue {
  type: string;
  workers: number;
  busy: number;
}

export interface JobFilters {
  status?: JobStatus;
  type?: string;
}
