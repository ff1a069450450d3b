import { randomUUID } from 'node:crypto';
import { type Static, Type } from 'typebox';
import type {
  Dashboard,
  DashboardInput,
  DashboardSummary,
  LayoutItem,
  Widget,
  WidgetInput,
} from '../../../core/content/index.ts';
import { GRID_COLUMNS } from '../../../core/content/index.ts';
import { isRosettaError, notFound, renameField, validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import { bodyChecker, ContentContext, type ContentPorts, contentContext, slugOf } from './content-context.ts';
import { coreDashboardFilters } from './dashboard-filters.ts';
import { ok } from './envelope.ts';

/** Lightdash's dashboard grid is 36 columns wide; Rosetta's is 12. */
const LIGHTDASH_COLUMNS = 36;
const SCALE = LIGHTDASH_COLUMNS / GRID_COLUMNS;
/** The key of this face's entry in a dashboard's `faceSettings`. */
const FACE = 'lightdash';

export const DashboardTileSchema = Type.Object({
  uuid: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  type: Type.Union([
    Type.Literal('saved_chart'),
    Type.Literal('sql_chart'),
    Type.Literal('semantic_viewer_chart'),
    Type.Literal('markdown'),
    Type.Literal('loom'),
  ]),
  x: Type.Integer({ minimum: 0, maximum: LIGHTDASH_COLUMNS - 1 }),
  y: Type.Integer({ minimum: 0 }),
  w: Type.Integer({ minimum: 1, maximum: LIGHTDASH_COLUMNS }),
  h: Type.Integer({ minimum: 1, maximum: 1000 }),
  tabUuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  properties: Type.Record(Type.String(), Type.Unknown()),
});
type DashboardTile = Static<typeof DashboardTileSchema>;
type TileType = DashboardTile['type'];

const TileTarget = Type.Union([
  Type.Object({ fieldId: Type.String(), tableName: Type.String() }),
  Type.Literal(false),
]);
export const DashboardFilterRuleSchema = Type.Object({
  id: Type.String(),
  target: Type.Object({ fieldId: Type.String(), tableName: Type.String() }),
  operator: Type.String(),
  values: Type.Optional(Type.Array(Type.Unknown())),
  settings: Type.Optional(Type.Unknown()),
  disabled: Type.Optional(Type.Boolean()),
  required: Type.Optional(Type.Boolean()),
  label: Type.Optional(Type.String()),
  tileTargets: Type.Optional(Type.Record(Type.String(), TileTarget)),
});
export type DashboardFilterRule = Static<typeof DashboardFilterRuleSchema>;
export const DashboardFiltersSchema = Type.Object({
  dimensions: Type.Array(DashboardFilterRuleSchema),
  metrics: Type.Array(DashboardFilterRuleSchema),
  tableCalculations: Type.Array(DashboardFilterRuleSchema),
});
export type DashboardFilters = Static<typeof DashboardFiltersSchema>;
export const DashboardTabSchema = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  order: Type.Number(),
});
type DashboardTab = Static<typeof DashboardTabSchema>;

const emptyFilters = (): DashboardFilters => ({ dimensions: [], metrics: [], tableCalculations: [] });

/** What the face keeps of a tile beside the core widget: its exact geometry, tab and properties. */
interface StoredTile {
  type: TileType;
  x: number;
  y: number;
  w: number;
  h: number;
  tabUuid?: string | null;
  properties: Record<string, unknown>;
  /** The core cell written with it: when the cell has moved since (another face), the cell wins. */
  cell: Omit<LayoutItem, 'widgetId'>;
}

type LightdashSettings = {
  tiles: Record<string, StoredTile>;
  tabs: DashboardTab[];
  filters: DashboardFilters;
};

const settingsOf = (dashboard: Pick<Dashboard, 'faceSettings'>): Partial<LightdashSettings> =>
  (dashboard.faceSettings?.[FACE] ?? {}) as Partial<LightdashSettings>;

