/**
 * One code path from a target to a file, for export jobs and scheduled deliveries alike. Every
 * query goes through the query service with the caller's principal, so row-level security and
 * data-source restrictions hold in every format. Widget and query CSV is written by the engine
 * itself where it can (`copyToCsv`), else, like XLSX, streamed from the engine; a whole
 * dashboard's widgets are display-sized queries and run as plain queries.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledQuery, Engine, JsonScalar, RowStream } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import {
  type ChartService,
  type Dashboard,
  type DashboardService,
  drawnQuery,
  fillTemplate,
  type Widget,
  type WidgetQuery,
} from '../content/index.ts';
import { validationError } from '../errors.ts';
import { type Model, parseQueryBody, type QueryService, type VariableValues } from '../query/index.ts';
import {
  type FilterSummary,
  filtersLine,
  type ViewFilters,
  type ViewService,
  variablesOf,
  viewBody,
} from '../views/index.ts';
import { produceCsvBundle } from './bundle.ts';
import { writeCsv } from './csv.ts';
import { contentTypes, fileNameOf } from './files.ts';
import { numberFormatOf } from './present.ts';
import { renderDashboardPdf, renderDashboardPng } from './render-pool.ts';
import type { ExportFormat, RenderTarget } from './target.ts';
import type { DashboardRenderSpec, RenderWidget } from './types.ts';
import { writeXlsx } from './xlsx.ts';

export interface ProduceDeps {
  query: Pick<QueryService, 'run' | 'compileIr' | 'runSaved' | 'compileSaved'>;
  views: Pick<ViewService, 'widgetRules'>;
  dashboards: Pick<DashboardService, 'lookup'>;
  charts: Pick<ChartService, 'lookup'>;
  resolveModel(principal: Principal, source: string): Promise<Model>;
  engineFor(connectionId: number): Promise<Engine>;
  /** Row cap of a streamed export (configuration `maxQueryRows`). */
  maxRows: number;
  /** Quote-prefix text cells that start like a formula in CSV and XLSX (`formula-cells.ts`). */
  escapeFormulas: boolean;
  now: () => Date;
}

export interface ProducedFile {
  path: string;
  filename: string;
  contentType: string;
  size: number;
  /** Data rows written (CSV/XLSX) or rendered (PDF/PNG). */
  rows: number;
  /** True when the row cap cut a streamed export. */
  truncated: boolean;
  pages?: number;
  warnings: string[];
  /** The filters in force, as the file's header prints them. */
  filters: FilterSummary[];
}

export async function widgetOf(
  deps: ProduceDeps,
  principal: Principal,
  ref: { dashboard: number | string; widget: string },
) {
  const dashboard = await deps.dashboards.lookup(principal, ref.dashboard);
  const widget = dashboard.widgets.find((w) => w.id === ref.widget);
  if (!widget) throw validationError('widget.widget', `no widget "${ref.widget}" on this dashboard`);
  if (!widget.query) throw validationError('widget.widget', 'a text widget has no data to export');
  return { dashboard, widget, query: widget.query as Record<string, unknown> };
}

/**
 * A query body compiled by the query service for the caller — an ad-hoc query, or a widget's
 * saved one — so row-level security and data-source restrictions are in the SQL whichever way
 * the rows are then written.
 */
async function compileBody(
  deps: ProduceDeps,
  principal: Principal,
  body: Record<string, unknown>,
  saved: boolean,
) {
  let compiled: CompiledQuery & { rowCap: number; readOnly?: boolean };
  let model: Model;
  if (saved) ({ model, ...compiled } = await deps.query.compileSaved(principal, body));
  else {
    const { source, ir } = parseQueryBody(body);
    model = await deps.resolveModel(principal, source);
    compiled = await deps.query.compileIr(principal, model, ir);
  }
  const engine = await deps.engineFor(model.connectionId);
  // The SQL fetches one row past the query's limit or the cap, to tell a cut: never written.
  const cap = Math.min(compiled.rowCap, deps.maxRows);
  const query: CompiledQuery = { sql: compiled.sql, params: compiled.params };
  // A query with SQL of its own runs read-only wherever it runs (query service, SQL console).
  return { engine, query, cap, limited: cap < deps.maxRows, readOnly: compiled.readOnly === true };
}

