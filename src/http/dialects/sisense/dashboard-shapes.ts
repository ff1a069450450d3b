import type { AccessEntry, Dashboard, DashboardPatchInput } from '../../../core/content/index.ts';
import { isRosettaError, validationError } from '../../../core/errors.ts';
import { isJsonObject, type JsonObject, nullableText, object, text } from '../../../core/input.ts';
import {
  faceSettingsOf,
  type SisenseContent,
  type SisenseDashboardSettings,
  settingsOf,
} from './dashboard-context.ts';
import { dashboardFiltersOf, filterItemsOf, itemsStillMatch } from './dashboard-filters.ts';
import { datasourceJson } from './dataset-shapes.ts';
import { cubeOfDatasource, parseSisenseWidget, widgetJson } from './widget-shapes.ts';

/** Keys the server writes, or that have their own routes: never kept from a body. */
const serverKeys = [
  '_id',
  'oid',
  'owner',
  'userId',
  'created',
  'lastUpdated',
  'lastOpened',
  'instanceType',
  'shares',
  'widgets',
  'title',
  'desc',
  'parentFolder',
  'datasource',
];
const MAX_DISPLAY_CHARS = 100_000;

export interface ShareJson {
  shareId: string;
  type: 'user' | 'group';
  rule: 'view' | 'edit';
  subscribe: boolean;
}

/** The dashboard's shares as Sisense lists them (the owner's own access is no share). */
export async function sharesJson(
  context: SisenseContent,
  shares: readonly AccessEntry[],
): Promise<ShareJson[]> {
  return Promise.all(
    shares.map(async (share) => ({
      shareId: await context.oidOf(share.subject === 'user' ? 'users' : 'groups', share.id),
      type: share.subject,
      rule: share.level,
      subscribe: false,
    })),
  );
}

/** The dashboard as Sisense shows it; its widgets only when asked (`expand=widgets`, a .dash file). */
export async function dashboardJson(context: SisenseContent, dashboard: Dashboard, withWidgets: boolean) {
  const settings = settingsOf(dashboard);
  const [oid, ownerOid, parentFolder, shares, datasource] = await Promise.all([
    context.oidOf('dashboards', dashboard.id),
    context.oidOf('users', dashboard.ownerId),
    dashboard.folderId === null ? null : context.oidOf('folders', dashboard.folderId),
    sharesJson(context, dashboard.shares),
    datasourceOf(context, dashboard),
  ]);
  const json: JsonObject = {
    ...settings.display,
    filters: itemsStillMatch(settings.display?.filters, dashboard.filters)
      ? settings.display?.filters
      : filterItemsOf(await cubeOf(context, datasource), dashboard.filters),
    _id: oid,
    oid,
    title: dashboard.name,
    desc: dashboard.description ?? '',
    owner: ownerOid,
    userId: ownerOid,
    parentFolder,
    datasource,
    created: dashboard.createdAt,
    lastUpdated: dashboard.updatedAt,
    instanceType: 'owner',
    shares,
  };
  if (withWidgets || !isJsonObject(json.layout)) {
    const widgetOids = await context.widgetOids(dashboard);
    if (!isJsonObject(json.layout) || !layoutNames(json.layout, [...widgetOids.values()]))
      json.layout = columnLayout([...widgetOids.values()]);
    if (withWidgets)
      json.widgets = await Promise.all(
        dashboard.widgets.map((widget) =>
          widgetJson(context, dashboard, widget, {
            oid: widgetOids.get(widget.id) as string,
            dashboardOid: oid,
            ownerOid,
          }),
        ),
      );
  }
  return json;
}

/** The cube a dashboard's `datasource` names, if the caller sees it. */
async function cubeOf(context: SisenseContent, datasource: unknown) {
  const title = isJsonObject(datasource) ? datasource.title : undefined;
  return (await context.cubes()).find((cube) => cube.title === title);
}

/** The kept data source, else the cube of the first tile with a query, else none. */
async function datasourceOf(context: SisenseContent, dashboard: Dashboard) {
  const kept = settingsOf(dashboard).datasource;
  if (kept) return kept;
  const source = dashboard.widgets.find((widget) => widget.query)?.query?.source;
  const cube = source === undefined ? undefined : (await context.cubes()).find((c) => c.source === source);
  return cube ? datasourceJson(cube) : null;
}

