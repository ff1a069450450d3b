import { Type } from 'typebox';
import { validationError } from '../../../core/errors.ts';
import type { ExportResult } from '../../../core/exports/index.ts';
import type { Services } from '../../../services.ts';
import { renameFields, syncOrJob } from '../../kit/index.ts';
import { type App, absoluteUrl, principalOf } from '../../server.ts';
import { listOf } from './source-json.ts';
import { mergedVariables, payloadFilters, webAppField, webAppJson, webAppPatch } from './web-app-json.ts';

const Uuid = Type.Object({ uuid: Type.String() });
const Loose = Type.Object({}, { additionalProperties: true });

/** `webapp_query_string.embeddedPayload` is base64(JSON(payload)): payload values filter the export. */
function filtersOf(queryString: unknown): Record<string, unknown> | undefined {
  const encoded = (queryString as { embeddedPayload?: unknown } | null | undefined)?.embeddedPayload;
  if (encoded === undefined || encoded === null) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(String(encoded), 'base64').toString('utf8'));
  } catch {
    throw validationError('webapp_query_string.embeddedPayload', 'must be base64-encoded JSON');
  }
  return payloadFilters('webapp_query_string.embeddedPayload', payload);
}

/** `/api/web_app`: dashboards of the core content module. */
export function registerWebAppRoutes(
  app: App,
  services: Pick<Services, 'content' | 'directory' | 'exports' | 'jobs'>,
): void {
  const { dashboards } = services.content;

  app.get('/web_app', async (request) => {
    const principal = principalOf(request);
    const summaries = await dashboards.list(principal);
    return listOf(
      await Promise.all(summaries.map(async (s) => webAppJson(await dashboards.lookup(principal, s.uuid)))),
    );
  });
  app.get('/web_app/:uuid', { schema: { params: Uuid }, config: { opensEmbed: true } }, async (request) =>
    webAppJson(await dashboards.get(principalOf(request), request.params.uuid)),
  );
  app.put('/web_app/:uuid', { schema: { params: Uuid, body: Loose } }, async (request) => {
    const principal = principalOf(request);
    const current = await dashboards.lookup(principal, request.params.uuid);
    const patch = webAppPatch(request.body as Record<string, unknown>, current);
    const updated = await dashboards.update(principal, current.uuid, patch).catch((error) => {
      throw renameFields(error, webAppField(patch));
    });
    return webAppJson(updated);
  });
  app.delete('/web_app/:uuid', { schema: { params: Uuid } }, async (request, reply) => {
    await dashboards.delete(principalOf(request), request.params.uuid);
    return reply.status(204).send();
  });
  app.post('/web_app/:uuid/clone', { schema: { params: Uuid } }, async (request) =>
    webAppJson(await dashboards.clone(principalOf(request), request.params.uuid)),
  );
  app.post(
    '/web_app/:uuid/dashboard_variables',
    { schema: { params: Uuid, body: Type.Object({ dashboard_variables: Type.Unknown() }) } },
    async (request, reply) => {
      const principal = principalOf(request);
      const current = await dashboards.lookup(principal, request.params.uuid);
      const variables = mergedVariables(current.variables, request.body.dashboard_variables);
      return reply
        .status(201)
        .send(webAppJson(await dashboards.update(principal, current.uuid, { variables })));
    },
  );
  /*
   * Serenytics renders the dashboard (warming its cache) and, with `store_pdf`, keeps the PDF:
   * a core export job either way. Storing waits for it and answers `pdf_url`, the exports'
   * signed link, fetched without the API key until `expires_at` (as `csv_url` of data sources).
   */
  app.post(
    '/web_app/:uuid/generate_pdf',
    {
      schema: {
        params: Uuid,
        body: Type.Object(
          { store_pdf: Type.Optional(Type.Boolean()), webapp_query_string: Type.Optional(Type.Unknown()) },
          { additionalProperties: true },
        ),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const dashboard = await dashboards.lookup(principal, request.params.uuid);
      const filters = filtersOf(request.body?.webapp_query_string);
      const { job, finished } = await syncOrJob(services.jobs, {
        async: !request.body?.store_pdf,
        enqueue: () =>
          services.exports.enqueue(principal, {
            dashboard: dashboard.uuid,
            format: 'pdf',
            ...(filters && { filters }),
          }),
      });
      if (!finished) return { status: 'ok', task_id: job.uuid };
      const { downloadUrl, expiresAt, filename, size } = job.result as ExportResult;
      return {
        status: 'ok',
        task_id: job.uuid,
        pdf_url: absoluteUrl(request, downloadUrl),
        pdf_file_name: filename,
        size,
        expires_at: expiresAt,
      };
    },
  );
  app.get('/web_app/:uuid/data_sources', { schema: { params: Uuid } }, async (request) => {
    const sources = await dashboards.dataSources(principalOf(request), request.params.uuid);
    return { status: 'ok', objects: sources.map(({ uuid, name }) => ({ uuid, name })) };
  });
  app.post(
    '/web_app/:uuid/sharings',
    {
      schema: {
        params: Uuid,
        body: Type.Object({ username_to_share_with: Type.String() }, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const dashboard = await dashboards.lookup(principal, request.params.uuid);
      const user = await services.directory.getUserByEmail(principal, request.body.username_to_share_with);
      await dashboards.grant(principal, dashboard.uuid, { subject: 'user', id: user.id, level: 'view' });
      return reply.status(201).send({ status: 'ok' });
    },
  );
}
