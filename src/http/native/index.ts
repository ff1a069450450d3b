import type { AuthService, EmbedService } from '../../core/auth/index.ts';
import type { Services } from '../../services.ts';
import { credentialHook } from '../kit/credentials.ts';
import { faceRequestLimits } from '../kit/request-limits.ts';
import { routeAuthorization } from '../kit/route-permissions.ts';
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
import { nativeCredential, registerEmbedRoutes } from './embeds.ts';
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
import { registerProjectRoutes } from './projects.ts';
import { registerQueryRoutes } from './query.ts';
import { registerQueryJobRoutes } from './query-jobs.ts';
import { registerScheduleRoutes } from './schedules.ts';
import { registerTrashRoutes } from './trash.ts';
import { registerUserRoutes } from './users.ts';
import { registerViewRoutes } from './views.ts';

/**
 * The native face's two hooks: who calls (`Authorization: Bearer` or `Embed`), then whether the
 * route's action is theirs (permissions.ts).
 */
export function guardNativeRoutes(api: App, deps: { auth: AuthService; embeds?: EmbedService }): void {
  api.addHook('onRequest', credentialHook(deps, nativeCredential, 'missing Authorization: Bearer header'));
  api.addHook('onRequest', routeAuthorization(nativePermissions));
}

/** Rosetta's own REST API under /api, its OpenAPI document and the health probe. */
export async function registerNativeApi(
  app: App,
  services: Services,
  options: { version: string; dataDir: string; maxUploadBytes?: number; requestsPerMinute?: number },
): Promise<void> {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok', version: options.version }));

  await app.register(
    async (api) => {
      const typed = api as unknown as App;
      guardNativeRoutes(typed, services);
      await faceRequestLimits(typed, { perMinute: options.requestsPerMinute ?? 0 });
      typed.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () =>
        app.swagger(),
      );
      registerAuthRoutes(typed, { auth: services.auth, directory: services.directory });
      registerUserRoutes(typed, { directory: services.directory });
      registerPasswordLinkRoutes(typed, { auth: services.auth });
      registerOrganizationRoutes(typed, { directory: services.directory });
      registerProjectRoutes(typed, { directory: services.directory });
      registerGroupRoutes(typed, { directory: services.directory });
      registerAttributeRoutes(typed, { directory: services.directory });
      registerApiKeyRoutes(typed, { auth: services.auth });
      registerConnectionRoutes(typed, { connections: services.data.connections });
      registerDataSourceRoutes(typed, {
        sources: services.data.sources,
        query: services.query,
        ingestor: services.data.ingestor,
        dataDir: options.dataDir,
        maxUploadBytes: options.maxUploadBytes,
        folders: services.content.folders,
      });
      registerModelRoutes(typed, { models: services.data.models });
      registerQueryRoutes(typed, { query: services.query });
      registerQueryJobRoutes(typed, { queryJobs: services.queryJobs });
      registerFolderRoutes(typed, { content: services.content });
      registerDashboardRoutes(typed, { content: services.content });
      registerChartRoutes(typed, { content: services.content, query: services.query });
      registerViewRoutes(typed, { views: services.views });
      registerEmbedRoutes(typed, { embeds: services.embeds, content: services.content });
      registerFavouriteRoutes(typed, { content: services.content });
      registerJobRoutes(typed, { jobs: services.jobs });
      registerExportRoutes(typed, { exports: services.exports });
      registerScheduleRoutes(typed, { schedules: services.schedules });
      registerAlertRoutes(typed, { schedules: services.schedules });
      registerOutboxRoutes(typed, { schedules: services.schedules });
      registerAuditRoutes(typed, { audit: services.audit });
      registerTrashRoutes(typed, { trash: services.trash });
    },
    { prefix: '/api' },
  );
}
