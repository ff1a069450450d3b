import { type Static, Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import { isRosettaError, notFound, renameField, validationError } from '../../../core/errors.ts';
import type {
  AlertCondition,
  ExportFormat,
  Schedule,
  ScheduleKind,
  ScheduleRun,
  ScheduleTarget,
} from '../../../core/schedules/index.ts';
import type { Services } from '../../../services.ts';
import { derivedUuid } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { ContentContext, type ContentPorts, contentContext } from './content-context.ts';
import { ok } from './envelope.ts';

/**
 * Scheduled deliveries (spec §2.15, Appendix B) on the core's schedules: a scheduler of a chart
 * or dashboard is a schedule of that target emailed to its recipients; one with `thresholds` is
 * an alert on the chart. Rosetta sends email only here: Slack targets and Google Sheets are the
 * 400s a Lightdash server without those integrations answers.
 */

export type SchedulerPorts = ContentPorts & Pick<Services, 'schedules'>;

const Open = { additionalProperties: true };
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const thresholdOperators = ['greaterThan', 'lessThan', 'increasedBy', 'decreasedBy'] as const;

const TargetSchema = Type.Object(
  {
    recipient: Type.Optional(Type.String()),
    channel: Type.Optional(Type.String()),
    schedulerEmailTargetUuid: Type.Optional(Type.String()),
    schedulerSlackTargetUuid: Type.Optional(Type.String()),
  },
  Open,
);
const schedulerFields = {
  name: Type.String({ minLength: 1 }),
  message: Type.Optional(nullable(Type.String())),
  cron: Type.String({ minLength: 1 }),
  timezone: Type.Optional(nullable(Type.String())),
  format: Type.Union([Type.Literal('csv'), Type.Literal('image'), Type.Literal('gsheets')]),
  options: Type.Optional(Type.Object({ withPdf: Type.Optional(Type.Boolean()) }, Open)),
  thresholds: Type.Optional(
    Type.Array(
      Type.Object({
        fieldId: Type.String({ minLength: 1 }),
        operator: Type.Union(thresholdOperators.map((operator) => Type.Literal(operator))),
        value: Type.Number(),
      }),
    ),
  ),
  notificationFrequency: Type.Optional(Type.Union([Type.Literal('always'), Type.Literal('once')])),
  enabled: Type.Optional(Type.Boolean()),
  targets: Type.Array(TargetSchema),
};
const SchedulerBody = Type.Object(schedulerFields, Open);
const SendBody = Type.Object(
  {
    ...schedulerFields,
    savedChartUuid: Type.Optional(nullable(Type.String())),
    dashboardUuid: Type.Optional(nullable(Type.String())),
  },
  Open,
);
type SchedulerInput = Static<typeof SchedulerBody>;

const SchedulerParams = Type.Object({ schedulerUuid: Type.String() });

/** What a scheduler's schedule sends, as the core's target: a saved chart or a dashboard. */
type Subject = { chart: number | string } | { dashboard: number | string };

const sends = (target: ScheduleTarget, subject: Subject): boolean =>
  'chart' in subject
    ? 'chart' in target && target.chart === subject.chart
    : 'dashboard' in target && target.dashboard === subject.dashboard;

/** The core's formats as Lightdash names them: a dashboard's CSV is a workbook of its tiles. */
function formatOf(input: SchedulerInput, onDashboard: boolean): ExportFormat {
  if (input.format === 'gsheets')
    throw validationError('format', 'Google Sheets is not enabled: deliver as "csv" or "image"');
  if (input.format === 'image') return input.options?.withPdf ? 'pdf' : 'png';
  return onDashboard ? 'xlsx' : 'csv';
}

/** The thresholds an alert condition expresses; `increasedBy`/`decreasedBy` compare runs, which it cannot. */
const thresholdConditions: Partial<Record<(typeof thresholdOperators)[number], '>' | '<'>> = {
  greaterThan: '>',
  lessThan: '<',
};

/** A threshold as an alert condition on the chart's first row (its column is the field id). */
function conditionOf(
  threshold: NonNullable<SchedulerInput['thresholds']>[number],
  index: number,
): AlertCondition {
  const operator = thresholdConditions[threshold.operator];
  if (!operator)
    throw validationError(`thresholds[${index}].operator`, 'only "greaterThan" and "lessThan" are supported');
  return {
    field: threshold.fieldId,
    aggregation: 'first',
    operator,
    values: [threshold.value],
  };
}

function recipientsOf(targets: SchedulerInput['targets']): string[] {
  if (targets.length === 0) throw validationError('targets', 'needs at least one email recipient');
  return targets.map((target, index) => {
    if (target.recipient !== undefined) return target.recipient;
    if (target.channel !== undefined)
      throw validationError(`targets[${index}].channel`, 'Slack is not configured: send to email recipients');
    throw validationError(`targets[${index}]`, 'needs a "recipient"');
  });
}

/** The core schedule body of a scheduler, and the kind it is (an alert when it has thresholds). */
function scheduleBody(input: SchedulerInput, onDashboard: boolean) {
  if (input.notificationFrequency === 'once')
    throw validationError('notificationFrequency', 'only "always" is supported');
  const thresholds = input.thresholds ?? [];
  if (thresholds.length > 0 && onDashboard)
    throw validationError('thresholds', 'only a chart scheduler can have thresholds');
  const kind: ScheduleKind = thresholds.length > 0 ? 'alert' : 'delivery';
  return {
    kind,
    body: {
      name: input.name,
      cron: input.cron,
      ...(input.timezone && { timezone: input.timezone }),
      format: formatOf(input, onDashboard),
      ...(input.enabled !== undefined && { paused: !input.enabled }),
      destination: { type: 'email', recipients: recipientsOf(input.targets), message: input.message ?? null },
      ...(kind === 'alert' && { conditions: thresholds.map(conditionOf) }),
    },
  };
}

/** Core field paths of a schedule body as a scheduler's fields are named. */
const fieldNames: [RegExp, string][] = [
  [/^destination\.recipients\[(\d+)\]$/, 'targets[$1].recipient'],
  [/^destination\.recipients$/, 'targets'],
  [/^destination\.message$/, 'message'],
  [/^conditions\[(\d+)\]\.field$/, 'thresholds[$1].fieldId'],
  [/^conditions\[(\d+)\]\.values.*$/, 'thresholds[$1].value'],
  [/^target\.chart$/, 'savedChartUuid'],
  [/^target\.dashboard$/, 'dashboardUuid'],
];

/** Runs a core schedule call, its validation errors naming the scheduler's fields. */
async function asScheduler<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION' || !error.field) throw error;
    const rule = fieldNames.find(([pattern]) => pattern.test(error.field as string));
    throw rule ? renameField(error, (error.field as string).replace(rule[0], rule[1])) : error;
  }
}

