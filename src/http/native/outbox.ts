import { Type } from 'typebox';
import type { OutboxMessage, ScheduleService } from '../../core/schedules/index.ts';
import { NextField, PageQuery, pageRequestOf } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';

const nullableString = Type.Union([Type.String(), Type.Null()]);
const messageFields = {
  id: Type.Integer(),
  uuid: Type.String(),
  scheduleId: Type.Union([Type.Integer(), Type.Null()]),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  text: Type.String({ description: 'The plain-text body' }),
  status: Type.String({ description: 'pending, sent, held (no SMTP configured) or failed' }),
  error: nullableString,
  attachments: Type.Array(
    Type.Object({
      filename: Type.String(),
      contentType: Type.String(),
      size: Type.Integer(),
      inline: Type.Optional(Type.Boolean({ description: 'a picture the HTML part shows' })),
    }),
  ),
  filesKeptUntil: Type.Union([Type.String(), Type.Null()], {
    description:
      'until when the attachments can be downloaded and the message resent (held or failed messages)',
  }),
  createdAt: Type.String(),
  sentAt: nullableString,
};
const Message = Type.Object(messageFields);
const MessageWithHtml = Type.Object({
  ...messageFields,
  html: Type.Union([Type.String(), Type.Null()], { description: 'The HTML part, if any' }),
});
const OutboxQuery = Type.Object(PageQuery, { additionalProperties: false });
const MessageParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,11}$' }) });
const AttachmentParams = Type.Object({
  id: Type.String({ pattern: '^[1-9][0-9]{0,11}$' }),
  index: Type.String({ pattern: '^[0-9]{1,3}$' }),
});

/** The list leaves the HTML out: a message's page shows it. */
const listed = ({ html: _html, organizationId: _org, ...message }: OutboxMessage) => message;
const shown = ({ organizationId: _org, ...message }: OutboxMessage) => message;

/**
 * The outbox (admins): every email sent or held, newest first; one message with its HTML; the
 * kept attachments of a held or failed message; and resending it once SMTP is configured.
 */
export function registerOutboxRoutes(app: App, deps: { schedules: ScheduleService }): void {
  const tags = ['schedules'];
  app.get(
    '/outbox',
    {
      schema: {
        tags,
        querystring: OutboxQuery,
        response: { 200: Type.Object({ items: Type.Array(Message), ...NextField }) },
      },
    },
    async (request) => {
      const page = await deps.schedules.outbox(principalOf(request), pageRequestOf(request.query));
      return { items: page.items.map(listed), next: page.next };
    },
  );
  app.get(
    '/outbox/:id',
    { schema: { tags, params: MessageParams, response: { 200: Type.Object({ message: MessageWithHtml }) } } },
    async (request) => ({
      message: shown(await deps.schedules.outboxMessage(principalOf(request), Number(request.params.id))),
    }),
  );
  app.get(
    '/outbox/:id/attachments/:index',
    { schema: { tags, params: AttachmentParams, summary: 'A kept attachment of a held or failed message' } },
    async (request, reply) => {
      const file = await deps.schedules.outboxAttachment(
        principalOf(request),
        Number(request.params.id),
        Number(request.params.index),
      );
      return reply
        .header('content-type', file.contentType)
        .header(
          'content-disposition',
          `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        )
        .send(file.content);
    },
  );
  app.post(
    '/outbox/:id/resend',
    {
      schema: {
        tags,
        params: MessageParams,
        summary: 'Send a held or failed message again (409 until SMTP is configured)',
        response: { 200: Type.Object({ message: MessageWithHtml }) },
      },
    },
    async (request) => ({
      message: shown(await deps.schedules.resend(principalOf(request), Number(request.params.id))),
    }),
  );
}
