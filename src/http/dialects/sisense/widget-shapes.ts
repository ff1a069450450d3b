import { randomUUID } from 'node:crypto';
import type { Dashboard, VisualizationType, Widget } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { isJsonObject, type JsonObject, object, text } from '../../../core/input.ts';
import type { SavedQuery } from '../../../core/query/index.ts';
import type { SisenseContent } from './dashboard-context.ts';
import { settingsOf } from './dashboard-context.ts';
import { datasourceJson } from './dataset-shapes.ts';
import { type Elasticube, findElasticube } from './elasticubes.ts';
import { helperSeries, panelsOfQuery, widgetQueryOf } from './widget-query.ts';

/** Sisense widget types onto Rosetta's visualizations; an unknown type shows as a table. */
const visualizations: Record<string, VisualizationType> = {
  'chart/column': 'bar',
  'chart/bar': 'bar',
  'chart/line': 'line',
  'chart/area': 'area',
  'chart/pie': 'pie',
  'chart/scatter': 'scatter',
  indicator: 'kpi',
  pivot: 'pivot',
  pivot2: 'pivot',
  tablewidget: 'table',
  tablewidgetagg: 'table',
  richtexteditor: 'text',
};

/** Rosetta's visualizations as Sisense types, for tiles made elsewhere: [type, subtype]. */
const sisenseTypes: Record<VisualizationType, [string, string]> = {
  table: ['tablewidget', 'tablewidget'],
  bar: ['chart/column', 'column/classic'],
  stacked_bar: ['chart/column', 'column/stackedcolumn'],
  line: ['chart/line', 'line/basic'],
  area: ['chart/area', 'area/basic'],
  pie: ['chart/pie', 'pie/classic'],
  donut: ['chart/pie', 'pie/donut'],
  scatter: ['chart/scatter', 'scatter/basic'],
  kpi: ['indicator', 'indicator/numeric'],
  pivot: ['pivot2', 'pivot2'],
  text: ['richtexteditor', 'richtexteditor'],
};

/** Keys the server writes: never stored from a body. */
const serverKeys = ['_id', 'oid', 'dashboardid', 'owner', 'userId', 'created', 'lastUpdated', 'instanceType'];
const MAX_WIDGET_CHARS = 100_000;

/** A body's data source: its `title` (or `fullname`), as a cube the caller sees. */
export async function cubeOfDatasource(
  context: SisenseContent,
  datasource: unknown,
  field: string,
): Promise<Elasticube | undefined> {
  if (datasource === undefined || datasource === null) return undefined;
  const source = object(field, datasource);
  return findElasticube(context.ports, context.principal, source.title ?? source.fullname, `${field}.title`);
}

export interface ParsedWidget {
  widget: Widget;
  /** The widget's own Sisense JSON, kept for the round trip. */
  display: JsonObject;
}

/**
 * A Sisense widget body (whole, or a PATCH over `current`) as a Rosetta tile: its title, its
 * visualization and the query of its panels on its data source (the dashboard's by default).
 */
export async function parseSisenseWidget(
  context: SisenseContent,
  body: unknown,
  field: string,
  defaults: { datasource?: unknown; current?: ParsedWidget },
): Promise<ParsedWidget> {
  const input = object(field, body);
  if (JSON.stringify(input).length > MAX_WIDGET_CHARS)
    throw validationError(field, `is larger than ${MAX_WIDGET_CHARS} characters`);
  const display: JsonObject = { ...defaults.current?.display };
  for (const [key, value] of Object.entries(input)) if (!serverKeys.includes(key)) display[key] = value;
  const current = defaults.current?.widget;
  const type = display.type === undefined ? undefined : text(`${field}.type`, display.type, 100);
  const visualization =
    type === undefined ? (current?.visualization.type ?? 'table') : (visualizations[type] ?? 'table');
  const title = display.title === undefined ? '' : text(`${field}.title`, display.title, 255);
  if (display.metadata !== undefined && !isJsonObject(display.metadata))
    throw validationError(`${field}.metadata`, 'must be an object with `panels`');
  // A PATCH that changes neither the panels, the data source nor the type keeps the tile's query
  // (which may have been made elsewhere, with no panels kept).
  const requery = !current || ['metadata', 'datasource', 'type'].some((key) => input[key] !== undefined);
  let query = current?.query ?? null;
  if (requery) {
    const cube = await cubeOfDatasource(
      context,
      display.datasource ?? defaults.datasource,
      `${field}.datasource`,
    );
    query =
      visualization === 'text' || !cube
        ? null
        : widgetQueryOf(cube, display.metadata, `${field}.metadata`, {
            maxRows: context.ports.maxRows,
            pivot: visualization === 'pivot',
          });
  }
  const widget: Widget = {
    id: current?.id ?? randomUUID(),
    title,
    query: current?.chartId ? current.query : query,
    visualization: { type: visualization, options: optionsFor(current?.visualization.options ?? {}, query) },
    ...(current?.chartId && { chartId: current.chartId }),
  };
  return { widget, display };
}

/** The tile's display options, with the planner's helper series hidden (and no other hiding lost). */
function optionsFor(options: Record<string, unknown>, query: SavedQuery | null): Record<string, unknown> {
  const { hiddenSeries: _, ...rest } = options;
  const kept = Array.isArray(options.hiddenSeries)
    ? options.hiddenSeries.filter((name) => typeof name === 'string' && !name.startsWith('jaql_h'))
    : [];
  const hidden = [...kept, ...helperSeries(query)];
  return hidden.length > 0 ? { ...rest, hiddenSeries: hidden } : rest;
}

/** A stored tile with its kept Sisense JSON, ready to be patched. */
export function storedWidget(dashboard: Dashboard, key: string): ParsedWidget {
  const widget = dashboard.widgets.find((candidate) => candidate.id === key) as Widget;
  return { widget, display: settingsOf(dashboard).widgets?.[key] ?? {} };
}

/** The widget as Sisense shows it: its kept JSON, with what Rosetta holds now written over it. */
export async function widgetJson(
  context: SisenseContent,
  dashboard: Dashboard,
  widget: Widget,
  ids: { oid: string; dashboardOid: string; ownerOid: string },
) {
  const display = settingsOf(dashboard).widgets?.[widget.id] ?? {};
  const cubes = await context.cubes();
  const cube = widget.query
    ? cubes.find((candidate) => candidate.source === widget.query?.source)
    : undefined;
  const [type, subtype] = sisenseTypes[widget.visualization.type] ?? sisenseTypes.table;
  const keptType =
    typeof display.type === 'string' && visualizations[display.type] === widget.visualization.type;
  return {
    ...display,
    _id: ids.oid,
    oid: ids.oid,
    title: widget.title,
    type: keptType ? display.type : type,
    subtype: keptType && display.subtype !== undefined ? display.subtype : subtype,
    desc: display.desc ?? null,
    dashboardid: ids.dashboardOid,
    owner: ids.ownerOid,
    userId: ids.ownerOid,
    datasource: cube ? datasourceJson(cube) : (display.datasource ?? null),
    metadata: isJsonObject(display.metadata)
      ? display.metadata
      : { ignore: { dimensions: [], ids: [], all: false }, panels: panelsOfQuery(cube, widget.query) },
    style: display.style ?? {},
    instanceType: 'owner',
    created: dashboard.createdAt,
    lastUpdated: dashboard.updatedAt,
  };
}
