import { Type } from 'typebox';
import type { ChartInput, ChartPatchInput, ContentService } from '../../core/content/index.ts';
import { byVersionNewestFirst } from '../../core/paging.ts';
import type { ViewService } from '../../core/views/index.ts';
import { listReply, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
import { QuerySchema, VersionParams, VisualizationSchema } from './dashboards.ts';
import { queryResult } from './query.ts';
import { FiledListQuery, filedListFilter, IdParams, ProjectIdField, RefSchema } from './schemas.ts';

const chartFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()])),
  folderId: Type.Optional(
    Type.Union([RefSchema, Type.Null()], { description: 'A dashboard folder; null = the top level' }),
  ),
  personal: Type.Optional(
    Type.Boolean({
      description: "In the creator's personal space (no folder): seen by them and admins only",
    }),
  ),
  projectId: Type.Optional(ProjectIdField),
  query: QuerySchema,
  visualization: VisualizationSchema,
};
const ChartBody = Type.Object(chartFields, { additionalProperties: false });
const ChartPatchBody = Type.Object(
  {
    name: Type.Optional(chartFields.name),
    description: chartFields.description,
    folderId: chartFields.folderId,
    personal: chartFields.personal,
    projectId: chartFields.projectId,
    query: Type.Optional(chartFields.query),
    visualization: Type.Optional(chartFields.visualization),
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: 'The version edited: a 409 when another was stored since' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * Saved charts under `/charts`: CRUD, versions, and their results. A chart's results are its saved
 * query run for whoever sees the chart (`dashboard.run`), as a dashboard's tiles are.
 */
export function registerChartRoutes(app: App, deps: { content: ContentService; views: ViewService }): void {
  const { charts } = deps.content;

  app.get('/charts', { schema: { querystring: FiledListQuery } }, async (request) =>
    listReply(await charts.list(principalOf(request), filedListFilter(request.query)), request.query),
  );

  app.get('/charts/:id', { schema: { params: IdParams } }, async (request) =>
    charts.get(principalOf(request), request.params.id),
  );

  // The core re-checks every body, so the schema-typed bodies are handed over as its input types.
  app.post('/charts', { schema: { body: ChartBody } }, async (request, reply) =>
    reply.status(201).send(await charts.create(principalOf(request), request.body as ChartInput)),
  );

  app.patch('/charts/:id', { schema: { params: IdParams, body: ChartPatchBody } }, async (request) =>
    charts.update(principalOf(request), request.params.id, request.body as ChartPatchInput),
  );

  app.delete(
    '/charts/:id',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object({
          force: Type.Optional(
            Type.Union([Type.Literal('true'), Type.Literal('false')], {
              description: 'Delete even when dashboards show it: their tiles become plain widgets',
            }),
          ),
        }),
      },
    },
    async (request, reply) => {
      await charts.delete(principalOf(request), request.params.id, { force: request.query.force === 'true' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/charts/:id/versions',
    { schema: { params: IdParams, querystring: Type.Object(PageQuery) } },
    async (request) =>
      listReply(
        await charts.listVersions(principalOf(request), request.params.id),
        request.query,
        byVersionNewestFirst,
      ),
  );

  app.post('/charts/:id/versions/:version/restore', { schema: { params: VersionParams } }, async (request) =>
    charts.restoreVersion(principalOf(request), request.params.id, Number(request.params.version)),
  );

  app.post(
    '/charts/:id/results',
    {
      schema: {
        summary: "Run a saved chart's query (whoever sees the chart)",
        params: IdParams,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: queryResult },
      },
      // No body at all runs the query as saved.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const abort = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const noCache = /no-cache/i.test(request.headers['cache-control'] ?? '');
      return deps.views.chartResults(
        principalOf(request),
        request.params.id,
        {},
        { signal: abort.signal, noCache },
      );
    },
  );
}
