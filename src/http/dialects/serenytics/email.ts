import { Type } from 'typebox';
import type { Services } from '../../../app.ts';
import { validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import { errorOf } from './envelope.ts';

const Nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]));

const EmailBody = Type.Object(
  {
    subject: Type.String(),
    recipients: Type.Array(Type.String()),
    html: Nullable(Type.String()),
    web_app_uuid: Nullable(Type.String()),
    pdf_file_name: Nullable(Type.String()),
    // Mail leaves from the server's configured sender (SMTP_FROM); the field is accepted and unused.
    from_address: Nullable(Type.String()),
    file_to_attach_uuid: Nullable(Type.String()),
    file_to_attach_name: Nullable(Type.String()),
    dashboard_payload: Nullable(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** `POST /api/email`: a one-off email as a task; 429 once the daily quota is spent. */
export function registerEmailRoutes(app: App, services: Services): void {
  app.post('/email', { schema: { body: EmailBody } }, async (request) => {
    const body = request.body;
    if (body.file_to_attach_uuid)
      throw validationError('file_to_attach_uuid', 'file attachments are not supported yet');
    if (body.dashboard_payload !== undefined && body.dashboard_payload !== null)
      throw validationError('dashboard_payload', 'dashboard payloads in emails are not supported yet');
    const job = await services.schedules.sendEmail(principalOf(request), {
      to: body.recipients,
      subject: body.subject,
      text: body.html ?? '',
      ...(body.web_app_uuid && { dashboard: body.web_app_uuid }),
      ...(body.pdf_file_name && { pdfFileName: body.pdf_file_name }),
    });
    return { status: 'ok', task_id: job.uuid };
  });
  // No signed S3 upload here; attachments by upload are not supported yet either.
  app.get('/sign_s3_file/', async () => errorOf('file uploads for email attachments are not supported yet'));
}
