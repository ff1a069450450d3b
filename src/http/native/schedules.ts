import { Type } from 'typebox';
import {
  conditionAggregations,
  conditionOperatorAliases,
  conditionOperators,
  type Schedule,
  type ScheduleKind,
  type ScheduleService,
} from '../../core/schedules/index.ts';
import { listReply, NextField, PageQuery, pageRequestOf } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
import { FilterOperator, IdParams, ProjectQuery, projectFilter, RefSchema } from './schemas.ts';

/**
 * Schedules (`/schedules`) and, through the same function, data alerts (`/alerts`). Schemas give
 * the shape for the OpenAPI document and early 400s; the core checks the rest (one target key,
 * the fields each destination type needs) and names the field either way.
 */

const nullableString = Type.Union([Type.String(), Type.Null()]);
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const Target = Type.Object(
  {
    dashboard: Type.Optional(RefSchema),
    widget: Type.Optional(
      Type.Object(
        { dashboard: RefSchema, widget: Type.String({ minLength: 1, maxLength: 64 }) },
        { additionalProperties: false },
      ),
    ),
    query: Type.Optional(Type.Object({ source: Type.String({ minLength: 1 }) })),
  },
  { additionalProperties: false, description: 'exactly one of dashboard, widget or query (alerts)' },
);
const FilterRule = Type.Object(
  {
    field: Type.String({ minLength: 1 }),
    operator: FilterOperator,
    values: Type.Optional(Type.Array(Scalar)),
  },
  { additionalProperties: false },
);
const Destination = Type.Object(
  {
    type: Type.Union([Type.Literal('email'), Type.Literal('webhook'), Type.Literal('slack')]),
    recipients: Type.Optional(Type.Array(Type.String(), { description: 'email' })),
    subject: Type.Optional(nullableString),
    message: Type.Optional(nullableString),
    url: Type.Optional(Type.String({ description: 'webhook, slack' })),
    secret: Type.Optional(nullableString),
  },
  { additionalProperties: false },
);
export const Condition = Type.Object(
  {
    field: Type.String({ minLength: 1, description: 'a result column' }),
    aggregation: Type.Enum(conditionAggregations, {
      description: 'how the column becomes one value: sum, avg, min, max, count, first or last row',
    }),
    operator: Type.Enum(
      [
        ...conditionOperators,
        ...(Object.keys(conditionOperatorAliases) as (keyof typeof conditionOperatorAliases)[]),
      ],
      {
        description: `the query filters' operators; the words ${Object.keys(conditionOperatorAliases).join(', ')} are read as their symbols (answers use the symbols)`,
      },
    ),
    values: Type.Array(Type.Union([Type.String(), Type.Number()]), {
      description: 'one value; two for between; one or more for =, !=, in, not in',
    }),
  },
  { additionalProperties: false },
);

export const bodyFields = (kind: ScheduleKind) => ({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  cron: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'five fields, e.g. "0 8 * * 1", or six with seconds first',
  }),
  timezone: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: "IANA; default: the project's schedulerTimezone",
    }),
  ),
  paused: Type.Optional(Type.Boolean()),
  target: Target,
  format: Type.Optional(Type.Union(['csv', 'xlsx', 'pdf', 'png'].map((f) => Type.Literal(f)))),
  filters: Type.Optional(Type.Array(FilterRule)),
  // Checked by the core against the dashboard's filters, naming `filterValues.<id>`.
  filterValues: Type.Optional(
    Type.Union([
      Type.Record(Type.String({ minLength: 1 }), Type.Unknown(), {
        description:
          'dashboard/widget targets: filter id → value as POST /api/exports takes it (a list, {from, to}, {min, max}, {relative: […]}, null = unset), over the defaults',
      }),
      Type.Null(),
    ]),
  ),
  // Values are checked by the core against the dashboard's variable types, naming `variables.<name>`.
  variables: Type.Optional(
    Type.Union([
      Type.Record(Type.String({ minLength: 1 }), Type.Unknown(), {
        description: 'dashboard/widget targets: variable name → value (or list), over the defaults',
      }),
      Type.Null(),
    ]),
  ),
  destination: Destination,
  projectId: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        "A query target's project (default: the caller's default project); a dashboard's schedule is in the dashboard's",
    }),
  ),
  ...(kind === 'alert' ? { conditions: Type.Array(Condition, { minItems: 1 }) } : {}),
});

const ScheduleView = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  cron: Type.String(),
  timezone: Type.String(),
  paused: Type.Boolean(),
  ownerId: Type.Integer(),
  projectId: Type.Integer(),
  target: Type.Unknown(),
  format: Type.String(),
  filters: Type.Unknown(),
  filterValues: Type.Unknown(),
  variables: Type.Unknown(),
  destination: Type.Unknown(),
  conditions: Type.Optional(Type.Unknown()),
  nextRunAt: nullableString,
  lastRunAt: nullableString,
  lastStatus: nullableString,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const RunView = Type.Object({
  id: Type.Integer(),
  fireTime: Type.String(),
  trigger: Type.String(),
  jobId: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.String(),
  error: nullableString,
  result: Type.Unknown(),
  triggered: Type.Union([Type.Boolean(), Type.Null()]),
  createdAt: Type.String(),
  finishedAt: nullableString,
});
const JobRef = Type.Object({
  job: Type.Object({ id: Type.Integer(), uuid: Type.String(), type: Type.String(), status: Type.String() }),
});
const RunsQuery = Type.Object(PageQuery, { additionalProperties: false });

