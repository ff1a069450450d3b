import { Type } from 'typebox';
import type { ScheduleService } from '../../core/schedules/index.ts';
import { type App, principalOf } from '../server.ts';

const nullableString = Type.Union([Type.String(), Type.Null()]);
const Message = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  scheduleId: Type.Union([Type.Integer(), Type.Null()]),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  text: Type.String({ description: 'The plain-text body' }),
  status: Type.String({ description: 'pending, sent, held (no SMTP configured) or failed' }),
  error: nullableString,
  attachments: Type.Array(
    Type.Object({ filename: Type.String(), contentType: Type.String(), size: Type.Integer() }),
  ),
  createdAt: Type.String(),
  sentAt: nullableString,
});
const OutboxQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) },
  { additionalProperties: false },
);

/** `GET /outbox`: every email sent or held, newest first (admins only). */
export function registerOutboxRoutes(app: App, deps: { schedules: ScheduleService }): void {
  app.get(
    '/outbox',
    {
      schema: {
        tags: ['schedules'],
        querystring: OutboxQuery,
        response: { 200: Type.Object({ items: Type.Array(Message) }) },
      },
    },
    async (request) => ({
      items: await deps.schedules.outbox(
        principalOf(request),
        request.query.limit === undefined ? undefined : Number(request.query.limit),
      ),
    }),
  );
}
