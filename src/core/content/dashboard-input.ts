import { randomUUID } from 'node:crypto';
import { validationError } from '../errors.ts';
import {
  fieldPath,
  finiteNumber,
  identifier,
  type JsonObject,
  jsonDocument,
  label,
  list,
  nullableText,
  object,
  oneOf,
  record,
  text,
} from '../input.ts';
import { checkDisplayOptions } from './display-options.ts';
import { accessList, contentRef } from './input.ts';
import { type LayoutCell, layoutCell } from './layout.ts';
import { type Placement, personalFlag } from './placement.ts';
import {
  type AccessEntry,
  type ContentRef,
  type DashboardContent,
  type DashboardFilter,
  type DashboardVariable,
  filterTypes,
  type LayoutItem,
  type Visualization,
  type VisualizationType,
  variableTypes,
  visualizationTypes,
  type Widget,
  type WidgetQuery,
} from './types.ts';

/** Parsing of dashboard bodies (create, PATCH, PUT, single widgets) into domain values. */

const MAX_WIDGETS = 200;
const MAX_DOCUMENT_CHARS = 200_000;
const contentKeys = [
  'name',
  'description',
  'tags',
  'widgets',
  'filters',
  'variables',
  'layout',
  'customCss',
  'headerHtml',
  'faceSettings',
];
const patchKeys = [...contentKeys, 'folderId', 'personal', 'projectId'];
const createKeys = [...patchKeys, 'shares'];

/** Request shapes for typed callers; the parsers below accept any value and check it. */
export interface WidgetInput {
  id?: string;
  title?: string;
  query?: WidgetQuery | null;
  /** Required unless the widget shows a saved chart (`chartId`). */
  visualization?: { type: VisualizationType; options?: Record<string, unknown> };
  /** A saved chart (id or uuid): the widget then shows its query and visualization. */
  chartId?: ContentRef | null;
}

export interface DashboardInput {
  name: string;
  description?: string | null;
  folderId?: ContentRef | null;
  /** True: in the creator's personal space (no folder), until shared or filed. */
  personal?: boolean;
  /** Default: its folder's project, or the caller's default project at the top level. */
  projectId?: number;
  tags?: string[];
  widgets?: WidgetInput[];
  filters?: Array<Omit<DashboardFilter, 'id' | 'label'> & { id?: string; label?: string }>;
  variables?: DashboardVariable[];
  layout?: LayoutItem[];
  customCss?: string | null;
  headerHtml?: string | null;
  faceSettings?: DashboardContent['faceSettings'];
  shares?: AccessEntry[];
}

export type DashboardPatchInput = Partial<Omit<DashboardInput, 'shares'>>;

export interface DashboardPatch extends Placement {
  content: Partial<DashboardContent>;
}

export interface DashboardCreate extends DashboardPatch {
  content: DashboardContent;
  /** Absent when the body has none (PUT then keeps the current shares). */
  shares?: AccessEntry[];
}

export function parseDashboardPatch(input: unknown): DashboardPatch {
  const body = record('', input, patchKeys);
  const content: Partial<DashboardContent> = {};
  if (body.name !== undefined) content.name = label('name', body.name);
  if (body.description !== undefined)
    content.description = nullableText('description', body.description, 10_000);
  if (body.tags !== undefined)
    content.tags = [...new Set(list('tags', body.tags, 50, (f, v) => label(f, v, 64)))];
  if (body.widgets !== undefined) content.widgets = parseWidgets(body.widgets);
  if (body.filters !== undefined) content.filters = parseFilters(body.filters);
  if (body.variables !== undefined) content.variables = parseVariables(body.variables);
  if (body.layout !== undefined) content.layout = list('layout', body.layout, MAX_WIDGETS, parseLayoutItem);
  if (body.customCss !== undefined) content.customCss = nullableText('customCss', body.customCss, 100_000);
  if (body.headerHtml !== undefined)
    content.headerHtml = nullableText('headerHtml', body.headerHtml, 100_000);
  if (body.faceSettings !== undefined) content.faceSettings = parseFaceSettings(body.faceSettings);
  const patch: DashboardPatch = { content };
  if (body.folderId !== undefined)
    patch.folderRef = body.folderId === null ? null : contentRef('folderId', body.folderId);
  if (body.personal !== undefined) patch.personal = personalFlag(body.personal, patch.folderRef);
  if (body.projectId !== undefined) patch.projectId = body.projectId;
  return patch;
}

