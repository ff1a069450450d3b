import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type EmbedService, MAX_EMBED_SECONDS } from '../../core/auth/embed.ts';
import type { AuthService } from '../../core/auth/index.ts';
import { type ContentService, tokenVariableValues } from '../../core/content/index.ts';
import { forbidden } from '../../core/errors.ts';
import { type App, principalOf } from '../server.ts';
import { embedUrlOf } from '../web.ts';
import { bearerAuthHook } from './auth.ts';
import { IdParams } from './schemas.ts';

/** `Authorization: Embed <token>`: the credential of an embedded dashboard's requests. */
const EMBED_SCHEME = /^Embed\s+(\S+)\s*$/i;

/**
 * What an embedded dashboard page calls. The core already limits an embed principal to its
 * dashboard and data sources; this list keeps an embed token off every other route, so the
 * surface a public token reaches stays as small as the page needs.
 */
const EMBED_ROUTES = new Set(['GET /api/dashboards/:id', 'GET /api/data-sources', 'POST /api/query']);

/**
 * The native face's auth hook: an embed token (expiry re-checked on each request) on the routes
 * of an embedded page; otherwise the bearer (session token or API key).
 */
export function nativeAuthHook(auth: AuthService, embeds: EmbedService) {
  const bearer = bearerAuthHook(auth);
  return async (request: FastifyRequest): Promise<void> => {
    const token = EMBED_SCHEME.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || request.routeOptions.config.public) return bearer(request);
    request.principal = await embeds.authenticate(token);
    if (!EMBED_ROUTES.has(`${request.method} ${request.routeOptions.url}`))
      throw forbidden(
        'call this route with an embed token (it only reads its dashboard and queries its data)',
      );
  };
}

const Variable = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const CreateBody = Type.Object(
  {
    expiresInSeconds: Type.Integer({ minimum: 1, maximum: MAX_EMBED_SECONDS }),
    variables: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1, maxLength: 128 }),
        Type.Union([Variable, Type.Array(Variable)]),
      ),
    ),
    maxUses: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
const Created = Type.Object({ token: Type.String(), url: Type.String(), expiresAt: Type.String() });
const OpenBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);

/**
 * `POST /dashboards/:id/embeds` creates an embed URL (owner or admin); `POST /embed/open` is the
 * embedded page opening it: one use counted, answered with the dashboard it shows and the
 * token's values of the dashboard's variables.
 */
export function registerEmbedRoutes(app: App, deps: { embeds: EmbedService; content: ContentService }): void {
  app.post(
    '/dashboards/:id/embeds',
    { schema: { params: IdParams, body: CreateBody, response: { 201: Created } } },
    async (request, reply) => {
      const { token, expiresAt } = await deps.embeds.create(principalOf(request), request.params.id, {
        expiresInSeconds: request.body.expiresInSeconds,
        variables: request.body.variables,
        maxUses: request.body.maxUses,
      });
      return reply.status(201).send({ token, url: embedUrlOf(request, token), expiresAt });
    },
  );

  app.post('/embed/open', { config: { public: true }, schema: { body: OpenBody } }, async (request) => {
    const principal = await deps.embeds.open(request.body.token);
    const dashboard = await deps.content.dashboards.get(principal, principal.embedDashboardId ?? 0);
    // The token's values of the dashboard's variables: the page shows them and queries with them.
    const variables = tokenVariableValues(dashboard.variables, principal.attributes);
    return { dashboard, variables, expiresAt: principal.expiresAt?.toISOString() };
  });
}
