import { randomUUID } from 'node:crypto';
import type { Store } from '../../store/database.ts';
import { authorize, can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { type DashboardService, dashboardVariableValues } from '../content/index.ts';
import { createSecretBox } from '../data/index.ts';
import { isRosettaError, notFound, validationError } from '../errors.ts';
import type { Job, JobService } from '../jobs/index.ts';
import type { QueryService } from '../query/index.ts';
import type { ViewService } from '../views/index.ts';
import { type AttachmentOptions, createAttachmentUploads } from './attachments.ts';
import { nextFireTime } from './cron.ts';
import { type RunDeps, type RunPayload, runSchedule, withFilters } from './delivery.ts';
import { DESTINATION_SECRETS_PURPOSE, sealPlainDestinations, storedDestination } from './destinations.ts';
import { createEmailSender, type EmailInput } from './email.ts';
import { parseScheduleInput, type ScheduleInput, type TargetInput } from './input.ts';
import { createMailer, DEFAULT_DAILY_QUOTA, type MailOptions } from './mail.ts';
import { createOutboundPolicy, type ResolveHost } from './outbound.ts';
import { findSchedule, listRuns, recordRun, toSchedule, updateSchedule } from './repo.ts';
import { createTicker } from './ticker.ts';
import type {
  DeliveryRenderer,
  Destination,
  OutboxMessage,
  OwnerResolver,
  Schedule,
  ScheduleKind,
  ScheduleRun,
  ScheduleTarget,
} from './types.ts';
import { scheduleJobTypes } from './types.ts';

export interface ScheduleServiceOptions {
  store: Pick<Store, 'db'>;
  jobs: JobService;
  query: Pick<QueryService, 'run' | 'compile' | 'runSaved'>;
  content: { dashboards: Pick<DashboardService, 'get'> };
  views: Pick<ViewService, 'widgetRules'>;
  renderer: DeliveryRenderer;
  /** Where files uploaded for emails are kept, how large and how long. */
  attachments: AttachmentOptions;
  /** Who a run acts as: its schedule's owner, read fresh at every run. */
  owners: OwnerResolver;
  mail?: MailOptions;
  /** The server secret; webhook secrets and Slack URLs are sealed under a key derived from it. */
  secret: string;
  /**
   * Hosts, addresses and CIDR ranges deliveries may reach although they are loopback, private
   * or link-local (`ROSETTA_OUTBOUND_ALLOW`). Default: none.
   */
  outboundAllow?: string[];
  /** How destination names are resolved; default the system resolver (tests point names anywhere). */
  resolveHost?: ResolveHost;
  now?: () => Date;
  /** How often due schedules are looked for; a run starts at most this late. Default 10 000. */
  tickMs?: number;
  /** Timeout of each webhook/Slack call. Default 30 000. */
  httpTimeoutMs?: number;
  /** First retry delay of a failed delivery. Default 30 000. */
  retryDelayMs?: number;
  onError?: (error: unknown) => void;
}

export interface ScheduleService {
  list(principal: Principal, kind: ScheduleKind): Promise<Schedule[]>;
  get(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Schedule>;
  create(principal: Principal, kind: ScheduleKind, body: unknown): Promise<Schedule>;
  /** A partial update; a changed cron or timezone moves the next run. */
  update(principal: Principal, kind: ScheduleKind, ref: number | string, body: unknown): Promise<Schedule>;
  delete(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<void>;
  pause(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Schedule>;
  /** Continues from now: fire times that passed while paused are not caught up. */
  resume(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Schedule>;
  runNow(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Job>;
  history(
    principal: Principal,
    kind: ScheduleKind,
    ref: number | string,
    limit?: number,
  ): Promise<ScheduleRun[]>;
  /** Accepts a one-off email (sent by a job); ERR_QUOTA once the organization's daily quota is spent. */
  sendEmail(principal: Principal, input: EmailInput): Promise<Job>;
  /** Keeps a file under the caller's uuid, for a later email to attach (ERR_LIMIT when too large). */
  uploadAttachment(principal: Principal, uuid: string, bytes: Buffer): Promise<{ size: number }>;
  /** Messages sent or held, newest first; admins only. */
  outbox(principal: Principal, limit?: number): Promise<OutboxMessage[]>;
  /** Fires what is due now; returns how many fire times this process claimed. */
  tick(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const seesAll = (p: Principal): boolean => can(p, 'schedule.all');

export function createScheduleService(options: ScheduleServiceOptions): ScheduleService {
  const { db } = options.store;
  const { jobs, query } = options;
  const now = options.now ?? (() => new Date());
  const iso = () => now().toISOString();
  const mailer = createMailer({ db, now, ...options.mail });
  const uploads = createAttachmentUploads(options.attachments);
  const onError = options.onError ?? ((error) => console.error('schedules:', error));
  const secrets = createSecretBox(options.secret, DESTINATION_SECRETS_PURPOSE);
  const outbound = createOutboundPolicy({ allow: options.outboundAllow, resolve: options.resolveHost });
  let uploadCleanup: NodeJS.Timeout | undefined;
  const email = createEmailSender({
    db,
    jobs,
    mailer,
    renderer: options.renderer,
    uploads,
    dashboards: options.content.dashboards,
    quota: options.mail?.dailyQuota ?? DEFAULT_DAILY_QUOTA,
    now,
  });
  const runDeps: RunDeps = {
    db,
    now,
    owners: options.owners,
    query,
    dashboards: options.content.dashboards,
    views: options.views,
    renderer: options.renderer,
    mailer,
    secrets,
    outbound,
    httpTimeoutMs: options.httpTimeoutMs ?? 30_000,
  };
  for (const type of Object.values(scheduleJobTypes)) {
    jobs.register<RunPayload, unknown>(type, {
      concurrency: 4,
      timeoutMs: 10 * 60_000,
      maxAttempts: 3,
      retryDelayMs: options.retryDelayMs ?? 30_000,
      // A requeued email run finds its message in the outbox and does not send it twice.
      onInterrupted: 'requeue',
      run: (job, context) => runSchedule(runDeps, job, context),
    });
  }
  const ticker = createTicker({
    db,
    jobs,
    now,
    tickMs: options.tickMs ?? 10_000,
    onError,
  });

  async function visible(principal: Principal, kind: ScheduleKind, ref: number | string) {
    authorize(principal, 'schedule.manage');
    const row = await findSchedule(db, ref);
    const seen =
      row?.organization_id === principal.organizationId &&
      row.kind === kind &&
      (row.owner_id === principal.userId || seesAll(principal));
    if (!row || !seen) throw notFound(kind === 'alert' ? 'alert' : 'schedule', ref);
    return row;
  }

  /** Resolves dashboards with the caller's rights and checks a query against its model. */
  async function resolveTarget(
    principal: Principal,
    target: TargetInput,
    input: ScheduleInput,
  ): Promise<ScheduleTarget> {
    if ('dashboard' in target)
      return { dashboard: (await options.content.dashboards.get(principal, target.dashboard)).id };
    if ('widget' in target) {
      const dashboard = await options.content.dashboards.get(principal, target.widget.dashboard);
      const widget = dashboard.widgets.find((w) => w.id === target.widget.widget);
      if (!widget)
        throw validationError(
          'target.widget.widget',
          `no widget "${target.widget.widget}" on this dashboard`,
        );
      if (!widget.query) throw validationError('target.widget.widget', 'a text widget has no data');
      return { widget: { dashboard: dashboard.id, widget: widget.id } };
    }
    try {
      await query.compile(principal, withFilters(target.query, input.filters ?? []));
    } catch (error) {
      // The query core names fields from its body's root (`body.colour`, `metrics[0].field`).
      if (isRosettaError(error) && error.code === 'ERR_VALIDATION') {
        const inner = (error.field ?? '').replace(/^body\.?/, '');
        const problem = error.field ? error.message.replace(`${error.field}: `, '') : error.message;
        throw validationError(inner ? `target.query.${inner}` : 'target.query', problem);
      }
      throw error;
    }
    return { query: target.query };
  }

  /**
   * The variable values a schedule stores: checked against its dashboard's variables by the rule
   * exports use, and kept as given so later changes to the dashboard's defaults still apply.
   */
  async function checkVariables(
    principal: Principal,
    target: ScheduleTarget,
    given: Record<string, unknown>,
  ): Promise<Schedule['variables']> {
    if (Object.keys(given).length === 0) return {};
    if ('query' in target)
      throw validationError('variables', 'only a dashboard or widget target has variables');
    const id = 'dashboard' in target ? target.dashboard : target.widget.dashboard;
    const dashboard = await options.content.dashboards.get(principal, id);
    dashboardVariableValues(dashboard.variables, given, 'variables');
    return given as Schedule['variables'];
  }

  const nextRun = (cron: string, timezone: string) =>
    nextFireTime(cron, timezone, now())?.toISOString() ?? null;

  async function setPaused(principal: Principal, kind: ScheduleKind, ref: number | string, paused: boolean) {
    const row = await visible(principal, kind, ref);
    return toSchedule(
      await updateSchedule(db, row.id, {
        paused: paused ? 1 : 0,
        next_run_at: paused ? row.next_run_at : nextRun(row.cron, row.timezone),
        updated_at: iso(),
      }),
    );
  }

  return {
    async list(principal, kind) {
      authorize(principal, 'schedule.manage');
      let select = db
        .selectFrom('schedules')
        .selectAll()
        .where('organization_id', '=', principal.organizationId)
        .where('kind', '=', kind);
      if (!seesAll(principal)) select = select.where('owner_id', '=', principal.userId);
      return (await select.orderBy('id').execute()).map(toSchedule);
    },

    get: async (principal, kind, ref) => toSchedule(await visible(principal, kind, ref)),

    async create(principal, kind, body) {
      authorize(principal, 'schedule.manage');
      const input = parseScheduleInput(kind, body, false, outbound);
      const target = await resolveTarget(principal, input.target as TargetInput, input);
      const variables = await checkVariables(principal, target, input.variables ?? {});
      const cron = input.cron as string;
      const timezone = input.timezone ?? 'UTC';
      const at = iso();
      const uuid = randomUUID();
      const row = await db
        .insertInto('schedules')
        .values({
          uuid,
          organization_id: principal.organizationId,
          owner_id: principal.userId,
          kind,
          name: input.name as string,
          cron,
          timezone,
          paused: input.paused ? 1 : 0,
          target: JSON.stringify(target),
          format: input.format ?? ('dashboard' in target ? 'pdf' : 'csv'),
          filters: JSON.stringify(input.filters ?? []),
          variables: JSON.stringify(variables),
          ...storedDestination(input.destination as Destination, uuid, secrets),
          conditions: JSON.stringify(input.conditions ?? []),
          next_run_at: nextRun(cron, timezone),
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSchedule(row);
    },

    async update(principal, kind, ref, body) {
      const row = await visible(principal, kind, ref);
      const current = toSchedule(row);
      const input = parseScheduleInput(kind, body, true, outbound);
      const target = input.target
        ? await resolveTarget(principal, input.target, {
            ...input,
            filters: input.filters ?? current.filters,
          })
        : undefined;
      const variables =
        input.variables || target
          ? await checkVariables(principal, target ?? current.target, input.variables ?? current.variables)
          : undefined;
      const cron = input.cron ?? current.cron;
      const timezone = input.timezone ?? current.timezone;
      const paused = input.paused ?? current.paused;
      const moved = cron !== current.cron || timezone !== current.timezone || paused !== current.paused;
      return toSchedule(
        await updateSchedule(db, row.id, {
          name: input.name,
          cron,
          timezone,
          paused: paused ? 1 : 0,
          target: target && JSON.stringify(target),
          format: input.format,
          filters: input.filters && JSON.stringify(input.filters),
          variables: variables && JSON.stringify(variables),
          ...(input.destination && storedDestination(input.destination, row.uuid, secrets)),
          conditions: input.conditions && JSON.stringify(input.conditions),
          next_run_at: moved ? nextRun(cron, timezone) : row.next_run_at,
          updated_at: iso(),
        }),
      );
    },

    async delete(principal, kind, ref) {
      const row = await visible(principal, kind, ref);
      await db.deleteFrom('schedules').where('id', '=', row.id).execute();
    },

    pause: (principal, kind, ref) => setPaused(principal, kind, ref, true),
    resume: (principal, kind, ref) => setPaused(principal, kind, ref, false),

    async runNow(principal, kind, ref) {
      const row = await visible(principal, kind, ref);
      const fireTime = iso();
      const job = await jobs.enqueue(principal, scheduleJobTypes[kind], { scheduleId: row.id, fireTime });
      await recordRun(db, { scheduleId: row.id, fireTime, trigger: 'manual', jobId: job.id, now: fireTime });
      return job;
    },

    async history(principal, kind, ref, limit = 100) {
      const row = await visible(principal, kind, ref);
      return listRuns(db, row.id, Math.max(1, Math.min(limit, 1000)));
    },

    sendEmail: (principal, input) => email.send(principal, input),
    uploadAttachment: (principal, uuid, bytes) => uploads.save(principal, uuid, bytes),
    async outbox(principal, limit = 100) {
      authorize(principal, 'outbox.read');
      return mailer.list(principal.organizationId, Math.max(1, Math.min(limit, 1000)));
    },

    tick: () => ticker.tick(),
    async start() {
      await sealPlainDestinations(db, secrets);
      const cleanup = () => uploads.cleanup(now()).catch(onError);
      await cleanup();
      uploadCleanup = setInterval(cleanup, 3_600_000);
      uploadCleanup.unref();
      await ticker.start();
    },
    async stop() {
      clearInterval(uploadCleanup);
      await ticker.stop();
      mailer.close();
    },
  };
}
