import type { Store } from '../../store/database.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { DashboardService } from '../content/index.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { byIdNewestFirst, type Page, type PageRequest, pageFromRows, pageWindow } from '../paging.ts';
import { type AttachmentOptions, createAttachmentUploads } from './attachments.ts';
import { createEmailSender, type EmailInput } from './email.ts';
import { createMailer, DEFAULT_DAILY_QUOTA, type MailOptions } from './mail.ts';
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
}) {
  const { db } = deps.store;
  const { now } = deps;
  const outbox = createOutboxStore({ db, now, dataDir: deps.attachments.dataDir });
  const mailer = createMailer({ db, now, outbox, ...deps.mail });
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
  };
  return {
    mailer,
    api,
    /** Deletes expired uploads and outbox files. */
    cleanup: (at: Date) => Promise.all([uploads.cleanup(at), outbox.cleanup(at)]),
  };
}
