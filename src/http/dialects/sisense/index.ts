import type { SisenseFaceConfig } from '../../../config.ts';
import type { Services } from '../../../services.ts';
import { authorizationOf, type CredentialReader, defineFace } from '../../kit/index.ts';
import type { App } from '../../server.ts';
import { registerAlertRoutes } from './alerts.ts';
import { registerContentRoutes } from './dashboard-routes.ts';
import { registerDatasetRoutes } from './data-catalog.ts';
import { registerDataConnectionRoutes } from './data-connections.ts';
import { registerDirectoryRoutes } from './directory.ts';
import { sisenseErrors } from './envelope.ts';
import { registerJaqlRoutes } from './jaql-routes.ts';
import { registerPeripheralRoutes } from './peripheral.ts';
import { sisensePermissions } from './permissions.ts';
import { registerSettingsRoutes } from './settings.ts';

/** `Authorization: Bearer <token>`: a session token from the face's login, or any Rosetta API key. */
const sisenseCredential: CredentialReader = (request) => {
  const token = authorizationOf(request, 'Bearer');
  return token === undefined ? undefined : { kind: 'secret', value: token };
};

const sisense = defineFace({
  name: 'sisense',
  prefix: '/sisense',
  credentials: sisenseCredential,
  errors: sisenseErrors,
  permissions: sisensePermissions,
  missingCredential: 'Invalid token',
  parsers: { emptyJson: true, formUrlEncoded: true },
});

/** Query parameters Sisense's own front ends add to every call (`trc`), which mean nothing here. */
function ignoredParameters(api: App): void {
  api.addHook('preValidation', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (query && 'trc' in query) delete query.trc;
  });
}

/**
 * The Sisense face at `/sisense`: REST v1 at `/sisense/api/v1/...` and the JAQL query protocol
 * at `/sisense/api/datasources/...`, as the vendor's documentation and clients use them. Only
 * shapes are mapped here; every rule is the core's.
 */
export async function registerSisenseDialect(
  app: App,
  services: Services,
  config: SisenseFaceConfig & { version: string },
): Promise<void> {
  await sisense.register(app, {
    auth: services,
    requestLimits: { perMinute: config.requestsPerMinute },
    routes(api) {
      ignoredParameters(api);
      registerSettingsRoutes(api, services);
      registerPeripheralRoutes(api);
      registerAlertRoutes(api, services);
      registerDirectoryRoutes(api, services, config.version);
      registerContentRoutes(api, services, config);
      registerDataConnectionRoutes(api, services, config);
      registerJaqlRoutes(api, services, config);
      registerDatasetRoutes(api, services);
    },
  });
}
