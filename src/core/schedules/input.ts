import type { JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { array, boolean, filledText, type JsonObject, label, object, oneOf, record } from '../input.ts';
import { type FilterRule, type Operator, operators } from '../query/index.ts';
import { checkCron, checkTimezone } from './cron.ts';
import type { OutboundPolicy } from './outbound.ts';
import {
  type AlertCondition,
  type ConditionAggregation,
  type ConditionOperator,
  conditionAggregations,
  conditionOperatorAliases,
  conditionOperators,
  type Destination,
  type ExportFormat,
  exportFormats,
  type ScheduleKind,
} from './types.ts';

/**
 * Checks of untrusted schedule bodies. Every face hands bodies to the core as they came, so each
 * check names the offending field (`destination.recipients[1]`). Dashboards stay references
 * here; the service resolves them with the caller's rights.
 */

export type DashboardRef = number | string;
export type TargetInput =
  | { dashboard: DashboardRef }
  | { widget: { dashboard: DashboardRef; widget: string } }
  | { chart: DashboardRef }
  | { query: JsonObject };

export interface ScheduleInput {
  name?: string;
  cron?: string;
  timezone?: string;
  paused?: boolean;
  target?: TargetInput;
  format?: ExportFormat;
  filters?: FilterRule[];
  /** Checked against the target dashboard's filters by the service. */
  filterValues?: Record<string, unknown>;
  /** Checked against the target dashboard's variables by the service. */
  variables?: Record<string, unknown>;
  destination?: Destination;
  conditions?: AlertCondition[];
  /** Checked by the service: a dashboard's schedule is in the dashboard's project. */
  projectId?: unknown;
}

const MAX_RECIPIENTS = 50;
const MAX_FILTERS = 50;
const MAX_CONDITIONS = 20;
const MAX_CONDITION_VALUES = 100;
// Deliberately loose: the SMTP server is the judge; this only catches typos and header injection.
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

export function parseScheduleInput(
  kind: ScheduleKind,
  body: unknown,
  partial: boolean,
  outbound: Pick<OutboundPolicy, 'checkUrl'>,
): ScheduleInput {
  const root = record('', body, [
    'name',
    'cron',
    'timezone',
    'paused',
    'target',
    'format',
    'filters',
    'filterValues',
    'variables',
    'destination',
    'projectId',
    ...(kind === 'alert' ? ['conditions'] : []),
  ]);
  const required = ['name', 'cron', 'target', 'destination', ...(kind === 'alert' ? ['conditions'] : [])];
  for (const key of partial ? [] : required) {
    if (root[key] === undefined) throw validationError(key, 'is required');
  }
  const input: ScheduleInput = {};
  if (root.name !== undefined) input.name = label('name', root.name);
  if (root.cron !== undefined) input.cron = checkCron(filledText('cron', root.cron, 200));
  if (root.timezone !== undefined) input.timezone = checkTimezone(filledText('timezone', root.timezone, 100));
  if (root.paused !== undefined) input.paused = boolean('paused', root.paused);
  if (root.target !== undefined) input.target = parseTarget(kind, root.target);
  if (root.projectId !== undefined) input.projectId = root.projectId;
  if (root.format !== undefined) input.format = oneOf('format', root.format, exportFormats);
  if (root.filters !== undefined && root.filters !== null) {
    input.filters = array('filters', root.filters, MAX_FILTERS).map((f, i) =>
      parseFilter(`filters[${i}]`, f),
    );
  }
  if (root.filterValues !== undefined)
    input.filterValues = root.filterValues === null ? {} : object('filterValues', root.filterValues);
  if (root.variables !== undefined)
    input.variables = root.variables === null ? {} : object('variables', root.variables);
  if (root.destination !== undefined) input.destination = parseDestination(root.destination, outbound);
  if (root.conditions !== undefined) {
    const list = array('conditions', root.conditions, MAX_CONDITIONS);
    if (list.length === 0) throw validationError('conditions', 'an alert needs at least one condition');
    input.conditions = list.map((c, i) => parseCondition(`conditions[${i}]`, c));
  }
  return input;
}

/** What the alert dialog asks about before saving: an alert's target, filters and conditions. */
export type AlertPreviewInput = Pick<ScheduleInput, 'filters' | 'filterValues' | 'variables'> & {
  target: TargetInput;
  conditions: AlertCondition[];
};

const PREVIEW_FIELDS = ['target', 'filters', 'filterValues', 'variables', 'conditions'] as const;

/** The fields of an alert's body that say what it checks, named and checked as when it is saved. */
export function parseAlertPreview(
  body: unknown,
  outbound: Pick<OutboundPolicy, 'checkUrl'>,
): AlertPreviewInput {
  const root = record('', body, PREVIEW_FIELDS);
  for (const key of ['target', 'conditions']) {
    if (root[key] === undefined) throw validationError(key, 'is required');
  }
  // No destination gets through the fields above: `outbound` only completes the signature.
  const { target, conditions, filters, filterValues, variables } = parseScheduleInput(
    'alert',
    root,
    true,
    outbound,
  );
  return {
    target: target as TargetInput,
    conditions: conditions as AlertCondition[],
    filters,
    filterValues,
    variables,
  };
}

function parseTarget(kind: ScheduleKind, value: unknown): TargetInput {
  const target = record('target', value, ['dashboard', 'widget', 'chart', 'query']);
  const keys = Object.keys(target);
  if (keys.length !== 1) {
    throw validationError('target', 'give exactly one of "dashboard", "widget", "chart" or "query"');
  }
  if (target.dashboard !== undefined) {
    if (kind === 'alert') throw validationError('target.dashboard', 'an alert watches a widget or a query');
    return { dashboard: ref('target.dashboard', target.dashboard) };
  }
  if (target.widget !== undefined) {
    const widget = record('target.widget', target.widget, ['dashboard', 'widget']);
    return {
      widget: {
        dashboard: ref('target.widget.dashboard', widget.dashboard),
        widget: filledText('target.widget.widget', widget.widget, 64),
      },
    };
  }
  if (target.chart !== undefined) return { chart: ref('target.chart', target.chart, 'a chart') };
  if (kind === 'delivery')
    throw validationError('target.query', 'a delivery sends a dashboard, a widget or a chart');
  // The query core validates the body against its model when the service checks it.
  return { query: object('target.query', target.query) };
}

function parseDestination(value: unknown, outbound: Pick<OutboundPolicy, 'checkUrl'>): Destination {
  const root = object('destination', value);
  const type = oneOf('destination.type', root.type, ['email', 'webhook', 'slack'] as const);
  if (type === 'email') {
    const d = record('destination', value, ['type', 'recipients', 'subject', 'message']);
    const recipients = array('destination.recipients', d.recipients, MAX_RECIPIENTS).map((r, i) => {
      const address = label(`destination.recipients[${i}]`, r, 254);
      if (!EMAIL.test(address))
        throw validationError(`destination.recipients[${i}]`, 'is not an email address');
      return address;
    });
    if (recipients.length === 0)
      throw validationError('destination.recipients', 'needs at least one address');
    return {
      type,
      recipients,
      subject: optionalText('destination.subject', d.subject, 255),
      message: optionalText('destination.message', d.message, 10_000),
    };
  }
  if (type === 'webhook') {
    const d = record('destination', value, ['type', 'url', 'secret']);
    return {
      type,
      url: url('destination.url', d.url, outbound),
      secret: optionalText('destination.secret', d.secret, 500),
    };
  }
  const d = record('destination', value, ['type', 'url']);
  return { type, url: url('destination.url', d.url, outbound) };
}

const SEVERAL: readonly ConditionOperator[] = ['=', '!=', 'in', 'not in'];

/** A condition's operator in the filters' vocabulary; the old words are read as their symbols. */
function conditionOperator(path: string, value: unknown): ConditionOperator {
  const alias = typeof value === 'string' && Object.hasOwn(conditionOperatorAliases, value);
  if (alias) return conditionOperatorAliases[value as keyof typeof conditionOperatorAliases];
  return oneOf<ConditionOperator>(path, value, conditionOperators);
}

function parseCondition(path: string, value: unknown): AlertCondition {
  const c = record(path, value, ['field', 'aggregation', 'operator', 'values']);
  const operator = conditionOperator(`${path}.operator`, c.operator);
  const several = SEVERAL.includes(operator);
  const values = array(`${path}.values`, c.values, several ? MAX_CONDITION_VALUES : 2).map((v, i) => {
    if (typeof v !== 'number' && typeof v !== 'string') {
      throw validationError(`${path}.values[${i}]`, 'must be a number or a string');
    }
    return v as JsonScalar;
  });
  if (several && values.length === 0)
    throw validationError(`${path}.values`, `"${operator}" takes one value or more`);
  const wanted = operator === 'between' ? 2 : 1;
  if (!several && values.length !== wanted)
    throw validationError(`${path}.values`, `"${operator}" takes ${wanted} value(s)`);
  return {
    field: filledText(`${path}.field`, c.field, 255),
    aggregation: oneOf<ConditionAggregation>(`${path}.aggregation`, c.aggregation, conditionAggregations),
    operator,
    values,
  };
}

function parseFilter(path: string, value: unknown): FilterRule {
  const f = record(path, value, ['field', 'operator', 'values']);
  const values = f.values === undefined ? [] : array(`${path}.values`, f.values, 1000);
  values.forEach((v, i) => {
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
      throw validationError(`${path}.values[${i}]`, 'must be a string, number, boolean or null');
    }
  });
  return {
    field: filledText(`${path}.field`, f.field, 255),
    operator: oneOf<Operator>(`${path}.operator`, f.operator, operators),
    values: values as JsonScalar[],
  };
}

const optionalText = (field: string, value: unknown, max: number): string | null =>
  value === undefined || value === null ? null : filledText(field, value, max);

function ref(field: string, value: unknown, what = 'a dashboard'): DashboardRef {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && value.length > 0 && value.length <= 64) return value;
  throw validationError(field, `must be ${what} id or uuid`);
}

function url(field: string, value: unknown, outbound: Pick<OutboundPolicy, 'checkUrl'>): string {
  const raw = filledText(field, value, 2000);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw validationError(field, 'is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw validationError(field, 'must be an http or https URL');
  outbound.checkUrl(parsed, field);
  return parsed.toString();
}
