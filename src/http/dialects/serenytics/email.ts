import { Type } from 'typebox';
import type { EmailInput } from '../../../core/schedules/index.ts';
import type { Services } from '../../../services.ts';
import { renameFields, uploadOf } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { errorOf } from './envelope.ts';
import { payloadFilters } from './web-app-json.ts';

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

/** The core's field names of an email → the names the client sent. */
const fieldNames: Record<string, string> = {
  'attachment.upload': 'file_to_attach_uuid',
  'attachment.filename': 'file_to_attach_name',
  pdfFileName: 'pdf_file_name',
};
const vendorField = (path: string) => fieldNames[path] ?? path.replace(/^filters/, 'dashboard_payload');

/**
 * `POST /api/email`: a one-off email as a task; 429 once the daily quota is spent. The dashboard
 * named by `web_app_uuid` is attached as a PDF with `dashboard_payload` applied as its filter
 * values; a file uploaded before through `upload_file` is attached by `file_to_attach_uuid`.
 */
export function registerEmailRoutes(app: App, services: Pick<Services, 'schedules'>): void {
  app.post('/email', { schema: { body: EmailBody } }, async (request) => {
    const body = request.body;
    const input: EmailInput = { to: body.recipients, subject: body.subject, text: body.html ?? '' };
    if (body.web_app_uuid) input.dashboard = body.web_app_uuid;
    if (body.pdf_file_name) input.pdfFileName = body.pdf_file_name;
    if (body.dashboard_payload !== undefined && body.dashboard_payload !== null)
      input.filters = payloadFilters('dashboard_payload', body.dashboard_payload);
    if (body.file_to_attach_uuid) {
      input.attachment = {
        upload: body.file_to_attach_uuid,
        filename: body.file_to_attach_name ?? body.file_to_attach_uuid,
      };
    }
    const job = await services.schedules.sendEmail(principalOf(request), input).catch((error) => {
      throw renameFields(error, vendorField);
    });
    return { status: 'ok', task_id: job.uuid };
  });
  // No signed S3 upload here: the client then posts the file to `upload_file`.
  app.get('/sign_s3_file/', async () =>
    errorOf('direct upload is not available: post the file to /api/upload_file/{uuid}'),
  );
}

/** `POST /api/upload_file/{uuid4}`: the raw bytes of a file a later email attaches (201). */
export function registerAttachmentUploadRoute(app: App, services: Pick<Services, 'schedules'>): void {
  app.post(
    '/upload_file/:uuid',
    {
      schema: { params: Type.Object({ uuid: Type.String() }) },
      config: { uploadMaxBytes: services.schedules.attachmentMaxBytes },
    },
    async (request, reply) => {
      const { file } = uploadOf(request.body);
      const { size } = await services.schedules.uploadAttachment(
        principalOf(request),
        request.params.uuid,
        file,
      );
      return reply.status(201).send({ status: 'ok', uuid: request.params.uuid, size });
    },
  );
}
