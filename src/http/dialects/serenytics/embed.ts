import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Services } from '../../../app.ts';
import { type App, principalOf } from '../../server.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Opening this route with `?embeddedPayload=` counts one use of the embed token. */
    opensEmbed?: boolean;
  }
}

/** The embed token a request carries instead of an API key (`?embeddedPayload=`). */
export function embedTokenOf(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.embeddedPayload;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const EmbedBody = Type.Object(
  {
    expire_in: Type.Unknown(),
    payload: Type.Optional(Type.Unknown()),
    nb_max_embed: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/**
 * `POST /api/web_app/{uuid}/embed` → a URL served here: `GET /api/web_app/{uuid}?embeddedPayload=…`
 * opens the dashboard (one use), and the embed's data requests carry the same parameter.
 */
export function registerEmbedRoutes(app: App, services: Services): void {
  app.post(
    '/web_app/:uuid/embed',
    { schema: { params: Type.Object({ uuid: Type.String() }), body: EmbedBody } },
    async (request) => {
      const { token } = await services.embeds.create(principalOf(request), request.params.uuid, {
        expiresInSeconds: request.body.expire_in,
        variables: request.body.payload,
        maxUses: request.body.nb_max_embed,
      });
      const base = `${request.protocol}://${request.host}`;
      const embeddedUrl = `${base}/serenytics/api/web_app/${request.params.uuid}?embeddedPayload=${token}`;
      return { embeddedPayload: token, embeddedUrl, status: 'ok' };
    },
  );
}
