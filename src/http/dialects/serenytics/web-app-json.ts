import { randomUUID } from 'node:crypto';
import type {
  Dashboard,
  DashboardPatchInput,
  DashboardVariable,
  LayoutItem,
  Widget,
  WidgetInput,
} from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { array, isJsonObject, object, record, scalar, text } from '../../../core/input.ts';
import { homeFolderUuid, unhomed } from './folders.ts';

/**
 * Dashboards as Serenytics web apps. The client edits `jsonContent.cssContent`,
 * `jsonContent.headerMode` and `jsonContent.htmlHeader`; dashboard variables are a flat
 * name → value object. Serenytics' own widget model is undocumented, so widgets take this shape:
 * `{uuid, title, type, options, data: {datasource_uuid, query} | null, position: {x, y, w, h}}`,
 * where `type` and `options` are the visualization and `query` the native query body without
 * its source. A PUT writes them back: the list given replaces the widgets (added, removed,
 * reordered), and an entry naming a current widget's `uuid` needs only the keys it changes.
 * Dashboard filters are shown and written in Rosetta's own shape.
 */
export function webAppJson(dashboard: Dashboard) {
  return {
    uuid: dashboard.uuid,
    name: dashboard.name,
    description: dashboard.description,
    folder_uuid: dashboard.folderUuid ?? homeFolderUuid(dashboard.organizationId, 'dashboard'),
    version: dashboard.version,
    created_at: dashboard.createdAt,
    updated_at: dashboard.updatedAt,
    jsonContent: {
      cssContent: dashboard.customCss ?? '',
      headerMode: dashboard.headerHtml ? 'custom' : 'default',
      htmlHeader: dashboard.headerHtml ?? '',
      dashboard_variables: variablesJson(dashboard.variables),
      widgets: dashboard.widgets.map((widget) => widgetJson(widget, dashboard.layout)),
      filters: dashboard.filters,
    },
  };
}

const variablesJson = (variables: DashboardVariable[]) =>
  Object.fromEntries(variables.map((variable) => [variable.name, variable.default]));

type WidgetJson = ReturnType<typeof widgetJson>;
const widgetKeys = ['uuid', 'title', 'type', 'options', 'data', 'position'];

function widgetJson(widget: Widget, layout: LayoutItem[]) {
  const cell = layout.find((item) => item.widgetId === widget.id);
  const { source, ...query } = widget.query ?? { source: '' };
  return {
    uuid: widget.id,
    title: widget.title,
    type: widget.visualization.type,
    options: widget.visualization.options,
    data: widget.query ? { datasource_uuid: source, query } : null,
    position: cell ? { x: cell.x, y: cell.y, w: cell.w, h: cell.h } : null,
  };
}

/** The widget's data config → the core widget query; checks name the web app's fields. */
function queryOf(field: string, data: unknown): WidgetInput['query'] {
  if (data === null) return null;
  const { datasource_uuid: source, query = {} } = record(field, data, ['datasource_uuid', 'query']);
  if (typeof source !== 'string' || source === '')
    throw validationError(`${field}.datasource_uuid`, 'must be a data source uuid');
  return { ...object(`${field}.query`, query), source };
}

/** Widgets and layout of a PUT, each entry merged onto the current widget of the same uuid. */
function widgetsPatch(value: unknown, current: Dashboard): Pick<DashboardPatchInput, 'widgets' | 'layout'> {
  const entries = array('jsonContent.widgets', value);
  const currentJson = new Map(current.widgets.map((w) => [w.id, widgetJson(w, current.layout)]));
  const widgets: WidgetInput[] = [];
  const layout: LayoutItem[] = [];
  entries.forEach((item, i) => {
    const field = `jsonContent.widgets[${i}]`;
    const entry = record(field, item, widgetKeys);
    const uuid = entry.uuid === undefined ? undefined : text(`${field}.uuid`, entry.uuid, 64);
    const base = (uuid === undefined ? undefined : currentJson.get(uuid)) ?? {};
    const merged = { ...base, ...entry } as Partial<WidgetJson> & Record<string, unknown>;
    if (merged.type === undefined) throw validationError(`${field}.type`, 'is required for a new widget');
    if (merged.options !== undefined) object(`${field}.options`, merged.options);
    // A new widget gets its uuid here, so its position can name it.
    const id = merged.uuid ?? randomUUID();
    const widget: WidgetInput = {
      id,
      ...(merged.title !== undefined && { title: merged.title }),
      visualization: { type: merged.type, ...(merged.options && { options: merged.options }) },
      query: merged.data === undefined ? null : queryOf(`${field}.data`, merged.data),
    };
    widgets.push(widget);
    if (merged.position === undefined || merged.position === null) return;
    layout.push({ ...object(`${field}.position`, merged.position), widgetId: id } as LayoutItem);
  });
  return { widgets, layout };
}

