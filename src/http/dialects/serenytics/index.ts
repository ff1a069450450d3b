import type { FastifyRequest } from 'fastify';
import type { Services } from '../../../app.ts';
import type { EmbedService } from '../../../core/auth/embed.ts';
import type { AuthService } from '../../../core/auth/index.ts';
import { unauthenticated } from '../../../core/errors.ts';
import type { App } from '../../server.ts';
import { registerDataApiRoutes } from './data-api.ts';
import { registerDataSourceRoutes } from './data-sources.ts';
import { registerDirectoryRoutes } from './directory.ts';
import { registerAttachmentUploadRoute, registerEmailRoutes } from './email.ts';
import { embedTokenOf, registerEmbedRoutes } from './embed.ts';
import { errorOf, serenyticsErrorHandler } from './envelope.ts';
import { registerFolderRoutes } from './folders.ts';
import { registerFormattedDataRoutes } from './formatted-data.ts';
import { registerScriptRoutes } from './scripts.ts';
import { registerFileLoadRoutes, registerFileUploadRoute } from './source-files.ts';
import { registerTaskRoutes } from './tasks.ts';
import { registerWebAppRoutes } from './web-apps.ts';

/**
 * `X-Api-Key: <any Rosetta API key>` on every route of the face; an embedded dashboard carries
 * its embed token (`?embeddedPayload=`) instead.
 */
function apiKeyHook(auth: AuthService, embeds: EmbedService) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    // A script webhook authenticates by its own token (`run?token=`), checked by the route.
    if (!key && request.routeOptions.config.scriptWebhook && (request.query as { token?: string }).token)
      return;
    const embedToken = key ? undefined : embedTokenOf(request);
    if (embedToken) {
      const opens = request.routeOptions.config.opensEmbed && request.method === 'GET';
      request.principal = await (opens ? embeds.open(embedToken) : embeds.authenticate(embedToken));
      return;
    }
    if (!key) throw unauthenticated('missing X-Api-Key header');
    request.principal = await auth.authenticate(key.trim());
  };
}

/** The vendor's error envelope, its 404s and the JSON its clients send, on one scope of the face. */
function speakSerenytics(api: App): void {
  api.setErrorHandler(serenyticsErrorHandler);
  api.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorOf(`no route ${request.method} ${request.url}`)),
  );
  // The vendor's clients send `Content-type: application/json` with no body on plain POSTs.
  api.removeContentTypeParser('application/json');
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const body = String(text);
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch {
      done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
}

/**
 * The Serenytics face at `/serenytics`: its REST API (`/serenytics/api/...`) and its data API
 * (`/serenytics/data-api/...`) as the vendor's docs and Python client use them. Only shapes are
 * mapped here; every rule is the core's. `maxRows` caps every data answer.
 */
export async function registerSerenyticsDialect(
  app: App,
  services: Services,
  limits: { maxRows: number },
): Promise<void> {
  const prefix = '/serenytics/api';
  await app.register(
    async (scope) => {
      const api = scope as unknown as App;
      speakSerenytics(api);
      api.addHook('onRequest', apiKeyHook(services.auth, services.embeds));
      registerDataSourceRoutes(api, services);
      registerFormattedDataRoutes(api, services, limits);
      registerTaskRoutes(api, services);
      registerDirectoryRoutes(api, services);
      registerFolderRoutes(api, services);
      registerWebAppRoutes(api, services);
      registerFileLoadRoutes(api, services);
      registerEmbedRoutes(api, services);
      registerScriptRoutes(api, services);
      registerEmailRoutes(api, services);
      // Uploads are raw bytes whatever content type the client names (it often says JSON).
      await api.register(async (uploads) => {
        uploads.removeAllContentTypeParsers();
        uploads.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
        registerFileUploadRoute(uploads as unknown as App, services);
        registerAttachmentUploadRoute(uploads as unknown as App, services);
      });
    },
    { prefix },
  );
  await app.register(
    async (scope) => {
      const api = scope as unknown as App;
      speakSerenytics(api);
      registerDataApiRoutes(api, services, limits);
    },
    { prefix: '/serenytics/data-api' },
  );
}