/** A Lightdash cell on the core's 12-column grid. */
function coreCell(tile: Pick<DashboardTile, 'x' | 'y' | 'w' | 'h'>): Omit<LayoutItem, 'widgetId'> {
  const x = Math.min(GRID_COLUMNS - 1, Math.floor(tile.x / SCALE));
  const w = Math.max(1, Math.min(GRID_COLUMNS - x, Math.round(tile.w / SCALE)));
  return { x, y: tile.y, w, h: tile.h };
}

const sameCell = (a: Omit<LayoutItem, 'widgetId'>, b: Omit<LayoutItem, 'widgetId'>) =>
  a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;

const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A tile as a core widget: a chart tile shows its saved chart, the others are text widgets. */
function widgetOf(tile: DashboardTile, id: string, index: number): WidgetInput & { id: string } {
  const { properties } = tile;
  const title = textOf(properties.title).slice(0, 255);
  if (
    tile.type === 'saved_chart' &&
    properties.savedChartUuid !== null &&
    properties.savedChartUuid !== undefined
  ) {
    if (typeof properties.savedChartUuid !== 'string')
      throw validationError(`tiles[${index}].properties.savedChartUuid`, 'must be a chart uuid or null');
    return { id, title, chartId: properties.savedChartUuid };
  }
  const text = tile.type === 'markdown' ? textOf(properties.content) : textOf(properties.url);
  return { id, title, query: null, visualization: { type: 'text', options: { text } } };
}

/** The core widgets, layout and face settings of Lightdash tiles, tabs and filters. */
export function contentOfTiles(
  tiles: readonly DashboardTile[],
  tabs: DashboardTab[],
  filters: DashboardFilters,
): Pick<DashboardInput, 'widgets' | 'layout'> & { faceSettings: Record<string, LightdashSettings> } {
  const stored: Record<string, StoredTile> = {};
  const widgets: WidgetInput[] = [];
  const layout: LayoutItem[] = [];
  tiles.forEach((tile, index) => {
    const id = tile.uuid ?? randomUUID();
    if (stored[id]) throw validationError(`tiles[${index}].uuid`, `duplicate tile uuid ${id}`);
    const cell = coreCell(tile);
    const { savedChartUuid: _, ...properties } = tile.properties;
    stored[id] = {
      type: tile.type,
      x: tile.x,
      y: tile.y,
      w: tile.w,
      h: tile.h,
      tabUuid: tile.tabUuid,
      properties,
      cell,
    };
    widgets.push(widgetOf(tile, id, index));
    layout.push({ widgetId: id, ...cell });
  });
  return { widgets, layout, faceSettings: { [FACE]: { tiles: stored, tabs, filters } } };
}

/** Core field names in errors about widgets, as the Lightdash body names them. */
export function asTileError(error: unknown): never {
  if (isRosettaError(error) && error.field) {
    const match = /^widgets\[(\d+)\]\.chartId$/.exec(error.field);
    if (match) throw renameField(error, `tiles[${match[1]}].properties.savedChartUuid`);
    if (error.field === 'folderId') throw renameField(error, 'spaceUuid');
  }
  throw error;
}

/** `DashboardTile`s: the core widgets, with the geometry and properties Lightdash gave them. */
function tilesOf(dashboard: Dashboard, chartNames: Map<string, string>) {
  const { tiles = {} } = settingsOf(dashboard);
  return dashboard.widgets.map((widget: Widget) => {
    const cell = dashboard.layout.find((item) => item.widgetId === widget.id) ?? { x: 0, y: 0, w: 1, h: 1 };
    const kept = tiles[widget.id];
    const geometry =
      kept && sameCell(kept.cell, cell)
        ? { x: kept.x, y: kept.y, w: kept.w, h: kept.h }
        : { x: cell.x * SCALE, y: cell.y, w: cell.w * SCALE, h: cell.h };
    const base = { uuid: widget.id, ...geometry, ...(kept?.tabUuid && { tabUuid: kept.tabUuid }) };
    if (widget.chartId !== undefined || widget.query !== null) {
      const properties = kept?.type === 'saved_chart' ? kept.properties : {};
      const chartName = (widget.chartId && chartNames.get(widget.chartId)) ?? null;
      // The core titles an untitled chart tile with the chart's name; Lightdash leaves it untitled.
      const untitled = kept && kept.properties.title === undefined && widget.title === chartName;
      return {
        ...base,
        type: 'saved_chart' as const,
        properties: {
          ...properties,
          ...(!untitled && { title: widget.title }),
          savedChartUuid: widget.chartId ?? null,
          chartName,
        },
      };
    }
    const text = textOf(widget.visualization.options.text);
    if (kept && kept.type !== 'saved_chart' && kept.type !== 'markdown')
      return { ...base, type: kept.type, properties: { ...kept.properties, title: widget.title } };
    return {
      ...base,
      type: 'markdown' as const,
      properties: { ...(kept?.properties ?? {}), title: widget.title, content: text },
    };
  });
}