/**
 * A query's body with the export's filters and variables: a dashboard's widget (`widgetId`) takes
 * the filters that apply to it, as on screen; an ad-hoc query takes the rules as they are.
 */
async function bodyOf(
  deps: ProduceDeps,
  principal: Principal,
  body: Record<string, unknown>,
  context: { filters: ViewFilters; variables: VariableValues; widgetId?: string },
) {
  const rules =
    context.widgetId === undefined
      ? context.filters.rules
      : await deps.views.widgetRules(principal, { id: context.widgetId, query: body }, context.filters);
  return viewBody(body, { rules, variables: context.variables });
}

/** Streams a query's rows, cut at `cap` (the compiled SQL fetches one more to tell). */
async function openRows(
  engine: Engine,
  query: CompiledQuery,
  cap: number,
  options: { signal: AbortSignal; readOnly: boolean },
) {
  const stream = await engine.stream(query, options);
  const state = { rows: 0, truncated: false };
  async function* capped(): AsyncIterable<JsonScalar[][]> {
    for await (const batch of stream.batches) {
      const room = cap - state.rows;
      if (batch.length > room) {
        state.truncated = true;
        state.rows += room;
        if (room > 0) yield batch.slice(0, room);
        return; // leaving the loop releases the engine's stream
      }
      state.rows += batch.length;
      yield batch;
    }
  }
  return { rows: { columns: stream.columns, batches: capped() } satisfies RowStream, state };
}

/** Percent done; the export reports it through its job. */
type Progress = (percent: number) => void;

/** What every widget query of one export gets: the filters and the variable values. */
interface WidgetContext {
  filters: ViewFilters;
  variables: VariableValues;
  signal: AbortSignal;
  /** A dashboard's widget or a saved chart rather than an ad-hoc query. */
  saved: boolean;
  /** A saved chart on its own, on no dashboard: no dashboard filter applies to it. */
  standalone?: boolean;
}

const dataWidgets = (dashboard: Dashboard): Widget[] => dashboard.widgets.filter((w) => w.query);

async function renderWidget(
  deps: ProduceDeps,
  principal: Principal,
  widget: Pick<Widget, 'id' | 'title' | 'visualization'>,
  body: Record<string, unknown> | null,
  context: WidgetContext,
): Promise<RenderWidget> {
  const shown = {
    ...widget,
    title: fillTemplate(widget.title, context.variables),
    variables: context.variables,
  };
  if (!body) return shown;
  const drawn = drawnQuery({ query: body as WidgetQuery, visualization: widget.visualization }) ?? body;
  const options = { signal: context.signal, noCache: true };
  const widgetId = context.saved && !context.standalone ? widget.id : undefined;
  const full = await bodyOf(deps, principal, drawn, { ...context, widgetId });
  const { columns, rows, totals, subtotals, pivot } = await (context.saved
    ? deps.query.runSaved(principal, full, options)
    : deps.query.run(principal, full, options));
  // What a table draws besides its rows (table-grid.ts); the rest of the answer stays here.
  return { ...shown, result: { columns, rows, totals, subtotals, pivot } };
}

