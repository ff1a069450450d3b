import { type Static, Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { FileLoadOptions } from '../../../core/data/index.ts';
import { enqueueFileLoad } from '../../../core/data/ingest-jobs.ts';
import { validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { syncOrJob, uploadOf } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { incompatibleValues, lowerKeys } from './rows.ts';

const Uuid = Type.Object({ uuid: Type.String() });

/** Serenytics' `force_types` names → Rosetta storage types. */
const storageTypeOf: Record<string, string> = {
  str: 'string',
  int: 'integer',
  int32: 'integer',
  int64: 'integer',
  float: 'number',
  float32: 'number',
  float64: 'number',
  datetime: 'datetime',
  date: 'date',
  bool: 'boolean',
};

/**
 * The load options a client saves in a source's config before uploading a file:
 * `jsonContent.separator` and `jsonContent.advanced_options` = `'{"force_types": {...}}'`.
 * Undefined when the config names neither.
 */
export function loadOptionsOf(config: Record<string, unknown>): FileLoadOptions | undefined {
  const content = config.jsonContent as { separator?: unknown; advanced_options?: unknown } | undefined;
  if (!content || (content.separator === undefined && content.advanced_options === undefined))
    return undefined;
  const options: FileLoadOptions = {};
  if (typeof content.separator === 'string' && content.separator !== '')
    options.delimiter = content.separator;
  let advanced = content.advanced_options;
  if (typeof advanced === 'string' && advanced.trim() !== '') {
    try {
      advanced = JSON.parse(advanced);
    } catch {
      throw validationError('jsonContent.advanced_options', 'must be a JSON object');
    }
  }
  const forced = (advanced as { force_types?: Record<string, string> } | undefined)?.force_types;
  if (forced) {
    options.types = Object.fromEntries(
      Object.entries(forced).map(([name, type]) => {
        const mapped = storageTypeOf[type];
        if (!mapped)
          throw validationError(
            `force_types.${name}`,
            `must be one of ${Object.keys(storageTypeOf).join(', ')}`,
          );
        return [name.toLowerCase(), mapped];
      }),
    );
  }
  return options;
}

const LoadBody = Type.Object(
  {
    async: Type.Optional(Type.Boolean()),
    async_: Type.Optional(Type.Boolean()),
    primary_key: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  },
  { additionalProperties: true },
);

/** Upload (raw bytes, any content type), then load; push of single rows with the source's token. */
export function registerFileUploadRoute(app: App, services: Pick<Services, 'data' | 'jobs'>): void {
  app.post('/data_source/:uuid/file', { schema: { params: Uuid } }, async (request, reply) => {
    const { file } = uploadOf(request.body);
    await services.data.files.stage(principalOf(request), request.params.uuid, file);
    return reply.status(201).send({ status: 'ok' });
  });
}

export function registerFileLoadRoutes(app: App, services: Pick<Services, 'data' | 'jobs'>): void {
  const { files } = services.data;

  async function load(
    principal: Principal,
    uuid: string,
    body: Static<typeof LoadBody> | undefined,
    wanted: { mode: 'replace' | 'upsert'; key?: string[] },
  ) {
    // Serenytics storage keeps column names in lower case (doc), for files as for JSON rows.
    const how = { ...wanted, lowerCaseHeader: true };
    const { job, finished } = await syncOrJob(services.jobs, {
      async: body?.async_ ?? body?.async ?? true,
      enqueue: () => enqueueFileLoad(services.jobs, principal, uuid, how),
    }).catch((error) => {
      throw incompatibleValues(error);
    });
    return finished ? { status: 'ok' } : { status: 'ok', task_id: job.uuid };
  }

  app.post(
    '/data_source/:uuid/reload_from_file',
    { schema: { params: Uuid, body: LoadBody } },
    async (request) => {
      const principal = principalOf(request);
      const source = await services.data.sources.get(principal, request.params.uuid);
      return load(principal, source.uuid, request.body, { mode: 'replace' });
    },
  );

  app.post(
    '/data_source/:uuid/update_from_file',
    { schema: { params: Uuid, body: LoadBody } },
    async (request) => {
      const principal = principalOf(request);
      const source = await services.data.sources.get(principal, request.params.uuid);
      const key = request.body?.primary_key;
      if (key === undefined) throw validationError('primary_key', 'is required');
      const keys = (Array.isArray(key) ? key : [key]).map((name) => name.toLowerCase());
      return load(principal, source.uuid, request.body, { mode: 'upsert', key: keys });
    },
  );

  app.post(
    '/data_source/:uuid/push/:token',
    {
      schema: {
        params: Type.Object({ uuid: Type.String(), token: Type.String() }),
        body: Type.Record(Type.String(), Type.Unknown()),
      },
    },
    async (request) => {
      const { uuid, token } = request.params;
      await files
        .pushWithToken(principalOf(request), uuid, token, {
          rows: [lowerKeys(request.body)],
          ignoreUnknownColumns: true,
        })
        .catch((error) => {
          throw incompatibleValues(error);
        });
      return { status: 'ok' };
    },
  );
}
