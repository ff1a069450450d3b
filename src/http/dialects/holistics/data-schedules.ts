import type { Principal } from '../../../core/auth/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { ExportFormat, Schedule } from '../../../core/schedules/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { creatorRoles, type Listed, type ListQuery, pageOf } from './data-schedule-list.ts';
import {
  type DeliveryPorts,
  dashboardById,
  dashboardOfTarget,
  emailDestination,
  type HolisticsSchedule,
  scheduleJson,
  unsupportedDestination,
  widgetById,
  widgetIdOf,
} from './delivery-shapes.ts';
import { type DynamicFilterPreset, filterValuesOf, presetsOf } from './filter-presets.ts';
import { holisticsRoute } from './routes.ts';
import { registerScheduleCrud } from './schedule-crud.ts';

/**
 * Data schedules on the core's deliveries: a `Dashboard` source is a schedule of the dashboard,
 * a `QueryReport` one (a dashboard widget's report, by the widget's integer id) a schedule of
 * that widget; `schedule.repeat` is the cron, `dynamic_filter_presets` the dashboard filters'
 * values. Rosetta delivers `EmailDest` (its `title` is the subject, with the core's `{{$today}}`
 * variables); Slack channels, SFTP, Google Sheets and subscriptions need integrations it lacks.
 */

interface EmailOptions {
  preview?: boolean;
  include_header?: boolean;
  include_report_link?: boolean;
  include_filters?: boolean;
  dont_send_when_empty?: boolean;
  body_text?: string | null;
  selected_type?: 'dashboard' | 'tab' | 'widget' | null;
  selected_values?: Array<string | number> | null;
  attachment_formats?: string[];
}

interface DataScheduleBody {
  title?: string | null;
  source_type: 'Dashboard' | 'QueryReport';
  source_id: number;
  schedule: HolisticsSchedule;
  dynamic_filter_presets?: DynamicFilterPreset[];
  dest: { type: string; title?: string | null; recipients?: string[]; options?: EmailOptions };
}

/** Holistics' attachment formats as the core's file formats. */
const FORMATS: Record<string, ExportFormat> = {
  csv: 'csv',
  csv_formatted_data: 'csv',
  xlsx: 'xlsx',
  excel: 'xlsx',
  excel_dashboard: 'xlsx',
  pdf: 'pdf',
  png: 'png',
};

/** The one file a delivery attaches; options that would change what is sent, and the core cannot do, are refused. */
function formatOf(root: string, options: EmailOptions = {}): ExportFormat | undefined {
  const at = `${root}.dest.options`;
  if (options.include_header === false)
    throw validationError(`${at}.include_header`, 'attachments always carry their column headers');
  if (options.dont_send_when_empty === true)
    throw validationError(
      `${at}.dont_send_when_empty`,
      'a schedule sends its email even when it has no rows',
    );
  if (options.selected_type === 'tab' || options.selected_type === 'widget')
    throw validationError(
      `${at}.selected_type`,
      'schedule the whole dashboard, or a QueryReport for one widget',
    );
  const formats = [...new Set((options.attachment_formats ?? []).map((format) => FORMATS[format]))];
  if (formats.length > 1)
    throw validationError(`${at}.attachment_formats`, 'a schedule attaches one file: give one format');
  return formats[0];
}

/** What a data schedule's source is: its dashboard, and the core's target. */
async function sourceOf(ports: DeliveryPorts, principal: Principal, input: DataScheduleBody, root: string) {
  const field = `${root}.source_id`;
  if (input.source_type === 'Dashboard') {
    const dashboard = await dashboardById(ports, principal, input.source_id, field);
    return { dashboard, title: dashboard.name, target: { dashboard: dashboard.id } };
  }
  const { dashboard, widget } = await widgetById(ports, principal, input.source_id, field);
  return {
    dashboard,
    title: widget.title,
    target: { widget: { dashboard: dashboard.id, widget: widget.id } },
  };
}

