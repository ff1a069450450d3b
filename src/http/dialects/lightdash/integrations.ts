import { Type } from 'typebox';
import { RosettaError, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { principalOf } from '../../server.ts';
import { ok } from './envelope.ts';

/**
 * What Lightdash integrates with and Rosetta has no counterpart for (Google Drive, Slack app
 * settings, GitHub, dbt Cloud / Cube semantic layers, preview projects,
 * personal warehouse credentials): each route checks its input and its project as Lightdash does,
 * then answers as a Lightdash server without that integration configured, a 422
 * `MissingConfigError` — never a success that did nothing.
 */
export const notConfigured = (message: string) =>
  new RosettaError('ERR_VALIDATION', message, undefined, { reason: 'feature.not_configured' });

const ProjectParams = Type.Object({ projectUuid: Type.String() });
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const UploadGsheet = Type.Object({
  projectUuid: Type.String(),
  exploreId: Type.String(),
  metricQuery: Type.Object({}, { additionalProperties: true }),
  showTableNames: Type.Boolean(),
  columnOrder: Type.Array(Type.String()),
  customLabels: Type.Optional(Type.Record(Type.String(), Type.String())),
  hiddenFields: Type.Optional(Type.Array(Type.String())),
});
const SlackSettings = Type.Object({
  notificationChannel: nullable(Type.String()),
  appProfilePhotoUrl: nullable(Type.String()),
  slackChannelProjectMappings: Type.Optional(
    Type.Array(Type.Object({ slackChannelId: Type.String(), projectUuid: Type.String() })),
  ),
});
const CustomMetricsPullRequest = Type.Object({
  customMetrics: Type.Array(Type.String(), { minItems: 1 }),
  quoteChar: Type.Union([Type.Literal('"'), Type.Literal("'")]),
});
const SemanticLayerConnection = Type.Union([
  Type.Object({
    type: Type.Literal('DBT'),
    environmentId: Type.Optional(Type.String()),
    domain: Type.Optional(Type.String()),
    token: Type.Optional(Type.String()),
  }),
  Type.Object({
    type: Type.Literal('CUBE'),
    domain: Type.Optional(Type.String()),
    token: Type.Optional(Type.String()),
  }),
]);
const Preview = Type.Object({ name: Type.String({ minLength: 1 }), copyContent: Type.Boolean() });
const ProjectMetadata = Type.Object({ upstreamProjectUuid: Type.Optional(nullable(Type.String())) });
const WarehouseCredentials = Type.Object({
  name: Type.String({ minLength: 1 }),
  credentials: Type.Object({}, { additionalProperties: true }),
});
const OauthCallback = Type.Object({
  code: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  installation_id: Type.Optional(Type.String()),
  setup_action: Type.Optional(Type.String()),
});

export function registerIntegrationRoutes(app: App, ports: Pick<Services, 'directory'>): void {
  /** The project a route names: unknown or of another organization, 404 `NotExistsError`. */
  const project = (request: Parameters<typeof principalOf>[0], uuid: string) =>
    ports.directory.projects.getByUuid(principalOf(request), uuid);

  app.post('/v1/gdrive/upload-gsheet', { schema: { body: UploadGsheet } }, async (request) => {
    await project(request, request.body.projectUuid);
    throw notConfigured('Unable to upload Google Sheet from query, Google Drive is not enabled');
  });

  app.get('/v1/gdrive/get-access-token', async () => {
    throw notConfigured('Google Drive is not enabled');
  });

  app.put('/v1/slack/custom-settings', { schema: { body: SlackSettings } }, async () => {
    throw notConfigured('Slack integration is not configured');
  });

  app.post(
    '/v1/projects/:projectUuid/git-integration/pull-requests/custom-metrics',
    { schema: { params: ProjectParams, body: CustomMetricsPullRequest } },
    async (request) => {
      await project(request, request.params.projectUuid);
      throw notConfigured('Github integration not configured');
    },
  );

  // Rosetta never starts a GitHub authorisation, so no callback's `state` is one it issued.
  app.get(
    '/v1/github/oauth/callback',
    { config: { public: true }, schema: { querystring: OauthCallback } },
    async () => {
      throw validationError('state', 'State does not match');
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/semantic-layer-connection',
    { schema: { params: ProjectParams, body: SemanticLayerConnection } },
    async (request) => {
      await project(request, request.params.projectUuid);
      throw notConfigured('Semantic layer connections (dbt Cloud, Cube) are not enabled on this server');
    },
  );

  app.post(
    '/v1/projects/:projectUuid/createPreview',
    { schema: { params: ProjectParams, body: Preview } },
    async (request) => {
      await project(request, request.params.projectUuid);
      throw notConfigured('Preview projects are not enabled on this server');
    },
  );

  // An absent `upstreamProjectUuid` leaves the upstream as it is; null clears it.
  app.patch(
    '/v1/projects/:projectUuid/metadata',
    { schema: { params: ProjectParams, body: ProjectMetadata } },
    async (request) => {
      const { id } = await project(request, request.params.projectUuid);
      const upstream = request.body.upstreamProjectUuid;
      if (upstream !== undefined)
        await ports.directory.projects.setUpstream(principalOf(request), id, upstream);
      return ok();
    },
  );

  app.post('/v1/user/warehouseCredentials', { schema: { body: WarehouseCredentials } }, async () => {
    throw notConfigured('Personal warehouse credentials are not enabled on this server');
  });

  app.patch(
    '/v1/user/warehouseCredentials/:uuid',
    { schema: { params: Type.Object({ uuid: Type.String() }), body: WarehouseCredentials } },
    async () => {
      throw notConfigured('Personal warehouse credentials are not enabled on this server');
    },
  );

  // Every Rosetta user belongs to an organization, which Lightdash's CreateOrganization refuses.
  app.put('/v1/org', { schema: { body: Type.Object({ name: Type.String({ minLength: 1 }) }) } }, async () => {
    throw new RosettaError('ERR_FORBIDDEN', 'User already has an organization');
  });
}
