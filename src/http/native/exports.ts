import { createReadStream } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { type ExportService, exportFormats, type StoredFile } from '../../core/exports/index.ts';
import { type App, principalOf } from '../server.ts';

/**
 * Exports under /api: `POST /exports` queues an export job; its file is downloaded with the
 * bearer (`GET /jobs/:id/download`) or through the signed link in the job's result
 * (`GET /exports/download?token=…`, public: the token is the credential, so it works from
 * an email or a browser tab).
 */

const DashboardRef = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 64 })]);
const FilterValue = Type.Union([
  Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  Type.Object({
    from: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    to: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    min: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    max: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    relative: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]))),
  }),
  Type.Null({ description: 'Leaves the filter unset (without it, a filter takes its default)' }),
]);

// Targets are checked by the core, which names the offending field; the schema documents them.
const ExportBody = Type.Object(
  {
    dashboard: Type.Optional(DashboardRef),
    widget: Type.Optional(
      Type.Object(
        { dashboard: DashboardRef, widget: Type.String({ minLength: 1 }) },
        { additionalProperties: false },
      ),
    ),
    query: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'A POST /api/query body' }),
    ),
    format: Type.Union(exportFormats.map((f) => Type.Literal(f))),
    filters: Type.Optional(
      Type.Record(Type.String(), FilterValue, {
        description:
          'Dashboard filter id or field → values (list), range ({from,to} dates, {min,max} numbers), {relative: ["last", 7, "day"]} or null; a filter left out takes its default',
      }),
    ),
    variables: Type.Optional(
      Type.Unknown({
        description:
          "Variable name → value or list, over the dashboard's defaults (a query export: the query's variables)",
      }),
    ),
  },
  { additionalProperties: false },
);

const Accepted = Type.Object({
  job: Type.Object({ id: Type.Integer(), uuid: Type.String(), status: Type.String() }),
});
const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const TokenQuery = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 300 }) },
  { additionalProperties: false },
);
const FileAnswer = { 200: Type.Unknown({ description: 'The exported file' }) };

const refOf = (id: string): number | string => (/^[0-9]+$/.test(id) ? Number(id) : id);

function sendFile(reply: FastifyReply, file: StoredFile) {
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

export function registerExportRoutes(app: App, deps: { exports: ExportService }): void {
  app.post(
    '/exports',
    {
      schema: {
        summary: 'Export a query, a widget or a dashboard as CSV, XLSX, PDF or PNG (a job)',
        body: ExportBody,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      const job = await deps.exports.enqueue(principalOf(request), request.body);
      return reply.status(202).send({ job: { id: job.id, uuid: job.uuid, status: job.status } });
    },
  );

  app.get(
    '/jobs/:id/download',
    { schema: { summary: 'The file of a finished export job', params: JobParams, response: FileAnswer } },
    async (request, reply) =>
      sendFile(reply, await deps.exports.download(principalOf(request), refOf(request.params.id))),
  );

  app.get(
    '/exports/download',
    {
      schema: {
        summary: 'Download an export through its signed, expiring link (no bearer needed)',
        querystring: TokenQuery,
        response: FileAnswer,
        security: [],
      },
      config: { public: true },
    },
    async (request, reply) => sendFile(reply, await deps.exports.downloadSigned(request.query.token)),
  );
}
