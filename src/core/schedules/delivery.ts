import type { Selectable } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { ChartService, DashboardService } from '../content/index.ts';
import type { SecretBox } from '../data/index.ts';
import { type Job, type JobContext, type JobService, TransientJobError } from '../jobs/index.ts';
import type { QueryService } from '../query/index.ts';
import { filtersLine, type ViewFilters, type ViewService } from '../views/index.ts';
import { describeConditions } from './conditions.ts';
import { localDateTime } from './cron.ts';
import { dashboardLink, emailBody, pictureOf } from './delivery-email.ts';
import { deliveryDestination } from './destinations.ts';
import { evaluateAlert, targetFilters } from './evaluate.ts';
import type { Mailer } from './mail.ts';
import type { OutboundPolicy } from './outbound.ts';
import { type Db, findSchedule, finishRun, toSchedule } from './repo.ts';
import type { ScheduleRow } from './tables.ts';
import {
  type AlertEvaluation,
  type DeliveryRenderer,
  type Destination,
  dashboardOfTarget,
  type OwnerResolver,
  type RenderedFile,
  type Schedule,
  scheduleJobTypes,
} from './types.ts';
import { postJson } from './webhooks.ts';

/**
 * The job behind every run of a schedule: an alert evaluates its conditions first and stops
 * there when they do not hold; then the target is rendered as the owner sees it and sent.
 * The run's history row follows the job: running, then success, retrying or failure.
 */

export interface RunPayload {
  scheduleId?: number;
  /** A schedule sent once without being saved (`sendNow`): its row, with id 0 and no history. */
  draft?: Selectable<ScheduleRow>;
  fireTime: string;
}

export interface RunDeps {
  db: Db;
  now: () => Date;
  owners: OwnerResolver;
  query: Pick<QueryService, 'reduce' | 'reduceSaved'>;
  dashboards: Pick<DashboardService, 'lookup' | 'inTrash'>;
  charts: Pick<ChartService, 'lookup'>;
  views: Pick<ViewService, 'widgetRules'>;
  renderer: DeliveryRenderer;
  mailer: Mailer;
  /** Opens the sealed webhook secret or Slack URL of a schedule. */
  secrets: SecretBox;
  outbound: OutboundPolicy;
  httpTimeoutMs: number;
  /** The server's public base URL (`ROSETTA_PUBLIC_URL`), for links in emails; none = no link. */
  publicUrl?: string;
}

/** The job types that run schedules and alerts, on `jobs`. */
export function registerRunJobs(jobs: JobService, deps: RunDeps, retryDelayMs: number): void {
  for (const type of Object.values(scheduleJobTypes)) {
    jobs.register<RunPayload, unknown>(type, {
      concurrency: 4,
      timeoutMs: 10 * 60_000,
      maxAttempts: 3,
      retryDelayMs,
      // A requeued email run finds its message in the outbox and does not send it twice.
      onInterrupted: 'requeue',
      run: (job, context) => runSchedule(deps, job, context),
    });
  }
}

export async function runSchedule(
  deps: RunDeps,
  job: Job,
  context: JobContext<RunPayload>,
): Promise<unknown> {
  const { db } = deps;
  const { draft, scheduleId } = context.payload;
  const row = draft ?? (scheduleId === undefined ? undefined : await findSchedule(db, scheduleId));
  if (!row) return { skipped: 'the schedule was deleted' };
  const schedule = toSchedule(row);
  const iso = () => deps.now().toISOString();
  const dashboardRef = dashboardOfTarget(schedule.target);
  if (dashboardRef !== null && (await deps.dashboards.inTrash(schedule.organizationId, dashboardRef))) {
    const skipped = 'the dashboard is in the trash';
    await finishRun(db, job.id, { status: 'skipped', error: skipped, now: iso() });
    return { skipped };
  }
  await finishRun(db, job.id, { status: 'running', now: iso() });
  try {
    const principal = await deps.owners(schedule.organizationId, schedule.ownerId);
    if (!principal) throw new Error(`the owner (user ${schedule.ownerId}) of this schedule no longer exists`);
    const filters = await targetFilters(deps, schedule, principal);
    let evaluation: AlertEvaluation | undefined;
    if (schedule.kind === 'alert') {
      const options = { signal: context.signal, noCache: true };
      evaluation = await evaluateAlert(deps, principal, schedule, filters, options);
      await context.log(
        `conditions ${evaluation.triggered ? 'hold' : 'do not hold'}: ${describeConditions(evaluation)}`,
      );
      if (!evaluation.triggered) {
        await finishRun(db, job.id, { status: 'success', result: evaluation, triggered: false, now: iso() });
        return { triggered: false, evaluation };
      }
    }
    await context.progress(30);
    const file = await deps.renderer.render(
      principal,
      schedule.target,
      schedule.format,
      filters,
      context.signal,
      schedule.variables,
    );
    await context.progress(70);
    const destination = deliveryDestination(row, deps.secrets);
    const delivery = await deliver(
      deps,
      schedule,
      destination,
      principal,
      { file, filters, evaluation },
      job,
      context,
    );
    // An alert's job result says `triggered` either way, for the jobs list.
    const result = evaluation ? { triggered: true, evaluation, delivery } : delivery;
    await finishRun(db, job.id, { status: 'success', result, triggered: evaluation?.triggered, now: iso() });
    return result;
  } catch (error) {
    const retrying = error instanceof TransientJobError && job.attempts < job.maxAttempts;
    const message = error instanceof Error ? error.message : String(error);
    await finishRun(db, job.id, { status: retrying ? 'retrying' : 'failure', error: message, now: iso() });
    throw error;
  }
}

