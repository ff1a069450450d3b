import { Type } from 'typebox';
import { type EmbedService, MAX_EMBED_SECONDS } from '../../core/auth/index.ts';
import { type ContentService, tokenVariableValues } from '../../core/content/index.ts';
import { byIdNewestFirst } from '../../core/paging.ts';
import { listReply, NextField, PageQuery } from '../kit/paging.ts';
import { limitCredentialFailures } from '../kit/rate-limit.ts';
import { type App, principalOf } from '../server.ts';
import { embedUrlOf } from '../web.ts';
import { IdParams } from './schemas.ts';

const Variable = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const CreateBody = Type.Object(
  {
    expiresInSeconds: Type.Integer({ minimum: 1, maximum: MAX_EMBED_SECONDS }),
    variables: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1, maxLength: 128 }),
        Type.Union([Variable, Type.Array(Variable, { maxItems: 1000 })]),
      ),
    ),
    maxUses: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const EmbedSchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  dashboardId: Type.Integer(),
  createdBy: Type.Integer(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  maxUses: Type.Union([Type.Integer(), Type.Null()]),
  uses: Type.Integer(),
  variables: Type.Record(Type.String(), Type.Array(Type.String())),
  status: Type.Union([
    Type.Literal('active'),
    Type.Literal('expired'),
    Type.Literal('used_up'),
    Type.Literal('revoked'),
  ]),
  revokedAt: nullable(Type.String()),
  revokedReason: nullable(Type.String()),
});
const Created = Type.Object({
  token: Type.String(),
  url: Type.String(),
  expiresAt: Type.String(),
  embed: EmbedSchema,
});
const OpenBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);

/**
 * `POST /dashboards/:id/embeds` creates an embed link (editors of the dashboard; see the embed
 * rules in core/auth/embed.ts), `GET` lists them, `DELETE /embeds/:id` revokes one.
 * `POST /embed/open` is the embedded page opening a link: one use counted, answered with the
 * dashboard, the link's values of its variables and the session the page's requests carry.
 */
export function registerEmbedRoutes(app: App, deps: { embeds: EmbedService; content: ContentService }): void {
  app.post(
    '/dashboards/:id/embeds',
    { schema: { params: IdParams, body: CreateBody, response: { 201: Created } } },
    async (request, reply) => {
      const { token, embed } = await deps.embeds.create(principalOf(request), request.params.id, {
        expiresInSeconds: request.body.expiresInSeconds,
        variables: request.body.variables,
        maxUses: request.body.maxUses,
      });
      return reply
        .status(201)
        .send({ token, url: embedUrlOf(request, token), expiresAt: embed.expiresAt, embed });
    },
  );

  app.get(
    '/dashboards/:id/embeds',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Object({ items: Type.Array(EmbedSchema), ...NextField }) },
      },
    },
    async (request) =>
      listReply(
        await deps.embeds.list(principalOf(request), request.params.id),
        request.query,
        byIdNewestFirst,
      ),
  );

  app.delete(
    '/embeds/:id',
    { schema: { params: IdParams, response: { 200: EmbedSchema } } },
    async (request) => deps.embeds.revoke(principalOf(request), request.params.id),
  );

  app.post('/embed/open', { config: { public: true }, schema: { body: OpenBody } }, async (request) => {
    const { principal, session } = await limitCredentialFailures(request, () =>
      deps.embeds.open(request.body.token, { address: request.ip }),
    );
    const dashboard = await deps.content.dashboards.get(principal, principal.embedDashboardId ?? 0);
    // The link's values of the dashboard's variables: the page shows them and queries with them.
    const variables = tokenVariableValues(dashboard.variables, principal.variables ?? {});
    return { dashboard, variables, expiresAt: principal.expiresAt?.toISOString(), session };
  });
}
