import type { HolisticsFaceConfig } from '../../../config.ts';
import type { Services } from '../../../services.ts';
import { type CredentialReader, defineFace, headerOf } from '../../kit/index.ts';
import type { App } from '../../server.ts';
import { registerDashboardAreaRoutes } from './dashboard-routes.ts';
import { registerDatasetRoutes } from './data-sets.ts';
import { registerDirectoryRoutes } from './directory-routes.ts';
import { holisticsErrors } from './envelope.ts';
import { registerJobRoutes } from './jobs.ts';
import { compileRequestValidator } from './openapi.ts';
import { holisticsPermissions } from './permissions.ts';
import { HOLISTICS_PREFIX } from './routes.ts';
import { registerScheduleRoutes } from './schedule-routes.ts';
import { registerSourceRoutes } from './source-routes.ts';

/** `X-Holistics-Key: <key>`, where every Rosetta API key is accepted. */
const holisticsCredential: CredentialReader = (request) => {
  const key = headerOf(request, 'x-holistics-key');
  return key === undefined ? undefined : { kind: 'secret', value: key };
};

const holistics = defineFace({
  name: 'holistics',
  prefix: HOLISTICS_PREFIX,
  credentials: holisticsCredential,
  errors: holisticsErrors,
  permissions: holisticsPermissions,
  missingCredential: 'No valid API key provided',
  parsers: { emptyJson: true },
});

/**
 * Rails-style list parameters (`ids[]=1&ids[]=2`), as Holistics' clients send them, read like
 * repeated ones (`ids=1&ids=2`).
 */
function railsArrays(api: App): void {
  api.addHook('preValidation', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (!query) return;
    for (const key of Object.keys(query)) {
      if (!key.endsWith('[]')) continue;
      const name = key.slice(0, -2);
      const values = [query[key]].flat();
      query[name] = [...[query[name] ?? []].flat(), ...values];
      delete query[key];
    }
  });
}

/**
 * The Holistics face at `/holistics` (`/holistics/api/v2/...`), from the official OpenAPI
 * document: every route's method, path and request schemas are read from it. Only shapes are
 * mapped here; every rule is the core's.
 */
export async function registerHolisticsDialect(
  app: App,
  services: Services,
  config: HolisticsFaceConfig,
): Promise<void> {
  await holistics.register(app, {
    auth: services,
    requestLimits: { perMinute: config.rateLimits[1], levels: config.rateLimits },
    routes(api) {
      api.setValidatorCompiler(compileRequestValidator);
      railsArrays(api);
      registerDashboardAreaRoutes(api, services);
      registerScheduleRoutes(api, services);
      registerDirectoryRoutes(api, services, config);
      registerDatasetRoutes(api, services, config);
      registerJobRoutes(api, services);
      registerSourceRoutes(api, services);
    },
  });
}