/** `DashboardBasicDetails`: a dashboard as lists and spaces show it. */
export async function dashboardBasicDetails(context: ContentContext, dashboard: DashboardSummary) {
  return {
    uuid: dashboard.uuid,
    name: dashboard.name,
    description: dashboard.description ?? undefined,
    spaceUuid: dashboard.folderUuid,
    projectUuid: context.project.uuid,
    organizationUuid: context.organization.uuid,
    pinnedListUuid: null,
    pinnedListOrder: null,
    updatedAt: dashboard.updatedAt,
    ...(await context.viewsOf('dashboard', dashboard)),
  };
}

/** `Dashboard` (spec §2.0.6). */
export async function dashboardJson(context: ContentContext, dashboard: Dashboard) {
  const { content } = context.ports;
  const [space, charts] = await Promise.all([
    dashboard.folderUuid ? content.folders.get(context.principal, dashboard.folderUuid) : undefined,
    content.charts.list(context.principal, { projectId: dashboard.projectId }),
  ]);
  const chartNames = new Map(charts.map((chart) => [chart.uuid, chart.name]));
  const settings = settingsOf(dashboard);
  return {
    uuid: dashboard.uuid,
    name: dashboard.name,
    description: dashboard.description ?? undefined,
    projectUuid: context.project.uuid,
    organizationUuid: context.organization.uuid,
    spaceUuid: dashboard.folderUuid,
    spaceName: space?.name ?? null,
    dashboardVersionId: dashboard.version,
    updatedAt: dashboard.updatedAt,
    updatedByUser: await context.updatedByUser(dashboard.updatedBy),
    tiles: tilesOf(dashboard, chartNames),
    filters: settings.filters ?? emptyFilters(),
    tabs: settings.tabs ?? [],
    ...(await context.viewsOf('dashboard', dashboard)),
    pinnedListUuid: null,
    pinnedListOrder: null,
    isPrivate: space ? space.restricted : dashboard.personal,
    access: space ? await context.spaceShares(space) : [],
    slug: slugOf(dashboard.name),
  };
}

/** The folder a dashboard or chart goes to: the space named (of this project), else the first the caller sees. */
export async function targetSpace(context: ContentContext, spaceUuid: string | undefined): Promise<string> {
  if (spaceUuid !== undefined) {
    try {
      return (await context.space(spaceUuid)).uuid;
    } catch (error) {
      if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
        throw validationError('spaceUuid', `space ${JSON.stringify(spaceUuid)} not found in this project`);
      throw error;
    }
  }
  const [first] = await context.spaces();
  if (!first) throw validationError('spaceUuid', 'the project has no space you can see: create one first');
  return first.uuid;
}

/** A dashboard by uuid, with the context of its own project. */
export async function openDashboard(
  ports: ContentPorts,
  request: Parameters<typeof principalOf>[0],
  uuid: string,
  options: { view?: boolean } = {},
) {
  const principal = principalOf(request);
  // Only the route that shows the dashboard is a view of it (the core's `get` counts one).
  const { dashboards } = ports.content;
  const dashboard = await (options.view
    ? dashboards.get(principal, uuid)
    : dashboards.lookup(principal, uuid));
  return { dashboard, context: await ContentContext.ofProjectId(ports, principal, dashboard.projectId) };
}

