import { isEmbedSession } from '../../../core/auth/index.ts';
import type { Services } from '../../../services.ts';
import { type CredentialReader, defineFace, headerOf, type UploadOptions } from '../../kit/index.ts';
import type { App } from '../../server.ts';
import { registerDataApiRoutes } from './data-api.ts';
import { registerDataSourceRoutes } from './data-sources.ts';
import { registerDirectoryRoutes } from './directory.ts';
import { registerAttachmentUploadRoute, registerEmailRoutes } from './email.ts';
import { embedTokenOf, registerEmbedRoutes } from './embed.ts';
import { serenyticsErrors } from './envelope.ts';
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

/** What both APIs of the face share; the vendor's clients send `Content-type: application/json` with no body on plain POSTs. */
const serenytics = {
  name: 'serenytics',
  errors: serenyticsErrors,
  permissions: serenyticsPermissions,
  missingCredential: 'missing X-Api-Key header',
  parsers: { emptyJson: true },
};
const restApi = defineFace({ ...serenytics, prefix: '/serenytics/api', credentials: serenyticsCredential });
const dataApi = defineFace({ ...serenytics, prefix: '/serenytics/data-api', credentials: dataApiCredential });

/** The face's knobs: `maxRows` caps every data answer; `escapeFormulas` quote-prefixes the data API's CSV cells that start like a formula. */
export interface SerenyticsLimits {
  maxRows: number;
  escapeFormulas: boolean;
  /** Calls each caller may make to each route in a minute; 0 or unset: no limit. */
  requestsPerMinute?: number;
  /** Where file uploads stream to, and their cap as sent (`ROSETTA_UPLOAD_MAX_MB`). */
  uploads: UploadOptions;
}

/**
 * The Serenytics face at `/serenytics`: its REST API (`/serenytics/api/...`) and its data API
 * (`/serenytics/data-api/...`) as the vendor's docs and Python client use them. Only shapes are
 * mapped here; every rule is the core's.
 */
export async function registerSerenyticsDialect(
  app: App,
  services: Services,
  limits: SerenyticsLimits,
): Promise<void> {
  const requestLimits = { perMinute: limits.requestsPerMinute ?? 0 };
  await restApi.register(app, {
    auth: services,
    requestLimits,
    routes(api) {
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
    },
    uploads: {
      receive: limits.uploads,
      routes(api) {
        registerFileUploadRoute(api, services);
        registerAttachmentUploadRoute(api, services);
      },
    },
  });
  await dataApi.register(app, {
    auth: services,
    requestLimits,
    routes: (api) => registerDataApiRoutes(api, services, limits),
  });
}