/** What a PDF/PNG shows: the dashboard laid out as on screen, or one widget on a full-width card. */
async function renderSpec(
  deps: ProduceDeps,
  principal: Principal,
  target: RenderTarget,
  context: ExportContext,
  progress: Progress,
): Promise<DashboardRenderSpec> {
  const single = (widget: RenderWidget, title: string): DashboardRenderSpec => ({
    title,
    widgets: [widget],
    layout: [{ widgetId: widget.id, x: 0, y: 0, w: 12, h: 10 }],
  });
  if ('query' in target) {
    const table = { id: 'query', title: 'Query', visualization: { type: 'table' as const, options: {} } };
    const variables = variablesOf(principal, null, context.variables);
    const widget = await renderWidget(deps, principal, table, target.query, {
      ...context,
      variables,
      saved: false,
    });
    return single(widget, 'Query');
  }
  if ('chart' in target) {
    const chart = await deps.charts.lookup(principal, target.chart);
    const variables = variablesOf(principal, null, context.variables);
    const widget = await renderWidget(
      deps,
      principal,
      { id: chart.uuid, title: chart.name, visualization: chart.visualization },
      chart.query,
      { ...context, variables, saved: true, standalone: true },
    );
    return single(widget, chart.name);
  }
  if ('widget' in target) {
    const { dashboard, widget, query } = await widgetOf(deps, principal, target.widget);
    const variables = variablesOf(principal, dashboard, context.variables);
    return single(
      await renderWidget(deps, principal, widget, query, { ...context, variables, saved: true }),
      dashboard.name,
    );
  }
  const dashboard = await deps.dashboards.lookup(principal, target.dashboard);
  const widgetContext = {
    ...context,
    variables: variablesOf(principal, dashboard, context.variables),
    saved: true,
  };
  const widgets: RenderWidget[] = [];
  // One at a time: the warehouse pool is shared with every other request.
  for (const [i, widget] of dashboard.widgets.entries()) {
    widgets.push(await renderWidget(deps, principal, widget, widget.query, widgetContext));
    progress(10 + Math.round((60 * (i + 1)) / dashboard.widgets.length));
  }
  return { title: dashboard.name, headerHtml: dashboard.headerHtml, widgets, layout: dashboard.layout };
}

async function titleOf(
  deps: ProduceDeps,
  principal: Principal,
  target: RenderTarget,
  given: unknown,
): Promise<string> {
  if ('query' in target) return 'Query';
  if ('chart' in target) return (await deps.charts.lookup(principal, target.chart)).name;
  if ('widget' in target) {
    const { dashboard, widget } = await widgetOf(deps, principal, target.widget);
    return `${dashboard.name} - ${fillTemplate(widget.title, variablesOf(principal, dashboard, given))}`;
  }
  return (await deps.dashboards.lookup(principal, target.dashboard)).name;
}

/** The filters and the requested variable values (resolved per target) of one export. */
interface ExportContext {
  filters: ViewFilters;
  variables: unknown;
  signal: AbortSignal;
}

