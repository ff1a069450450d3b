import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { embedUrlOf } from '../../web.ts';

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

/** The core's names of the embed inputs, as the vendor's request calls them. */
const vendorFields: Record<string, string> = {
  expiresInSeconds: 'expire_in',
  maxUses: 'nb_max_embed',
  variables: 'payload',
};

const vendorField = (path: string) => path.replace(/^[^.]+/, (head) => vendorFields[head] ?? head);

/**
 * `POST /api/web_app/{uuid}/embed` → `embeddedUrl`, the web app's embed page (it opens the
 * dashboard: one use), and `embeddedPayload`, the token its data requests carry (also accepted
 * here as `?embeddedPayload=`; `GET /api/web_app/{uuid}?embeddedPayload=…` opens it too).
 */
export function registerEmbedRoutes(app: App, services: Pick<Services, 'embeds'>): void {
  app.post(
    '/web_app/:uuid/embed',
    { schema: { params: Type.Object({ uuid: Type.String() }), body: EmbedBody } },
    async (request) => {
      const { token } = await services.embeds
        .create(principalOf(request), request.params.uuid, {
          expiresInSeconds: request.body.expire_in,
          variables: request.body.payload,
          maxUses: request.body.nb_max_embed,
        })
        .catch((error: unknown) => {
          throw renameFields(error, vendorField);
        });
      return { embeddedPayload: token, embeddedUrl: embedUrlOf(request, token), status: 'ok' };
    },
  );
}
