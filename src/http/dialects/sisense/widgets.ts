import type { Dashboard, Widget } from '../../../core/content/index.ts';
import type { JsonObject } from '../../../core/input.ts';
import { type App, principalOf } from '../../server.ts';
import { type DashboardPorts, faceSettingsOf, SisenseContent, settingsOf } from './dashboard-context.ts';
import { applyListOptions } from './list-options.ts';
import { type QueryParams, queryText } from './query-params.ts';
import { type ParsedWidget, parseSisenseWidget, storedWidget, widgetJson } from './widget-shapes.ts';

type DashboardParams = { Params: { dashboardId: string }; Querystring: QueryParams };
type WidgetParams = { Params: { dashboardId: string; widgetId: string }; Querystring: QueryParams };

/** The dashboard's widgets as Sisense shows them, in the dashboard's order. */
async function widgetsJson(context: SisenseContent, dashboard: Dashboard) {
  const [oids, dashboardOid, ownerOid] = await Promise.all([
    context.widgetOids(dashboard),
    context.oidOf('dashboards', dashboard.id),
    context.oidOf('users', dashboard.ownerId),
  ]);
  return Promise.all(
    dashboard.widgets.map((widget) =>
      widgetJson(context, dashboard, widget, { oid: oids.get(widget.id) as string, dashboardOid, ownerOid }),
    ),
  );
}

async function oneWidgetJson(context: SisenseContent, dashboard: Dashboard, key: string) {
  const all = await widgetsJson(context, dashboard);
  return all[dashboard.widgets.findIndex((widget) => widget.id === key)];
}

/**
 * Stores the dashboard's widgets and their kept Sisense JSON as one change (one new version), so
 * a tile and the JSON it was made from never part.
 */
function saveWidgets(
  context: SisenseContent,
  dashboard: Dashboard,
  widgets: Widget[],
  displays: Record<string, JsonObject>,
): Promise<Dashboard> {
  const kept = Object.fromEntries(widgets.flatMap((w) => (displays[w.id] ? [[w.id, displays[w.id]]] : [])));
  return context.ports.content.dashboards.update(context.principal, dashboard.id, {
    widgets,
    faceSettings: faceSettingsOf({ ...settingsOf(dashboard), widgets: kept }),
  });
}

const withWidget = (dashboard: Dashboard, parsed: ParsedWidget) => ({
  widgets: dashboard.widgets.some((w) => w.id === parsed.widget.id)
    ? dashboard.widgets.map((w) => (w.id === parsed.widget.id ? parsed.widget : w))
    : [...dashboard.widgets, parsed.widget],
  displays: { ...settingsOf(dashboard).widgets, [parsed.widget.id]: parsed.display },
});

/** Widgets (WDG-01, 02, 03 and the lost single GET and PATCH), as tiles of their dashboard. */
export function registerWidgetRoutes(api: App, ports: DashboardPorts): void {
  const contextOf = (request: Parameters<typeof principalOf>[0]) =>
    new SisenseContent(ports, principalOf(request));

  api.get<DashboardParams>('/api/v1/dashboards/:dashboardId/widgets', async (request) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.dashboardId, 'dashboardId');
    const filters = (['title', 'type', 'subtype'] as const).map((name) => [
      name,
      queryText(request.query, name),
    ]);
    const listed = (await widgetsJson(context, dashboard)).filter((widget) =>
      filters.every(([name, value]) => value === undefined || widget[name as 'title'] === value),
    );
    return applyListOptions(listed, request.query);
  });

  api.post<DashboardParams>('/api/v1/dashboards/:dashboardId/widgets', async (request, reply) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.dashboardId, 'dashboardId');
    const parsed = await parseSisenseWidget(context, request.body, 'widget', {
      datasource: settingsOf(dashboard).datasource,
    });
    const { widgets, displays } = withWidget(dashboard, parsed);
    const saved = await saveWidgets(context, dashboard, widgets, displays);
    return reply.code(201).send(await oneWidgetJson(context, saved, parsed.widget.id));
  });

  api.get<WidgetParams>('/api/v1/dashboards/:dashboardId/widgets/:widgetId', async (request) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.dashboardId, 'dashboardId');
    const key = await context.widgetKey(dashboard, request.params.widgetId);
    const [json] = applyListOptions([await oneWidgetJson(context, dashboard, key)], {
      fields: queryText(request.query, 'fields'),
    });
    return json;
  });

  api.patch<WidgetParams>('/api/v1/dashboards/:dashboardId/widgets/:widgetId', async (request) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.dashboardId, 'dashboardId');
    const key = await context.widgetKey(dashboard, request.params.widgetId);
    const current = storedWidget(dashboard, key);
    const patched = await parseSisenseWidget(context, request.body, 'widget', {
      datasource: settingsOf(dashboard).datasource,
      current: { ...current, display: { title: current.widget.title, ...current.display } },
    });
    const { widgets, displays } = withWidget(dashboard, patched);
    const saved = await saveWidgets(context, dashboard, widgets, displays);
    return oneWidgetJson(context, saved, key);
  });

  api.delete<WidgetParams>('/api/v1/dashboards/:dashboardId/widgets/:widgetId', async (request, reply) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.dashboardId, 'dashboardId');
    const key = await context.widgetKey(dashboard, request.params.widgetId);
    const displays = { ...settingsOf(dashboard).widgets };
    delete displays[key];
    await saveWidgets(
      context,
      dashboard,
      dashboard.widgets.filter((widget) => widget.id !== key),
      displays,
    );
    return reply.code(200).send();
  });
}
