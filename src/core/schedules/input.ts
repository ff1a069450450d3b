import type { JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
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

type Json = Record<string, unknown>;
export type DashboardRef = number | string;
export type TargetInput =
  | { dashboard: DashboardRef }
  | { widget: { dashboard: DashboardRef; widget: string } }
  | { query: Json };

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
  const root = object(body, 'body', [
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
  if (root.name !== undefined) input.name = text(root.name, 'name', 255).trim();
  if (root.cron !== undefined) input.cron = checkCron(text(root.cron, 'cron', 200));
  if (root.timezone !== undefined) input.timezone = checkTimezone(text(root.timezone, 'timezone', 100));
  if (root.paused !== undefined) {
    if (typeof root.paused !== 'boolean') throw validationError('paused', 'must be true or false');
    input.paused = root.paused;
  }
  if (root.target !== undefined) input.target = parseTarget(kind, root.target);
  if (root.projectId !== undefined) input.projectId = root.projectId;
  if (root.format !== undefined) input.format = oneOf(root.format, 'format', exportFormats);
  if (root.filters !== undefined && root.filters !== null) {
    input.filters = array(root.filters, 'filters', MAX_FILTERS).map((f, i) =>
      parseFilter(f, `filters[${i}]`),
    );
  }
  if (root.filterValues !== undefined)
    input.filterValues = root.filterValues === null ? {} : object(root.filterValues, 'filterValues');
  if (root.variables !== undefined)
    input.variables = root.variables === null ? {} : object(root.variables, 'variables');
  if (root.destination !== undefined) input.destination = parseDestination(root.destination, outbound);
  if (root.conditions !== undefined) {
    const list = array(root.conditions, 'conditions', MAX_CONDITIONS);
    if (list.length === 0) throw validationError('conditions', 'an alert needs at least one condition');
    input.conditions = list.map((c, i) => parseCondition(c, `conditions[${i}]`));
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
  const root = object(body, 'body', PREVIEW_FIELDS);
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
  const target = object(value, 'target', ['dashboard', 'widget', 'query']);
  const keys = Object.keys(target);
  if (keys.length !== 1) {
    throw validationError('target', 'give exactly one of "dashboard", "widget" or "query"');
  }
  if (target.dashboard !== undefined) {
    if (kind === 'alert') throw validationError('target.dashboard', 'an alert watches a widget or a query');
    return { dashboard: ref(target.dashboard, 'target.dashboard') };
  }
  if (target.widget !== undefined) {
    const widget = object(target.widget, 'target.widget', ['dashboard', 'widget']);
    return {
      widget: {
        dashboard: ref(widget.dashboard, 'target.widget.dashboard'),
        widget: text(widget.widget, 'target.widget.widget', 64),
      },
    };
  }
  if (kind === 'delivery') throw validationError('target.query', 'a delivery sends a dashboard or a widget');
  // The query core validates the body against its model when the service checks it.
  return { query: object(target.query, 'target.query') };
}

function parseDestination(value: unknown, outbound: Pick<OutboundPolicy, 'checkUrl'>): Destination {
  const root = object(value, 'destination');
  const type = oneOf(root.type, 'destination.type', ['email', 'webhook', 'slack'] as const);
  if (type === 'email') {
    const d = object(value, 'destination', ['type', 'recipients', 'subject', 'message']);
    const recipients = array(d.recipients, 'destination.recipients', MAX_RECIPIENTS).map((r, i) => {
      const address = text(r, `destination.recipients[${i}]`, 254).trim();
      if (!EMAIL.test(address))
        throw validationError(`destination.recipients[${i}]`, 'is not an email address');
      return address;
    });
    if (recipients.length === 0)
      throw validationError('destination.recipients', 'needs at least one address');
    return {
      type,
      recipients,
      subject: optionalText(d.subject, 'destination.subject', 255),
      message: optionalText(d.message, 'destination.message', 10_000),
    };
  }
  if (type === 'webhook') {
    const d = object(value, 'destination', ['type', 'url', 'secret']);
    return {
      type,
      url: url(d.url, 'destination.url', outbound),
      secret: optionalText(d.secret, 'destination.secret', 500),
    };
  }
  const d = object(value, 'destination', ['type', 'url']);
  return { type, url: url(d.url, 'destination.url', outbound) };
}

const SEVERAL: readonly ConditionOperator[] = ['=', '!=', 'in', 'not in'];

/** A condition's operator in the filters' vocabulary; the old words are read as their symbols. */
function conditionOperator(value: unknown, path: string): ConditionOperator {
  const alias = typeof value === 'string' && Object.hasOwn(conditionOperatorAliases, value);
  if (alias) return conditionOperatorAliases[value as keyof typeof conditionOperatorAliases];
  return oneOf<ConditionOperator>(value, path, conditionOperators);
}

function parseCondition(value: unknown, path: string): AlertCondition {
  const c = object(value, path, ['field', 'aggregation', 'operator', 'values']);
  const operator = conditionOperator(c.operator, `${path}.operator`);
  const several = SEVERAL.includes(operator);
  const values = array(c.values, `${path}.values`, several ? MAX_CONDITION_VALUES : 2).map((v, i) => {
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
    field: text(c.field, `${path}.field`, 255),
    aggregation: oneOf<ConditionAggregation>(c.aggregation, `${path}.aggregation`, conditionAggregations),
    operator,
    values,
  };
}

function parseFilter(value: unknown, path: string): FilterRule {
  const f = object(value, path, ['field', 'operator', 'values']);
  const values = f.values === undefined ? [] : array(f.values, `${path}.values`, 1000);
  values.forEach((v, i) => {
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
      throw validationError(`${path}.values[${i}]`, 'must be a string, number, boolean or null');
    }
  });
  return {
    field: text(f.field, `${path}.field`, 255),
    operator: oneOf<Operator>(f.operator, `${path}.operator`, operators),
    values: values as JsonScalar[],
  };
}

function fail(field: string, problem: string): never {
  throw validationError(field, problem);
}

function object(value: unknown, path: string, keys?: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const unknown = keys && Object.keys(value).find((key) => !keys.includes(key));
  if (unknown) fail(path === 'body' ? unknown : `${path}.${unknown}`, 'is not a known property');
  return value as Json;
}

function array(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  if (value.length > max) fail(path, `must have at most ${max} items`);
  return value;
}

function text(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  if (value.length > max) fail(path, `must be at most ${max} characters`);
  if (value.includes('\0')) fail(path, 'must not contain NUL characters');
  if (value.trim() === '') fail(path, 'must not be empty');
  return value;
}

const optionalText = (value: unknown, path: string, max: number): string | null =>
  value === undefined || value === null ? null : text(value, path, max);

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T))
    fail(path, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function ref(value: unknown, path: string): DashboardRef {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && value.length > 0 && value.length <= 64) return value;
  return fail(path, 'must be a dashboard id or uuid');
}

function url(value: unknown, path: string, outbound: Pick<OutboundPolicy, 'checkUrl'>): string {
  const raw = text(value, path, 2000);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return fail(path, 'is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') fail(path, 'must be an http or https URL');
  outbound.checkUrl(parsed, path);
  return parsed.toString();
}
