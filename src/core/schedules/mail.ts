import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import nodemailer from 'nodemailer';
import { RosettaError } from '../errors.ts';
import { TransientJobError } from '../jobs/index.ts';
import type { Db } from './repo.ts';
import type { OutboxMessageRow } from './tables.ts';
import type { OutboxMessage, OutboxStatus, RenderedFile } from './types.ts';

/**
 * Email: through SMTP when `SMTP_URL` is configured, otherwise held in the outbox table. Every
 * message, sent or held, is recorded in the outbox, which is also what the daily quota counts.
 */
export interface MailOptions {
  /** e.g. `smtp://user:pass@mail.example.com:587`, `smtps://…`; without it messages are held. */
  smtpUrl?: string;
  from?: string;
  /** Messages per organization per UTC day. Default 50. */
  dailyQuota?: number;
  /** Connection, greeting and socket timeout of SMTP. Default 30 000 ms. */
  timeoutMs?: number;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  attachments: RenderedFile[];
  scheduleId?: number;
  /** A retry or a requeue of this job finds the message already sent and sends nothing. */
  jobId?: number;
}

export interface Mailer {
  send(organizationId: number, message: MailMessage, signal?: AbortSignal): Promise<OutboxMessage>;
  list(organizationId: number, limit: number): Promise<OutboxMessage[]>;
  close(): void;
}

export const DEFAULT_DAILY_QUOTA = 50;
const COUNTED: OutboxStatus[] = ['pending', 'sent', 'held'];

function toOutboxMessage(row: Selectable<OutboxMessageRow>): OutboxMessage {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    scheduleId: row.schedule_id,
    jobId: row.job_id,
    to: JSON.parse(row.recipients),
    subject: row.subject,
    text: row.text,
    status: row.status as OutboxStatus,
    error: row.error,
    attachments: JSON.parse(row.attachments),
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export function createMailer(deps: { db: Db; now: () => Date } & MailOptions): Mailer {
  const { db, now } = deps;
  const quota = deps.dailyQuota ?? DEFAULT_DAILY_QUOTA;
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const transport = deps.smtpUrl
    ? nodemailer.createTransport({
        url: deps.smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      })
    : undefined;
  const from = deps.from ?? 'Rosetta <rosetta@localhost>';

  const setStatus = async (id: number, status: OutboxStatus, error: string | null = null) =>
    toOutboxMessage(
      await db
        .updateTable('outbox_messages')
        .set({ status, error, sent_at: status === 'sent' ? now().toISOString() : null })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );

  /**
   * Counts this organization's messages of the day up to and including `id`. Inserting first and
   * counting after means two processes racing for the last slot cannot both get it.
   */
  async function withinQuota(organizationId: number, id: number): Promise<boolean> {
    const dayStart = `${now().toISOString().slice(0, 10)}T00:00:00.000Z`;
    const { n } = await db
      .selectFrom('outbox_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('created_at', '>=', dayStart)
      .where('status', 'in', COUNTED)
      .where('id', '<=', id)
      .executeTakeFirstOrThrow();
    return Number(n) <= quota;
  }

  return {
    async send(organizationId, message, signal) {
      if (message.jobId !== undefined) {
        const earlier = await db
          .selectFrom('outbox_messages')
          .selectAll()
          .where('job_id', '=', message.jobId)
          .where('status', 'in', ['sent', 'held'])
          .executeTakeFirst();
        if (earlier) return toOutboxMessage(earlier);
      }
      const row = await db
        .insertInto('outbox_messages')
        .values({
          uuid: randomUUID(),
          organization_id: organizationId,
          schedule_id: message.scheduleId ?? null,
          job_id: message.jobId ?? null,
          recipients: JSON.stringify(message.to),
          subject: message.subject,
          text: message.text,
          status: 'pending',
          attachments: JSON.stringify(
            message.attachments.map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              size: a.content.length,
            })),
          ),
          created_at: now().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (!(await withinQuota(organizationId, row.id))) {
        await setStatus(row.id, 'failed', 'daily email quota reached');
        throw new RosettaError(
          'ERR_QUOTA',
          `the daily email quota of ${quota} messages for this organization is reached`,
        );
      }
      if (!transport) return setStatus(row.id, 'held');
      try {
        await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          attachments: message.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: a.content,
          })),
          signal,
        });
      } catch (error) {
        const failure = error as Error & { responseCode?: number; code?: string };
        await setStatus(row.id, 'failed', failure.message);
        // SMTP 5xx answers are permanent (unknown mailbox, refused content); everything else —
        // connection errors, timeouts, 4xx "try later" — is worth another attempt.
        if (failure.responseCode !== undefined && failure.responseCode >= 500) throw error;
        throw new TransientJobError(`SMTP: ${failure.message}`, { cause: error });
      }
      return setStatus(row.id, 'sent');
    },

    async list(organizationId, limit) {
      const rows = await db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toOutboxMessage);
    },

    close: () => transport?.close(),
  };
}
