import type { Principal } from '../../../core/auth/index.ts';
import type { Widget } from '../../../core/content/index.ts';
import { isRosettaError, notFound, renameField, validationError } from '../../../core/errors.ts';
import { array, type JsonObject, object, record } from '../../../core/input.ts';
import { dimensionName, metricName, parseQueryBody } from '../../../core/query/index.ts';
import type { AlertCondition, Schedule } from '../../../core/schedules/index.ts';
import type { Services } from '../../../services.ts';
import { hex24Codec } from '../../kit/index.ts';

/**
 * Sisense alerts (Pulse KPI alerts) ↔ the core's data alerts. An alert watches a dashboard
 * widget (`context: {dashboardid, widgetid}`), whose query is the alert's query; `conditions` are
 * the core's conditions on the widget's result (`{field, aggregation, operator, value | values}`,
 * the field defaulting to the widget's first measure and the aggregation to `sum`, so a KPI
 * widget's one value compares as it is); `parties` (users, groups, addresses) are the email
 * recipients, a group's members read when saved; `action` is `email` or a `webhook`; `enabled`
 * is the opposite of paused; `cron`/`timezone` say when it is checked (hourly by default, since
 * Rosetta has no cube builds to check on).
 */

export type AlertPorts = Pick<Services, 'schedules' | 'content' | 'directory' | 'externalIds'>;

export const DEFAULT_ALERT_CRON = '0 * * * *';

export const alertCodecs = (ports: AlertPorts) => ({
  alert: hex24Codec(ports.externalIds, 'schedule'),
  dashboard: hex24Codec(ports.externalIds, 'dashboard'),
  widget: hex24Codec(ports.externalIds, 'widget'),
  user: hex24Codec(ports.externalIds, 'user'),
  group: hex24Codec(ports.externalIds, 'group'),
});

/** What a codec needs of an object it names: its organization and integer id. */
export const entity = (organizationId: number, id: number) => ({ organizationId, id, uuid: '' });

/** Sisense's words for comparisons, beside the core's own symbols (which pass as they are). */
const OPERATOR_WORDS: Record<string, string> = {
  above: '>',
  below: '<',
  equals: '=',
  notEquals: '!=',
  aboveOrEquals: '>=',
  belowOrEquals: '<=',
};

/** Fields a client sends back from a read alert, which no write changes. */
const READ_ONLY = [
  '_id',
  'oid',
  'owner',
  'created',
  'lastUpdated',
  'lastExecution',
  'lastStatus',
  'nextExecution',
];
const WRITABLE = [
  'name',
  'type',
  'enabled',
  'message',
  'parties',
  'action',
  'context',
  'conditions',
  'cron',
  'timezone',
];

/** The widget a Sisense `context` names, with its dashboard's integer id. */
async function widgetOfContext(ports: AlertPorts, principal: Principal, value: unknown) {
  const context = record('context', value, ['dashboardid', 'widgetid', 'elasticube', 'datasource']);
  const codecs = alertCodecs(ports);
  const { organizationId } = principal;
  if (context.dashboardid === undefined) throw validationError('context.dashboardid', 'is required');
  if (context.widgetid === undefined) throw validationError('context.widgetid', 'is required');
  const dashboardId = await codecs.dashboard.decode(
    organizationId,
    context.dashboardid,
    'context.dashboardid',
  );
  if (dashboardId === undefined) throw validationError('context.dashboardid', 'names no dashboard');
  const itemId = await codecs.widget.decode(organizationId, context.widgetid, 'context.widgetid');
  const item =
    itemId === undefined
      ? undefined
      : await ports.content.itemIds.find(organizationId, 'widget', Number(itemId));
  if (!item || item.dashboardId !== dashboardId)
    throw validationError('context.widgetid', 'names no widget of this dashboard');
  const dashboard = await ports.content.dashboards.lookup(principal, item.dashboardId).catch((error) => {
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
      throw validationError('context.dashboardid', 'names no dashboard');
    throw error;
  });
  const widget = dashboard.widgets.find((w) => w.id === item.key);
  if (!widget) throw validationError('context.widgetid', 'names no widget of this dashboard');
  if (!widget.query) throw validationError('context.widgetid', 'is a text widget, which has no data');
  return { dashboardId: item.dashboardId, widget };
}

/** The condition of an alert created without any: some row of the widget has its first measure. */
const WHEN_THERE_IS_DATA = { aggregation: 'count', operator: '>', value: 0 };

function conditionsOf(widget: Widget | undefined, value: unknown): AlertCondition[] {
  return array('conditions', value, 20).map((item, i) => {
    const at = `conditions[${i}]`;
    const condition = record(at, item, ['field', 'aggregation', 'operator', 'value', 'values']);
    const ir = widget?.query ? parseQueryBody(widget.query).ir : undefined;
    const columns = ir
      ? [
          ...ir.dimensions.map(dimensionName),
          ...ir.metrics.map(metricName),
          ...(ir.post ?? []).map((p) => p.id),
        ]
      : [];
    const field = condition.field ?? (ir?.metrics[0] && metricName(ir.metrics[0]));
    if (field === undefined)
      throw validationError(`${at}.field`, 'is required: the widget has no measure to watch');
    if (ir && !columns.includes(field as string))
      throw validationError(
        `${at}.field`,
        `is no column of the widget's result (columns: ${columns.join(', ')})`,
      );
    const operator =
      typeof condition.operator === 'string'
        ? (OPERATOR_WORDS[condition.operator] ?? condition.operator)
        : condition.operator;
    if (condition.value !== undefined && condition.values !== undefined)
      throw validationError(`${at}.values`, 'give either value or values');
    const values = condition.values ?? (condition.value === undefined ? undefined : [condition.value]);
    if (values === undefined) throw validationError(`${at}.value`, 'is required');
    return { field, aggregation: condition.aggregation ?? 'sum', operator, values } as AlertCondition;
  });
}

