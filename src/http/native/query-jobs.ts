import { Type } from 'typebox';
import { MAX_PAGE_SIZE, type QueryJobService, queryJobStatuses } from '../../core/query/index.ts';
import { type App, principalOf } from '../server.ts';

/**
 * Query jobs under /api: a query whose result outlives the request. `POST /query/jobs` queues a
 * POST /api/query body (checked now: a bad body is a 400 here, not a failed job) and answers
 * 202 with the job's id; `GET /query/jobs/:id?page=&pageSize=` answers its status and, once it
 * succeeded, one page of the kept result; `POST /query/jobs/:id/cancel` stops it. Another
 * user's job is a 404, as the core decides.
 */

const QueryBody = Type.Object(
  {},
  {
    additionalProperties: true,
    description: 'A POST /api/query body (its `count` is not needed: pages say `totalRows`)',
  },
);
const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const PageQuery = Type.Object(
  {
    page: Type.Optional(Type.String({ description: 'From 1; default 1' })),
    pageSize: Type.Optional(Type.String({ description: `From 1 to ${MAX_PAGE_SIZE}; default 500` })),
  },
  { additionalProperties: false },
);
const Status = Type.String({ description: queryJobStatuses.join(' | ') });
const JobState = Type.Object({
  id: Type.String({ description: "The job's uuid (also listed by GET /api/jobs)" }),
  status: Status,
  error: Type.Optional(Type.String({ description: 'Why a failed or cancelled job ended' })),
});
const Column = Type.Object({ name: Type.String(), type: Type.String() }, { additionalProperties: true });
// The answer of POST /api/query with its rows cut to the page; further answer fields pass through.
const JobPage = Type.Object(
  {
    ...JobState.properties,
    columns: Type.Optional(Type.Array(Column)),
    rows: Type.Optional(Type.Array(Type.Array(Type.Unknown()))),
    page: Type.Optional(Type.Integer()),
    pageSize: Type.Optional(Type.Integer()),
    totalRows: Type.Optional(
      Type.Integer({ description: 'Rows kept: the whole result, at most the row cap' }),
    ),
    totalPages: Type.Optional(Type.Integer()),
    truncated: Type.Optional(Type.Boolean({ description: 'True when the row cap cut the result' })),
    durationMs: Type.Optional(Type.Number()),
    expiresAt: Type.Optional(Type.String({ description: 'When the kept result is purged' })),
  },
  { additionalProperties: true },
);

/** A job is addressed by its uuid (or its integer id, as in /api/jobs). */
const refOf = (id: string): number | string => (/^[0-9]+$/.test(id) ? Number(id) : id);

export function registerQueryJobRoutes(app: App, deps: { queryJobs: QueryJobService }): void {
  const { queryJobs } = deps;

  app.post(
    '/query/jobs',
    {
      schema: {
        summary: 'Submit a query as a job; its result is kept and read back page by page',
        body: QueryBody,
        response: { 202: JobState },
      },
    },
    async (request, reply) => {
      const noCache = /no-cache/i.test(request.headers['cache-control'] ?? '');
      const state = await queryJobs.submit(principalOf(request), request.body, { noCache });
      return reply.status(202).send(state);
    },
  );

  app.get(
    '/query/jobs/:id',
    {
      schema: {
        summary: "A query job's status and, once it succeeded, a page of its result",
        params: JobParams,
        querystring: PageQuery,
        response: { 200: JobPage },
      },
    },
    async (request) =>
      queryJobs.page(principalOf(request), refOf(request.params.id), {
        page: request.query.page,
        pageSize: request.query.pageSize,
      }),
  );

  app.post(
    '/query/jobs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a queued or running query job (409 once it succeeded or failed)',
        params: JobParams,
        response: { 200: JobState },
      },
    },
    async (request) => queryJobs.cancel(principalOf(request), refOf(request.params.id)),
  );
}
