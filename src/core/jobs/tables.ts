import type { Generated } from 'kysely';

/**
 * Kysely row types of the jobs module. Owner and organization ids are plain integers (no foreign
 * keys into the directory), payload and result are JSON text, timestamps ISO-8601 UTC text.
 */
export interface JobTables {
  jobs: JobRow;
  job_logs: JobLogRow;
}

export interface JobRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** Null for system jobs (schedules, alert checks). */
  owner_id: number | null;
  type: string;
  payload: string;
  status: string;
  progress: number;
  result: string | null;
  error: string | null;
  /** Set when the failure was a coded error (see `JobErrorDetail`). */
  error_code: string | null;
  error_reason: string | null;
  error_field: string | null;
  attempts: number;
  max_attempts: number;
  /** Attempts cut short by a crash, shutdown or dead worker; they do not count as attempts. */
  interruptions: number;
  /** Not claimed before this time: back-off between attempts, or a delayed start. */
  run_after: string;
  idempotency_key: string | null;
  timeout_ms: number;
  /** Random lease of the attempt that runs the job; every write of that attempt names it. */
  claim_token: string | null;
  heartbeat_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface JobLogRow {
  id: Generated<number>;
  job_id: number;
  time: string;
  level: string;
  message: string;
}