const emailTargetUuid = (schedule: Schedule, recipient: string) =>
  derivedUuid('lightdash-scheduler-email-target', `${schedule.uuid}/${recipient}`);

/** Null when the caller no longer sees what it reads (trashed, or moved out of reach). */
async function ifSeen<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (isRosettaError(error) && (error.code === 'ERR_NOT_FOUND' || error.code === 'ERR_FORBIDDEN'))
      return null;
    throw error;
  }
}

/** The chart or dashboard a schedule sends, as far as the caller still sees it. */
async function sentContent(context: ContentContext, target: ScheduleTarget) {
  const { content } = context.ports;
  return {
    chart: 'chart' in target ? await ifSeen(content.charts.lookup(context.principal, target.chart)) : null,
    dashboard:
      'dashboard' in target
        ? await ifSeen(content.dashboards.lookup(context.principal, target.dashboard))
        : null,
  };
}

/** `SchedulerAndTargets` of a schedule (spec §2.15). */
async function schedulerJson(
  context: ContentContext,
  schedule: Schedule,
  { chart, dashboard }: Awaited<ReturnType<typeof sentContent>>,
) {
  const { destination } = schedule;
  const owner = await context.user(schedule.ownerId);
  const image = schedule.format === 'png' || schedule.format === 'pdf';
  const stamps = {
    schedulerUuid: schedule.uuid,
    createdAt: schedule.createdAt,
    updatedAt: schedule.updatedAt,
  };
  return {
    schedulerUuid: schedule.uuid,
    name: schedule.name,
    ...(destination.type === 'email' && destination.message !== null && { message: destination.message }),
    createdAt: schedule.createdAt,
    updatedAt: schedule.updatedAt,
    createdBy: owner?.uuid ?? '',
    format: image ? 'image' : 'csv',
    cron: schedule.cron,
    timezone: schedule.timezone,
    savedChartUuid: chart?.uuid ?? null,
    dashboardUuid: dashboard?.uuid ?? null,
    options: image ? { withPdf: schedule.format === 'pdf' } : { formatted: true, limit: 'table' },
    ...(schedule.kind === 'alert' && {
      thresholds: schedule.conditions.map((condition) => ({
        fieldId: condition.field,
        operator: condition.operator === '<' ? 'lessThan' : 'greaterThan',
        value: Number(condition.values[0]),
      })),
    }),
    enabled: !schedule.paused,
    notificationFrequency: 'always',
    includeLinks: true,
    targets:
      destination.type === 'email'
        ? destination.recipients.map((recipient) => ({
            schedulerEmailTargetUuid: emailTargetUuid(schedule, recipient),
            recipient,
            ...stamps,
          }))
        : [],
  };
}

