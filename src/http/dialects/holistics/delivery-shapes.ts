import type { Principal } from '../../../core/auth/index.ts';
import type { Dashboard, Widget } from '../../../core/content/index.ts';
import { isRosettaError, notFound, renameField, validationError } from '../../../core/errors.ts';
import type { Schedule, ScheduleTarget } from '../../../core/schedules/index.ts';
import type { Services } from '../../../services.ts';

/**
 * What data schedules and data alerts share: their `Schedule` block (cron and pause), the
 * dashboards and widgets they name by integer id, their email destination, and the renaming of
 * the core's field paths to the request's (`destination.recipients[1]` →
 * `data_schedule.dest.recipients[1]`).
 */

export type DeliveryPorts = Pick<Services, 'schedules' | 'content'>;

/** `Schedule`: a cron expression and whether it is paused. */
export interface HolisticsSchedule {
  repeat: string;
  paused: boolean;
}

export const scheduleJson = (schedule: Schedule): HolisticsSchedule => ({
  repeat: schedule.cron,
  paused: schedule.paused,
});

/** A dashboard by its integer id, as the caller sees it; errors name `field`. */
export async function dashboardById(
  ports: DeliveryPorts,
  principal: Principal,
  id: number,
  field: string,
): Promise<Dashboard> {
  try {
    return await ports.content.dashboards.lookup(principal, id);
  } catch (error) {
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
      throw validationError(field, `names no dashboard (${id})`);
    throw error;
  }
}

/** A dashboard widget (a `QueryReport` or `DashboardWidget`) by its integer id, with its dashboard. */
export async function widgetById(
  ports: DeliveryPorts,
  principal: Principal,
  id: number,
  field: string,
): Promise<{ dashboard: Dashboard; widget: Widget }> {
  const found = await ports.content.itemIds.find(principal.organizationId, 'widget', id);
  if (!found) throw validationError(field, `names no dashboard widget (${id})`);
  const dashboard = await dashboardById(ports, principal, found.dashboardId, field);
  const widget = dashboard.widgets.find((w) => w.id === found.key);
  if (!widget) throw validationError(field, `names no dashboard widget (${id})`);
  if (!widget.query) throw validationError(field, 'is a text widget, which has no data');
  return { dashboard, widget };
}

/** The integer id of a widget target's widget. */
export async function widgetIdOf(ports: DeliveryPorts, dashboard: Dashboard, key: string): Promise<number> {
  return (await ports.content.itemIds.idsOf(dashboard, 'widget', [key])).get(key) as number;
}

/** The dashboard a target shows, if the caller still sees it. */
export async function dashboardOfTarget(
  ports: DeliveryPorts,
  principal: Principal,
  target: ScheduleTarget,
): Promise<Dashboard | null> {
  const id = 'dashboard' in target ? target.dashboard : 'widget' in target ? target.widget.dashboard : null;
  if (id === null) return null;
  try {
    return await ports.content.dashboards.lookup(principal, id);
  } catch (error) {
    if (isRosettaError(error) && (error.code === 'ERR_NOT_FOUND' || error.code === 'ERR_FORBIDDEN'))
      return null;
    throw error;
  }
}

/** An email `dest` (`EmailDest`) as the core's email destination. */
export const emailDestination = (dest: {
  title?: string | null;
  recipients: string[];
  body?: string | null;
}) => ({
  type: 'email' as const,
  recipients: dest.recipients,
  subject: dest.title ?? null,
  message: dest.body ?? null,
});

/**
 * A destination type this server has no integration for (Slack channels, SFTP, Google Sheets,
 * Azure, embed subscriptions): Holistics' answer without that integration, a 422
 * `InvalidOperationError` naming `<root>.dest.type`.
 */
export function unsupportedDestination(root: string, type: string): never {
  throw validationError(
    `${root}.dest.type`,
    `"${type}" needs an integration this server is not set up with; deliver by email${root === 'data_alert' ? ' or webhook' : ''}`,
    'feature.not_configured',
  );
}

/** A schedule or alert by id; one of another kind, or unseen, is a 404. */
export async function scheduleById(
  ports: DeliveryPorts,
  principal: Principal,
  kind: Schedule['kind'],
  id: number,
): Promise<Schedule> {
  return ports.schedules.get(principal, kind, id).catch((error) => {
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
      throw notFound(kind === 'alert' ? 'data alert' : 'data schedule', id);
    throw error;
  });
}

/** Core field paths of a schedule body → the request's, under `root` (`data_schedule`, `data_alert`). */
function requestField(root: string, field: string): string {
  const rules: [RegExp, string][] = [
    [/^name$/, 'title'],
    [/^cron$/, 'schedule.repeat'],
    [/^timezone$/, 'schedule'],
    [/^destination\.recipients/, 'dest.recipients'],
    [/^destination\.subject$/, 'dest.title'],
    [/^destination\.message$/, 'dest.options.body_text'],
    [/^destination\.url$/, 'dest.endpoint'],
    [/^destination/, 'dest'],
    [/^format$/, 'dest.options.attachment_formats'],
    [/^filterValues.*$/, 'dynamic_filter_presets'],
    [/^target.*$/, 'source_id'],
    [/^conditions/, 'viz_conditions'],
  ];
  const rule = rules.find(([pattern]) => pattern.test(field));
  return rule ? `${root}.${field.replace(rule[0], rule[1])}` : field;
}

/** Runs a core schedule call, its validation errors naming the request's fields. */
export async function asRequest<T>(root: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION' || !error.field) throw error;
    if (error.field.startsWith(`${root}.`)) throw error;
    throw renameField(error, requestField(root, error.field));
  }
}
