import { type TSchema, Type } from 'typebox';
import type { DashboardInput, WidgetInput } from '../../core/content/index.ts';
import { filterTypes, variableTypes, visualizationTypes } from '../../core/content/index.ts';
import { byVersionNewestFirst } from '../../core/paging.ts';
import { listReply, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
import { AccessEntrySchema, type ContentRouteDeps } from './folders.ts';
import { FiledListQuery, filedListFilter, IdParams, ProjectIdField, RefSchema } from './schemas.ts';

/*
 * Request schemas give the first 400 (shape, types, unknown keys); the content core checks the
 * rest (references between widgets and layout, uniqueness, sizes) for every face alike.
 */
const literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)));
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Identifier = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

export const QuerySchema = Type.Object({ source: Type.String({ minLength: 1, maxLength: 255 }) });
export const VisualizationSchema = Type.Object(
  {
    type: literals(visualizationTypes),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const Cell = {
  x: Type.Integer({ minimum: 0, maximum: 11 }),
  y: Type.Integer({ minimum: 0 }),
  w: Type.Integer({ minimum: 1, maximum: 12 }),
  h: Type.Integer({ minimum: 1 }),
};
const widgetFields = {
  id: Type.Optional(Identifier),
  title: Type.Optional(Type.String({ maxLength: 255 })),
  query: Type.Optional(nullable(QuerySchema)),
  visualization: Type.Optional(VisualizationSchema),
  chartId: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], {
      description:
        "A saved chart (id or uuid): the widget shows the chart's query and visualization (those of the body are not read); null makes it a plain widget keeping them",
    }),
  ),
};
const Widget = Type.Object(widgetFields, { additionalProperties: false });
const WidgetCreateBody = Type.Object(
  { ...widgetFields, layout: Type.Optional(Type.Object(Cell, { additionalProperties: false })) },
  { additionalProperties: false },
);
const WidgetPatchBody = Type.Object(
  {
    title: widgetFields.title,
    query: widgetFields.query,
    visualization: widgetFields.visualization,
    chartId: widgetFields.chartId,
    layout: Type.Optional(Type.Object(Cell, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const ShareParams = Type.Object({
  ...IdParams.properties,
  subject: AccessEntrySchema.properties.subject,
  subjectId: Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'The user or group id' }),
});

const dashboardFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(nullable(Type.String({ maxLength: 10_000 }))),
  folderId: Type.Optional(nullable(RefSchema)),
  personal: Type.Optional(
    Type.Boolean({
      description: "In the creator's personal space (no folder): seen by them and admins only",
    }),
  ),
  projectId: Type.Optional(ProjectIdField),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
  widgets: Type.Optional(Type.Array(Widget, { maxItems: 200 })),
  filters: Type.Optional(
    Type.Array(
      Type.Object(
        {
          id: Type.Optional(Identifier),
          field: Type.String({ minLength: 1, maxLength: 255 }),
          label: Type.Optional(Type.String({ maxLength: 255 })),
          type: literals(filterTypes),
          default: Type.Optional(Type.Unknown()),
          tileTargets: Type.Optional(
            Type.Record(
              Type.String(),
              Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Literal(false)]),
              {
                description:
                  'Widget id → the field this filter filters in that widget, or false to leave it alone; other widgets are filtered on `field` when their data has it',
              },
            ),
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
  ),
  variables: Type.Optional(
    Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
          type: literals(variableTypes),
          default: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
  ),
  layout: Type.Optional(
    Type.Array(Type.Object({ widgetId: Identifier, ...Cell }, { additionalProperties: false }), {
      maxItems: 200,
    }),
  ),
  customCss: Type.Optional(nullable(Type.String({ maxLength: 100_000 }))),
  headerHtml: Type.Optional(nullable(Type.String({ maxLength: 100_000 }))),
};
const DashboardBody = Type.Object(
  { ...dashboardFields, shares: Type.Optional(Type.Array(AccessEntrySchema, { maxItems: 500 })) },
  { additionalProperties: false },
);
const DashboardPatchBody = Type.Object(
  { ...dashboardFields, name: Type.Optional(dashboardFields.name) },
  { additionalProperties: false },
);
const CloneBody = Type.Object(
  { name: Type.Optional(dashboardFields.name), folderId: dashboardFields.folderId },
  { additionalProperties: false },
);
export const VersionParams = Type.Object({
  id: IdParams.properties.id,
  version: Type.String({ pattern: '^[0-9]{1,15}$' }),
});
const WidgetParams = Type.Object({ id: IdParams.properties.id, widgetId: Identifier });

/** Dashboards, their widgets, shares and versions under `/dashboards`. */
export function registerDashboardRoutes(app: App, deps: ContentRouteDeps): void {
  const { dashboards } = deps.content;

  app.get('/dashboards', { schema: { querystring: FiledListQuery } }, async (request) =>
    listReply(await dashboards.list(principalOf(request), filedListFilter(request.query)), request.query),
  );

  // `canEdit` tells the page whether to draw edit controls: the role and the dashboard's access.
  app.get('/dashboards/:id', { schema: { params: IdParams } }, async (request) => {
    const principal = principalOf(request);
    const dashboard = await dashboards.get(principal, request.params.id);
    const { editable } = await dashboards.editable(principal, dashboard.id);
    return { ...dashboard, canEdit: editable };
  });

  // The core re-checks every body, so the schema-typed bodies are handed over as its input types.
  app.post('/dashboards', { schema: { body: DashboardBody } }, async (request, reply) =>
    reply.status(201).send(await dashboards.create(principalOf(request), request.body as DashboardInput)),
  );

  app.patch('/dashboards/:id', { schema: { params: IdParams, body: DashboardPatchBody } }, async (request) =>
    dashboards.update(principalOf(request), request.params.id, request.body as Partial<DashboardInput>),
  );

  app.put('/dashboards/:id', { schema: { params: IdParams, body: DashboardBody } }, async (request) =>
    dashboards.replace(principalOf(request), request.params.id, request.body as DashboardInput),
  );

  app.delete('/dashboards/:id', { schema: { params: IdParams } }, async (request, reply) => {
    await dashboards.delete(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post(
    '/dashboards/:id/clone',
    {
      schema: { params: IdParams, body: CloneBody },
      // A bare POST (no body at all) clones with the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) =>
      reply.status(201).send(await dashboards.clone(principalOf(request), request.params.id, request.body)),
  );

  app.put(
    '/dashboards/:id/shares',
    {
      schema: {
        params: IdParams,
        body: Type.Object(
          { shares: Type.Array(AccessEntrySchema, { maxItems: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => dashboards.setShares(principalOf(request), request.params.id, request.body.shares),
  );

  // One entry of the share list, changed without resending the others (concurrent grants all land).
  app.put(
    '/dashboards/:id/shares/:subject/:subjectId',
    {
      schema: {
        params: ShareParams,
        body: Type.Object({ level: AccessEntrySchema.properties.level }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { id, subject, subjectId } = request.params;
      const entry = { subject, id: Number(subjectId), level: request.body.level };
      return dashboards.grant(principalOf(request), id, entry);
    },
  );

  app.delete(
    '/dashboards/:id/shares/:subject/:subjectId',
    { schema: { params: ShareParams } },
    async (request) => {
      const { id, subject, subjectId } = request.params;
      return dashboards.revoke(principalOf(request), id, { subject, id: Number(subjectId) });
    },
  );

  app.post(
    '/dashboards/:id/widgets',
    { schema: { params: IdParams, body: WidgetCreateBody } },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await dashboards.addWidget(principalOf(request), request.params.id, request.body as WidgetInput),
        ),
  );

  app.patch(
    '/dashboards/:id/widgets/:widgetId',
    { schema: { params: WidgetParams, body: WidgetPatchBody } },
    async (request) =>
      dashboards.updateWidget(
        principalOf(request),
        request.params.id,
        request.params.widgetId,
        request.body as Partial<WidgetInput>,
      ),
  );

  app.delete(
    '/dashboards/:id/widgets/:widgetId',
    { schema: { params: WidgetParams } },
    async (request, reply) => {
      await dashboards.deleteWidget(principalOf(request), request.params.id, request.params.widgetId);
      return reply.status(204).send();
    },
  );

  app.get(
    '/dashboards/:id/versions',
    { schema: { params: IdParams, querystring: Type.Object(PageQuery) } },
    async (request) =>
      listReply(
        await dashboards.listVersions(principalOf(request), request.params.id),
        request.query,
        byVersionNewestFirst,
      ),
  );

  app.get('/dashboards/:id/versions/:version', { schema: { params: VersionParams } }, async (request) =>
    dashboards.getVersion(principalOf(request), request.params.id, Number(request.params.version)),
  );

  app.post(
    '/dashboards/:id/versions/:version/restore',
    { schema: { params: VersionParams } },
    async (request) =>
      dashboards.restoreVersion(principalOf(request), request.params.id, Number(request.params.version)),
  );
}
