import { Type } from 'typebox';
import { type Job, type JobService, jobStatuses } from '../../core/jobs/index.ts';
import { NextField, PageQuery, pageRequestOf } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';

// Schema errors as coded 400s naming the field; shared with the content routes.

const nullableString = Type.Union([Type.String(), Type.Null()]);

const JobSchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  type: Type.String(),
  status: Type.String(),
  progress: Type.Integer(),
  error: nullableString,
  errorDetail: Type.Union(
    [
      Type.Object({
        code: Type.String({ description: 'The error code, as in the error envelope (ERR_VALIDATION, …)' }),
        reason: Type.String({ description: 'Its reason, as in the error envelope' }),
        field: Type.Optional(Type.String({ description: 'The offending input, when there is one' })),
      }),
      Type.Null(),
    ],
    { description: 'The coded part of `error`; null for a success or an uncoded crash' },
  ),
  result: Type.Unknown(),
  ownerId: Type.Union([Type.Integer(), Type.Null()]),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  runAfter: Type.String(),
  createdAt: Type.String(),
  startedAt: nullableString,
  finishedAt: nullableString,
});
const JobEnvelope = Type.Object({ job: JobSchema });

const JobStatusSchema = Type.Union(jobStatuses.map((s) => Type.Literal(s)));
// Query strings arrive as text (no coercion), so numbers are digit patterns.
const Limit = Type.String({ pattern: '^[1-9][0-9]{0,3}$' });
const After = Type.String({ pattern: '^[0-9]{1,10}$' });
const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const JobListQuery = Type.Object(
  {
    status: Type.Optional(JobStatusSchema),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
const JobLogsQuery = Type.Object(
  { after: Type.Optional(After), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);
const LogLine = Type.Object({
  id: Type.Integer(),
  time: Type.String(),
  level: Type.String(),
  message: Type.String(),
});

/** A job is addressed by its integer id or its uuid. */
const refOf = (id: string): number | string => (/^[0-9]+$/.test(id) ? Number(id) : id);
const optionalNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/** The payload stays internal: it may hold delivery targets that are not the caller's to read. */
function jobView(job: Job) {
  const { payload: _payload, idempotencyKey: _key, heartbeatAt: _beat, organizationId: _org, ...view } = job;
  return view;
}

/** Jobs under `/jobs`: the caller's own, or all of the organization for admins. */
export function registerJobRoutes(app: App, deps: { jobs: JobService }): void {
  const { jobs } = deps;

  app.get(
    '/jobs',
    {
      schema: {
        summary: 'Jobs, newest first, one page (100 unless `limit` says otherwise)',
        querystring: JobListQuery,
        response: { 200: Type.Object({ items: Type.Array(JobSchema), ...NextField }) },
      },
    },
    async (request) => {
      const { status, type } = request.query;
      const page = await jobs.list(principalOf(request), { status, type }, pageRequestOf(request.query));
      return { items: page.items.map(jobView), next: page.next };
    },
  );

  app.get(
    '/jobs/:id',
    { schema: { params: JobParams, response: { 200: JobEnvelope } } },
    async (request) => ({ job: jobView(await jobs.get(principalOf(request), refOf(request.params.id))) }),
  );

  app.get(
    '/jobs/:id/logs',
    {
      schema: {
        params: JobParams,
        querystring: JobLogsQuery,
        response: { 200: Type.Object({ items: Type.Array(LogLine) }) },
      },
    },
    async (request) => ({
      items: await jobs.logs(principalOf(request), refOf(request.params.id), {
        after: optionalNumber(request.query.after),
        limit: optionalNumber(request.query.limit),
      }),
    }),
  );

  app.post(
    '/jobs/:id/cancel',
    { schema: { params: JobParams, response: { 200: JobEnvelope } } },
    async (request) => ({ job: jobView(await jobs.cancel(principalOf(request), refOf(request.params.id))) }),
  );
}
