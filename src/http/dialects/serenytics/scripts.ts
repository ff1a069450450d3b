import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Job } from '../../../core/jobs/index.ts';
import type { Script, ScriptRunResult } from '../../../core/scripts/index.ts';
import type { Services } from '../../../services.ts';
import { limitCredentialFailures, syncOrJob } from '../../kit/index.ts';
import { type App, absoluteUrl, principalOf } from '../../server.ts';
import { filedAsFolderUuid, folderLookup, folderUuidOf } from './folders.ts';
import { listOf, queryFilter } from './source-json.ts';

const Uuid = Type.Object({ uuid: Type.String() });
const Loose = Type.Object({}, { additionalProperties: true });

const scriptJson = (script: Script, folderOf: (uuid: string) => string) => ({
  uuid: script.uuid,
  name: script.name,
  language: script.language,
  code: script.code,
  folder_uuid: folderOf(script.uuid),
  created_at: script.createdAt,
  updated_at: script.updatedAt,
});

/** A run as the client's `logs` reads it: a failed job or a non-zero exit code is a FAILURE. */
function runLog(job: Job) {
  const result = (job.result ?? {}) as Partial<ScriptRunResult>;
  const ok = job.status === 'success' && result.return_code === 0;
  return {
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    status: ok ? 'SUCCESS' : job.status === 'success' || job.finishedAt ? 'FAILURE' : 'RUNNING',
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? job.error ?? '',
    return_code: result.return_code ?? null,
  };
}

/** `/api/script`: scripts of the core, run as jobs; `?async_=false` waits for the end. */
export function registerScriptRoutes(
  app: App,
  services: Pick<Services, 'scripts' | 'content' | 'jobs'>,
): void {
  const { scripts } = services;
  const { folders } = services.content;
  const placed = (request: FastifyRequest) => folderLookup(folders, principalOf(request), 'script');

  app.get(
    '/script',
    {
      schema: {
        querystring: Type.Object({ q: Type.Optional(Type.String()) }, { additionalProperties: true }),
      },
    },
    async (request) => {
      const matches = queryFilter(request.query.q);
      const folderOf = await placed(request);
      const all = (await scripts.list(principalOf(request))).map((script) => scriptJson(script, folderOf));
      return listOf(all.filter((item) => matches(item)));
    },
  );
  app.get('/script/:uuid', { schema: { params: Uuid } }, async (request) =>
    scriptJson(await scripts.get(principalOf(request), request.params.uuid), await placed(request)),
  );
  app.post('/script', { schema: { body: Loose } }, async (request, reply) =>
    reply
      .status(201)
      .send(scriptJson(await scripts.create(principalOf(request), request.body), await placed(request))),
  );
  app.put('/script/:uuid', { schema: { params: Uuid, body: Loose } }, async (request) => {
    const principal = principalOf(request);
    const body = request.body as Record<string, unknown>;
    const folderId = folderUuidOf(body, principal.organizationId);
    const script = await filedAsFolderUuid(
      scripts.update(principal, request.params.uuid, { ...body, folderId }),
    );
    return scriptJson(script, await placed(request));
  });
  app.delete('/script/:uuid', { schema: { params: Uuid } }, async (request, reply) => {
    await scripts.delete(principalOf(request), request.params.uuid);
    return reply.status(204).send();
  });

  app.post(
    '/script/:uuid/run',
    {
      schema: {
        params: Uuid,
        querystring: Type.Object(
          { async_: Type.Optional(Type.String()), token: Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
      },
      // Reachable with `?token=<script webhook token>` instead of an API key.
      config: { ownToken: 'token' },
    },
    async (request) => {
      const {
        async: asyncFlag,
        async_: asyncUnderscore,
        ...args
      } = (request.body ?? {}) as Record<string, unknown>;
      const inQuery = request.query.async_ === undefined ? undefined : request.query.async_ !== 'false';
      const apiUrl = absoluteUrl(request, '/serenytics');
      const { token } = request.query;
      const { job, finished } = await syncOrJob(services.jobs, {
        async: (asyncUnderscore ?? asyncFlag ?? inQuery ?? true) !== false,
        enqueue: () =>
          request.principal === undefined && token !== undefined
            ? limitCredentialFailures(request, () =>
                scripts.runWithToken(request.params.uuid, token, args, apiUrl),
              )
            : scripts.run(principalOf(request), request.params.uuid, args, apiUrl),
        waitMs: 15 * 60_000,
        // The client reads a failed run's log (stderr, return code) from the reply.
        keepFailures: true,
      });
      if (!finished) return { status: 'ok', text: 'Script launched', task_id: job.uuid };
      const { status, ...log } = runLog(job);
      return { ...log, status: status === 'SUCCESS' ? 'ok' : 'error' };
    },
  );
  // Serenytics generates webhook tokens in its studio; here it is this call.
  app.post('/script/:uuid/token', { schema: { params: Uuid } }, async (request, reply) =>
    reply
      .status(201)
      .send({ token: await scripts.createWebhookToken(principalOf(request), request.params.uuid) }),
  );
  app.get('/script/:uuid/state', { schema: { params: Uuid } }, async (request) => {
    const runs = await scripts.runs(principalOf(request), request.params.uuid, 20);
    return { running: runs.some((job) => job.finishedAt === null) };
  });
  app.get('/script/:uuid/logs', { schema: { params: Uuid } }, async (request) =>
    listOf((await scripts.runs(principalOf(request), request.params.uuid)).map(runLog)),
  );
  app.get('/script/:uuid/storage', { schema: { params: Uuid } }, async (request) =>
    scripts.getStorage(principalOf(request), request.params.uuid),
  );
  app.put('/script/:uuid/storage', { schema: { params: Uuid } }, async (request) => {
    await scripts.setStorage(principalOf(request), request.params.uuid, request.body);
    return { status: 'ok' };
  });
}
