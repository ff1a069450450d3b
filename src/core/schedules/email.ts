import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { DashboardFilter } from '../content/index.ts';
import { RosettaError, validationError } from '../errors.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { requestedFilters, type ViewFilters } from '../views/index.ts';
import { type AttachmentUploads, attachmentName } from './attachments.ts';
import type { Mailer } from './mail.ts';
import type { Db } from './repo.ts';
import type { DeliveryRenderer, RenderedFile } from './types.ts';

/**
 * One-off emails (Serenytics `send_email`): sent by a job, with a dashboard rendered as a PDF
 * attachment when one is named (its filter values applied, as an export applies them) and a file
 * uploaded before (`AttachmentUploads`) when one is named. The daily quota is checked when the email is accepted, so the
 * caller learns at once (ERR_QUOTA) rather than from a failed job; the mailer checks it again
 * when sending, which settles races.
 */
export const SEND_EMAIL_JOB = 'mail.send';

export interface EmailInput {
  to: string[];
  subject: string;
  text: string;
  /** A dashboard (id or uuid) to attach as a PDF. */
  dashboard?: string;
  /** Default: `<dashboard name>.pdf`. */
  pdfFileName?: string;
  /** Dashboard filter values for the PDF: filter id or field → values (see exports' filterRules). */
  filters?: unknown;
  /** An uploaded file to attach, by its upload uuid, under `filename`. */
  attachment?: { upload: string; filename: string };
}

interface EmailPayload {
  principal: Principal;
  input: EmailInput;
  dashboardId?: number;
  /** The dashboard's filters in force (older jobs: `rules` alone, on the filters' fields). */
  filters?: ViewFilters;
  rules?: ViewFilters['rules'];
}

const emailPattern = /^[^\s@]+@[^\s@]+$/;

function checked(input: EmailInput): void {
  if (!Array.isArray(input.to) || input.to.length === 0 || input.to.length > 100)
    throw validationError('recipients', 'must list 1 to 100 addresses');
  input.to.forEach((to, i) => {
    if (typeof to !== 'string' || !emailPattern.test(to))
      throw validationError(`recipients[${i}]`, 'is not an email address');
  });
  if (typeof input.subject !== 'string' || !input.subject.trim())
    throw validationError('subject', 'is required');
  if (typeof input.text !== 'string') throw validationError('html', 'must be a string');
}

export function createEmailSender(deps: {
  db: Db;
  jobs: JobService;
  mailer: Mailer;
  renderer: DeliveryRenderer;
  uploads: AttachmentUploads;
  dashboards: {
    get(
      principal: Principal,
      ref: number | string,
    ): Promise<{ id: number; name: string; filters: DashboardFilter[] }>;
  };
  quota: number;
  now: () => Date;
}) {
  deps.jobs.register<EmailPayload, { outboxId: number }>(SEND_EMAIL_JOB, {
    concurrency: 2,
    timeoutMs: 10 * 60_000,
    // The outbox keeps the message per job, so a requeued job does not send it twice.
    onInterrupted: 'requeue',
    async run(job, { payload, signal }) {
      const { principal, input, dashboardId } = payload;
      const attachments: RenderedFile[] = [];
      if (dashboardId !== undefined) {
        const filters = payload.filters ?? { applied: [], rules: payload.rules ?? [], summaries: [] };
        const file = await deps.renderer.render(
          principal,
          { dashboard: dashboardId },
          'pdf',
          filters,
          signal,
        );
        attachments.push({ ...file, filename: input.pdfFileName ?? file.filename });
      }
      if (input.attachment) {
        const { upload, filename } = input.attachment;
        attachments.push(await deps.uploads.read(principal.organizationId, upload, filename));
      }
      const message = { to: input.to, subject: input.subject, text: input.text, attachments, jobId: job.id };
      return { outboxId: (await deps.mailer.send(principal.organizationId, message, signal)).id };
    },
  });

  return {
    async send(principal: Principal, input: EmailInput): Promise<Job> {
      authorize(principal, 'email.send');
      const dayStart = `${deps.now().toISOString().slice(0, 10)}T00:00:00.000Z`;
      const { n } = await deps.db
        .selectFrom('outbox_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', principal.organizationId)
        .where('created_at', '>=', dayStart)
        .where('status', 'in', ['pending', 'sent', 'held'])
        .executeTakeFirstOrThrow();
      if (Number(n) >= deps.quota)
        throw new RosettaError('ERR_QUOTA', `the daily quota of ${deps.quota} emails is spent`);
      checked(input);
      if (input.pdfFileName !== undefined) attachmentName('pdfFileName', input.pdfFileName);
      if (input.attachment) {
        await deps.uploads.check(principal.organizationId, 'attachment.upload', input.attachment.upload);
        attachmentName('attachment.filename', input.attachment.filename);
      }
      if (input.filters !== undefined && input.dashboard === undefined)
        throw validationError('filters', 'apply to a dashboard: name the dashboard to attach');
      // The dashboard and its filter values are resolved now: a missing or hidden dashboard is a
      // 404 of this call, and a value naming no filter of it a 400.
      if (input.dashboard === undefined)
        return deps.jobs.enqueue(principal, SEND_EMAIL_JOB, { principal, input });
      const dashboard = await deps.dashboards.get(principal, input.dashboard);
      const filters = requestedFilters(input.filters, dashboard.filters);
      const pdfFileName = input.pdfFileName ?? `${dashboard.name.replace(/[/\\\0]/g, '_')}.pdf`;
      return deps.jobs.enqueue(principal, SEND_EMAIL_JOB, {
        principal,
        input: { ...input, pdfFileName },
        dashboardId: dashboard.id,
        filters,
      });
    },
  };
}