/**
 * The fields of a whole or partial web app this face writes; anything else is left as it is.
 * `current` is the dashboard the PUT applies to (widget entries are merged onto it).
 */
export function webAppPatch(body: Record<string, unknown>, current: Dashboard): DashboardPatchInput {
  const patch: DashboardPatchInput = {};
  if (body.name !== undefined) patch.name = body.name as string;
  if (body.description !== undefined) patch.description = body.description as string | null;
  if (body.folder_uuid !== undefined)
    patch.folderId = unhomed(body.folder_uuid, current.organizationId) as string | null;
  const content = body.jsonContent === undefined ? undefined : object('jsonContent', body.jsonContent);
  if (content?.cssContent !== undefined) patch.customCss = (content.cssContent as string) || null;
  const html = content?.htmlHeader;
  if (html !== undefined || content?.headerMode !== undefined) {
    patch.headerHtml =
      content?.headerMode === 'default' || content?.headerMode === 'none' ? null : (html as string) || null;
  }
  if (content?.widgets !== undefined) Object.assign(patch, widgetsPatch(content.widgets, current));
  if (content?.filters !== undefined) patch.filters = content.filters as DashboardPatchInput['filters'];
  return patch;
}

/**
 * The web app's name of a field of a patch made by `webAppPatch`, for the core's errors about it:
 * `widgets[2].visualization.type` → `jsonContent.widgets[2].type`, `layout[…]` → the position
 * of the widget it places, `folderId` → `folder_uuid`.
 */
export const webAppField =
  (patch: DashboardPatchInput) =>
  (path: string): string => {
    const layoutCell = /^layout\[(\d+)\]/.exec(path);
    if (layoutCell) {
      const widgetId = patch.layout?.[Number(layoutCell[1])]?.widgetId;
      const widgetIndex = patch.widgets?.findIndex((w) => w.id === widgetId);
      return `jsonContent.widgets[${widgetIndex}].position${path.slice(layoutCell[0].length)}`;
    }
    return path
      .replace(/^widgets\[(\d+)\]\.visualization\./, 'jsonContent.widgets[$1].')
      .replace(/^widgets\[(\d+)\]\.query/, 'jsonContent.widgets[$1].data')
      .replace(/^widgets\[(\d+)\]\.id/, 'jsonContent.widgets[$1].uuid')
      .replace(/^(widgets|filters)/, 'jsonContent.$1')
      .replace(/^folderId$/, 'folder_uuid');
  };

/** Merges new variables into the current ones: values are updated or added, never removed. */
export function mergedVariables(current: DashboardVariable[], incoming: unknown): DashboardVariable[] {
  const merged = new Map(current.map((variable) => [variable.name, variable]));
  for (const [name, raw] of Object.entries(object('dashboard_variables', incoming))) {
    const value = scalar(`dashboard_variables.${name}`, raw);
    const type = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
    merged.set(name, {
      name,
      type: merged.get(name)?.type ?? type,
      default: value,
    });
  }
  return [...merged.values()];
}

/**
 * A dashboard payload (`embeddedPayload` of generate_pdf, `dashboard_payload` of an email) as
 * the dashboard filter values an export takes: a key names a dashboard filter (id or field),
 * a scalar becomes a one-value list, a list or a range object is kept.
 */
export function payloadFilters(field: string, payload: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object(field, payload)).map(([key, value]) => [
      key,
      isJsonObject(value) || Array.isArray(value) ? value : [value],
    ]),
  );
}
