/** What an export asks for: a target (query, widget or dashboard), a format, filter and variable values. */
import { validationError } from '../errors.ts';

// The schedules' formats (core/schedules/types.ts), which are rendered here, and `zip`: a
// dashboard's data widgets as one CSV each (bundle.ts).
export const exportFormats = ['csv', 'xlsx', 'pdf', 'png', 'zip'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Dashboards by integer id or uuid; a query is a native query body (POST /api/query). */
export type ExportTarget =
  | { dashboard: number | string }
  | { widget: { dashboard: number | string; widget: string } }
  | { query: Record<string, unknown> };

/** What a schedule delivers: an export target, or a saved chart (by id or uuid) on its own. */
export type RenderTarget = ExportTarget | { chart: number | string };

export interface ExportRequest {
  target: ExportTarget;
  format: ExportFormat;
  /** Dashboard filter values (see filters.ts), checked against the target later. */
  filters: unknown;
  /** Variable values over the dashboard's defaults (or a query's own), checked later. */
  variables: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function dashboardRef(value: unknown, path: string): number | string {
  if ((Number.isInteger(value) && (value as number) > 0) || (typeof value === 'string' && value.length > 0)) {
    return value as number | string;
  }
  throw validationError(path, 'must be a dashboard id or uuid');
}

/** Untrusted JSON → a request; every error names its field. */
export function parseExportRequest(body: unknown): ExportRequest {
  if (!isObject(body)) throw validationError('body', 'must be an object');
  const given = (['dashboard', 'widget', 'query'] as const).filter((key) => body[key] !== undefined);
  if (given.length !== 1) throw validationError('target', 'give exactly one of dashboard, widget or query');
  const format = body.format;
  if (!exportFormats.includes(format as ExportFormat)) {
    throw validationError('format', `must be one of ${exportFormats.join(', ')}`);
  }
  let target: ExportTarget;
  if (given[0] === 'dashboard') target = { dashboard: dashboardRef(body.dashboard, 'dashboard') };
  else if (given[0] === 'widget') {
    const widget = body.widget;
    if (!isObject(widget)) throw validationError('widget', 'must be {dashboard, widget}');
    if (typeof widget.widget !== 'string' || widget.widget.length === 0) {
      throw validationError('widget.widget', 'must be the id of a widget of the dashboard');
    }
    target = {
      widget: { dashboard: dashboardRef(widget.dashboard, 'widget.dashboard'), widget: widget.widget },
    };
  } else {
    if (!isObject(body.query))
      throw validationError('query', 'must be a query body as POST /api/query takes');
    target = { query: body.query };
  }
  if ('dashboard' in target && format === 'csv') {
    throw validationError(
      'format',
      'a whole dashboard exports as xlsx, pdf or png; export one widget as csv',
    );
  }
  if (format === 'zip' && !('dashboard' in target))
    throw validationError('format', 'zip bundles the CSV files of a whole dashboard: give a dashboard');
  return { target, format: format as ExportFormat, filters: body.filters, variables: body.variables };
}
