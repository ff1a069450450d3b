import { Type } from 'typebox';
import { isRosettaError, notFound, renameField, validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import {
  ChartParams,
  chartContentOf,
  chartSummaryItem,
  chartSummaryJson,
  checkCreate,
  checkDuplicate,
  Open,
  openChart,
  ProjectParams,
  savedChartJson,
} from './chart-shapes.ts';
import {
  type ContentContext,
  type ContentLimits,
  type ContentPorts,
  contentContext,
} from './content-context.ts';
import { targetSpace } from './dashboards.ts';
import { ok } from './envelope.ts';

/** Where a new chart goes: the dashboard's space for a chart saved in a dashboard, else the space named. */
async function chartFolder(
  context: ContentContext,
  body: { spaceUuid?: string; dashboardUuid?: string | null },
) {
  if (!body.dashboardUuid) return targetSpace(context, body.spaceUuid);
  const dashboard = await context.ports.content.dashboards
    .lookup(context.principal, body.dashboardUuid)
    .catch((error) => {
      if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
        throw validationError('dashboardUuid', `dashboard ${JSON.stringify(body.dashboardUuid)} not found`);
      throw error;
    });
  if (dashboard.projectId !== context.project.id || !dashboard.folderUuid)
    throw validationError('dashboardUuid', 'the dashboard is not in a space of this project');
  return dashboard.folderUuid;
}

/** Saved charts (spec §2.8, Appendix B): core charts keeping their Lightdash JSON; their lists and edits. */
export function registerChartRoutes(app: App, ports: ContentPorts, limits: ContentLimits): void {
  const { charts } = ports.content;

  app.get('/v1/saved/:chartUuid', { schema: { params: ChartParams } }, async (request) => {
    const { chart, context } = await openChart(ports, request, request.params.chartUuid, { view: true });
    return ok(await savedChartJson(context, chart, chart));
  });

  app.post(
    '/v1/projects/:projectUuid/saved',
    {
      schema: {
        params: ProjectParams,
        querystring: Type.Object({ duplicateFrom: Type.Optional(Type.String()) }),
        body: Type.Record(Type.String(), Type.Unknown()),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { duplicateFrom } = request.query;
      if (duplicateFrom !== undefined) {
        const body = checkDuplicate(request.body);
        const original = await charts.lookup(context.principal, duplicateFrom);
        if (original.projectId !== context.project.id) throw notFound('chart', duplicateFrom);
        const copy = await charts.create(context.principal, {
          name: body.chartName,
          description: body.chartDesc,
          folderId: original.folderUuid,
          projectId: context.project.id,
          query: original.query,
          visualization: original.visualization,
        });
        return ok(await savedChartJson(context, copy, copy));
      }
      const body = checkCreate(request.body);
      const folderId = await chartFolder(context, body);
      const created = await charts.create(context.principal, {
        name: body.name,
        description: body.description ?? null,
        folderId,
        ...(await chartContentOf(context, limits, body)),
      });
      return ok(await savedChartJson(context, created, created));
    },
  );

  app.patch(
    '/v1/saved/:chartUuid',
    {
      schema: {
        params: ChartParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1 })),
            description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            spaceUuid: Type.Optional(Type.String()),
          },
          Open,
        ),
      },
    },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const { name, description, spaceUuid } = request.body;
      const updated = await charts.update(context.principal, chart.uuid, {
        ...(name !== undefined && { name }),
        ...(description !== undefined && { description }),
        ...(spaceUuid !== undefined && { folderId: await targetSpace(context, spaceUuid) }),
      });
      return ok(await savedChartJson(context, updated, updated));
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/saved',
    {
      schema: {
        params: ProjectParams,
        body: Type.Array(
          Type.Object(
            {
              uuid: Type.String(),
              name: Type.String({ minLength: 1 }),
              description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
              spaceUuid: Type.String(),
            },
            Open,
          ),
        ),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const updated = [];
      for (const [index, change] of request.body.entries()) {
        const chart = await charts.lookup(context.principal, change.uuid).catch((error) => {
          if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
            throw renameField(error, `[${index}].uuid`);
          throw error;
        });
        if (chart.projectId !== context.project.id) throw notFound('chart', change.uuid);
        const moved = await charts.update(context.principal, chart.uuid, {
          name: change.name,
          ...(change.description !== undefined && { description: change.description }),
          folderId: await targetSpace(context, change.spaceUuid),
        });
        updated.push(await savedChartJson(context, moved, moved));
      }
      return ok(updated);
    },
  );

  app.delete('/v1/saved/:chartUuid', { schema: { params: ChartParams } }, async (request) => {
    // Lightdash deletes a chart that dashboards show; their tiles keep what it showed (core `force`).
    await charts.delete(principalOf(request), request.params.chartUuid, { force: true });
    return ok();
  });

  app.get('/v1/projects/:projectUuid/charts', { schema: { params: ProjectParams } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const listed = await charts.list(context.principal, { projectId: context.project.id });
    return ok(await Promise.all(listed.map((chart) => chartSummaryItem(context, chart))));
  });

  app.get(
    '/v1/projects/:projectUuid/chart-summaries',
    {
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          excludeChartsSavedInDashboard: Type.Optional(
            Type.Union([Type.Literal('true'), Type.Literal('false')]),
          ),
        }),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const listed = await charts.list(context.principal, { projectId: context.project.id });
      const summaries = await Promise.all(listed.map((chart) => chartSummaryJson(context, chart)));
      const exclude = request.query.excludeChartsSavedInDashboard === 'true';
      return ok(exclude ? summaries.filter((summary) => summary.dashboardUuid === null) : summaries);
    },
  );
}
