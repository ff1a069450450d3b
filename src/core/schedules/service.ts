import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Store } from '../../store/database.ts';
import { authorize, can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChartService, DashboardService } from '../content/index.ts';
import { createSecretBox } from '../data/index.ts';
import { projectOf, projectSchedulerTimezone } from '../directory/index.ts';
import { notFound, validationError } from '../errors.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { byIdNewestFirst, type Page, type PageRequest, pageFromRows, pageWindow } from '../paging.ts';
import type { QueryService } from '../query/index.ts';
import type { ViewService } from '../views/index.ts';
import type { AttachmentOptions } from './attachments.ts';
import { checkCron, checkTimezone, nextFireTime, nextFireTimes } from './cron.ts';
import { type RunDeps, registerRunJobs } from './delivery.ts';
import { DESTINATION_SECRETS_PURPOSE, sealPlainDestinations, storedDestination } from './destinations.ts';
import { evaluateAlert, targetFilters } from './evaluate.ts';
import { parseAlertPreview, parseScheduleInput, type TargetInput } from './input.ts';
import type { MailOptions } from './mail.ts';
import { createMailServices, type MailApi } from './mail-service.ts';
import { createOutboundPolicy, type ResolveHost } from './outbound.ts';
import { findSchedule, listRuns, recordRun, toSchedule, updateSchedule } from './repo.ts';
import type { ScheduleRow } from './tables.ts';
import { createTargetChecks } from './targets.ts';
import { createTicker } from './ticker.ts';
import type {
  AlertEvaluation,
  DeliveryRenderer,
  Destination,
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
  query: Pick<QueryService, 'compile' | 'reduce' | 'reduceSaved'>;
  content: {
    dashboards: Pick<DashboardService, 'get' | 'lookup' | 'inTrash'>;
    charts: Pick<ChartService, 'lookup'>;
  };
  views: Pick<ViewService, 'widgetRules'>;
  renderer: DeliveryRenderer;
  /** Where files uploaded for emails are kept, how large and how long. */
  attachments: AttachmentOptions;
  /** Who a run acts as: its schedule's owner, read fresh at every run. */
  owners: OwnerResolver;
  mail?: MailOptions;
  /** The server's public base URL, without a trailing slash: emails link to dashboards under it. */
  publicUrl?: string;
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
  /** Where deletions are announced; a private bus by default. */
  events?: DomainEvents;
}