/** The email addresses of `parties`: users, every member of groups, and plain addresses. */
async function recipientsOf(ports: AlertPorts, principal: Principal, value: unknown): Promise<string[]> {
  const codecs = alertCodecs(ports);
  const emails = new Set<string>();
  for (const [i, item] of array('parties', value, 100).entries()) {
    const at = `parties[${i}]`;
    const party = record(at, item, ['type', 'party', 'email']);
    if (party.type === 'email') {
      if (typeof party.party !== 'string') throw validationError(`${at}.party`, 'must be an email address');
      emails.add(party.party);
    } else if (party.type === 'user' || party.type === 'group') {
      const codec = party.type === 'user' ? codecs.user : codecs.group;
      const id = await codec.decode(principal.organizationId, party.party, `${at}.party`);
      if (id === undefined) throw validationError(`${at}.party`, `names no ${party.type}`);
      const users =
        party.type === 'user'
          ? [await ports.directory.getUser(principal, Number(id))]
          : await ports.directory.listMembers(principal, Number(id));
      for (const user of users) if (user.email) emails.add(user.email);
    } else throw validationError(`${at}.type`, 'must be user, group or email');
  }
  return [...emails];
}

function destinationOf(action: unknown, recipients: string[], message: string | null) {
  const spec = typeof action === 'string' ? { type: action } : object('action', action ?? { type: 'email' });
  const type = spec.type ?? 'email';
  if (type === 'email') return { type: 'email', recipients, subject: null, message };
  if (type === 'webhook') return { type: 'webhook', url: spec.url, secret: null };
  throw validationError(
    'action.type',
    `"${String(type)}" is not available on this server; use email or webhook`,
    'feature.not_configured',
  );
}

/**
 * The core alert body (whole, or the changes of a PATCH) of a Sisense alert body. `current` is
 * the alert a PATCH changes: a destination is rebuilt from it when parties, message or action change.
 */
export async function coreAlertBody(
  ports: AlertPorts,
  principal: Principal,
  body: unknown,
  current?: Schedule,
): Promise<JsonObject> {
  const input = record('', body ?? {}, [...WRITABLE, ...READ_ONLY]);
  if (input.type !== undefined && input.type !== 'kpi')
    throw validationError(
      'type',
      'only kpi alerts exist here: Rosetta has no ElastiCube builds to alert on',
      'feature.not_configured',
    );
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
    throw validationError('enabled', 'must be a boolean');
  if (input.message !== undefined && input.message !== null && typeof input.message !== 'string')
    throw validationError('message', 'must be text');
  if (!current && input.context === undefined) throw validationError('context', 'is required');
  const core: JsonObject = {};
  if (input.name !== undefined) core.name = input.name;
  if (input.enabled !== undefined) core.paused = !input.enabled;
  if (input.cron !== undefined) core.cron = input.cron;
  if (input.timezone !== undefined) core.timezone = input.timezone;
  let widget: Widget | undefined;
  if (input.context !== undefined) {
    const found = await widgetOfContext(ports, principal, input.context);
    widget = found.widget;
    core.target = { widget: { dashboard: found.dashboardId, widget: found.widget.id } };
  } else if (current && 'widget' in current.target && input.conditions !== undefined) {
    const { dashboard, widget: key } = current.target.widget;
    widget = (await ports.content.dashboards.lookup(principal, dashboard)).widgets.find((w) => w.id === key);
  }
  // An alert created without conditions notifies at each run where the widget's measure has data.
  const conditions = input.conditions ?? (current ? undefined : [WHEN_THERE_IS_DATA]);
  if (conditions !== undefined) core.conditions = conditionsOf(widget, conditions);
  // Parties and message are an email's: a webhook or Slack alert keeps its destination (and secret).
  const emailChange =
    current?.destination.type === 'email' && (input.parties !== undefined || input.message !== undefined);
  if (!current || emailChange || input.action !== undefined) {
    const before = current?.destination;
    const recipients =
      input.parties !== undefined
        ? await recipientsOf(ports, principal, input.parties)
        : before?.type === 'email'
          ? before.recipients
          : [principal.email];
    const message =
      input.message !== undefined
        ? ((input.message as string | null) ?? null)
        : before?.type === 'email'
          ? before.message
          : null;
    const action =
      input.action ??
      (before ? { type: before.type, ...(before.type === 'webhook' && { url: before.url }) } : undefined);
    core.destination = destinationOf(action, recipients, message);
  }
  if (!current) core.cron ??= DEFAULT_ALERT_CRON;
  return core;
}

/** The core's field paths of an alert body → the Sisense body's. */
const FIELD_RULES: [RegExp, string][] = [
  [/^paused$/, 'enabled'],
  [/^target.*$/, 'context'],
  [/^destination\.recipients/, 'parties'],
  [/^destination\.message$/, 'message'],
  [/^destination\.url$/, 'action.url'],
  [/^destination.*$/, 'action'],
];

/** Runs a core alert call, its validation errors naming the Sisense body's fields. */
export async function inSisenseFields<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION' || !error.field) throw error;
    const rule = FIELD_RULES.find(([pattern]) => pattern.test(error.field as string));
    throw rule ? renameField(error, (error.field as string).replace(rule[0], rule[1])) : error;
  }
}

/** The core alert an oid names, as the caller sees it (404 otherwise). */
export async function alertByOid(ports: AlertPorts, principal: Principal, oid: string): Promise<Schedule> {
  const id = await alertCodecs(ports).alert.decode(principal.organizationId, oid, 'id');
  if (id === undefined) throw notFound('alert', oid);
  return ports.schedules.get(principal, 'alert', Number(id));
}
