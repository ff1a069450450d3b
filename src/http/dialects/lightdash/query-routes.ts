import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import { EXPORT_JOB_TYPE, type ExportResult } from '../../../core/exports/index.ts';
import type { Job } from '../../../core/jobs/index.ts';
import {
  MAX_PAGE_SIZE,
  QUERY_JOB_TYPE,
  type QueryJobPage,
  type QueryJobResult,
  savedQueryOf,
} from '../../../core/query/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import {
  dimensionTypeOf,
  exploreJson,
  exploreSummary,
  findExplore,
  listExplores,
  selectedExplores,
} from './explores.ts';
import {
  type MetricQuery,
  MetricQuerySchema,
  onMetricQueryPaths,
  prepareMetricQuery,
  runMetricQuery,
} from './metric-query.ts';
import { fieldsOf, metricQueryEcho, resultRows, type SelectedField } from './results.ts';
import { pivotDetails, sqlRunnerColumnName } from './sql-runner-pivot.ts';

/**
 * Explores, compiled SQL, metric queries (v1 and the v2 async API on the core's query jobs),
 * totals, CSV downloads (export jobs) and the SQL runner (spec §2.6, §2.7, Appendix B).
 */

export type QueryRoutePorts = Pick<
  Services,
  'directory' | 'data' | 'query' | 'queryJobs' | 'exports' | 'jobs'
>;

export interface QueryLimits {
  maxLimit: number;
  maxPageSize: number;
}

const Project = Type.Object({ projectUuid: Type.String({ maxLength: 64 }) });
const ProjectExplore = Type.Object({
  projectUuid: Type.String({ maxLength: 64 }),
  exploreId: Type.String({ minLength: 1, maxLength: 1000 }),
});
const ProjectQuery = Type.Object({
  projectUuid: Type.String({ maxLength: 64 }),
  queryUuid: Type.String({ maxLength: 64 }),
});
const Open = { additionalProperties: true };
const CalculateTotal = Type.Object(
  { explore: Type.String({ minLength: 1 }), metricQuery: MetricQuerySchema },
  Open,
);
const CsvDownload = Type.Intersect([
  MetricQuerySchema,
  Type.Object(
    {
      onlyRaw: Type.Optional(Type.Boolean()),
      showTableNames: Type.Optional(Type.Boolean()),
      columnOrder: Type.Optional(Type.Array(Type.String())),
    },
    Open,
  ),
]);
const AsyncMetricQuery = Type.Object(
  {
    query: MetricQuerySchema,
    context: Type.Optional(Type.String()),
    invalidateCache: Type.Optional(Type.Boolean()),
  },
  Open,
);
/** Query strings hold text: whole numbers from 1, read as numbers by the route. */
const Paging = Type.Object({
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })),
  pageSize: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })),
});
const SqlQuery = Type.Object({ sql: Type.String({ minLength: 1 }) }, Open);
const SqlRun = Type.Object(
  { sql: Type.String({ minLength: 1 }), limit: Type.Optional(Type.Integer({ minimum: 1 })) },
  Open,
);
const SqlResultsFile = Type.Object({
  projectUuid: Type.String({ maxLength: 64 }),
  fileId: Type.String({ maxLength: 64 }),
});

/** Lightdash counts CSV limits in cells (spec §3.6). */
const CSV_CELLS_LIMIT = 100_000;

