import { Type } from 'typebox';
import type { AuditService } from '../../core/audit/index.ts';
import { MAX_PAGE_LIMIT } from '../../core/paging.ts';
import { type App, principalOf } from '../server.ts';

const Text = Type.String({ minLength: 1, maxLength: 200 });
const digits = '^[1-9][0-9]{0,15}$';
const Digits = Type.String({ pattern: digits });
const AuditQuery = Type.Object(
  {
    action: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'An action, or a prefix ending in "." (apikey.)',
      }),
    ),
    actorId: Type.Optional(Digits),
    targetType: Type.Optional(Text),
    targetId: Type.Optional(Text),
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601, inclusive' })),
    until: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601, inclusive' })),
    before: Type.Optional(Digits),
    after: Type.Optional(
      Type.String({
        pattern: digits,
        description: 'The next of the previous page (an event id; same as before)',
      }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,3}$', description: `At most ${MAX_PAGE_LIMIT}; default 100` }),
    ),
  },
  { additionalProperties: false },
);
const nullable = <T extends ReturnType<typeof Type.String | typeof Type.Integer>>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const AuditEvent = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  action: Type.String(),
  actor: Type.Object({
    id: nullable(Type.Integer()),
    email: nullable(Type.String()),
    credential: nullable(Type.String()),
    address: nullable(Type.String()),
  }),
  target: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

/**
 * `GET /audit`: the organization's audit log for admins, newest first, filtered and paged by
 * `after` (or its older name `before`). `next` stays the integer id it always was: an opaque cursor
 * to clients of the paging contract, and what older clients pass as `before`.
 */
export function registerAuditRoutes(app: App, deps: { audit: AuditService }): void {
  app.get(
    '/audit',
    {
      schema: {
        summary: 'Audit log: sign-ins, credentials, rights, deletions (admins)',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AuditEvent),
            next: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => deps.audit.list(principalOf(request), request.query),
  );
}
