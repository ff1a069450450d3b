import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { conflict, notFound, RosettaError } from '../errors.ts';
import { TransientJobError } from '../jobs/index.ts';
import type { PageWindow } from '../paging.ts';
import type { MailTransports } from './mail-transports.ts';
import { OutboundRefusedError } from './outbound.ts';
import { type OutboxStore, storedAttachments, toOutboxMessage } from './outbox-store.ts';
import type { Db } from './repo.ts';
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
  /** An HTML alternative; the pictures it shows are attachments with a `cid`. */
  html?: string;
  attachments: RenderedFile[];
  scheduleId?: number;
  /** A retry or a requeue of this job finds the message already sent and sends nothing. */
  jobId?: number;
}

export interface Mailer {
  /**
   * Whether the server's configuration sets SMTP (`SMTP_URL`); an organization may also set its
   * own server (mail-transports.ts). Without either, messages are held.
   */
  readonly configured: boolean;
  send(organizationId: number, message: MailMessage, signal?: AbortSignal): Promise<OutboxMessage>;
  /** Newest first, one row past the window's limit (it says whether there is a next page). */
  list(organizationId: number, window: PageWindow): Promise<OutboxMessage[]>;
  /** ERR_NOT_FOUND when the organization has no such message. */
  get(organizationId: number, id: number): Promise<OutboxMessage>;
  /**
   * Sends a held or failed message again, with its kept attachments; the answer says whether it
   * went (`sent`) or why not (`failed`). ERR_CONFLICT when SMTP is not configured, the message
   * is neither held nor failed, or its attachments are no longer kept.
   */
  resend(organizationId: number, id: number): Promise<OutboxMessage>;
  /** A kept attachment's bytes; ERR_NOT_FOUND when there is no such attachment or it is gone. */
  attachment(organizationId: number, id: number, index: number): Promise<RenderedFile>;
  close(): void;
}

export const DEFAULT_DAILY_QUOTA = 50;
const COUNTED: OutboxStatus[] = ['pending', 'sent', 'held'];

export function createMailer(
  deps: {
    db: Db;
    now: () => Date;
    outbox: OutboxStore;
    /** Organizations' own SMTP servers, used before the configured one. */
    transports?: Pick<MailTransports, 'routeFor'>;
  } & MailOptions,
): Mailer {
  const { db, now, outbox } = deps;
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
        .set({
          status,
          error,
          sent_at: status === 'sent' ? now().toISOString() : null,
          // A sent message needs its files no more; the others keep them until their time.
          ...(status === 'sent' && { files_kept_until: null }),
        })
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

  /** The organization's own server (closed after the message), else the configured one. */
  async function routeOf(organizationId: number) {
    const own = await deps.transports?.routeFor(organizationId, timeoutMs);
    if (own) return { smtp: own.transport, from: own.from ?? from, close: () => own.transport.close() };
    return transport && { smtp: transport, from, close: () => {} };
  }

  const transmit = (route: { smtp: Transporter; from: string }, message: MailMessage, signal?: AbortSignal) =>
    route.smtp.sendMail({
      from: route.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html !== undefined && { html: message.html }),
      attachments: message.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
        ...(a.cid && { cid: a.cid, contentDisposition: 'inline' as const }),
      })),
      signal,
    });

  return {
    configured: transport !== undefined,

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
          html: message.html ?? null,
          status: 'pending',
          attachments: JSON.stringify(storedAttachments(message.attachments)),
          created_at: now().toISOString(),
        })
        .returning(['id', 'uuid', 'organization_id'])
        .executeTakeFirstOrThrow();
      const keep = () => outbox.keep(row, message.attachments);
      if (!(await withinQuota(organizationId, row.id))) {
        await keep();
        await setStatus(row.id, 'failed', 'daily email quota reached');
        throw new RosettaError(
          'ERR_QUOTA',
          `the daily email quota of ${quota} messages for this organization is reached`,
        );
      }
      let route: Awaited<ReturnType<typeof routeOf>>;
      try {
        route = await routeOf(organizationId);
      } catch (error) {
        // The organization's server resolves to an address deliveries may not reach: permanent.
        if (!(error instanceof OutboundRefusedError)) throw error;
        await keep();
        await setStatus(row.id, 'failed', error.message);
        throw error;
      }
      if (!route) {
        await keep();
        return setStatus(row.id, 'held');
      }
      try {
        await transmit(route, message, signal);
      } catch (error) {
        const failure = error as Error & { responseCode?: number; code?: string };
        await keep();
        await setStatus(row.id, 'failed', failure.message);
        // SMTP 5xx answers are permanent (unknown mailbox, refused content); everything else —
        // connection errors, timeouts, 4xx "try later" — is worth another attempt.
        if (failure.responseCode !== undefined && failure.responseCode >= 500) throw error;
        throw new TransientJobError(`SMTP: ${failure.message}`, { cause: error });
      } finally {
        route.close();
      }
      return setStatus(row.id, 'sent');
    },

    async list(organizationId, window) {
      const rows = await db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .$if(window.after !== null, (query) => query.where('id', '<', Number(window.after?.[0])))
        .orderBy('id', 'desc')
        .limit(window.limit + 1)
        .execute();
      return rows.map(toOutboxMessage);
    },

    get: async (organizationId, id) => toOutboxMessage(await outbox.find(organizationId, id)),

    async resend(organizationId, id) {
      const row = await outbox.find(organizationId, id);
      const route = await routeOf(organizationId);
      if (!route)
        throw conflict(
          'SMTP is not configured: set SMTP_URL and restart Rosetta, or set the email server, then resend this message',
        );
      if (row.status !== 'held' && row.status !== 'failed')
        throw conflict(`only a held or failed message can be resent; this one is ${row.status}`);
      const count = (JSON.parse(row.attachments) as unknown[]).length;
      const attachments = await Promise.all(Array.from({ length: count }, (_, i) => outbox.kept(row, i)));
      if (attachments.some((a) => a === undefined))
        throw conflict('the attachments of this message are no longer kept, so it cannot be resent');
      // Compare-and-set: of two resends at once, one sends.
      const claimed = await db
        .updateTable('outbox_messages')
        .set({ status: 'pending', error: null })
        .where('id', '=', row.id)
        .where('status', '=', row.status)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw conflict('this message is being resent already');
      const message: MailMessage = {
        to: JSON.parse(row.recipients),
        subject: row.subject,
        text: row.text,
        ...(row.html !== null && { html: row.html }),
        attachments: attachments as RenderedFile[],
      };
      try {
        await transmit(route, message);
      } catch (error) {
        return setStatus(row.id, 'failed', (error as Error).message);
      } finally {
        route.close();
      }
      const sent = await setStatus(row.id, 'sent');
      await outbox.forget(row);
      return sent;
    },

    async attachment(organizationId, id, index) {
      const file = await outbox.kept(await outbox.find(organizationId, id), index);
      if (!file) throw notFound('attachment', index);
      return file;
    },

    close: () => transport?.close(),
  };
}
