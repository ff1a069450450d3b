import type { JsonScalar } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import type { FilterRule, Operator, ReductionKind, SavedQuery } from '../query/index.ts';
import type { ViewFilters } from '../views/index.ts';

/** Domain types of schedules: cron deliveries of dashboards, widgets and queries, and data alerts. */

export const scheduleKinds = ['delivery', 'alert'] as const;
export type ScheduleKind = (typeof scheduleKinds)[number];

/** The job type that runs each kind. */
export const scheduleJobTypes: Record<ScheduleKind, string> = {
  delivery: 'schedule.delivery',
  alert: 'schedule.alert',
};

export const exportFormats = ['csv', 'xlsx', 'pdf', 'png'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** What a schedule sends or an alert watches; dashboards and saved charts are kept by integer id. */
export type ScheduleTarget =
  | { dashboard: number }
  | { widget: { dashboard: number; widget: string } }
  /** A saved chart on its own (on no dashboard: no dashboard filter or variable applies). */
  | { chart: number }
  /** A native query body (POST /api/query); alerts only. */
  | { query: SavedQuery };

export type EmailDestination = {
  type: 'email';
  recipients: string[];
  subject: string | null;
  message: string | null;
};

/** Where a delivery goes, secrets included: what a schedule is saved with and sent to. */
export type Destination =
  | EmailDestination
  | { type: 'webhook'; url: string; secret: string | null }
  | { type: 'slack'; url: string };

/**
 * What answers show of a destination. The webhook signing secret and the Slack URL (whose path
 * is the credential) are write-only: stored encrypted, shown as `hasSecret` and a masked URL.
 */
export type DestinationView =
  | EmailDestination
  | { type: 'webhook'; url: string; hasSecret: boolean }
  | { type: 'slack'; maskedUrl: string };

/**
 * Alert comparisons, in the vocabulary of query filters (`operators` of the query IR): `=` and
 * `in` hold when the value equals one of the values, `!=` and `not in` when it equals none.
 */
export const conditionOperators = [
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'between',
  'in',
  'not in',
] as const satisfies readonly Operator[];
export type ConditionOperator = (typeof conditionOperators)[number];

/** The words conditions took before they spoke the filters' vocabulary: still read, never answered. */
export const conditionOperatorAliases = {
  greater_than: '>',
  less_than: '<',
  greater_or_equal: '>=',
  less_or_equal: '<=',
  equals: '=',
  not_equals: '!=',
} as const satisfies Record<string, ConditionOperator>;

/**
 * How a condition reduces the result column `field` to one value, in SQL over the query's whole
 * result (the row cap cuts nothing; query/reduce.ts): aggregations ignore NULLs; `count` counts
 * non-null values; `first`/`last` take the first/last row's value in the query's order, NULL
 * included. An empty result gives NULL (count: 0), and a NULL value satisfies no operator.
 */
export const conditionAggregations = [
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'first',
  'last',
] as const satisfies readonly ReductionKind[];
export type ConditionAggregation = (typeof conditionAggregations)[number];

export interface AlertCondition {
  field: string;
  aggregation: ConditionAggregation;
  operator: ConditionOperator;
  /** One value; two for `between` (bounds included); one or more for `=`, `!=`, `in`, `not in`. */
  values: JsonScalar[];
}

export interface ConditionResult extends AlertCondition {
  value: JsonScalar;
  holds: boolean;
}

export interface AlertEvaluation {
  triggered: boolean;
  rows: number;
  conditions: ConditionResult[];
}

export interface Schedule {
  id: number;
  uuid: string;
  organizationId: number;
  /** A dashboard's schedule is in the dashboard's project (and follows it when it moves). */
  projectId: number;
  ownerId: number;
  kind: ScheduleKind;
  name: string;
  cron: string;
  timezone: string;
  paused: boolean;
  target: ScheduleTarget;
  format: ExportFormat;
  /** Extra filter rules `and`-ed to every query of the target. */
  filters: FilterRule[];
  /**
   * Values of the target dashboard's filters by filter id, in the shapes a view requests them
   * (a list, `{from, to}`, `{min, max}`, `{relative: […]}`, null = unset), over their defaults.
   */
  filterValues: Record<string, unknown>;
  /** Values of the target dashboard's variables, over its defaults (checked when saved). */
  variables: Record<string, JsonScalar | JsonScalar[]>;
  destination: DestinationView;
  conditions: AlertCondition[];
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
  createdAt: string;
  updatedAt: string;
}

export const runStatuses = ['queued', 'running', 'retrying', 'success', 'failure', 'skipped'] as const;
export type RunStatus = (typeof runStatuses)[number];

export interface ScheduleRun {
  id: number;
  scheduleId: number;
  /** The cron time this run stands for; for a manual run, when it was asked for. */
  fireTime: string;
  trigger: 'cron' | 'manual';
  jobId: number | null;
  status: RunStatus;
  error: string | null;
  /** Alerts: the evaluation; deliveries: what was sent. */
  result: unknown;
  /** Alerts only: whether the conditions held (and the delivery went out). */
  triggered: boolean | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface RenderedFile {
  filename: string;
  contentType: string;
  content: Buffer;
  /** A link to the same file (e.g. a signed download URL), for channels that cannot carry files. */
  url?: string;
  /** Set on a picture an email's HTML part shows inline as `cid:<cid>`. */
  cid?: string;
}

/**
 * Renders a schedule's target for delivery as its owner would see it, with the schedule's
 * filters (its rules over its dashboard's filter defaults) and variable values applied;
 * implemented by the composition root with the exports module.
 */
export interface DeliveryRenderer {
  render(
    principal: Principal,
    target: ScheduleTarget,
    format: ExportFormat,
    filters: ViewFilters,
    signal: AbortSignal,
    variables?: Schedule['variables'],
  ): Promise<RenderedFile>;
}

/** The dashboard a schedule's target shows, if any: its filters, variables, trash and project apply. */
export const dashboardOfTarget = (target: ScheduleTarget): number | null =>
  'dashboard' in target ? target.dashboard : 'widget' in target ? target.widget.dashboard : null;

/** The principal a schedule runs as: its owner, read fresh; undefined when the owner is gone. */
export type OwnerResolver = (organizationId: number, userId: number) => Promise<Principal | undefined>;

export const outboxStatuses = ['pending', 'sent', 'held', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

export interface OutboxMessage {
  id: number;
  uuid: string;
  organizationId: number;
  scheduleId: number | null;
  jobId: number | null;
  to: string[];
  subject: string;
  text: string;
  /** The HTML part, when the message has one (a delivery's link and inline picture). */
  html: string | null;
  status: OutboxStatus;
  error: string | null;
  /** In order; `inline` ones are pictures the HTML part shows (`cid:`). */
  attachments: OutboxAttachment[];
  /**
   * Until when the attachments' bytes are kept, to download them and resend the message; null
   * when they are not (a sent message, or past the time).
   */
  filesKeptUntil: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  size: number;
  inline?: boolean;
}