/** A whole dashboard (POST and PUT): absent content fields take their defaults, `name` is required. */
export function parseDashboardCreate(input: unknown): DashboardCreate {
  const body = record('', input, createKeys);
  if (body.name === undefined) throw validationError('name', 'is required');
  const { shares, ...rest } = body;
  const { content, ...placement } = parseDashboardPatch(rest);
  const whole: DashboardContent = {
    name: content.name ?? '',
    description: content.description ?? null,
    tags: content.tags ?? [],
    widgets: content.widgets ?? [],
    filters: content.filters ?? [],
    variables: content.variables ?? [],
    layout: content.layout ?? [],
    customCss: content.customCss ?? null,
    headerHtml: content.headerHtml ?? null,
    ...(content.faceSettings && { faceSettings: content.faceSettings }),
  };
  const parsed: DashboardCreate = { content: whole, ...placement };
  if (shares !== undefined) parsed.shares = accessList('shares', shares);
  return parsed;
}

/** Face name → that face's own JSON object, kept as given. */
function parseFaceSettings(value: unknown): Record<string, Record<string, unknown>> {
  const settings = object('faceSettings', value);
  for (const [face, entry] of Object.entries(settings)) object(fieldPath('faceSettings', face), entry);
  return jsonDocument('faceSettings', settings, MAX_DOCUMENT_CHARS) as Record<
    string,
    Record<string, unknown>
  >;
}

function parseWidgets(value: unknown): Widget[] {
  const widgets = list('widgets', value, MAX_WIDGETS, (f, v) => parseWidget(f, v).widget);
  const seen = new Set<string>();
  widgets.forEach((widget, i) => {
    if (seen.has(widget.id)) throw validationError(`widgets[${i}].id`, `duplicate widget id ${widget.id}`);
    seen.add(widget.id);
  });
  return widgets;
}

/** One widget; `layout` (its cell) is accepted only by the single-widget endpoints. */
export function parseWidget(
  field: string,
  value: unknown,
  withCell = false,
): { widget: Widget; cell?: LayoutCell } {
  const body = record(field, value, [
    'id',
    'title',
    'query',
    'visualization',
    'chartId',
    ...(withCell ? ['layout'] : []),
  ]);
  const widget: Widget = {
    id: body.id === undefined ? randomUUID() : identifier(fieldPath(field, 'id'), body.id),
    title: body.title === undefined ? '' : text(fieldPath(field, 'title'), body.title, 255),
    query: null,
    visualization: { type: 'table', options: {} },
  };
  if (body.visualization === undefined && (body.chartId === undefined || body.chartId === null))
    throw validationError(fieldPath(field, 'visualization'), 'is required');
  applyWidgetFields(field, widget, body);
  const cell = body.layout === undefined ? undefined : layoutCell(fieldPath(field, 'layout'), body.layout);
  return cell ? { widget, cell } : { widget };
}

/**
 * Merges the given top-level keys of a widget body into `widget` (used by create and PATCH).
 * A widget showing a saved chart takes query and visualization from the chart, so those of the
 * body are not read (a dashboard as read can be written back as is); `chartId: null` turns it
 * into a plain widget holding the chart's query and visualization as they were.
 */
export function applyWidgetFields(field: string, widget: Widget, body: JsonObject): void {
  if (body.title !== undefined) widget.title = text(fieldPath(field, 'title'), body.title, 255);
  if (body.chartId === null) delete widget.chartId;
  else if (body.chartId !== undefined)
    widget.chartId = String(contentRef(fieldPath(field, 'chartId'), body.chartId));
  if (widget.chartId !== undefined) return;
  if (body.visualization !== undefined)
    widget.visualization = parseVisualization(fieldPath(field, 'visualization'), body.visualization);
  if (body.query !== undefined)
    widget.query = body.query === null ? null : parseQuery(fieldPath(field, 'query'), body.query);
  if (widget.visualization.type !== 'text' && widget.query === null) {
    throw validationError(fieldPath(field, 'query'), `is required for a ${widget.visualization.type} widget`);
  }
}

export function parseVisualization(field: string, value: unknown): Visualization {
  const viz = record(field, value, ['type', 'options']);
  const type = oneOf(fieldPath(field, 'type'), viz.type, visualizationTypes);
  const options = viz.options === undefined ? {} : object(fieldPath(field, 'options'), viz.options);
  checkDisplayOptions(fieldPath(field, 'options'), options);
  return {
    type,
    options: jsonDocument(fieldPath(field, 'options'), options, MAX_DOCUMENT_CHARS) as JsonObject,
  };
}

export function parseQuery(field: string, value: unknown): WidgetQuery {
  const query = object(field, value);
  text(fieldPath(field, 'source'), query.source, 255);
  return jsonDocument(field, query, MAX_DOCUMENT_CHARS) as WidgetQuery;
}

