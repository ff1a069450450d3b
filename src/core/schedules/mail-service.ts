import type { Store } from '../../store/database.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { DashboardService } from '../content/index.ts';
import type { SecretBox } from '../data/index.ts';
import { notFound } from '../errors.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { byIdNewestFirst, type Page, type PageRequest, pageFromRows, pageWindow } from '../paging.ts';
import { type AttachmentOptions, createAttachmentUploads } from './attachments.ts';
import { createEmailSender, type EmailInput } from './email.ts';
import { createMailer, DEFAULT_DAILY_QUOTA, type MailOptions } from './mail.ts';
import { createMailTransports, type MailServer } from './mail-transports.ts';
import type { OutboundPolicy } from './outbound.ts';
import { createOutboxStore } from './outbox-store.ts';
import type { DeliveryRenderer, OutboxMessage, RenderedFile } from './types.ts';

/** What the schedule service answers about email: one-off emails, uploads and the outbox. */
export interface MailApi {
  /** Accepts a one-off email (sent by a job); ERR_QUOTA once the organization's daily quota is spent. */
  sendEmail(principal: Principal, input: EmailInput): Promise<Job>;
  /**
   * Keeps an uploaded file (moved into place) under the caller's uuid, for a later email to
   * attach (ERR_LIMIT when too large).
   */
  uploadAttachment(principal: Principal, uuid: string, file: string): Promise<{ size: number }>;
  /** The largest file `uploadAttachment` keeps: a receiver stops reading a body past it. */
  readonly attachmentMaxBytes: number;
  /** Messages sent or held, newest first, one page (100 unless the request says otherwise); admins only. */
  outbox(principal: Principal, page?: PageRequest): Promise<Page<OutboxMessage>>;
  outboxMessage(principal: Principal, id: number): Promise<OutboxMessage>;
  /** A kept attachment of a held or failed message (ERR_NOT_FOUND once it is gone). */
  outboxAttachment(principal: Principal, id: number, index: number): Promise<RenderedFile>;
  /** Sends a held or failed message again once SMTP is configured (ERR_CONFLICT until then). */
  resend(principal: Principal, id: number): Promise<OutboxMessage>;
  /**
   * Sends a plain message the server writes itself to one address (a verification passcode), as
   * every message goes: through SMTP, or held in the outbox without it; counted in the quota.
   */
  sendNotice(
    organizationId: number,
    message: { to: string; subject: string; text: string },
  ): Promise<OutboxMessage>;
  /**
   * The SMTP server the caller's organization sends through: its own, or the configured one
   * (`source` says which; the password is never shown); ERR_NOT_FOUND when mail is only held.
   */
  mailServer(principal: Principal): Promise<MailServer>;
  /** Sets the organization's own SMTP server (`host`, `port`, `secure`, `username`, `password`, `from`). */
  createMailServer(principal: Principal, body: unknown): Promise<MailServer>;
  updateMailServer(principal: Principal, body: unknown): Promise<MailServer>;
  /** Removes the organization's own server: mail goes through the configured one again. */
  deleteMailServer(principal: Principal): Promise<void>;
}

/**
 * The email side of the schedule service: the mailer (SMTP or held), the outbox with the files of
 * messages not sent, uploads for one-off emails, and their hourly cleanup.
 */
export function createMailServices(deps: {
  store: Pick<Store, 'db'>;
  jobs: JobService;
  renderer: DeliveryRenderer;
  dashboards: Pick<DashboardService, 'get'>;
  attachments: AttachmentOptions;
  mail?: MailOptions;
  now: () => Date;
  /** Seals the passwords of organizations' own SMTP servers. */
  secrets: SecretBox;
  outbound: Pick<OutboundPolicy, 'checkUrl' | 'addressFor'>;
}) {
  const { db } = deps.store;
  const { now } = deps;
  const { filesDir, sharedFiles } = deps.attachments;
  const outbox = createOutboxStore({ db, now, filesDir, sharedFiles });
  const transports = createMailTransports({
    db,
    now,
    secrets: deps.secrets,
    outbound: deps.outbound,
    smtpUrl: deps.mail?.smtpUrl,
    from: deps.mail?.from,
  });
  const mailer = createMailer({ db, now, outbox, transports, ...deps.mail });
  const uploads = createAttachmentUploads(deps.attachments);
  const email = createEmailSender({
    db,
    jobs: deps.jobs,
    mailer,
    renderer: deps.renderer,
    uploads,
    dashboards: deps.dashboards,
    quota: deps.mail?.dailyQuota ?? DEFAULT_DAILY_QUOTA,
    now,
  });

  const api: MailApi = {
    sendEmail: (principal, input) => email.send(principal, input),
    uploadAttachment: (principal, uuid, file) => uploads.save(principal, uuid, file),
    attachmentMaxBytes: uploads.maxBytes,
    async outbox(principal, page = {}) {
      authorize(principal, 'outbox.read');
      const window = pageWindow(page, byIdNewestFirst);
      return pageFromRows(await mailer.list(principal.organizationId, window), window, byIdNewestFirst);
    },
    async outboxMessage(principal, id) {
      authorize(principal, 'outbox.read');
      return mailer.get(principal.organizationId, id);
    },
    async outboxAttachment(principal, id, index) {
      authorize(principal, 'outbox.read');
      return mailer.attachment(principal.organizationId, id, index);
    },
    async resend(principal, id) {
      authorize(principal, 'outbox.resend');
      return mailer.resend(principal.organizationId, id);
    },
    sendNotice: (organizationId, message) =>
      mailer.send(organizationId, { ...message, to: [message.to], attachments: [] }),
    async mailServer(principal) {
      authorize(principal, 'organization.manage');
      const server = await transports.view(principal.organizationId);
      if (!server) throw notFound('email server', 'smtp');
      return server;
    },
    async createMailServer(principal, body) {
      authorize(principal, 'organization.manage');
      return transports.create(principal.organizationId, body);
    },
    async updateMailServer(principal, body) {
      authorize(principal, 'organization.manage');
      return transports.update(principal.organizationId, body);
    },
    async deleteMailServer(principal) {
      authorize(principal, 'organization.manage');
      await transports.remove(principal.organizationId);
    },
  };
  return {
    mailer,
    api,
    /** Deletes expired uploads and outbox files. */
    cleanup: (at: Date) => Promise.all([uploads.cleanup(at), outbox.cleanup(at)]),
  };
}