/** `SchedulerAndTargets` of a schedule read on its own. */
async function schedulerOf(ports: SchedulerPorts, principal: Principal, schedule: Schedule) {
  const context = await ContentContext.ofProjectId(ports, principal, schedule.projectId);
  return schedulerJson(context, schedule, await sentContent(context, schedule.target));
}

/** The schedules of a project the caller sees, deliveries and alerts. */
async function listSchedules(ports: SchedulerPorts, principal: Principal, projectId: number) {
  const [deliveries, alerts] = await Promise.all([
    ports.schedules.list(principal, 'delivery', { projectId }),
    ports.schedules.list(principal, 'alert', { projectId }),
  ]);
  return [...deliveries, ...alerts];
}

/** A scheduler by uuid, whichever kind of schedule it is; unknown or unseen: 404. */
async function findSchedule(ports: SchedulerPorts, principal: Principal, uuid: string): Promise<Schedule> {
  for (const kind of ['delivery', 'alert'] as const) {
    try {
      return await ports.schedules.get(principal, kind, uuid);
    } catch (error) {
      if (!isRosettaError(error) || error.code !== 'ERR_NOT_FOUND') throw error;
    }
  }
  throw notFound('scheduler', uuid);
}

const runStatuses: Record<ScheduleRun['status'], 'scheduled' | 'started' | 'completed' | 'error'> = {
  queued: 'scheduled',
  running: 'started',
  retrying: 'started',
  success: 'completed',
  skipped: 'completed',
  failure: 'error',
};

/** `SchedulerLog` of a run: the delivery task of one email target list. */
const logOf = (schedule: Schedule, run: ScheduleRun) => ({
  task: 'handleScheduledDelivery',
  schedulerUuid: schedule.uuid,
  jobId: String(run.jobId ?? run.id),
  scheduledTime: run.fireTime,
  createdAt: run.createdAt,
  status: runStatuses[run.status],
  ...(schedule.destination.type === 'email' && {
    target: schedule.destination.recipients.join(','),
    targetType: 'email',
  }),
  ...(run.error !== null && { details: { error: run.error } }),
});