/** Whether a kept layout still places exactly the dashboard's widgets. */
function layoutNames(layout: JsonObject, oids: string[]): boolean {
  const named = JSON.stringify(layout).match(/"widgetid":"[0-9a-f]{24}"/g) ?? [];
  const ids = new Set(named.map((entry) => entry.slice(12, 36)));
  return ids.size === oids.length && oids.every((oid) => ids.has(oid));
}

/** Sisense's columnar layout: one column, one cell per widget in the dashboard's order. */
const columnLayout = (oids: string[]) => ({
  type: 'columnar',
  columns: [
    {
      width: 100,
      cells: oids.map((widgetid) => ({
        subcells: [{ elements: [{ widgetid, height: 'auto' }], width: 100 }],
      })),
    },
  ],
});

/** The id of the current widget a widget body's `oid` names, if it names one of `dashboard`'s. */
async function currentWidgetKey(context: SisenseContent, dashboard: Dashboard, body: unknown) {
  const oid = isJsonObject(body) ? (body.oid ?? body._id) : undefined;
  if (typeof oid !== 'string' || !/^[0-9a-f]{24}$/i.test(oid)) return undefined;
  return context.widgetKey(dashboard, oid).catch((error) => {
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND') return undefined;
    throw error;
  });
}

/**
 * A Sisense dashboard body as the core's dashboard input: `title`, `desc`, `parentFolder` and the
 * widgets (a .dash file's) map onto Rosetta's content; the data source and the other Sisense keys
 * are kept as the face's settings. `current` is the dashboard a PATCH applies to.
 */
export async function parseSisenseDashboard(
  context: SisenseContent,
  body: unknown,
  current?: Dashboard,
): Promise<DashboardPatchInput> {
  const input = object('', body);
  const settings: SisenseDashboardSettings = { ...(current && settingsOf(current)) };
  const patch: DashboardPatchInput = {};
  if (input.title !== undefined) patch.name = text('title', input.title, 255);
  else if (!current) throw validationError('title', 'is required');
  if (input.desc !== undefined) patch.description = nullableText('desc', input.desc, 10_000) || null;
  if (input.parentFolder !== undefined)
    patch.folderId =
      input.parentFolder === null ? null : await context.folderId(input.parentFolder, 'parentFolder');
  if (input.datasource !== undefined) {
    const cube = await cubeOfDatasource(context, input.datasource, 'datasource');
    settings.datasource = cube ? { ...(input.datasource as JsonObject), ...datasourceJson(cube) } : undefined;
  }
  const display: JsonObject = { ...settings.display };
  for (const [key, value] of Object.entries(input)) if (!serverKeys.includes(key)) display[key] = value;
  if (input.filters !== undefined) {
    const cube = await cubeOfDatasource(context, settings.datasource, 'datasource');
    const empty = Array.isArray(input.filters) && input.filters.length === 0;
    if (!cube && !empty)
      throw validationError('filters', 'filter a dashboard with a datasource: give it one');
    const { filters, items } = cube ? dashboardFiltersOf(cube, input.filters) : { filters: [], items: [] };
    patch.filters = filters;
    display.filters = items;
  }
  if (JSON.stringify(display).length > MAX_DISPLAY_CHARS)
    throw validationError('body', `holds more than ${MAX_DISPLAY_CHARS} characters of display settings`);
  settings.display = display;
  if (input.widgets !== undefined) {
    if (!Array.isArray(input.widgets)) throw validationError('widgets', 'must be an array');
    const parsed = [];
    for (const [i, widget] of input.widgets.entries()) {
      const one = await parseSisenseWidget(context, widget, `widgets[${i}]`, {
        datasource: input.datasource ?? settings.datasource,
      });
      // A widget the dashboard already has (a .dash file imported over it) keeps its id, so its oid.
      const key = current && (await currentWidgetKey(context, current, widget));
      parsed.push(key ? { ...one, widget: { ...one.widget, id: key } } : one);
    }
    patch.widgets = parsed.map(({ widget }) => widget);
    settings.widgets = Object.fromEntries(parsed.map(({ widget, display: kept }) => [widget.id, kept]));
  }
  patch.faceSettings = faceSettingsOf(settings);
  // A new Sisense dashboard outside folders is its owner's until shared: Rosetta's personal space.
  if (!current) patch.personal = patch.folderId === undefined || patch.folderId === null;
  return patch;
}
