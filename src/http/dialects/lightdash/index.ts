import type { Services } from '../../../services.ts';
import { type CredentialReader, defineFace } from '../../kit/index.ts';
import type { App } from '../../server.ts';
import { registerAccountRoutes } from './account.ts';
import { registerAttributeRoutes } from './attributes.ts';
import { registerCatalogRoutes } from './catalog.ts';
import { registerCommentRoutes } from './comments.ts';
import { registerContentAsCodeRoutes } from './content-as-code.ts';
import { registerContentExtrasRoutes } from './content-extras.ts';
import { registerContentListingRoutes } from './content-listing.ts';
import { registerContentRoutes } from './content-routes.ts';
import { registerDeployRoutes } from './deploy.ts';
import { lightdashErrors } from './envelope.ts';
import { registerFieldSearchRoutes } from './field-search.ts';
import { lightdashSecretOf, registerIdentityRoutes } from './identity.ts';
import { registerIntegrationRoutes } from './integrations.ts';
import { registerNotificationRoutes } from './notifications.ts';
import { registerOrganizationRoutes } from './organization.ts';
import { lightdashPermissions } from './permissions.ts';
import { registerPinRoutes } from './pins.ts';
import { registerProjectAccessRoutes } from './project-access.ts';
import { registerProjectExposureRoutes } from './project-exposures.ts';
import { registerProjectLifecycleRoutes } from './project-lifecycle.ts';
import { registerProjectRoutes } from './projects.ts';
import { registerPromotionRoutes } from './promotion.ts';
import { registerQueryRoutes } from './query-routes.ts';
import { registerSchedulerRoutes } from './schedulers.ts';
import { registerSearchRoutes } from './search.ts';
import { registerSqlRunnerRoutes } from './sql-runner.ts';
import { registerTagRoutes } from './tags.ts';
import { registerValidationRoutes } from './validation.ts';

/**
 * `Authorization: ApiKey <token>` (a personal access token: any Rosetta API key), `Bearer <token>`
 * (service-account tokens), or the session cookie `POST /v1/login` sets.
 */
const lightdashCredential: CredentialReader = (request) => {
  const secret = lightdashSecretOf(request);
  return secret === undefined ? undefined : { kind: 'secret', value: secret };
};

const lightdash = defineFace({
  name: 'lightdash',
  prefix: '/lightdash/api',
  credentials: lightdashCredential,
  errors: lightdashErrors,
  permissions: lightdashPermissions,
  missingCredential: 'Failed to authorize user',
  parsers: { emptyJson: true, gzip: true },
});

/** The face's knobs, reported by `GET /v1/health` as the caps they are. */
export interface LightdashLimits {
  /** Most rows a query may ask for (`limit`); above it, a 400 `ParameterError`. */
  maxLimit: number;
  /** Most rows one page of query results holds. */
  maxPageSize: number;
  /** Calls each caller may make to each route in a minute; 0 or unset: no limit. */
  requestsPerMinute?: number;
}

/**
 * The Lightdash face at `/lightdash` (`/lightdash/api/v1/...`, `/lightdash/api/v2/...`) as the
 * vendor's API reference and SDK use it. Only shapes are mapped here; every rule is the core's.
 */
export async function registerLightdashDialect(
  app: App,
  services: Services,
  limits: LightdashLimits,
): Promise<void> {
  await lightdash.register(app, {
    auth: services,
    requestLimits: { perMinute: limits.requestsPerMinute ?? 0 },
    routes(api) {
      registerIdentityRoutes(api, services, limits);
      registerOrganizationRoutes(api, services);
      registerAccountRoutes(api, services);
      registerAttributeRoutes(api, services);
      registerProjectRoutes(api, services);
      registerProjectAccessRoutes(api, services);
      registerProjectLifecycleRoutes(api, services);
      registerProjectExposureRoutes(api, services);
      registerFieldSearchRoutes(api, services, limits);
      registerQueryRoutes(api, services, limits);
      registerContentRoutes(api, services, limits);
      registerContentExtrasRoutes(api, services);
      registerContentListingRoutes(api, services);
      registerCatalogRoutes(api, services);
      registerCommentRoutes(api, services);
      registerNotificationRoutes(api, services);
      registerIntegrationRoutes(api, services);
      registerPinRoutes(api, services);
      registerTagRoutes(api, services);
      registerSearchRoutes(api, services);
      registerValidationRoutes(api, services);
      registerContentAsCodeRoutes(api, services, limits);
      registerPromotionRoutes(api, services, limits);
      registerDeployRoutes(api, services);
      registerSchedulerRoutes(api, services);
      registerSqlRunnerRoutes(api, services, limits);
    },
  });
}