export function registerSchedulerRoutes(app: App, ports: SchedulerPorts): void {
  const { schedules } = ports;

  /** The routes of a chart's or a dashboard's schedulers: list them, or create one. */
  const subjectRoutes = (
    path: string,
    subjectOf: (principal: Principal, uuid: string) => Promise<{ subject: Subject; projectId: number }>,
  ) => {
    const Params = Type.Object({ uuid: Type.String() });
    app.get(path, { schema: { params: Params } }, async (request) => {
      const principal = principalOf(request);
      const { subject, projectId } = await subjectOf(principal, request.params.uuid);
      const listed = await listSchedules(ports, principal, projectId);
      const targeting = listed.filter((schedule) => sends(schedule.target, subject));
      return ok(await Promise.all(targeting.map((schedule) => schedulerOf(ports, principal, schedule))));
    });
    app.post(path, { schema: { params: Params, body: SchedulerBody } }, async (request) => {
      const principal = principalOf(request);
      const { subject: target } = await subjectOf(principal, request.params.uuid);
      const { kind, body } = scheduleBody(request.body, 'dashboard' in target);
      const created = await asScheduler(() => schedules.create(principal, kind, { ...body, target }));
      return ok(await schedulerOf(ports, principal, created));
    });
  };
  subjectRoutes('/v1/saved/:uuid/schedulers', async (principal, uuid) => {
    const chart = await ports.content.charts.lookup(principal, uuid);
    return { subject: { chart: chart.id }, projectId: chart.projectId };
  });
  subjectRoutes('/v1/dashboards/:uuid/schedulers', async (principal, uuid) => {
    const dashboard = await ports.content.dashboards.lookup(principal, uuid);
    return { subject: { dashboard: dashboard.id }, projectId: dashboard.projectId };
  });

  app.get(
    '/v1/schedulers/:projectUuid/logs',
    { schema: { params: Type.Object({ projectUuid: Type.String() }) } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { principal } = context;
      const listed = await listSchedules(ports, principal, context.project.id);
      const schedulers = [];
      const logs = [];
      const users = new Map<string, { userUuid: string; firstName: string; lastName: string }>();
      const charts = new Map<string, { savedChartUuid: string; name: string }>();
      const dashboards = new Map<string, { dashboardUuid: string; name: string }>();
      for (const schedule of listed) {
        const sent = await sentContent(context, schedule.target);
        schedulers.push(await schedulerJson(context, schedule, sent));
        const runs = await schedules.history(principal, schedule.kind, schedule.id);
        logs.push(...runs.items.map((run) => logOf(schedule, run)));
        const owner = await context.updatedByUser(schedule.ownerId);
        if (owner) users.set(owner.userUuid, owner);
        const { chart, dashboard } = sent;
        if (chart) charts.set(chart.uuid, { savedChartUuid: chart.uuid, name: chart.name });
        if (dashboard)
          dashboards.set(dashboard.uuid, { dashboardUuid: dashboard.uuid, name: dashboard.name });
      }
      logs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return ok({
        schedulers,
        users: [...users.values()],
        charts: [...charts.values()],
        dashboards: [...dashboards.values()],
        logs,
      });
    },
  );

  app.get('/v1/schedulers/:schedulerUuid', { schema: { params: SchedulerParams } }, async (request) => {
    const principal = principalOf(request);
    const schedule = await findSchedule(ports, principal, request.params.schedulerUuid);
    return ok(await schedulerOf(ports, principal, schedule));
  });

  app.patch(
    '/v1/schedulers/:schedulerUuid',
    { schema: { params: SchedulerParams, body: SchedulerBody } },
    async (request) => {
      const principal = principalOf(request);
      const current = await findSchedule(ports, principal, request.params.schedulerUuid);
      const { kind, body } = scheduleBody(request.body, 'dashboard' in current.target);
      if (kind !== current.kind)
        throw validationError(
          'thresholds',
          kind === 'alert'
            ? 'a scheduler without thresholds cannot gain them'
            : 'an alert keeps its thresholds',
        );
      const updated = await asScheduler(() => schedules.update(principal, kind, current.uuid, body));
      return ok(await schedulerOf(ports, principal, updated));
    },
  );

  app.patch(
    '/v1/schedulers/:schedulerUuid/enabled',
    { schema: { params: SchedulerParams, body: Type.Object({ enabled: Type.Boolean() }) } },
    async (request) => {
      const principal = principalOf(request);
      const current = await findSchedule(ports, principal, request.params.schedulerUuid);
      const toggle = request.body.enabled ? schedules.resume : schedules.pause;
      return ok(await schedulerOf(ports, principal, await toggle(principal, current.kind, current.uuid)));
    },
  );

  app.delete('/v1/schedulers/:schedulerUuid', { schema: { params: SchedulerParams } }, async (request) => {
    const principal = principalOf(request);
    const current = await findSchedule(ports, principal, request.params.schedulerUuid);
    await schedules.delete(principal, current.kind, current.uuid);
    return ok();
  });

  app.post('/v1/schedulers/send', { schema: { body: SendBody } }, async (request) => {
    const principal = principalOf(request);
    const { savedChartUuid, dashboardUuid } = request.body;
    if (!savedChartUuid === !dashboardUuid)
      throw validationError('savedChartUuid', 'give exactly one of "savedChartUuid" or "dashboardUuid"');
    const subject: Subject = savedChartUuid
      ? { chart: savedChartUuid }
      : { dashboard: dashboardUuid as string };
    const { kind, body } = scheduleBody(request.body, 'dashboard' in subject);
    const job = await asScheduler(() => schedules.sendNow(principal, kind, { ...body, target: subject }));
    return ok({ jobId: job.uuid });
  });
}
