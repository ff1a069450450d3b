import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { Connection, DataSource } from '../../../core/data/index.ts';
import { enqueueOperations } from '../../../core/data/ingest-jobs.ts';
import { validationError } from '../../../core/errors.ts';
import type { ExportResult } from '../../../core/exports/index.ts';
import type { Services } from '../../../services.ts';
import { syncOrJob } from '../../kit/index.ts';
import { type App, absoluteUrl, principalOf } from '../../server.ts';
import { errorOf } from './envelope.ts';
import { filedAsFolderUuid, folderLookup, folderUuidOf, homeFolderUuid } from './folders.ts';
import { formulasOf } from './formulas.ts';
import { findJoin, joinJson, joinModelInput, listJoins, saveJoin } from './joins.ts';
import { incompatibleValues, lowerKeys, operationsOf } from './rows.ts';
import {
  connectionPropertyNames,
  readableConnections,
  saveConnectionProperties,
} from './source-connection.ts';
import { loadOptionsOf } from './source-files.ts';
import { listOf, queryFilter, sourceJson } from './source-json.ts';

const Uuid = Type.Object({ uuid: Type.String() });
const Loose = Type.Object({}, { additionalProperties: true });

/**
 * The `jsonContent` properties a saved config may carry: those Rosetta renders, the file load
 * options and the connection properties of SQL sources. Serenytics' other properties
 * (`set_property`) have no Rosetta counterpart: a 400 names them rather than a save that
 * silently drops them.
 */
const contentProperties = [
  'columns',
  'primaryKey',
  'measures',
  'separator',
  'advanced_options',
  'joinConfig',
  ...connectionPropertyNames,
];