export interface ScheduleService extends MailApi {
  list(principal: Principal, kind: ScheduleKind, options?: { projectId?: number }): Promise<Schedule[]>;
  get(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Schedule>;
  create(principal: Principal, kind: ScheduleKind, body: unknown): Promise<Schedule>;
  /** A partial update; a changed cron or timezone moves the next run. */
  update(principal: Principal, kind: ScheduleKind, ref: number | string, body: unknown): Promise<Schedule>;
  delete(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<void>;
  pause(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Schedule>;
  /** Continues from now: fire times that passed while paused are not caught up. */
  resume(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Schedule>;
  runNow(principal: Principal, kind: ScheduleKind, ref: number | string): Promise<Job>;
  /**
   * Runs a schedule body once now without saving it (a test send from a schedule form): checked
   * as `create` checks it; its job leaves no run history.
   */
  sendNow(principal: Principal, kind: ScheduleKind, body: unknown): Promise<Job>;
  /** Newest first, one page (100 runs unless the request says otherwise). */
  history(
    principal: Principal,
    kind: ScheduleKind,
    ref: number | string,
    page?: PageRequest,
  ): Promise<Page<ScheduleRun>>;
  /**
   * Whether an alert with this body's `target`, `conditions`, `filters`, `filterValues` and
   * `variables` would fire now, evaluated as its runs are, without saving anything.
   */
  previewConditions(principal: Principal, body: unknown): Promise<AlertEvaluation>;
  /** The next fire times (at most 10) of a cron expression in a timezone, for previews. */
  nextRuns(principal: Principal, cron: string, timezone: string, count?: number): string[];
  /** Fires what is due now; returns how many fire times this process claimed. */
  tick(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const seesAll = (p: Principal): boolean => can(p, 'schedule.all');

export function createScheduleService(options: ScheduleServiceOptions): ScheduleService {
  const { db } = options.store;
  const events = options.events ?? createDomainEvents();
  const { jobs, query } = options;
  const now = options.now ?? (() => new Date());
  const iso = () => now().toISOString();
  const secrets = createSecretBox(options.secret, DESTINATION_SECRETS_PURPOSE);
  const outbound = createOutboundPolicy({ allow: options.outboundAllow, resolve: options.resolveHost });
  const mail = createMailServices({
    store: options.store,
    jobs,
    renderer: options.renderer,
    dashboards: options.content.dashboards,
    attachments: options.attachments,
    mail: options.mail,
    now,
    secrets,
    outbound,
  });
  const { mailer } = mail;
  const onError = options.onError ?? ((error) => console.error('schedules:', error));
  let cleanupTimer: NodeJS.Timeout | undefined;
  const checks = createTargetChecks({ ...options.content, query });
  const runDeps: RunDeps = {
    db,
    now,
    owners: options.owners,
    query,
    dashboards: options.content.dashboards,
    charts: options.content.charts,
    views: options.views,
    renderer: options.renderer,
    mailer,
    secrets,
    outbound,
    httpTimeoutMs: options.httpTimeoutMs ?? 30_000,
    publicUrl: options.publicUrl,
  };
  registerRunJobs(jobs, runDeps, options.retryDelayMs ?? 30_000);
  const ticker = createTicker({ db, jobs, now, tickMs: options.tickMs ?? 10_000, onError });

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

  const nextRun = (cron: string, timezone: string) =>
    nextFireTime(cron, timezone, now())?.toISOString() ?? null;

  /**
   * A schedule of a dashboard, widget or chart is in its project; a query's is in the one the
   * body names, else `fallback` (the current one, or the caller's default project).
   */
  async function projectOfSchedule(
    principal: Principal,
    target: ScheduleTarget,
    requested: unknown,
    fallback: number,
  ): Promise<number> {
    if ('query' in target)
      return requested === undefined ? fallback : projectOf(db, principal.organizationId, requested);
    const { projectId } =
      'chart' in target
        ? await options.content.charts.lookup(principal, target.chart)
        : await options.content.dashboards.lookup(
            principal,
            'dashboard' in target ? target.dashboard : target.widget.dashboard,
          );
    if (requested !== undefined && requested !== projectId)
      throw validationError(
        'projectId',
        `a schedule of this target is in the target's project (${projectId})`,
      );
    return projectId;
  }

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

  /** The row a schedule body is saved as, checked with the caller's rights. */
  async function newRow(principal: Principal, kind: ScheduleKind, body: unknown) {
    authorize(principal, 'schedule.manage');
    const input = parseScheduleInput(kind, body, false, outbound);
    const { target, filters, filterValues, variables } = await checks.settings(principal, {
      ...input,
      target: input.target as TargetInput,
    });
    const projectId = await projectOfSchedule(principal, target, input.projectId, principal.projectId);
    authorize(principal, 'schedule.manage', { projectId });
    const cron = input.cron as string;
    const timezone = input.timezone ?? (await projectSchedulerTimezone(db, projectId));
    const at = iso();
    const uuid = randomUUID();
    return {
      uuid,
      organization_id: principal.organizationId,
      project_id: projectId,
      owner_id: principal.userId,
      kind,
      name: input.name as string,
      cron,
      timezone,
      paused: input.paused ? 1 : 0,
      target: JSON.stringify(target),
      format: input.format ?? ('dashboard' in target ? 'pdf' : 'csv'),
      filters: JSON.stringify(filters),
      filter_values: JSON.stringify(filterValues),
      variables: JSON.stringify(variables),
      ...storedDestination(input.destination as Destination, uuid, secrets),
      conditions: JSON.stringify(input.conditions ?? []),
      next_run_at: nextRun(cron, timezone),
      created_at: at,
      updated_at: at,
    };
  }

  return {
    async list(principal, kind, options = {}) {
      authorize(principal, 'schedule.manage');
      let select = db
        .selectFrom('schedules')
        .selectAll()
        .where('organization_id', '=', principal.organizationId)
        .where('kind', '=', kind);
      if (!seesAll(principal)) select = select.where('owner_id', '=', principal.userId);
      if (options.projectId !== undefined) select = select.where('project_id', '=', options.projectId);
      return (await select.orderBy('id').execute()).map(toSchedule);
    },

    get: async (principal, kind, ref) => toSchedule(await visible(principal, kind, ref)),

    async create(principal, kind, body) {
      const values = await newRow(principal, kind, body);
      return toSchedule(
        await db.insertInto('schedules').values(values).returningAll().executeTakeFirstOrThrow(),
      );
    },

    async sendNow(principal, kind, body) {
      const values = await newRow(principal, kind, body);
      // Never saved: the run reads the draft from its payload (its destination sealed as stored).
      const draft: Selectable<ScheduleRow> = { ...values, id: 0, last_run_at: null, last_status: null };
      return jobs.enqueue(principal, scheduleJobTypes[kind], { draft, fireTime: iso() });
    },

    async update(principal, kind, ref, body) {
      const row = await visible(principal, kind, ref);
      const current = toSchedule(row);
      const input = parseScheduleInput(kind, body, true, outbound);
      const filters = input.filters ?? current.filters;
      const target = input.target
        ? await checks.resolve(principal, input.target, { ...input, filters })
        : undefined;
      const variables =
        input.variables || target
          ? await checks.variables(principal, target ?? current.target, input.variables ?? current.variables)
          : undefined;
      const filterValues =
        input.filterValues || input.filters || target
          ? await checks.filterValues(
              principal,
              target ?? current.target,
              input.filterValues ?? current.filterValues,
              filters,
            )
          : undefined;
      const projectId =
        target || input.projectId !== undefined
          ? await projectOfSchedule(principal, target ?? current.target, input.projectId, current.projectId)
          : undefined;
      const cron = input.cron ?? current.cron;
      const timezone = input.timezone ?? current.timezone;
      const paused = input.paused ?? current.paused;
      const moved = cron !== current.cron || timezone !== current.timezone || paused !== current.paused;
      return toSchedule(
        await updateSchedule(db, row.id, {
          name: input.name,
          project_id: projectId,
          cron,
          timezone,
          paused: paused ? 1 : 0,
          target: target && JSON.stringify(target),
          format: input.format,
          filters: input.filters && JSON.stringify(input.filters),
          filter_values: filterValues && JSON.stringify(filterValues),
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
      await events.emit('objectPurged', {
        organizationId: row.organization_id,
        kind: 'schedule',
        id: row.id,
      });
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

    async history(principal, kind, ref, page = {}) {
      const window = pageWindow(page, byIdNewestFirst);
      const row = await visible(principal, kind, ref);
      return pageFromRows(await listRuns(db, row.id, window), window, byIdNewestFirst);
    },

    async previewConditions(principal, body) {
      // Whoever may create an alert on the target may see whether it would fire.
      authorize(principal, 'schedule.manage');
      const { conditions, ...input } = parseAlertPreview(body, outbound);
      const settings = await checks.settings(principal, input);
      const filters = await targetFilters(runDeps, settings, principal);
      return evaluateAlert(runDeps, principal, { ...settings, conditions }, filters, {});
    },

    ...mail.api,

    nextRuns(principal, cron, timezone, count = 3) {
      authorize(principal, 'schedule.manage');
      const at = nextFireTimes(
        checkCron(cron),
        checkTimezone(timezone),
        now(),
        Math.min(Math.max(count, 1), 10),
      );
      return at.map((time) => time.toISOString());
    },

    tick: () => ticker.tick(),
    async start() {
      await sealPlainDestinations(db, secrets);
      const cleanup = () => mail.cleanup(now()).catch(onError);
      await cleanup();
      cleanupTimer = setInterval(cleanup, 3_600_000);
      cleanupTimer.unref();
      await ticker.start();
    },
    async stop() {
      clearInterval(cleanupTimer);
      await ticker.stop();
      mailer.close();
    },
  };
}