const CreateBody = Type.Object({
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  spaceUuid: Type.Optional(Type.String()),
  tiles: Type.Array(DashboardTileSchema),
  tabs: Type.Array(DashboardTabSchema),
  filters: Type.Optional(DashboardFiltersSchema),
  updatedByUser: Type.Optional(Type.Unknown()),
});
const DuplicateBody = Type.Object({
  dashboardName: Type.String({ minLength: 1 }),
  dashboardDesc: Type.String(),
});
const PatchBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1 })),
  description: Type.Optional(Type.String()),
  spaceUuid: Type.Optional(Type.String()),
  tiles: Type.Optional(Type.Array(DashboardTileSchema)),
  filters: Type.Optional(DashboardFiltersSchema),
  tabs: Type.Optional(Type.Array(DashboardTabSchema)),
  updatedByUser: Type.Optional(Type.Unknown()),
});
const ProjectParams = Type.Object({ projectUuid: Type.String() });
const DashboardParams = Type.Object({ dashboardUuid: Type.String() });

const checkCreate = bodyChecker(CreateBody);
const checkDuplicate = bodyChecker(DuplicateBody);
const hasKeys = (body: Record<string, unknown>, keys: string[]) =>
  keys.every((key) => body[key] !== undefined);

/**
 * PATCH of a dashboard: name, description and space (unversioned in Lightdash), tiles, filters
 * and tabs (a new `dashboardVersionId`). In Rosetta every content change is a version, a rename too.
 */
async function patchDashboard(context: ContentContext, dashboard: Dashboard, body: Static<typeof PatchBody>) {
  const patch: Parameters<typeof context.ports.content.dashboards.update>[2] = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.description !== undefined) patch.description = body.description;
  if (body.spaceUuid !== undefined) patch.folderId = await targetSpace(context, body.spaceUuid);
  if (body.tiles !== undefined || body.filters !== undefined || body.tabs !== undefined) {
    const settings = settingsOf(dashboard);
    const filters = body.filters ?? settings.filters ?? emptyFilters();
    const tabs = body.tabs ?? settings.tabs ?? [];
    if (body.tiles !== undefined) Object.assign(patch, contentOfTiles(body.tiles, tabs, filters));
    else patch.faceSettings = { [FACE]: { ...settings, filters, tabs } };
    if (body.filters !== undefined) patch.filters = await coreDashboardFilters(context, body.filters);
  }
  return context.ports.content.dashboards.update(context.principal, dashboard.uuid, patch).catch(asTileError);
}