const CreateBody = Type.Object(
  { name: Type.String({ minLength: 1 }), type: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

const BatchBody = Type.Object(
  {
    async_: Type.Optional(Type.Boolean()),
    async: Type.Optional(Type.Boolean()),
    operations: Type.Array(
      Type.Object(
        {
          action: Type.String(),
          primaryKey: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
          rows: Type.Array(Type.Unknown()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * `/api/data_source`: listing (with `q`), CRUD of storage sources, cache invalidation and
 * the ways Serenytics clients write rows (batch, reload). Rows go through the core ingestor.
 */
export function registerDataSourceRoutes(
  app: App,
  services: Pick<Services, 'data' | 'content' | 'directory' | 'exports' | 'jobs' | 'query'>,
): void {
  const { sources, ingestor, files } = services.data;
  const { folders } = services.content;
  // Storage sources carry their push token, as Serenytics configs do.
  const render = (
    source: DataSource,
    folderOf: (uuid: string) => string,
    connections: Map<number, Connection>,
  ) =>
    sourceJson(
      source,
      source.type === 'storage' ? files.pushTokenOf(source) : undefined,
      folderOf(source.uuid),
      connections.get(source.connectionId),
    );
  const renderOne = async (principal: Principal, source: DataSource) =>
    render(
      source,
      await folderLookup(folders, principal, 'data_source'),
      await readableConnections(services, principal),
    );

  app.get(
    '/data_source',
    {
      schema: {
        querystring: Type.Object({ q: Type.Optional(Type.String()) }, { additionalProperties: true }),
      },
    },
    async (request) => {
      const matches = queryFilter(request.query.q);
      const principal = principalOf(request);
      const folderOf = await folderLookup(folders, principal, 'data_source');
      const connections = await readableConnections(services, principal);
      const all = [
        ...(await sources.list(principal)).map((source) => render(source, folderOf, connections)),
        // Joins are data sources in Serenytics: clients find them by name like any other.
        ...(await listJoins(services, principal)).map((join) => joinJson(join, folderOf(join.uuid))),
      ];
      return listOf(all.filter((item) => matches(item)));
    },
  );

  // The 2.x client asks for a signed S3 URL first and posts the file to us when refused.
  app.get('/data_source/sign_s3/', async () =>
    errorOf('direct upload is not available: post the file to /api/data_source/{uuid}/file'),
  );

  app.get('/data_source/:uuid', { schema: { params: Uuid } }, async (request) => {
    const principal = principalOf(request);
    const join = await findJoin(services, principal, request.params.uuid);
    if (join) return joinJson(join, (await folderLookup(folders, principal, 'data_source'))(join.uuid));
    return renderOne(principal, await sources.get(principal, request.params.uuid));
  });

  app.post('/data_source', { schema: { body: CreateBody } }, async (request, reply) => {
    const { name, type } = request.body;
    const principal = principalOf(request);
    if (type === 'Join') {
      const { jsonContent } = request.body as { jsonContent?: { joinConfig?: unknown } };
      const input = await joinModelInput(services, principal, name, jsonContent?.joinConfig);
      const join = await services.data.models.create(principal, input);
      return reply.status(201).send(joinJson(join, homeFolderUuid(principal.organizationId, 'data_source')));
    }
    if (type !== undefined && type !== 'Storage')
      throw validationError('type', 'only "Storage" and "Join" sources can be created through this API');
    const created = await sources.create(principal, { type: 'storage', name });
    return reply.status(201).send(await renderOne(principal, created));
  });

  app.put('/data_source/:uuid', { schema: { params: Uuid, body: Loose } }, async (request) => {
    const principal = principalOf(request);
    const config = request.body as Record<string, unknown>;
    const join = await findJoin(services, principal, request.params.uuid);
    if (join) return saveJoin(services, principal, join, config);
    const { name } = config;
    if (name !== undefined && typeof name !== 'string') throw validationError('name', 'must be a string');
    const current = await sources.get(principal, request.params.uuid);
    const jsonContent = config.jsonContent as Record<string, unknown> | undefined;
    if (
      jsonContent !== undefined &&
      (jsonContent === null || typeof jsonContent !== 'object' || Array.isArray(jsonContent))
    )
      throw validationError('jsonContent', 'must be an object');
    const unknown = Object.keys(jsonContent ?? {}).find((key) => !contentProperties.includes(key));
    if (unknown !== undefined)
      throw validationError(
        `jsonContent.${unknown}`,
        `is not a data source property Rosetta keeps (it keeps ${contentProperties.join(', ')})`,
      );
    const formulas = formulasOf(jsonContent?.measures);
    if (jsonContent) await saveConnectionProperties(services, principal, current, jsonContent);
    const patch = {
      ...(name !== undefined && name !== current.name && { name }),
      ...(formulas && JSON.stringify(formulas) !== JSON.stringify(current.formulas) && { formulas }),
    };
    const folderId = folderUuidOf(config, principal.organizationId);
    const updated =
      Object.keys(patch).length > 0 || folderId !== undefined
        ? await filedAsFolderUuid(sources.update(principal, current.uuid, { ...patch, folderId }))
        : current;
    const loadOptions = loadOptionsOf(config);
    if (loadOptions && current.type === 'storage')
      await files.setOptions(principal, current.uuid, loadOptions);
    return renderOne(principal, updated);
  });

  app.delete('/data_source/:uuid', { schema: { params: Uuid } }, async (request, reply) => {
    const principal = principalOf(request);
    const join = await findJoin(services, principal, request.params.uuid);
    if (join) await services.data.models.delete(principal, join.uuid);
    else await sources.delete(principal, request.params.uuid);
    return reply.status(204).send();
  });

  app.post('/data_source/:uuid/invalidate_cache', { schema: { params: Uuid } }, async (request) => {
    const principal = principalOf(request);
    const source = await sources.get(principal, request.params.uuid);
    services.query.invalidate(principal, { connectionId: source.connectionId });
    return { status: 'ok' };
  });

  app.post('/data_source/:uuid/batch', { schema: { params: Uuid, body: BatchBody } }, async (request) => {
    const principal = principalOf(request);
    const operations = operationsOf(request.body.operations);
    const source = await sources.get(principal, request.params.uuid);
    const { job, finished } = await syncOrJob(services.jobs, {
      // The doc's default is asynchronous; the client sends `async`, the doc spells it `async_`.
      async: request.body.async_ ?? request.body.async ?? true,
      enqueue: () => enqueueOperations(services.jobs, principal, source.uuid, operations),
    }).catch((error) => {
      throw incompatibleValues(error);
    });
    return finished ? { status: 'ok' } : { status: 'ok', task_id: job.uuid };
  });

  // The client then GETs `csv_url` without its key: the core's signed, expiring export link.
  app.post(
    '/data_source/:uuid/export_source_data',
    {
      schema: {
        params: Uuid,
        body: Type.Object({ export_format: Type.Optional(Type.String()) }, { additionalProperties: true }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const format = request.body?.export_format ?? 'csv';
      if (format !== 'csv' && format !== 'xlsx')
        throw validationError('export_format', 'must be csv or xlsx (csv.gz and parquet are not supported)');
      const source = await sources.get(principal, request.params.uuid);
      const { job } = await syncOrJob(services.jobs, {
        async: false,
        enqueue: () =>
          services.exports.enqueue(principal, { query: { source: source.uuid, aggregate: false }, format }),
      });
      const { downloadUrl } = job.result as ExportResult;
      return {
        status: 'ok',
        csv_url: absoluteUrl(request, downloadUrl),
        output_file_format: format,
      };
    },
  );

  app.post('/data_source/:uuid/reload_users_metadata', { schema: { params: Uuid } }, async (request) => {
    await services.directory.importAttributesFromSource(principalOf(request), request.params.uuid);
    return { status: 'ok' };
  });

  app.post(
    '/data_source/:uuid/reload',
    { schema: { params: Uuid, body: Type.Array(Type.Record(Type.String(), Type.Unknown())) } },
    async (request) => {
      await ingestor
        .pushRows(principalOf(request), request.params.uuid, {
          mode: 'replace',
          rows: request.body.map(lowerKeys),
          ignoreUnknownColumns: true,
        })
        .catch((error) => {
          throw incompatibleValues(error);
        });
      return { status: 'ok' };
    },
  );
}
