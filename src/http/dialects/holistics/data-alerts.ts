import type { Principal } from '../../../core/auth/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { Schedule } from '../../../core/schedules/index.ts';
import { type App, principalOf } from '../../server.ts';
import {
  type DeliveryPorts,
  dashboardOfTarget,
  emailDestination,
  type HolisticsSchedule,
  scheduleJson,
  unsupportedDestination,
  widgetById,
  widgetIdOf,
} from './delivery-shapes.ts';
import { type DynamicFilterPreset, filterValuesOf, presetsOf } from './filter-presets.ts';
import { type CursorQuery, cursorPage } from './paging.ts';
import { holisticsRoute } from './routes.ts';
import { registerScheduleCrud } from './schedule-crud.ts';
import { alertConditionsOf, type VizConditionBody, vizConditionsOf } from './viz-conditions.ts';

/**
 * Data alerts on the core's alerts: a `DashboardWidget` source (by the widget's integer id) is an
 * alert on that widget, its `viz_conditions` the core's conditions (viz-conditions.ts), its
 * `dynamic_filter_presets` the dashboard filters' values. Rosetta delivers `EmailDest` (`title`
 * is the subject) and `WebhookDest` (a signed POST to `endpoint`); Slack channels need the Slack
 * integration it lacks. Canvas `VizBlock`s do not exist here.
 */

interface DataAlertBody {
  title?: string;
  source_id: number | string;
  source_type: 'DashboardWidget' | 'VizBlock';
  dest: {
    type: string;
    title?: string;
    recipients?: string[];
    options?: { body_text?: string | null };
    endpoint?: string;
  };
  dynamic_filter_presets: DynamicFilterPreset[];
  viz_conditions?: VizConditionBody[] | null;
  schedule: HolisticsSchedule;
}

function destinationOf(root: string, dest: DataAlertBody['dest']) {
  if (dest.type === 'EmailDest') {
    if (!dest.recipients) throw validationError(`${root}.dest.recipients`, 'is required');
    return emailDestination({ ...dest, recipients: dest.recipients, body: dest.options?.body_text });
  }
  if (dest.type === 'WebhookDest') {
    if (dest.endpoint === undefined) throw validationError(`${root}.dest.endpoint`, 'is required');
    return { type: 'webhook' as const, url: dest.endpoint, secret: null };
  }
  return unsupportedDestination(root, dest.type);
}

/** The core alert body of a `DataAlert`. */
async function coreBody(ports: DeliveryPorts, principal: Principal, input: DataAlertBody, root: string) {
  const destination = destinationOf(root, input.dest);
  if (input.source_type !== 'DashboardWidget' || typeof input.source_id !== 'number')
    throw validationError(`${root}.source_type`, 'an alert watches a dashboard widget, by its integer id');
  const { dashboard, widget } = await widgetById(ports, principal, input.source_id, `${root}.source_id`);
  const presets = `${root}.dynamic_filter_presets`;
  return {
    name: input.title ?? input.dest.title ?? `Alert on ${widget.title || 'a widget'}`,
    cron: input.schedule.repeat,
    paused: input.schedule.paused,
    target: { widget: { dashboard: dashboard.id, widget: widget.id } },
    filterValues: await filterValuesOf(ports, dashboard, input.dynamic_filter_presets, presets),
    destination,
    conditions: alertConditionsOf(widget, input.viz_conditions ?? [], `${root}.viz_conditions`),
  };
}

/** `DataAlert` of a core alert; null when Holistics has no shape for it (not on a widget, other conditions). */
async function dataAlertJson(ports: DeliveryPorts, principal: Principal, alert: Schedule) {
  const { target, destination } = alert;
  const vizConditions = vizConditionsOf(alert.conditions);
  if (!('widget' in target) || !vizConditions) return null;
  const dashboard = await dashboardOfTarget(ports, principal, target);
  const dest =
    destination.type === 'email'
      ? {
          type: 'EmailDest',
          ...(destination.subject !== null && { title: destination.subject }),
          recipients: destination.recipients,
          options: { body_text: destination.message },
        }
      : destination.type === 'webhook'
        ? { type: 'WebhookDest', endpoint: destination.url }
        : { type: 'SlackDest', title: alert.name, slack_channels: [] };
  return {
    id: alert.id,
    title: alert.name,
    source_id: dashboard ? await widgetIdOf(ports, dashboard, target.widget.widget) : 0,
    source_type: 'DashboardWidget',
    dest,
    dynamic_filter_presets: dashboard ? await presetsOf(ports, dashboard, alert.filterValues) : [],
    viz_conditions: vizConditions,
    schedule: scheduleJson(alert),
  };
}

type DataAlertJson = NonNullable<Awaited<ReturnType<typeof dataAlertJson>>>;

interface ListQuery extends CursorQuery {
  search_term?: string;
  dest_type?: string;
  source_id?: number | string;
  source_type?: string;
}

export function registerDataAlertRoutes(api: App, ports: DeliveryPorts): void {
  const { schedules } = ports;

  holisticsRoute<{ Querystring: ListQuery }>(api, 'DataAlerts_List', async (request) => {
    const principal = principalOf(request);
    const { query } = request;
    const all = await schedules.list(principal, 'alert');
    const items = (await Promise.all(all.map((alert) => dataAlertJson(ports, principal, alert)))).filter(
      (item): item is DataAlertJson =>
        item !== null &&
        (query.dest_type === undefined || item.dest.type === query.dest_type) &&
        (query.source_type === undefined || item.source_type === query.source_type) &&
        (query.source_id === undefined || String(item.source_id) === String(query.source_id)) &&
        (query.search_term === undefined ||
          item.title.toLowerCase().includes(query.search_term.toLowerCase())),
    );
    const page = cursorPage(items, query, (item) => item.id);
    return { data_alerts: page.items, cursors: page.cursors };
  });

  registerScheduleCrud(api, ports, {
    operationPrefix: 'DataAlerts',
    key: 'data_alert',
    kind: 'alert',
    label: 'Data alert',
    coreBody: (principal, input: DataAlertBody, root) => coreBody(ports, principal, input, root),
    json: (principal, alert) => dataAlertJson(ports, principal, alert),
    unshowable: 'this alert watches no dashboard widget, or compares in a way a data alert cannot show',
  });
}
