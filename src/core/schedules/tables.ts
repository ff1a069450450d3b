import type { Generated } from 'kysely';

/**
 * Kysely row types of the schedules module. Organization, owner and job ids are plain integers
 * (no foreign keys into other modules); JSON documents are text, timestamps ISO-8601 UTC text.
 */
export interface ScheduleTables {
  schedules: ScheduleRow;
  schedule_runs: ScheduleRunRow;
  outbox_messages: OutboxMessageRow;
  mail_transports: MailTransportRow;
}

export interface ScheduleRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** The project the row belongs to (migration 0506); the organization's default one unless moved. */
  project_id: number;
  owner_id: number;
  kind: string;
  name: string;
  cron: string;
  timezone: string;
  paused: number;
  target: string;
  format: string;
  filters: string;
  /** JSON object of dashboard filter values by filter id; '{}' when none. */
  filter_values: Generated<string>;
  /** JSON object of dashboard variable values; '{}' when none. */
  variables: string;
  /** JSON of what answers show of the destination (`DestinationView`). */
  destination: string;
  /** The webhook secret or Slack URL, sealed with the schedule's uuid; null when there is none. */
  destination_secret: string | null;
  conditions: string;
  /** The next fire time; the tick's compare-and-set on it is what makes each fire time run once. */
  next_run_at: string | null;
  last_run_at: string | null;
  last_status: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScheduleRunRow {
  id: Generated<number>;
  schedule_id: number;
  fire_time: string;
  trigger: string;
  job_id: number | null;
  status: string;
  error: string | null;
  result: string | null;
  triggered: number | null;
  created_at: string;
  finished_at: string | null;
}

export interface OutboxMessageRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  schedule_id: number | null;
  job_id: number | null;
  recipients: string;
  subject: string;
  text: string;
  html: string | null;
  status: string;
  error: string | null;
  /** JSON list of `OutboxAttachment` (metadata; the bytes, while kept, are files). */
  attachments: string;
  /** Until when the attachments' bytes are kept under the data dir; null when they are not. */
  files_kept_until: string | null;
  created_at: string;
  sent_at: string | null;
}

/** An organization's own SMTP server (migration 0507), used instead of the configured one. */
export interface MailTransportRow {
  organization_id: number;
  host: string;
  port: number;
  /** 1: TLS from the start (smtps); 0: plain, upgraded by STARTTLS when the server offers it. */
  secure: number;
  username: string | null;
  /** Sealed with the organization id (`mail-transports.ts`); null without a password. */
  password_sealed: string | null;
  from_address: string | null;
  created_at: string;
  updated_at: string;
}