/** Dashboards (spec §2.10, Appendix B): core dashboards whose widgets are the tiles. */
export function registerDashboardRoutes(app: App, ports: ContentPorts): void {
  const { dashboards } = ports.content;

  app.get(
    '/v1/projects/:projectUuid/dashboards',
    {
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          chartUuid: Type.Optional(Type.String()),
          includePrivate: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
        }),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { chartUuid } = request.query;
      const includePrivate = request.query.includePrivate !== 'false';
      const [listed, spaces] = await Promise.all([
        dashboards.list(context.principal, { projectId: context.project.id }),
        context.spaces(),
      ]);
      const privateSpaces = new Set(spaces.filter((space) => space.restricted).map((space) => space.uuid));
      const shown = [];
      for (const summary of listed) {
        if (!includePrivate && summary.folderUuid && privateSpaces.has(summary.folderUuid)) continue;
        const dashboard = await dashboards.lookup(context.principal, summary.uuid);
        if (chartUuid !== undefined && !dashboard.widgets.some((widget) => widget.chartId === chartUuid))
          continue;
        const types = new Set(tilesOf(dashboard, new Map()).map((tile) => tile.type));
        shown.push({ ...(await dashboardBasicDetails(context, summary)), tileTypes: [...types] });
      }
      return ok(shown);
    },
  );

  app.post(
    '/v1/projects/:projectUuid/dashboards',
    {
      schema: {
        params: ProjectParams,
        querystring: Type.Object({ duplicateFrom: Type.Optional(Type.String()) }),
        body: Type.Record(Type.String(), Type.Unknown()),
      },
    },
    async (request, reply) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { duplicateFrom } = request.query;
      const body = request.body;
      if (duplicateFrom !== undefined) {
        if (!hasKeys(body, ['dashboardName']))
          throw validationError('dashboardName', 'Invalid parameters to duplicate dashbaord');
        const copy = await duplicate(context, duplicateFrom, checkDuplicate(body));
        return reply.status(201).send(ok(await dashboardJson(context, copy)));
      }
      if (hasKeys(body, ['dashboardName']))
        throw validationError(
          'name',
          'Invalid parameters to duplicate dashbaord: dashboardName needs duplicateFrom',
        );
      const create = checkCreate(body);
      const folderId = await targetSpace(context, create.spaceUuid);
      const created = await dashboards
        .create(context.principal, {
          name: create.name,
          description: create.description ?? null,
          folderId,
          ...contentOfTiles(create.tiles, create.tabs, create.filters ?? emptyFilters()),
          filters: await coreDashboardFilters(context, create.filters ?? emptyFilters()),
        })
        .catch(asTileError);
      return reply.status(201).send(ok(await dashboardJson(context, created)));
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/dashboards',
    {
      schema: {
        params: ProjectParams,
        body: Type.Array(
          Type.Object({
            uuid: Type.String(),
            name: Type.String({ minLength: 1 }),
            description: Type.Optional(Type.String()),
            spaceUuid: Type.String(),
          }),
        ),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const updated = [];
      for (const [index, change] of request.body.entries()) {
        const dashboard = await dashboards.lookup(context.principal, change.uuid).catch((error) => {
          if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
            throw renameField(error, `[${index}].uuid`);
          throw error;
        });
        if (dashboard.projectId !== context.project.id) throw notFound('dashboard', change.uuid);
        const { uuid: _, ...patch } = change;
        updated.push(await dashboardJson(context, await patchDashboard(context, dashboard, patch)));
      }
      return ok(updated);
    },
  );

  app.get('/v1/dashboards/:dashboardUuid', { schema: { params: DashboardParams } }, async (request) => {
    const { dashboard, context } = await openDashboard(ports, request, request.params.dashboardUuid, {
      view: true,
    });
    return ok(await dashboardJson(context, dashboard));
  });

  app.patch(
    '/v1/dashboards/:dashboardUuid',
    { schema: { params: DashboardParams, body: PatchBody } },
    async (request) => {
      const { dashboard, context } = await openDashboard(ports, request, request.params.dashboardUuid);
      return ok(await dashboardJson(context, await patchDashboard(context, dashboard, request.body)));
    },
  );

  app.delete('/v1/dashboards/:dashboardUuid', { schema: { params: DashboardParams } }, async (request) => {
    await dashboards.delete(principalOf(request), request.params.dashboardUuid);
    return ok();
  });
}

/**
 * A copy of the dashboard in its space, with new tile uuids: the core clones it, and the face's
 * tile settings follow the widgets to their new ids (the clone keeps the widgets' order).
 */
async function duplicate(context: ContentContext, uuid: string, body: Static<typeof DuplicateBody>) {
  const { dashboards } = context.ports.content;
  const original = await dashboards.lookup(context.principal, uuid);
  if (original.projectId !== context.project.id) throw notFound('dashboard', uuid);
  const copy = await dashboards.clone(context.principal, uuid, { name: body.dashboardName });
  const settings = settingsOf(original);
  const tiles: Record<string, StoredTile> = {};
  original.widgets.forEach((widget, i) => {
    const kept = settings.tiles?.[widget.id];
    const renamed = copy.widgets[i]?.id;
    if (kept && renamed) tiles[renamed] = kept;
  });
  return dashboards.update(context.principal, copy.uuid, {
    description: body.dashboardDesc,
    faceSettings: { [FACE]: { ...settings, tiles } },
  });
}