export function registerQueryRoutes(app: App, ports: QueryRoutePorts, limits: QueryLimits): void {
  const projectOf = (principal: Principal, uuid: string) =>
    ports.directory.projects.getByUuid(principal, uuid);

  const Filtered = Type.Object({
    filtered: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  });
  app.get(
    '/v1/projects/:projectUuid/explores',
    { schema: { params: Project, querystring: Filtered } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const explores = await listExplores(ports, principal, project);
      const shown =
        request.query.filtered === 'true'
          ? selectedExplores(explores, await ports.directory.tableSelections.get(principal, project.id))
          : explores;
      return ok(shown.map(exploreSummary));
    },
  );

  app.get(
    '/v1/projects/:projectUuid/explores/:exploreId',
    { schema: { params: ProjectExplore } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      return ok(
        exploreJson((await findExplore(ports, principal, project, request.params.exploreId)).explore),
      );
    },
  );

  app.post(
    '/v1/projects/:projectUuid/explores/:exploreId/compileQuery',
    { schema: { params: ProjectExplore, body: MetricQuerySchema } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const { model, planned } = await prepareMetricQuery(ports, principal, project, request.body, {
        maxLimit: limits.maxLimit,
        exploreName: request.params.exploreId,
      });
      const compiled = await onMetricQueryPaths(planned.paths, () =>
        ports.query.compileIr(principal, model, planned.ir, { inlineIfAllowed: true }),
      );
      return ok(compiled.sql);
    },
  );

  const runRoute =
    (underlying: boolean) =>
    async (
      request: FastifyRequest<{ Params: { projectUuid: string; exploreId: string }; Body: MetricQuery }>,
    ) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      return ok(
        await runMetricQuery(ports, principal, project, request.body, {
          maxLimit: limits.maxLimit,
          exploreName: request.params.exploreId,
          underlying,
        }),
      );
    };
  const runSchema = { schema: { params: ProjectExplore, body: MetricQuerySchema } };
  app.post('/v1/projects/:projectUuid/explores/:exploreId/runQuery', runSchema, runRoute(false));
  app.post('/v1/projects/:projectUuid/explores/:exploreId/runUnderlyingDataQuery', runSchema, runRoute(true));

  app.post(
    '/v1/projects/:projectUuid/calculate-total',
    { schema: { params: Project, body: CalculateTotal } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const { metricQuery } = request.body;
      const { model, planned } = await prepareMetricQuery(ports, principal, project, metricQuery, {
        maxLimit: limits.maxLimit,
        exploreName: request.body.explore,
      });
      const result = await onMetricQueryPaths(planned.paths, () =>
        ports.query.runIr(principal, model, { ...planned.ir, totals: {} }),
      );
      const metrics = planned.selected.filter((field) => field.kind === 'metric');
      return ok(Object.fromEntries(metrics.map((field) => [field.id, result.totals?.[field.id] ?? null])));
    },
  );

  app.post(
    '/v1/projects/:projectUuid/explores/:exploreId/downloadCsv',
    { schema: { params: ProjectExplore, body: CsvDownload } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const body = request.body as MetricQuery;
      const csvLimit = body.csvLimit;
      const { explore, planned } = await prepareMetricQuery(ports, principal, project, body, {
        maxLimit: csvLimit === undefined ? limits.maxLimit : Number.MAX_SAFE_INTEGER,
        exploreName: request.params.exploreId,
      });
      const ir = {
        ...planned.ir,
        ...(csvLimit !== undefined && { limit: csvRowLimit(csvLimit, planned.selected.length) }),
      };
      const job = await onMetricQueryPaths(planned.paths, () =>
        ports.exports.enqueue(principal, { query: savedQueryOf(explore.source, ir), format: 'csv' }),
      );
      return ok({ jobId: job.uuid });
    },
  );

  app.get(
    '/v1/schedulers/job/:jobId/status',
    { schema: { params: Type.Object({ jobId: Type.String({ maxLength: 64 }) }) } },
    async (request) => {
      const principal = principalOf(request);
      const job = await ports.jobs.get(principal, request.params.jobId);
      const project = await ports.directory.projects.get(principal, principal.projectId);
      return ok(jobStatus(job, request, project.uuid));
    },
  );

  app.post(
    '/v1/projects/:projectUuid/sqlRunner/run',
    { schema: { params: Project, body: SqlRun } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const { sql, limit = limits.maxLimit } = request.body;
      if (limit > limits.maxLimit)
        throw validationError('limit', `Query limit can not exceed ${limits.maxLimit}`);
      const connection = await projectConnection(ports, principal, project);
      const state = await ports.queryJobs.submitSql(principal, connection, { sql, limit });
      return ok({ jobId: state.id });
    },
  );

  app.get(
    '/v1/projects/:projectUuid/sqlRunner/results/:fileId',
    { schema: { params: SqlResultsFile } },
    async (request, reply) => {
      const principal = principalOf(request);
      await projectOf(principal, request.params.projectUuid);
      const lines: string[] = [];
      for (let page = 1, pages = 1; page <= pages; page++) {
        const answer = await ports.queryJobs.page(principal, request.params.fileId, {
          page,
          pageSize: MAX_PAGE_SIZE,
        });
        if (answer.status !== 'success') throw notFound('results file', request.params.fileId);
        pages = answer.totalPages ?? 1;
        const names = (answer.columns ?? []).map(sqlRunnerColumnName);
        for (const row of answer.rows ?? [])
          lines.push(JSON.stringify(Object.fromEntries(names.map((name, i) => [name, row[i]]))));
      }
      return reply.type('application/jsonl').send(lines.map((line) => `${line}\n`).join(''));
    },
  );

  app.post(
    '/v1/projects/:projectUuid/sqlQuery',
    { schema: { params: Project, body: SqlQuery } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const connection = await projectConnection(ports, principal, project);
      const result = await ports.data.connections.runSql(principal, connection, {
        sql: request.body.sql,
        limit: limits.maxLimit,
      });
      return ok({
        rows: result.rows.map((row) =>
          Object.fromEntries(result.columns.map((column, i) => [column.name, row[i]])),
        ),
        fields: Object.fromEntries(
          result.columns.map((column) => [column.name, { type: dimensionTypeOf(column.type) }]),
        ),
      });
    },
  );

  app.post(
    '/v2/projects/:projectUuid/query/metric-query',
    { schema: { params: Project, body: AsyncMetricQuery } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const { query, invalidateCache } = request.body;
      const { model, planned } = await prepareMetricQuery(ports, principal, project, query, {
        maxLimit: limits.maxLimit,
      });
      const state = await onMetricQueryPaths(planned.paths, () =>
        ports.queryJobs.submitIr(principal, model, planned.ir, {
          noCache: invalidateCache === true,
          annotation: { selected: planned.selected } satisfies V2Annotation,
        }),
      );
      return ok({
        queryUuid: state.id,
        metricQuery: metricQueryEcho(query),
        fields: fieldsOf(planned.selected),
      });
    },
  );

  app.get(
    '/v2/projects/:projectUuid/query/:queryUuid',
    { schema: { params: ProjectQuery, querystring: Paging } },
    async (request) => {
      const principal = principalOf(request);
      await projectOf(principal, request.params.projectUuid);
      const page = Number(request.query.page ?? 1);
      const pageSize = Number(request.query.pageSize ?? Math.min(500, limits.maxPageSize));
      if (pageSize > limits.maxPageSize)
        throw validationError('pageSize', `must be at most ${limits.maxPageSize}`);
      const answer = await ports.queryJobs.page(principal, request.params.queryUuid, { page, pageSize });
      return ok(asyncResults(request.params.queryUuid, answer));
    },
  );

  app.post(
    '/v2/projects/:projectUuid/query/:queryUuid/cancel',
    { schema: { params: ProjectQuery } },
    async (request) => {
      const principal = principalOf(request);
      await projectOf(principal, request.params.projectUuid);
      await ports.queryJobs.cancel(principal, request.params.queryUuid);
      return ok();
    },
  );
}

