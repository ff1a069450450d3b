import { Type } from 'typebox';
import {
  type DataSourceInput,
  type DataSourceService,
  DEFAULT_UPLOAD_MAX_BYTES,
  type StorageIngestor,
} from '../../core/data/index.ts';
import { validationError } from '../../core/errors.ts';
import type { QueryService } from '../../core/query/index.ts';
import { listReply, PageQuery } from '../kit/paging.ts';
import { acceptUploads, isUpload } from '../kit/uploads.ts';
import { type App, principalOf } from '../server.ts';
import { AccessBody, RefSchema } from './schemas.ts';

/**
 * Data sources under /api; permissions are the core's (`source.*`, previews `query.adhoc`).
 *
 * CSV uploads (text/csv, application/gzip) stream to a temp file in the data dir, capped at
 * `maxUploadBytes`, handed to the ingestor (which caps a gzip file's decompressed size the same
 * way) and removed when the response is sent.
 */
export interface DataSourceRouteDeps {
  sources: DataSourceService;
  query: Pick<QueryService, 'preview'>;
  ingestor: StorageIngestor;
  /** Uploads stream to `<filesDir>/uploads`. */
  filesDir: string;
  /** Largest request body, as sent (`ROSETTA_UPLOAD_MAX_MB`); default 1 GiB. */
  maxUploadBytes?: number;
}

const Params = Type.Object({ id: Type.String({ minLength: 1 }) });
const Policy = Type.Object(
  { field: Type.String(), attribute: Type.String() },
  { additionalProperties: false },
);
const StorageColumn = Type.Object(
  {
    name: Type.String(),
    type: Type.Union(
      ['string', 'integer', 'number', 'boolean', 'date', 'datetime'].map((t) => Type.Literal(t)),
    ),
  },
  { additionalProperties: false },
);

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Union([Type.Literal('table'), Type.Literal('sql'), Type.Literal('storage')]),
    connectionId: Type.Optional(Type.Integer({ minimum: 1 })),
    schema: Type.Optional(Type.String()),
    table: Type.Optional(Type.String()),
    sql: Type.Optional(Type.String()),
    columns: Type.Optional(Type.Array(StorageColumn)),
    primaryKey: Type.Optional(Type.Array(Type.String())),
    policies: Type.Optional(Type.Array(Policy)),
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    sql: Type.Optional(Type.String()),
    policies: Type.Optional(Type.Array(Policy)),
    folderId: Type.Optional(
      Type.Union([RefSchema, Type.Null()], { description: 'A data-source folder; null = the top level' }),
    ),
  },
  { additionalProperties: false },
);

const RowsBody = Type.Object(
  {
    mode: Type.Union([
      Type.Literal('insert'),
      Type.Literal('upsert'),
      Type.Literal('delete'),
      Type.Literal('replace'),
    ]),
    rows: Type.Array(Type.Unknown()),
    columns: Type.Optional(Type.Array(Type.String())),
    ignoreUnknownColumns: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

// Query strings arrive as text (the server does not coerce types), so numbers are patterns.
const PreviewQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$' })) });
const CsvQuery = Type.Object({
  mode: Type.Optional(Type.Union([Type.Literal('replace'), Type.Literal('append')])),
  delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 3 })),
  /** `name:type,name:type` */
  types: Type.Optional(Type.String()),
});

function parseTypes(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const types: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.lastIndexOf(':');
    if (at <= 0) throw validationError('types', `expected name:type, got "${pair}"`);
    types[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return types;
}

export function registerDataSourceRoutes(app: App, deps: DataSourceRouteDeps): void {
  const { sources, ingestor } = deps;
  const limit = deps.maxUploadBytes ?? DEFAULT_UPLOAD_MAX_BYTES;

  const uploadTypes = ['text/csv', 'application/gzip', 'application/x-gzip'];
  acceptUploads(app, uploadTypes, { filesDir: deps.filesDir, maxBytes: limit });

  app.get('/data-sources', { schema: { querystring: Type.Object(PageQuery) } }, async (request) =>
    listReply(await sources.list(principalOf(request)), request.query),
  );

  app.get('/data-sources/:id', { schema: { params: Params } }, async (request) =>
    sources.get(principalOf(request), request.params.id),
  );

  app.post('/data-sources', { schema: { body: CreateBody } }, async (request, reply) => {
    const created = await sources.create(principalOf(request), request.body as DataSourceInput);
    return reply.status(201).send(created);
  });

  app.patch('/data-sources/:id', { schema: { params: Params, body: PatchBody } }, async (request) =>
    sources.update(principalOf(request), request.params.id, request.body),
  );

  app.put('/data-sources/:id/access', { schema: { params: Params, body: AccessBody } }, async (request) =>
    sources.setAccess(principalOf(request), request.params.id, request.body.access),
  );

  app.delete('/data-sources/:id', { schema: { params: Params } }, async (request, reply) => {
    await sources.delete(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.get('/data-sources/:id/columns', { schema: { params: Params } }, async (request) => ({
    items: (await sources.get(principalOf(request), request.params.id)).columns,
  }));

  app.post('/data-sources/:id/columns/refresh', { schema: { params: Params } }, async (request) => ({
    items: (await sources.refreshColumns(principalOf(request), request.params.id)).columns,
  }));

  app.get(
    '/data-sources/:id/preview',
    { schema: { params: Params, querystring: PreviewQuery } },
    async (request) =>
      deps.query.preview(principalOf(request), request.params.id, Number(request.query.limit ?? 100)),
  );

  app.post('/data-sources/:id/rows', { schema: { params: Params, body: RowsBody } }, async (request) =>
    ingestor.pushRows(principalOf(request), request.params.id, request.body),
  );

  app.post(
    '/data-sources/:id/csv',
    { schema: { params: Params, querystring: CsvQuery } },
    async (request) => {
      if (!isUpload(request.body))
        throw validationError('body', `send the file as ${uploadTypes.join(' or ')}`);
      const delimiter =
        request.query.delimiter === 'tab' || request.query.delimiter === '\\t'
          ? '\t'
          : request.query.delimiter;
      return ingestor.loadCsv(principalOf(request), request.params.id, request.body.file, {
        mode: request.query.mode ?? 'append',
        delimiter,
        types: parseTypes(request.query.types),
      });
    },
  );
}
