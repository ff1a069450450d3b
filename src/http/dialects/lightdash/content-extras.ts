import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { ChartDetail } from '../../../core/content/index.ts';
import type { Services } from '../../../services.ts';
import { syncOrJob } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { ChartParams, lightdashOf } from './chart-shapes.ts';
import { ContentContext, type ContentPorts } from './content-context.ts';
import { ok } from './envelope.ts';
import { type Explore, fieldJson, findExplore, listExplores } from './explores.ts';

/** The core services of these routes: content, and exports run as jobs. */
export type ContentExtrasPorts = ContentPorts & Pick<Services, 'exports' | 'jobs'>;

/** How long `export` keeps the client waiting for the image; Lightdash answers it synchronously too. */
const EXPORT_WAIT_MS = 5 * 60_000;

const DashboardParams = Type.Object({ dashboardUuid: Type.String() });
const FileParams = Type.Object({ projectUuid: Type.String(), nanoId: Type.String({ maxLength: 64 }) });
const ExportFileParams = Type.Object({ projectUuid: Type.String(), fileId: Type.String({ maxLength: 64 }) });
const Open = { additionalProperties: true };
/** `SavedChartsInfoForDashboardAvailableFilters`. */
const TilesBody = Type.Array(Type.Object({ tileUuid: Type.String(), savedChartUuid: Type.String() }, Open), {
  maxItems: 500,
});
/**
 * Lightdash's body: the dashboard's filters as the page's query string, the grid width and tabs.
 * The picture is the dashboard as saved: Rosetta's renderer does not apply Lightdash filter rules
 * (see docs/design-notes.md). `format` is Rosetta's addition (Lightdash renders PNG only).
 */
const ExportBody = Type.Object(
  {
    queryFilters: Type.Optional(Type.String()),
    gridWidth: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    selectedTabs: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('pdf')])),
  },
  Open,
);
const ExportCsvBody = Type.Object({}, Open);

/** A Lightdash field id: `table_field`. */
const fieldIdOf = (field: { table: string; name: string }) => `${field.table}_${field.name}`;

/**
 * The explore a chart reads: the one named in its Lightdash JSON, else (a chart another face
 * saved) the one over its query's source; undefined when it no longer exists.
 */
async function chartExplore(context: ContentContext, chart: ChartDetail): Promise<Explore | undefined> {
  const { principal, project, ports } = context;
  const explores = await listExplores(ports, principal, project);
  const kept = lightdashOf(chart);
  const listed =
    explores.find((explore) => explore.name === kept.tableName) ??
    explores.find((explore) => explore.source === chart.query.source);
  if (!listed) return undefined;
  return (await findExplore(ports, principal, project, listed.name)).explore;
}

/** `FilterableField[]`: the dimensions of the explore, as `CompiledDimension`s. */
function filterableFields(explore: Explore | undefined) {
  if (!explore) return [];
  const tables = new Map(explore.tables.map((table) => [table.name, table]));
  return explore.fields
    .filter((field) => field.fieldType === 'dimension')
    .map((field) => fieldJson(field, tables.get(field.table)));
}

/** A chart as a filter source, in the context of its own project; looking at it is not a view. */
async function chartWithContext(ports: ContentPorts, principal: Principal, uuid: string) {
  const chart = await ports.content.charts.lookup(principal, uuid);
  return { chart, context: await ContentContext.ofProjectId(ports, principal, chart.projectId) };
}

function sendFile(
  reply: FastifyReply,
  file: { path: string; filename: string; contentType: string; size: number },
) {
  const ascii = file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return reply
    .header('content-type', file.contentType)
    .header('content-length', file.size)
    .header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    )
    .header('cache-control', 'private, no-store')
    .send(createReadStream(file.path));
}

const origin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/**
 * View counts, dashboard filter targets and dashboard exports (Appendix B), and the downloads of
 * the files export jobs make. Counting, rights and rendering are the core's.
 */