const refOf = (id: string): number | string => (/^[0-9]+$/.test(id) ? Number(id) : id);

/** The core's destination view already hides the webhook secret and the Slack URL. */
function view(schedule: Schedule) {
  const { organizationId: _org, conditions, ...rest } = schedule;
  return { ...rest, ...(schedule.kind === 'alert' ? { conditions } : {}) };
}

export function registerScheduleKindRoutes(app: App, schedules: ScheduleService, kind: ScheduleKind): void {
  const base = kind === 'alert' ? '/alerts' : '/schedules';
  const tags = [kind === 'alert' ? 'alerts' : 'schedules'];
  const One = Type.Object({ [kind === 'alert' ? 'alert' : 'schedule']: ScheduleView });
  const key = kind === 'alert' ? 'alert' : 'schedule';
  const one = (schedule: Schedule) => ({ [key]: view(schedule) });
  const fields = bodyFields(kind);
  const Body = Type.Object(fields, { additionalProperties: false });
  const Patch = Type.Partial(Type.Object(fields), { additionalProperties: false });

  app.get(
    base,
    {
      schema: {
        tags,
        querystring: Type.Object({ ...PageQuery, ...ProjectQuery }),
        response: { 200: Type.Object({ items: Type.Array(ScheduleView), ...NextField }) },
      },
    },
    async (request) =>
      listReply(
        (await schedules.list(principalOf(request), kind, { projectId: projectFilter(request.query) })).map(
          view,
        ),
        request.query,
      ),
  );
  app.post(base, { schema: { tags, body: Body, response: { 201: One } } }, async (request, reply) =>
    reply.status(201).send(one(await schedules.create(principalOf(request), kind, request.body))),
  );
  app.get(`${base}/:id`, { schema: { tags, params: IdParams, response: { 200: One } } }, async (request) =>
    one(await schedules.get(principalOf(request), kind, refOf(request.params.id))),
  );
  app.patch(
    `${base}/:id`,
    { schema: { tags, params: IdParams, body: Patch, response: { 200: One } } },
    async (request) =>
      one(await schedules.update(principalOf(request), kind, refOf(request.params.id), request.body)),
  );
  app.delete(`${base}/:id`, { schema: { tags, params: IdParams } }, async (request, reply) => {
    await schedules.delete(principalOf(request), kind, refOf(request.params.id));
    return reply.status(204).send();
  });
  app.post(
    `${base}/:id/pause`,
    { schema: { tags, params: IdParams, response: { 200: One } } },
    async (request) => one(await schedules.pause(principalOf(request), kind, refOf(request.params.id))),
  );
  app.post(
    `${base}/:id/resume`,
    { schema: { tags, params: IdParams, response: { 200: One } } },
    async (request) => one(await schedules.resume(principalOf(request), kind, refOf(request.params.id))),
  );
  app.post(
    `${base}/:id/run`,
    { schema: { tags, params: IdParams, response: { 202: JobRef } } },
    async (request, reply) => {
      const job = await schedules.runNow(principalOf(request), kind, refOf(request.params.id));
      return reply
        .status(202)
        .send({ job: { id: job.id, uuid: job.uuid, type: job.type, status: job.status } });
    },
  );
  app.get(
    `${base}/:id/runs`,
    {
      schema: {
        tags,
        params: IdParams,
        querystring: RunsQuery,
        response: { 200: Type.Object({ items: Type.Array(RunView), ...NextField }) },
      },
    },
    async (request) =>
      schedules.history(principalOf(request), kind, refOf(request.params.id), pageRequestOf(request.query)),
  );
}

const NextRunsQuery = Type.Object(
  {
    cron: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'five fields, e.g. "0 8 * * 1", or six with seconds first',
    }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'IANA; default UTC' })),
    count: Type.Optional(Type.String({ pattern: '^([1-9]|10)$', description: '1 to 10; default 3' })),
  },
  { additionalProperties: false },
);

/**
 * CRUD `/schedules`, `/schedules/:id/{pause,resume,run,runs}`, and `/schedules/next-runs`: when
 * a cron expression fires next in a timezone, for a form to show before saving.
 */
export function registerScheduleRoutes(app: App, deps: { schedules: ScheduleService }): void {
  app.get(
    '/schedules/next-runs',
    {
      schema: {
        tags: ['schedules'],
        querystring: NextRunsQuery,
        response: { 200: Type.Object({ timezone: Type.String(), runs: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const { cron, timezone = 'UTC', count } = request.query;
      const runs = deps.schedules.nextRuns(principalOf(request), cron, timezone, count ? Number(count) : 3);
      return { timezone, runs };
    },
  );
  registerScheduleKindRoutes(app, deps.schedules, 'delivery');
}