/** What a PDF or PNG prints under its title: the filters in force and when it was made. */
function headerNotes(summaries: readonly FilterSummary[], now: Date): string[] {
  const time = `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return [filtersLine(summaries), `Generated ${time}`];
}

/** Writes the export of `target` into `dir` (an empty directory of its own). */
export async function produceExport(
  deps: ProduceDeps,
  principal: Principal,
  request: {
    target: RenderTarget;
    format: ExportFormat;
    filters: ViewFilters;
    variables?: unknown;
  },
  dir: string,
  signal: AbortSignal,
  progress: Progress = () => {},
): Promise<ProducedFile> {
  const { target, format, filters } = request;
  const context: ExportContext = { filters, variables: request.variables, signal };
  const filename = fileNameOf(await titleOf(deps, principal, target, request.variables), format, deps.now());
  const path = join(dir, filename);
  const done = (
    size: number,
    rest: Omit<ProducedFile, 'path' | 'filename' | 'contentType' | 'size' | 'filters'>,
  ): ProducedFile => ({
    path,
    filename,
    contentType: contentTypes[format],
    size,
    filters: filters.summaries,
    ...rest,
  });

  if (format === 'pdf' || format === 'png') {
    const spec = await renderSpec(deps, principal, target, context, progress);
    spec.notes = headerNotes(filters.summaries, deps.now());
    const output = await (format === 'pdf' ? renderDashboardPdf(spec) : renderDashboardPng(spec));
    await writeFile(path, output.data);
    const rows = spec.widgets.reduce((n, w) => n + (w.result?.rows.length ?? 0), 0);
    return done(output.data.length, {
      rows,
      truncated: false,
      pages: output.pages,
      warnings: output.warnings,
    });
  }

  if (format === 'zip') {
    if (!('dashboard' in target)) throw validationError('format', 'only a whole dashboard exports as zip');
    const dashboard = await deps.dashboards.lookup(principal, target.dashboard);
    const widgetIds = dataWidgets(dashboard).map((widget) => widget.id);
    const bundle = { dashboard: dashboard.id, widgetIds, filters, variables: request.variables };
    const { size, ...rest } = await produceCsvBundle(
      produceExport,
      deps,
      principal,
      bundle,
      path,
      signal,
      progress,
    );
    return done(size, rest);
  }

  if ('dashboard' in target) {
    if (format === 'csv') throw validationError('format', 'a whole dashboard exports as xlsx, pdf or png');
    const dashboard = await deps.dashboards.lookup(principal, target.dashboard);
    const widgetContext = {
      ...context,
      variables: variablesOf(principal, dashboard, request.variables),
      saved: true,
    };
    const sheets = [];
    const widgets = dataWidgets(dashboard);
    for (const [i, widget] of widgets.entries()) {
      const result = await renderWidget(deps, principal, widget, widget.query, widgetContext);
      progress(10 + Math.round((60 * (i + 1)) / widgets.length));
      sheets.push({
        name: result.title,
        columns: result.result?.columns ?? [],
        rows: result.result?.rows ?? [],
        format: numberFormatOf(widget.visualization.options),
      });
    }
    const { rows } = await writeXlsx(sheets, path, { escapeFormulas: deps.escapeFormulas });
    return done((await stat(path)).size, { rows, truncated: false, warnings: [] });
  }

  const { dashboard, body, saved, widgetId, sheetName, visualization } = await queryOf(
    deps,
    principal,
    target,
  );
  const variables = variablesOf(principal, dashboard, request.variables);
  const full = await bodyOf(deps, principal, body, { filters, variables, widgetId });
  const { engine, query, cap, limited, readOnly } = await compileBody(deps, principal, full, saved);
  // Rows past the query's own limit were not asked for: only the row cap cuts an export.
  const written = (rows: number, cut: boolean) => {
    const truncated = cut && !limited;
    return { rows, truncated, warnings: truncation({ truncated }, deps.maxRows) };
  };
  if (format === 'csv' && engine.copyToCsv && !readOnly) {
    // The engine writes the file itself: no value becomes a JS value on the way (it has no
    // read-only mode: a query with SQL of its own is streamed instead).
    const options = {
      delimiter: ',',
      header: true,
      maxRows: cap,
      escapeFormulas: deps.escapeFormulas,
      signal,
    };
    const { rows, truncated } = await engine.copyToCsv(query, path, options);
    return done((await stat(path)).size, written(rows, truncated));
  }
  const { rows: stream, state } = await openRows(engine, query, cap, { signal, readOnly });
  if (format === 'csv') {
    const { bytes } = await writeCsv(stream, path, { escapeFormulas: deps.escapeFormulas });
    return done(bytes, written(state.rows, state.truncated));
  }
  const { rows } = await writeXlsx(
    [
      {
        name: sheetName,
        columns: stream.columns,
        rows: stream.batches,
        format: numberFormatOf(visualization?.options),
      },
    ],
    path,
    { escapeFormulas: deps.escapeFormulas },
  );
  return done((await stat(path)).size, written(rows, state.truncated));
}

/**
 * The one query a widget, a saved chart or an ad-hoc query exports: a dashboard's widget
 * (`widgetId`) takes the dashboard filters that apply to it; a saved one runs as saved.
 */
async function queryOf(
  deps: ProduceDeps,
  principal: Principal,
  target: Exclude<RenderTarget, { dashboard: number | string }>,
) {
  if ('query' in target)
    return { dashboard: null, body: target.query, saved: false, sheetName: 'Query', visualization: null };
  if ('chart' in target) {
    const chart = await deps.charts.lookup(principal, target.chart);
    const body = chart.query as Record<string, unknown>;
    return { dashboard: null, body, saved: true, sheetName: chart.name, visualization: chart.visualization };
  }
  const { dashboard, widget, query } = await widgetOf(deps, principal, target.widget);
  return {
    dashboard,
    body: query,
    saved: true,
    widgetId: widget.id,
    sheetName: widget.id,
    visualization: widget.visualization,
  };
}

const truncation = (state: { truncated: boolean }, maxRows: number): string[] =>
  state.truncated ? [`the export stopped at the row cap of ${maxRows} rows`] : [];