/** §3.6: `null` → as many rows as the cell limit allows, N → at most that. */
export function csvRowLimit(csvLimit: number | null, columns: number): number {
  if (columns === 0) throw validationError('csvLimit', 'a query without columns has no rows to download');
  const byCells = Math.floor(CSV_CELLS_LIMIT / columns);
  if (csvLimit === null) return byCells;
  if (!Number.isInteger(csvLimit) || csvLimit < 1)
    throw validationError('csvLimit', 'must be a whole number from 1');
  return Math.min(csvLimit, byCells);
}

const jobStates: Record<Job['status'], 'scheduled' | 'started' | 'completed' | 'error'> = {
  created: 'scheduled',
  queued: 'scheduled',
  running: 'started',
  success: 'completed',
  failure: 'error',
  cancelled: 'error',
};

/**
 * `getSchedulerJobStatus`: a finished export's `details.fileUrl` is its signed download link, a
 * finished SQL run's its results file (JSON lines) with the columns.
 */
function jobStatus(job: Job, request: FastifyRequest, projectUuid: string) {
  const status = jobStates[job.status];
  if (status === 'error') return { status, details: { error: job.error ?? job.status } };
  const origin = `${request.protocol}://${request.host}`;
  if (status === 'completed' && job.type === EXPORT_JOB_TYPE) {
    const result = job.result as ExportResult;
    return { status, details: { fileUrl: `${origin}${result.downloadUrl}`, truncated: result.truncated } };
  }
  if (status === 'completed' && job.type === QUERY_JOB_TYPE) {
    const result = job.result as QueryJobResult;
    return {
      status,
      details: {
        fileUrl: `${origin}/lightdash/api/v1/projects/${projectUuid}/sqlRunner/results/${job.uuid}`,
        columns: result.columns.map((column) => ({
          reference: sqlRunnerColumnName(column),
          type: dimensionTypeOf(column.type),
        })),
        truncated: result.truncated,
        ...pivotDetails(job),
      },
    };
  }
  return { status, details: {} };
}

/**
 * The connection of a project's SQL: the one its models read (the first), else the
 * organization's first connection (its embedded warehouse).
 */
export async function projectConnection(
  ports: Pick<QueryRoutePorts, 'data'>,
  principal: Principal,
  project: { id: number },
): Promise<number> {
  const [model] = await ports.data.models.list(principal, { projectId: project.id });
  if (model) return model.connectionId;
  const [connection] = await ports.data.connections.list(principal);
  if (!connection) throw validationError('projectUuid', 'the project has no warehouse connection');
  return connection.id;
}

const v2Status: Record<QueryJobPage['status'], 'pending' | 'ready' | 'error' | 'cancelled'> = {
  queued: 'pending',
  running: 'pending',
  success: 'ready',
  failure: 'error',
  cancelled: 'cancelled',
};

/** What a v2 query keeps with its job: the fields its answer shows, as `runQuery` shows them. */
interface V2Annotation {
  selected: SelectedField[];
}

/**
 * A v2 results page reads like `runQuery`'s answer: the fields the query planned (not the helper
 * metrics its metric filters added), formatted by their type and time interval.
 */
function asyncResults(queryUuid: string, answer: QueryJobPage) {
  const status = v2Status[answer.status];
  if (status !== 'ready')
    return { queryUuid, status, ...(answer.error !== undefined && { error: answer.error }) };
  const selected = (answer.annotation as V2Annotation | undefined)?.selected ?? [];
  return {
    queryUuid,
    status,
    rows: resultRows(selected, answer.columns ?? [], answer.rows ?? []),
    fields: fieldsOf(selected),
    page: answer.page,
    pageSize: answer.pageSize,
    totalResults: answer.totalRows,
    totalPageCount: answer.totalPages,
  };
}
