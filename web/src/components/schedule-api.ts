import type { AlertCondition } from '../../../src/core/schedules/types.ts';

export type { AlertCondition };

/** A schedule or an alert as `/api/schedules` and `/api/alerts` answer it. */
export interface Schedule {
  id: number;
  kind: 'delivery' | 'alert';
  name: string;
  cron: string;
  timezone: string;
  paused: boolean;
  ownerId: number;
  target: { dashboard: number } | { widget: { dashboard: number; widget: string } } | { query: unknown };
  format: string;
  filterValues: Record<string, unknown>;
  /** Extra filter rules, and variable values over the dashboard's (set through the API). */
  filters?: unknown[];
  variables?: Record<string, unknown>;
  destination:
    | { type: 'email'; recipients: string[]; subject: string | null; message: string | null }
    | { type: 'webhook' | 'slack' };
  conditions?: AlertCondition[];
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
}

export interface ScheduleRun {
  id: number;
  fireTime: string;
  trigger: 'cron' | 'manual';
  status: string;
  error: string | null;
  triggered: boolean | null;
  finishedAt: string | null;
}

/** `/schedules/12` or `/alerts/12`. */
export const schedulePath = (s: Pick<Schedule, 'kind' | 'id'>) =>
  `/${s.kind === 'alert' ? 'alerts' : 'schedules'}/${s.id}`;

/** The dashboard a schedule shows or watches, or null for a query. */
export function dashboardOf(schedule: Schedule): number | null {
  const { target } = schedule;
  if ('dashboard' in target) return target.dashboard;
  if ('widget' in target) return target.widget.dashboard;
  return null;
}

/** The recipients typed in a text box: separated by commas, semicolons, spaces or lines. */
export const recipientList = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((r) => r.trim())
    .filter(Boolean);
