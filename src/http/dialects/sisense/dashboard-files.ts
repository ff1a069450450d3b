import { createReadStream } from 'node:fs';
import type { FastifyReply } from 'fastify';
import type { Principal } from '../../../core/auth/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { ExportFormat, ExportTarget, StoredFile } from '../../../core/exports/index.ts';
import { syncOrJob } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { type DashboardPorts, SisenseContent } from './dashboard-context.ts';
import { dashboardJson } from './dashboard-shapes.ts';
import { type QueryParams, queryCount, queryFlag, queryIds, queryText } from './query-params.ts';

/** How long an export call waits for its file (the render runs as an export job). */
const EXPORT_WAIT_MS = 5 * 60_000;
const MAX_PIXELS = 10_000;

const attachment = (filename: string) => {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
};

function sendFile(reply: FastifyReply, file: StoredFile) {
  return reply
    .header('content-type', file.contentType)
    .header('content-length', file.size)
    .header('content-disposition', attachment(file.filename))
    .header('cache-control', 'private, no-store')
    .send(createReadStream(file.path));
}

/** Renders the target through the core's export job and answers its file, as Sisense does. */
async function exported(
  ports: DashboardPorts,
  principal: Principal,
  target: ExportTarget,
  format: ExportFormat,
) {
  const { job } = await syncOrJob(ports.jobs, {
    async: false,
    enqueue: () => ports.exports.enqueue(principal, { ...target, format }),
    waitMs: EXPORT_WAIT_MS,
  });
  return ports.exports.download(principal, job.id);
}

/**
 * The layout options of the documented export parameters, checked so a typo is a 400. Rosetta's
 * renderer draws every export in its one report layout (title, filters and widgets on a page of
 * its own size), so these choose nothing yet; the README lists them as not supported.
 */
function checkLayoutOptions(query: QueryParams): void {
  for (const flag of ['includeTitle', 'includeFilters', 'includeDs', 'preview', 'showTitle', 'showFooter'])
    queryFlag(query, flag);
  queryCount(query, 'width', MAX_PIXELS);
  const choices: Record<string, string[]> = {
    paperFormat: ['A3', 'A4', 'A5', 'Letter', 'Legal', 'Tabloid'],
    paperOrientation: ['portrait', 'landscape'],
    layout: ['asis', 'feed'],
  };
  for (const [name, allowed] of Object.entries(choices)) {
    const value = queryText(query, name);
    if (value !== undefined && !allowed.some((choice) => choice.toLowerCase() === value.toLowerCase()))
      throw validationError(name, `must be one of ${allowed.join(', ')}`);
  }
}

/** Dashboard files: PNG and PDF renders (DSH-03, 04), a widget's PNG (WDG-F1), .dash (DSH-05, F2). */
export function registerDashboardFileRoutes(api: App, ports: DashboardPorts): void {
  type IdParams = { Params: { id: string }; Querystring: QueryParams };

  api.get<IdParams>('/api/v1/dashboards/:id/export/png', async (request, reply) => {
    const context = new SisenseContent(ports, principalOf(request));
    checkLayoutOptions(request.query);
    const dashboard = await context.dashboard(request.params.id);
    return sendFile(reply, await exported(ports, context.principal, { dashboard: dashboard.uuid }, 'png'));
  });

  api.get<IdParams>('/api/v1/dashboards/:id/export/pdf', async (request, reply) => {
    const context = new SisenseContent(ports, principalOf(request));
    checkLayoutOptions(request.query);
    queryCount(request.query, 'rowCount', 1_000_000);
    const dashboard = await context.dashboard(request.params.id);
    const widgetOid = queryText(request.query, 'widgetid');
    const target: ExportTarget =
      widgetOid === undefined
        ? { dashboard: dashboard.uuid }
        : {
            widget: {
              dashboard: dashboard.uuid,
              widget: await context.widgetKey(dashboard, widgetOid, 'widgetid'),
            },
          };
    return sendFile(reply, await exported(ports, context.principal, target, 'pdf'));
  });

  api.get<{ Params: { dashboardId: string; widgetId: string }; Querystring: QueryParams }>(
    '/api/v1/dashboards/:dashboardId/widgets/:widgetId/export/png',
    async (request, reply) => {
      const context = new SisenseContent(ports, principalOf(request));
      // The document: "the desired output image size (height & width) must be specified".
      for (const side of ['width', 'height'])
        if (queryCount(request.query, side, MAX_PIXELS) === undefined)
          throw validationError(side, 'is required');
      const dashboard = await context.dashboard(request.params.dashboardId, 'dashboardId');
      const widget = await context.widgetKey(dashboard, request.params.widgetId);
      const target = { widget: { dashboard: dashboard.uuid, widget } };
      return sendFile(reply, await exported(ports, context.principal, target, 'png'));
    },
  );

  api.get<IdParams>('/api/v1/dashboards/:id/export/dash', async (request, reply) => {
    const context = new SisenseContent(ports, principalOf(request));
    const dashboard = await context.dashboard(request.params.id);
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', attachment(`${dashboard.name}.dash`))
      .send(await dashboardJson(context, dashboard, true));
  });

  // DSH-F2's route was lost: `GET /dashboards/export?dashboardIds=a,b` (the doc's `dashboardId`
  // array is read too) answers one .dash file holding every dashboard asked for.
  api.get<{ Querystring: QueryParams }>('/api/v1/dashboards/export', async (request, reply) => {
    const context = new SisenseContent(ports, principalOf(request));
    const oids = queryIds(request.query, 'dashboardIds') ?? queryIds(request.query, 'dashboardId');
    if (!oids) throw validationError('dashboardIds', 'is required: the ids of the dashboards to export');
    const documents = [];
    for (const oid of oids)
      documents.push(await dashboardJson(context, await context.dashboard(oid, 'dashboardIds'), true));
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', attachment('dashboards.dash'))
      .send(documents);
  });
}