/** `{{$today}}`, `{{$now}}` (in the schedule's timezone), `{{$dashboard}}`, `{{$name}}`; others stay. */
export function fillVariables(template: string, variables: Record<string, string>): string {
  return template.replace(/\{\{\s*\$(\w+)\s*\}\}/g, (whole, name: string) => variables[name] ?? whole);
}

async function deliver(
  deps: RunDeps,
  schedule: Schedule,
  destination: Destination,
  principal: Principal,
  sent: { file: RenderedFile; filters: ViewFilters; evaluation: AlertEvaluation | undefined },
  job: Job,
  context: JobContext<RunPayload>,
) {
  const { file, filters, evaluation } = sent;
  const dashboardId = dashboardOfTarget(schedule.target);
  const dashboard =
    dashboardId === null ? schedule.name : (await deps.dashboards.lookup(principal, dashboardId)).name;
  const local = localDateTime(new Date(context.payload.fireTime), schedule.timezone);
  const variables = { today: local.date, now: local.time, dashboard, name: schedule.name };
  const headline = evaluation
    ? `Alert "${schedule.name}" triggered: ${describeConditions(evaluation)}`
    : `${schedule.name}: ${file.filename}`;
  const fileInfo = { filename: file.filename, contentType: file.contentType, size: file.content.length };

  if (destination.type === 'email') {
    const defaultSubject = evaluation ? 'Alert: {{$name}}' : '{{$dashboard}} – {{$today}}';
    const picture = await pictureOf(deps, schedule, principal, sent, context);
    const link = dashboardLink(deps.publicUrl, dashboardId);
    const body = emailBody({
      intro: destination.message ? fillVariables(destination.message, variables) : null,
      headline,
      filters: filtersLine(filters.summaries),
      link: link ? { url: link, name: dashboard } : null,
      picture,
    });
    const message = await deps.mailer.send(
      schedule.organizationId,
      {
        to: destination.recipients,
        subject: fillVariables(destination.subject ?? defaultSubject, variables),
        ...body,
        // A PNG delivery is its own picture.
        attachments: picture === null ? [file] : schedule.format === 'png' ? [picture] : [file, picture],
        scheduleId: context.payload.scheduleId,
        jobId: job.id,
      },
      context.signal,
    );
    await context.log(`email ${message.status} to ${destination.recipients.length} recipient(s)`);
    return { channel: 'email', outboxId: message.id, status: message.status, file: fileInfo };
  }
  const options = {
    timeoutMs: deps.httpTimeoutMs,
    outbound: deps.outbound,
    signal: context.signal,
    deliveryId: job.uuid,
    now: deps.now,
  };
  if (destination.type === 'webhook') {
    const payload = {
      event: evaluation ? 'alert.triggered' : 'schedule.delivery',
      schedule: { id: schedule.id, uuid: schedule.uuid, name: schedule.name, kind: schedule.kind },
      fireTime: context.payload.fireTime,
      evaluation: evaluation ?? null,
      filters: filters.summaries,
      file: { ...fileInfo, url: file.url ?? null, content: file.content.toString('base64') },
    };
    const status = await postJson(destination.url, payload, { ...options, secret: destination.secret });
    await context.log(`webhook answered ${status}`);
    return { channel: 'webhook', status, file: fileInfo };
  }
  // Incoming webhooks cannot upload files: Slack gets the summary and a link when there is one.
  const link = file.url ? `<${file.url}|${file.filename}>` : `${file.filename} (${fileInfo.size} bytes)`;
  const text = `*${headline}*\n${filtersLine(filters.summaries)}\n${link}`;
  const status = await postJson(destination.url, { text }, options);
  await context.log(`Slack answered ${status}`);
  return { channel: 'slack', status, file: fileInfo };
}