/** The core schedule body of a `DataSchedule`. */
async function coreBody(ports: DeliveryPorts, principal: Principal, input: DataScheduleBody, root: string) {
  const { dest } = input;
  if (dest.type !== 'EmailDest') unsupportedDestination(root, dest.type);
  if (!dest.recipients) throw validationError(`${root}.dest.recipients`, 'is required');
  const format = formatOf(root, dest.options);
  const { dashboard, title, target } = await sourceOf(ports, principal, input, root);
  const presets = input.dynamic_filter_presets;
  return {
    name: input.title ?? dest.title ?? title,
    cron: input.schedule.repeat,
    paused: input.schedule.paused,
    target,
    ...(format && { format }),
    ...(presets && {
      filterValues: await filterValuesOf(ports, dashboard, presets, `${root}.dynamic_filter_presets`),
    }),
    destination: emailDestination({ ...dest, recipients: dest.recipients, body: dest.options?.body_text }),
  };
}

const attachmentFormat = (format: ExportFormat) => (format === 'xlsx' ? 'excel' : format);

/** `DataSchedule` of a core delivery; null when Holistics has no shape for it (a chart, a webhook). */
async function dataScheduleJson(ports: DeliveryPorts, principal: Principal, schedule: Schedule) {
  const { target, destination } = schedule;
  if (!('dashboard' in target || 'widget' in target) || destination.type === 'webhook') return null;
  const dashboard = await dashboardOfTarget(ports, principal, target);
  const source =
    'widget' in target
      ? {
          source_type: 'QueryReport',
          source_id: dashboard ? await widgetIdOf(ports, dashboard, target.widget.widget) : 0,
        }
      : { source_type: 'Dashboard', source_id: target.dashboard };
  return {
    id: schedule.id,
    title: schedule.name,
    ...source,
    schedule: scheduleJson(schedule),
    dynamic_filter_presets: dashboard ? await presetsOf(ports, dashboard, schedule.filterValues) : [],
    dest:
      destination.type === 'email'
        ? {
            type: 'EmailDest',
            title: destination.subject,
            recipients: destination.recipients,
            // What the core's emails do: the filters and a link always, the picture with a PNG.
            options: {
              preview: schedule.format === 'png',
              include_header: true,
              include_report_link: true,
              include_filters: true,
              dont_send_when_empty: false,
              body_text: destination.message,
              attachment_formats: [attachmentFormat(schedule.format)],
            },
          }
        : { type: 'SlackDest', title: schedule.name, message: null, slack_channels: [] },
  };
}

type DataScheduleJson = NonNullable<Awaited<ReturnType<typeof dataScheduleJson>>>;

export type SchedulePorts = DeliveryPorts & Pick<Services, 'directory'>;

export function registerDataScheduleRoutes(api: App, ports: SchedulePorts): void {
  const { schedules } = ports;

  holisticsRoute<{ Querystring: ListQuery }>(api, 'DataSchedules_List', async (request) => {
    const principal = principalOf(request);
    const { query } = request;
    const all = await schedules.list(principal, 'delivery');
    const listed: Listed<DataScheduleJson>[] = [];
    for (const schedule of all) {
      const json = await dataScheduleJson(ports, principal, schedule);
      if (!json) continue;
      const dashboard = await dashboardOfTarget(ports, principal, schedule.target);
      listed.push({
        json,
        ownerId: schedule.ownerId,
        sourceTitle: dashboard?.name ?? '',
        lastRunAt: schedule.lastRunAt ?? '',
      });
    }
    const creators = await creatorRoles(ports, principal, all, query.creator_roles);
    const items = listed.filter(
      ({ json, ownerId }) =>
        (creators === undefined || creators.has(ownerId)) &&
        (query.dest_type === undefined || json.dest.type === query.dest_type) &&
        (query.source_type === undefined || json.source_type === query.source_type) &&
        (query.source_id === undefined || json.source_id === query.source_id) &&
        (query.search_term === undefined ||
          json.title.toLowerCase().includes(query.search_term.toLowerCase())),
    );
    const page = pageOf(items, query);
    return {
      data_schedules: page.items.map((item) => item.json),
      total_count: items.length,
      cursors: page.cursors,
    };
  });

  registerScheduleCrud(api, ports, {
    operationPrefix: 'DataSchedules',
    key: 'data_schedule',
    kind: 'delivery',
    label: 'Data schedule',
    coreBody: (principal, input: DataScheduleBody, root) => coreBody(ports, principal, input, root),
    json: (principal, schedule) => dataScheduleJson(ports, principal, schedule),
    unshowable: 'this schedule sends a chart or to a webhook, which a data schedule cannot show',
  });
}
