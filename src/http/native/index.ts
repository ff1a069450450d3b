import type { Services } from '../../services.ts';
import { authorizationOf, type CredentialReader } from '../kit/credentials.ts';
import { defineFace } from '../kit/face.ts';
import type { App } from '../server.ts';
import { registerAlertRoutes } from './alerts.ts';
import { registerApiKeyRoutes } from './api-keys.ts';
import { registerAttributeRoutes } from './attributes.ts';
import { registerAuditRoutes } from './audit.ts';
import { registerAuthRoutes } from './auth.ts';
import { registerChartRoutes } from './charts.ts';
import { registerConnectionRoutes } from './connections.ts';
import { registerDashboardRoutes } from './dashboards.ts';
import { registerDataSourceRoutes } from './data-sources.ts';
import { registerDbtRoutes } from './dbt.ts';
import { registerEmbedRoutes } from './embeds.ts';
import { nativeErrors } from './envelope.ts';
import { registerExportRoutes } from './exports.ts';
import { registerFavouriteRoutes } from './favourites.ts';
import { registerFolderRoutes } from './folders.ts';
import { registerGroupRoutes } from './groups.ts';
import { registerJobRoutes } from './jobs.ts';
import { registerModelRoutes } from './models.ts';
import { registerOrganizationRoutes } from './organization.ts';
import { registerOutboxRoutes } from './outbox.ts';
import { registerPasswordLinkRoutes } from './password-links.ts';
import { nativePermissions } from './permissions.ts';
import { registerProjectAccessRoutes } from './project-access.ts';
import { registerProjectRoutes } from './projects.ts';
import { registerQueryRoutes } from './query.ts';
import { registerQueryJobRoutes } from './query-jobs.ts';
import { registerScheduleRoutes } from './schedules.ts';
import { registerTrashRoutes } from './trash.ts';
import { registerUserRoutes } from './users.ts';
import { registerViewRoutes } from './views.ts';

/**
 * The native face's credentials: `Authorization: Bearer <session token or API key>`, or
 * `Authorization: Embed <embed session>` on the requests of an embedded dashboard page.
 */
const nativeCredential: CredentialReader = (request) => {
  const embed = authorizationOf(request, 'Embed');
  if (embed !== undefined) return { kind: 'embed', value: embed };
  const bearer = authorizationOf(request, 'Bearer');
  return bearer === undefined ? undefined : { kind: 'secret', value: bearer };
};

/**
 * Rosetta's own API as a face: its envelope, its credentials, then whether the route's action is
 * the caller's (permissions.ts). Action routes (`…/run`, `…/restore`) take no body, and clients
 * call them with none while still sending `Content-Type: application/json`.
 */
export const nativeApi = defineFace({
  name: 'native',
  prefix: '/api',
  credentials: nativeCredential,
  missingCredential: 'missing Authorization: Bearer header',
  errors: nativeErrors,
  permissions: nativePermissions,
  parsers: { emptyJson: true },
});

/** Rosetta's own REST API under /api, its OpenAPI document and the health probe. */
export async function registerNativeApi(
  app: App,
  services: Services,
  options: { version: string; filesDir: string; maxUploadBytes?: number; requestsPerMinute?: number },
): Promise<void> {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok', version: options.version }));

  await nativeApi.register(app, {
    auth: services,
    requestLimits: { perMinute: options.requestsPerMinute ?? 0 },
    routes(api) {
      api.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () =>
        app.swagger(),
      );
      registerAuthRoutes(api, { auth: services.auth, directory: services.directory });
      registerUserRoutes(api, { directory: services.directory });
      registerPasswordLinkRoutes(api, { auth: services.auth });
      registerOrganizationRoutes(api, { directory: services.directory });
      registerProjectRoutes(api, { directory: services.directory });
      registerProjectAccessRoutes(api, { directory: services.directory });
      registerGroupRoutes(api, { directory: services.directory });
      registerAttributeRoutes(api, { directory: services.directory });
      registerApiKeyRoutes(api, { auth: services.auth });
      registerConnectionRoutes(api, { connections: services.data.connections });
      registerDataSourceRoutes(api, {
        sources: services.data.sources,
        query: services.query,
        ingestor: services.data.ingestor,
        filesDir: options.filesDir,
        maxUploadBytes: options.maxUploadBytes,
      });
      registerModelRoutes(api, { models: services.data.models });
      registerDbtRoutes(api, {
        directory: services.directory,
        connections: services.data.connections,
        sources: services.data.sources,
        models: services.data.models,
      });
      registerQueryRoutes(api, { query: services.query });
      registerQueryJobRoutes(api, { queryJobs: services.queryJobs });
      registerFolderRoutes(api, { content: services.content });
      registerDashboardRoutes(api, { content: services.content });
      registerChartRoutes(api, { content: services.content, views: services.views });
      registerViewRoutes(api, { views: services.views });
      registerEmbedRoutes(api, { embeds: services.embeds, content: services.content });
      registerFavouriteRoutes(api, { content: services.content });
      registerJobRoutes(api, { jobs: services.jobs });
      registerExportRoutes(api, { exports: services.exports });
      registerScheduleRoutes(api, { schedules: services.schedules });
      registerAlertRoutes(api, { schedules: services.schedules });
      registerOutboxRoutes(api, { schedules: services.schedules });
      registerAuditRoutes(api, { audit: services.audit });
      registerTrashRoutes(api, { trash: services.trash });
    },
  });
}