function parseFilters(value: unknown): DashboardFilter[] {
  const filters = list('filters', value, 50, (f, v) => {
    const body = record(f, v, ['id', 'field', 'label', 'type', 'default', 'tileTargets']);
    const filter: DashboardFilter = {
      id: body.id === undefined ? randomUUID() : identifier(fieldPath(f, 'id'), body.id),
      field: label(fieldPath(f, 'field'), body.field),
      label: '',
      type: oneOf(fieldPath(f, 'type'), body.type, filterTypes),
    };
    filter.label = body.label === undefined ? filter.field : text(fieldPath(f, 'label'), body.label, 255);
    if (body.default !== undefined && body.default !== null) {
      filter.default = filterDefault(fieldPath(f, 'default'), filter.type, body.default);
    }
    if (body.tileTargets !== undefined && body.tileTargets !== null) {
      const targets = tileTargets(fieldPath(f, 'tileTargets'), body.tileTargets);
      if (Object.keys(targets).length > 0) filter.tileTargets = targets;
    }
    return filter;
  });
  const seen = new Set<string>();
  filters.forEach((filter, i) => {
    if (seen.has(filter.id)) throw validationError(`filters[${i}].id`, `duplicate filter id ${filter.id}`);
    seen.add(filter.id);
  });
  return filters;
}

/** Widget id → the field the filter filters in that widget, or false for none. */
function tileTargets(field: string, value: unknown): Record<string, string | false> {
  const targets = object(field, value);
  const entries = Object.entries(targets);
  if (entries.length > 200) throw validationError(field, 'at most 200 widgets');
  return Object.fromEntries(
    entries.map(([widgetId, target]) => {
      const path = fieldPath(field, widgetId);
      identifier(path, widgetId);
      if (target === false) return [widgetId, false];
      if (typeof target !== 'string') throw validationError(path, 'must be a field name or false');
      return [widgetId, label(path, target)];
    }),
  );
}

/** Range bounds are passed on as given (ISO dates or relative expressions the query core reads). */
function filterDefault(field: string, type: DashboardFilter['type'], value: unknown): unknown {
  if (type === 'values') {
    return list(field, value, 1000, (f, v) => {
      if (typeof v === 'string') return text(f, v, 1000);
      if (typeof v === 'boolean') return v;
      return finiteNumber(f, v);
    });
  }
  if (type === 'date_range') {
    const range = record(field, value, ['from', 'to']);
    return {
      ...(range.from !== undefined && { from: label(fieldPath(field, 'from'), range.from, 64) }),
      ...(range.to !== undefined && { to: label(fieldPath(field, 'to'), range.to, 64) }),
    };
  }
  const range = record(field, value, ['min', 'max']);
  const min = range.min === undefined ? undefined : finiteNumber(fieldPath(field, 'min'), range.min);
  const max = range.max === undefined ? undefined : finiteNumber(fieldPath(field, 'max'), range.max);
  if (min !== undefined && max !== undefined && min > max)
    throw validationError(fieldPath(field, 'min'), 'must not exceed max');
  return { ...(min !== undefined && { min }), ...(max !== undefined && { max }) };
}

function parseVariables(value: unknown): DashboardVariable[] {
  const variables = list('variables', value, 50, (f, v) => {
    const body = record(f, v, ['name', 'type', 'default']);
    const name = text(fieldPath(f, 'name'), body.name, 64);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw validationError(fieldPath(f, 'name'), 'must be an identifier');
    const type = oneOf(fieldPath(f, 'type'), body.type, variableTypes);
    return { name, type, default: variableDefault(fieldPath(f, 'default'), type, body.default) };
  });
  const seen = new Set<string>();
  variables.forEach((variable, i) => {
    if (seen.has(variable.name))
      throw validationError(`variables[${i}].name`, `duplicate variable ${variable.name}`);
    seen.add(variable.name);
  });
  return variables;
}

function variableDefault(
  field: string,
  type: DashboardVariable['type'],
  value: unknown,
): DashboardVariable['default'] {
  if (value === undefined || value === null) return null;
  if (type === 'number') return finiteNumber(field, value);
  if (type === 'boolean') {
    if (typeof value !== 'boolean') throw validationError(field, 'must be a boolean');
    return value;
  }
  return text(field, value, 1000);
}

function parseLayoutItem(field: string, value: unknown): LayoutItem {
  const body = record(field, value, ['widgetId', 'x', 'y', 'w', 'h']);
  const widgetId = identifier(fieldPath(field, 'widgetId'), body.widgetId);
  return { widgetId, ...layoutCell(field, { x: body.x, y: body.y, w: body.w, h: body.h }) };
}
