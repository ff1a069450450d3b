import { isEmbedSession } from '../../../core/auth/index.ts';
import type { Services } from '../../../services.ts';
import { type CredentialReader, credentialHook, headerOf } from '../../kit/credentials.ts';
import { routeAuthorization } from '../../kit/route-permissions.ts';
import type { App } from '../../server.ts';
import { registerDataApiRoutes } from './data-api.ts';
import { registerDataSourceRoutes } from './data-sources.ts';
import { registerDirectoryRoutes } from './directory.ts';
import { registerAttachmentUploadRoute, registerEmailRoutes } from './email.ts';
import { embedTokenOf, registerEmbedRoutes } from './embed.ts';
import { errorOf, serenyticsErrorHandler } from './envelope.ts';
import { registerFolderRoutes } from './folders.ts';
import { registerFormattedDataRoutes } from './formatted-data.ts';
import { serenyticsPermissions } from './permissions.ts';
import { registerScriptRoutes } from './scripts.ts';
import { registerFileLoadRoutes, registerFileUploadRoute } from './source-files.ts';
import { registerTaskRoutes } from './tasks.ts';
import { registerWebAppRoutes } from './web-apps.ts';

/**
 * `X-Api-Key: <any Rosetta API key>` on every route of the face; an embedded dashboard carries
 * its embed link (`?embeddedPayload=`) instead, which opens it on the routes that show it.
 */
const serenyticsCredential: CredentialReader = (request) => {
  const key = headerOf(request, 'x-api-key');
  if (key !== undefined) return { kind: 'secret', value: key };
  const embed = embedTokenOf(request);
  if (embed === undefined) return undefined;
  const opens = request.routeOptions.config.opensEmbed && request.method === 'GET' && !isEmbedSession(embed);
  return { kind: opens ? 'embedLink' : 'embed', value: embed };
};

/** The data-api takes `X-Api-Key` only: no embed or webhook credentials. */
const dataApiCredential: CredentialReader = (request) => {
  const key = headerOf(request, 'x-api-key');
  return key === undefined ? undefined : { kind: 'secret', value: key };
};

/** The vendor's error envelope, its 404s and the JSON its clients send, on one scope of the face. */
function speakSerenytics(api: App): void {
  api.setErrorHandler(serenyticsErrorHandler);
  api.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorOf(`no route ${request.method} ${request.url}`)),
  );
  // The web app's `GET /*` would otherwise take unknown GETs under the face and answer its 404 in
  // the native envelope: this catch-all keeps them in the face's scope, hence its envelope.
  api.get('/*', { schema: { hide: true }, config: { public: true } }, (_request, reply) =>
    reply.callNotFound(),
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
 * mapped here; every rule is the core's. `maxRows` caps every data answer; `escapeFormulas`
 * quote-prefixes the data API's CSV cells that start like a formula.
 */
export async function registerSerenyticsDialect(
  app: App,
  services: Services,
  limits: { maxRows: number; escapeFormulas: boolean },
): Promise<void> {
  const prefix = '/serenytics/api';
  await app.register(
    async (scope) => {
      const api = scope as unknown as App;
      speakSerenytics(api);
      api.addHook('onRequest', credentialHook(services, serenyticsCredential, 'missing X-Api-Key header'));
      api.addHook('onRequest', routeAuthorization(serenyticsPermissions));
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
      api.addHook('onRequest', credentialHook(services, dataApiCredential, 'missing X-Api-Key header'));
      api.addHook('onRequest', routeAuthorization(serenyticsPermissions));
      registerDataApiRoutes(api, services, limits);
    },
    { prefix: '/serenytics/data-api' },
  );
}