export function registerContentExtrasRoutes(app: App, ports: ContentExtrasPorts): void {
  const { charts, dashboards } = ports.content;

  app.get('/v1/saved/:chartUuid/views', { schema: { params: ChartParams } }, async (request) => {
    const stats = await charts.viewStats(principalOf(request), request.params.chartUuid);
    return ok(stats.views);
  });

  app.get('/v1/dashboards/:dashboardUuid/views', { schema: { params: DashboardParams } }, async (request) => {
    const stats = await dashboards.viewStats(principalOf(request), request.params.dashboardUuid);
    return ok(stats.views);
  });

  app.get('/v1/saved/:chartUuid/availableFilters', { schema: { params: ChartParams } }, async (request) => {
    const { chart, context } = await chartWithContext(ports, principalOf(request), request.params.chartUuid);
    return ok(filterableFields(await chartExplore(context, chart)));
  });

  app.post('/v1/dashboards/availableFilters', { schema: { body: TilesBody } }, async (request) => {
    const principal = principalOf(request);
    const allFilterableFields: ReturnType<typeof filterableFields> = [];
    const indexOf = new Map<string, number>();
    const savedQueryFilters: Record<string, number[]> = {};
    // Tiles often show the same chart: each chart's explore is read once.
    const byChart = new Map<string, Promise<ReturnType<typeof filterableFields>>>();
    for (const { tileUuid, savedChartUuid } of request.body) {
      let fields = byChart.get(savedChartUuid);
      if (!fields) {
        fields = chartWithContext(ports, principal, savedChartUuid).then(async ({ chart, context }) =>
          filterableFields(await chartExplore(context, chart)),
        );
        byChart.set(savedChartUuid, fields);
      }
      savedQueryFilters[tileUuid] = (await fields).map((field) => {
        const id = fieldIdOf(field);
        let index = indexOf.get(id);
        if (index === undefined) {
          index = allFilterableFields.push(field) - 1;
          indexOf.set(id, index);
        }
        return index;
      });
    }
    return ok({ savedQueryFilters, allFilterableFields });
  });

  app.post(
    '/v1/dashboards/:dashboardUuid/export',
    { schema: { params: DashboardParams, body: ExportBody } },
    async (request) => {
      const principal = principalOf(request);
      const dashboard = await dashboards.lookup(principal, request.params.dashboardUuid);
      const project = await ports.directory.projects.get(principal, dashboard.projectId);
      const format = request.body.format ?? 'png';
      const { job } = await syncOrJob(ports.jobs, {
        async: false,
        enqueue: () => ports.exports.enqueue(principal, { dashboard: dashboard.uuid, format }),
        waitMs: EXPORT_WAIT_MS,
      });
      return ok(`${origin(request)}/lightdash/api/v1/projects/${project.uuid}/exports/${job.uuid}`);
    },
  );

  app.post(
    '/v1/dashboards/:dashboardUuid/exportCsv',
    { schema: { params: DashboardParams, body: ExportCsvBody } },
    async (request) => {
      const principal = principalOf(request);
      const dashboard = await dashboards.lookup(principal, request.params.dashboardUuid);
      const job = await ports.exports.enqueue(principal, { dashboard: dashboard.uuid, format: 'zip' });
      return ok({ jobId: job.uuid });
    },
  );

  // The file of an export job of the caller's: the CSV of `downloadCsv`, the ZIP of `exportCsv`.
  app.get(
    '/v1/projects/:projectUuid/csv/:nanoId',
    { schema: { params: FileParams } },
    async (request, reply) => {
      const principal = principalOf(request);
      await ports.directory.projects.getByUuid(principal, request.params.projectUuid);
      return sendFile(reply, await ports.exports.download(principal, request.params.nanoId));
    },
  );

  // The image (or PDF) `export` rendered.
  app.get(
    '/v1/projects/:projectUuid/exports/:fileId',
    { schema: { params: ExportFileParams } },
    async (request, reply) => {
      const principal = principalOf(request);
      await ports.directory.projects.getByUuid(principal, request.params.projectUuid);
      return sendFile(reply, await ports.exports.download(principal, request.params.fileId));
    },
  );
}
