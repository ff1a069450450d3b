import { randomUUID } from 'node:crypto';
import { type Static, Type } from 'typebox';
import type {
  ChartContent,
  ChartDetail,
  ChartSummary,
  Folder,
  Visualization,
  VisualizationType,
} from '../../../core/content/index.ts';
import { isRosettaError, notFound, renameField, validationError } from '../../../core/errors.ts';
import { savedQueryOf } from '../../../core/query/index.ts';
import { type App, principalOf } from '../../server.ts';
import {
  bodyChecker,
  ContentContext,
  type ContentLimits,
  type ContentPorts,
  contentContext,
  slugOf,
} from './content-context.ts';
import {
  type DashboardFilterRule,
  type DashboardFilters,
  DashboardFiltersSchema,
  targetSpace,
} from './dashboards.ts';
import { ok } from './envelope.ts';
import { exploreJson, findExplore } from './explores.ts';
import { type MetricQuery, MetricQuerySchema, prepareMetricQuery, runMetricQuery } from './metric-query.ts';

/** The key under which a chart's visualization options keep the Lightdash JSON it was saved with. */
const FACE = 'lightdash';
/** `GetChartHistory` lists the versions of the last 30 days. */
const HISTORY_DAYS = 30;

const Open = { additionalProperties: true };
const ChartConfigSchema = Type.Object(
  {
    type: Type.Union([
      Type.Literal('cartesian'),
      Type.Literal('table'),
      Type.Literal('big_number'),
      Type.Literal('pie'),
      Type.Literal('funnel'),
      Type.Literal('custom'),
    ]),
    config: Type.Optional(Type.Unknown()),
  },
  Open,
);
const chartContentFields = {
  tableName: Type.String({ minLength: 1 }),
  metricQuery: MetricQuerySchema,
  chartConfig: ChartConfigSchema,
  tableConfig: Type.Object({ columnOrder: Type.Array(Type.String()) }, Open),
  pivotConfig: Type.Optional(Type.Object({ columns: Type.Array(Type.String()) }, Open)),
  description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  updatedByUser: Type.Optional(Type.Unknown()),
};
const CreateChartBody = Type.Object({
  name: Type.String({ minLength: 1 }),
  ...chartContentFields,
  spaceUuid: Type.Optional(Type.String()),
  dashboardUuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const DuplicateChartBody = Type.Object({
  chartName: Type.String({ minLength: 1 }),
  chartDesc: Type.String(),
});
const VersionBody = Type.Object(chartContentFields);
type ChartContentBody = Static<typeof VersionBody>;
const checkCreate = bodyChecker(CreateChartBody);
const checkDuplicate = bodyChecker(DuplicateChartBody);

/** What the face keeps of a saved chart: the vendor JSON a GET gives back as saved. */
interface LightdashChart {
  tableName: string;
  metricQuery: MetricQuery;
  chartConfig: Static<typeof ChartConfigSchema>;
  tableConfig: { columnOrder: string[] };
  pivotConfig?: { columns: string[] };
  /** A chart saved in a dashboard (Lightdash) rather than in a space. */
  dashboardUuid?: string | null;
}

/**
 * The Lightdash JSON of a chart. A chart saved by another face has none: it shows its source as
 * the explore and an empty query (the core query is not mapped back to a MetricQuery).
 */
function lightdashOf(content: Pick<ChartContent, 'query' | 'visualization'>): LightdashChart {
  const kept = content.visualization.options[FACE] as LightdashChart | undefined;
  if (kept) return kept;
  const tableName = content.query.source;
  return {
    tableName,
    metricQuery: {
      exploreName: tableName,
      dimensions: [],
      metrics: [],
      filters: {},
      sorts: [],
      tableCalculations: [],
    },
    chartConfig: { type: 'table' },
    tableConfig: { columnOrder: [] },
  };
}

/** The core visualization type closest to a Lightdash chart config, which Rosetta's own screens draw. */
function visualizationTypeOf(config: LightdashChart['chartConfig']): VisualizationType {
  const settings = (config.config ?? {}) as Record<string, unknown>;
  if (config.type === 'big_number') return 'kpi';
  if (config.type === 'pie') return settings.isDonut ? 'donut' : 'pie';
  if (config.type === 'table' || config.type === 'custom') return 'table';
  if (config.type === 'funnel') return 'bar';
  const eCharts = (settings.eChartsConfig ?? {}) as { series?: { type?: string; stack?: string }[] };
  const series = eCharts.series ?? [];
  const kinds = new Set(series.map((serie) => serie.type));
  if (kinds.size === 1 && (kinds.has('line') || kinds.has('area') || kinds.has('scatter')))
    return [...kinds][0] as VisualizationType;
  return series.some((serie) => serie.stack) ? 'stacked_bar' : 'bar';
}

/**
 * A chart's core content from Lightdash JSON: the query the MetricQuery plans to (so Rosetta's
 * screens, exports and schedules run it), and the JSON itself in the visualization options.
 */
async function chartContentOf(
  context: ContentContext,
  limits: ContentLimits,
  body: ChartContentBody & { dashboardUuid?: string | null },
): Promise<Pick<ChartContent, 'query' | 'visualization'>> {
  const metricQuery = { ...body.metricQuery, exploreName: body.metricQuery.exploreName ?? body.tableName };
  const { explore, planned } = await prepareMetricQuery(
    context.ports,
    context.principal,
    context.project,
    metricQuery,
    {
      maxLimit: limits.maxLimit,
      exploreName: body.tableName,
    },
  ).catch((error) => {
    if (isRosettaError(error) && error.field && error.field !== 'exploreName')
      throw renameField(error, `metricQuery.${error.field}`);
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
      throw validationError('tableName', `explore ${JSON.stringify(body.tableName)} not found`);
    throw error;
  });
  const kept: LightdashChart = {
    tableName: body.tableName,
    metricQuery,
    chartConfig: body.chartConfig,
    tableConfig: body.tableConfig,
    ...(body.pivotConfig && { pivotConfig: body.pivotConfig }),
    ...(body.dashboardUuid && { dashboardUuid: body.dashboardUuid }),
  };
  const visualization: Visualization = {
    type: visualizationTypeOf(body.chartConfig),
    options: { [FACE]: kept },
  };
  return { query: savedQueryOf(explore.source, planned.ir), visualization };
}

/** `SavedChart` (spec §2.0.5) of a chart, or of one of its versions' content. */
export async function savedChartJson(
  context: ContentContext,
  chart: Pick<ChartDetail, 'uuid' | 'folderUuid' | 'updatedAt' | 'updatedBy'>,
  content: ChartContent,
) {
  const kept = lightdashOf(content);
  const space = chart.folderUuid
    ? await context.ports.content.folders.get(context.principal, chart.folderUuid)
    : undefined;
  const dashboardName = kept.dashboardUuid
    ? await context.ports.content.dashboards
        .get(context.principal, kept.dashboardUuid)
        .then((dashboard) => dashboard.name)
        .catch(() => null)
    : null;
  return {
    uuid: chart.uuid,
    projectUuid: context.project.uuid,
    organizationUuid: context.organization.uuid,
    name: content.name,
    description: content.description ?? undefined,
    tableName: kept.tableName,
    metricQuery: kept.metricQuery,
    ...(kept.pivotConfig && { pivotConfig: kept.pivotConfig }),
    chartConfig: kept.chartConfig,
    tableConfig: kept.tableConfig,
    updatedAt: chart.updatedAt,
    updatedByUser: await context.updatedByUser(chart.updatedBy),
    spaceUuid: chart.folderUuid,
    spaceName: space?.name ?? null,
    pinnedListUuid: null,
    pinnedListOrder: null,
    dashboardUuid: dashboardName === null ? null : (kept.dashboardUuid ?? null),
    dashboardName,
    colorPalette: [],
    isPrivate: space?.restricted ?? false,
    access: space ? await context.spaceShares(space) : [],
    slug: slugOf(content.name),
  };
}

/** `ChartSummary`; `space` is the chart's folder when the caller already has it. */
async function chartSummaryJson(context: ContentContext, chart: ChartSummary, space?: Folder) {
  const folder = space ?? (await context.spaces()).find((candidate) => candidate.uuid === chart.folderUuid);
  const detail = await context.ports.content.charts.get(context.principal, chart.uuid);
  const kept = lightdashOf(detail);
  return {
    uuid: chart.uuid,
    name: chart.name,
    description: chart.description ?? undefined,
    spaceUuid: chart.folderUuid,
    spaceName: folder?.name ?? null,
    projectUuid: context.project.uuid,
    organizationUuid: context.organization.uuid,
    pinnedListUuid: null,
    dashboardUuid: kept.dashboardUuid ?? null,
    dashboardName: null,
    slug: slugOf(chart.name),
    source: 'dbt_explore',
    chartType: kept.chartConfig.type,
  };
}

/** `SpaceQuery`: a chart as chart lists and spaces show it. */
export async function chartSummaryItem(context: ContentContext, chart: ChartSummary, space?: Folder) {
  return {
    ...(await chartSummaryJson(context, chart, space)),
    updatedAt: chart.updatedAt,
    pinnedListOrder: null,
    views: 0,
    firstViewedAt: chart.createdAt,
    validationErrors: [],
  };
}

/** A chart by uuid with the context of its project. */
async function openChart(ports: ContentPorts, request: Parameters<typeof principalOf>[0], uuid: string) {
  const principal = principalOf(request);
  const chart = await ports.content.charts.get(principal, uuid);
  return { chart, context: await ContentContext.ofProjectId(ports, principal, chart.projectId) };
}

/** Where a new chart goes: the dashboard's space for a chart saved in a dashboard, else the space named. */
async function chartFolder(
  context: ContentContext,
  body: { spaceUuid?: string; dashboardUuid?: string | null },
) {
  if (!body.dashboardUuid) return targetSpace(context, body.spaceUuid);
  const dashboard = await context.ports.content.dashboards
    .get(context.principal, body.dashboardUuid)
    .catch((error) => {
      if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
        throw validationError('dashboardUuid', `dashboard ${JSON.stringify(body.dashboardUuid)} not found`);
      throw error;
    });
  if (dashboard.projectId !== context.project.id || !dashboard.folderUuid)
    throw validationError('dashboardUuid', 'the dashboard is not in a space of this project');
  return dashboard.folderUuid;
}

// Dashboard filters on a chart (spec §3.5).

type FilterItem = Record<string, unknown>;
type FilterGroup = { id: string; and?: FilterItem[]; or?: FilterItem[] };

/** The dashboard rules that reach a tile, retargeted by its `tileTargets`, on the explore's tables. */
function rulesForTile(rules: DashboardFilterRule[], tileUuid: string | undefined, tables: Set<string>) {
  return rules.flatMap((rule) => {
    if (rule.disabled) return [];
    const target = tileUuid === undefined ? undefined : rule.tileTargets?.[tileUuid];
    if (target === false) return [];
    const { fieldId, tableName } = target ?? rule.target;
    if (!tables.has(tableName)) return [];
    const { tileTargets: _, label: __, target: ___, ...filter } = rule;
    return [{ ...filter, target: { fieldId } }];
  });
}

/** The chart's filter item with the dashboard's rules on the same fields applied in place (`used` collects them). */
function overrideInPlace(item: FilterItem, rules: FilterItem[], used: Set<FilterItem>): FilterItem {
  for (const key of ['and', 'or'] as const) {
    const children = item[key];
    if (Array.isArray(children))
      return { ...item, [key]: children.map((child) => overrideInPlace(child as FilterItem, rules, used)) };
  }
  const fieldId = (item.target as { fieldId?: string } | undefined)?.fieldId;
  const rule = rules.find((candidate) => (candidate.target as { fieldId: string }).fieldId === fieldId);
  if (!rule) return item;
  used.add(rule);
  return { ...item, operator: rule.operator, values: rule.values, settings: rule.settings };
}

function withDashboardRules(group: unknown, rules: FilterItem[]): FilterGroup | undefined {
  const used = new Set<FilterItem>();
  const own =
    group && typeof group === 'object' ? overrideInPlace(group as FilterItem, rules, used) : undefined;
  const added = rules.filter((rule) => !used.has(rule));
  if (added.length === 0) return own as FilterGroup | undefined;
  return { id: randomUUID(), and: own ? [own, ...added] : added };
}

/** The chart's MetricQuery as a tile of a dashboard shows it: its filters, sorts and date zoom applied. */
function asTile(
  query: MetricQuery,
  filters: DashboardFilters,
  tileUuid: string | undefined,
  tables: Set<string>,
  sorts: MetricQuery['sorts'],
  granularity: MetricQuery['granularity'],
): { query: MetricQuery; applied: DashboardFilters } {
  const applied: DashboardFilters = { dimensions: [], metrics: [], tableCalculations: [] };
  const own = (query.filters ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...own };
  for (const kind of ['dimensions', 'metrics', 'tableCalculations'] as const) {
    const rules = rulesForTile(filters[kind], tileUuid, tables);
    applied[kind] = filters[kind].filter((rule) => rules.some((applying) => applying.id === rule.id));
    const group = withDashboardRules(own[kind], rules);
    if (group) merged[kind] = group;
  }
  return {
    query: {
      ...query,
      filters: merged,
      ...(sorts?.length ? { sorts } : {}),
      ...(granularity && { granularity }),
    },
    applied,
  };
}

const ChartParams = Type.Object({ chartUuid: Type.String() });
const ProjectParams = Type.Object({ projectUuid: Type.String() });
const VersionParams = Type.Object({ chartUuid: Type.String(), versionUuid: Type.String() });
const CacheBody = Type.Optional(Type.Object({ invalidateCache: Type.Optional(Type.Boolean()) }, Open));

/** Saved charts (spec §2.8, Appendix B): core charts keeping their Lightdash JSON. */
export function registerChartRoutes(app: App, ports: ContentPorts, limits: ContentLimits): void {
  const { charts } = ports.content;

  const run = (context: ContentContext, kept: LightdashChart, noCache = false) =>
    runMetricQuery(context.ports, context.principal, context.project, kept.metricQuery, {
      maxLimit: limits.maxLimit,
      exploreName: kept.tableName,
      noCache,
    });

  /** A version by uuid: the history lists them, the core reads them by number. */
  const versionOf = async (context: ContentContext, chartUuid: string, versionUuid: string) => {
    const versions = await charts.listVersions(context.principal, chartUuid);
    const found = versions.find((version) => version.uuid === versionUuid);
    if (!found) throw notFound('chart version', versionUuid);
    return charts.getVersion(context.principal, chartUuid, found.version);
  };

  app.get('/v1/saved/:chartUuid', { schema: { params: ChartParams } }, async (request) => {
    const { chart, context } = await openChart(ports, request, request.params.chartUuid);
    return ok(await savedChartJson(context, chart, chart));
  });

  app.post(
    '/v1/projects/:projectUuid/saved',
    {
      schema: {
        params: ProjectParams,
        querystring: Type.Object({ duplicateFrom: Type.Optional(Type.String()) }),
        body: Type.Record(Type.String(), Type.Unknown()),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { duplicateFrom } = request.query;
      if (duplicateFrom !== undefined) {
        const body = checkDuplicate(request.body);
        const original = await charts.get(context.principal, duplicateFrom);
        if (original.projectId !== context.project.id) throw notFound('chart', duplicateFrom);
        const copy = await charts.create(context.principal, {
          name: body.chartName,
          description: body.chartDesc,
          folderId: original.folderUuid,
          projectId: context.project.id,
          query: original.query,
          visualization: original.visualization,
        });
        return ok(await savedChartJson(context, copy, copy));
      }
      const body = checkCreate(request.body);
      const folderId = await chartFolder(context, body);
      const created = await charts.create(context.principal, {
        name: body.name,
        description: body.description ?? null,
        folderId,
        ...(await chartContentOf(context, limits, body)),
      });
      return ok(await savedChartJson(context, created, created));
    },
  );

  app.patch(
    '/v1/saved/:chartUuid',
    {
      schema: {
        params: ChartParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1 })),
            description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            spaceUuid: Type.Optional(Type.String()),
          },
          Open,
        ),
      },
    },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const { name, description, spaceUuid } = request.body;
      const updated = await charts.update(context.principal, chart.uuid, {
        ...(name !== undefined && { name }),
        ...(description !== undefined && { description }),
        ...(spaceUuid !== undefined && { folderId: await targetSpace(context, spaceUuid) }),
      });
      return ok(await savedChartJson(context, updated, updated));
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/saved',
    {
      schema: {
        params: ProjectParams,
        body: Type.Array(
          Type.Object(
            {
              uuid: Type.String(),
              name: Type.String({ minLength: 1 }),
              description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
              spaceUuid: Type.String(),
            },
            Open,
          ),
        ),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const updated = [];
      for (const [index, change] of request.body.entries()) {
        const chart = await charts.get(context.principal, change.uuid).catch((error) => {
          if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
            throw renameField(error, `[${index}].uuid`);
          throw error;
        });
        if (chart.projectId !== context.project.id) throw notFound('chart', change.uuid);
        const moved = await charts.update(context.principal, chart.uuid, {
          name: change.name,
          ...(change.description !== undefined && { description: change.description }),
          folderId: await targetSpace(context, change.spaceUuid),
        });
        updated.push(await savedChartJson(context, moved, moved));
      }
      return ok(updated);
    },
  );

  app.delete('/v1/saved/:chartUuid', { schema: { params: ChartParams } }, async (request) => {
    // Lightdash deletes a chart that dashboards show; their tiles keep what it showed (core `force`).
    await charts.delete(principalOf(request), request.params.chartUuid, { force: true });
    return ok();
  });

  app.post(
    '/v1/saved/:chartUuid/version',
    { schema: { params: ChartParams, body: VersionBody } },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const kept = lightdashOf(chart);
      const content = await chartContentOf(context, limits, {
        ...request.body,
        dashboardUuid: kept.dashboardUuid,
      });
      const updated = await charts.update(context.principal, chart.uuid, {
        ...content,
        ...(request.body.description !== undefined && { description: request.body.description }),
        version: chart.version,
      });
      return ok(await savedChartJson(context, updated, updated));
    },
  );

  app.get('/v1/saved/:chartUuid/history', { schema: { params: ChartParams } }, async (request) => {
    const { chart, context } = await openChart(ports, request, request.params.chartUuid);
    const since = Date.now() - HISTORY_DAYS * 24 * 3600 * 1000;
    const versions = await charts.listVersions(context.principal, chart.uuid);
    const history = [];
    for (const version of versions) {
      if (Date.parse(version.createdAt) < since) continue;
      const author = await context.updatedByUser(version.authorId);
      history.push({
        chartUuid: chart.uuid,
        versionUuid: version.uuid,
        createdAt: version.createdAt,
        createdBy: author ?? { userUuid: '', firstName: '', lastName: '' },
      });
    }
    return ok({ history });
  });

  app.get(
    '/v1/saved/:chartUuid/version/:versionUuid',
    { schema: { params: VersionParams } },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const version = await versionOf(context, chart.uuid, request.params.versionUuid);
      const author = await context.updatedByUser(version.authorId);
      const content = version.snapshot;
      return ok({
        chartUuid: chart.uuid,
        versionUuid: version.uuid,
        createdAt: version.createdAt,
        createdBy: author ?? { userUuid: '', firstName: '', lastName: '' },
        chart: await savedChartJson(
          context,
          { ...chart, updatedAt: version.createdAt, updatedBy: version.authorId },
          content,
        ),
      });
    },
  );

  app.post(
    '/v1/saved/:chartUuid/version/:versionUuid/results',
    { schema: { params: VersionParams } },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const version = await versionOf(context, chart.uuid, request.params.versionUuid);
      return ok(await run(context, lightdashOf(version.snapshot)));
    },
  );

  app.post(
    '/v1/saved/:chartUuid/results',
    { schema: { params: ChartParams, body: CacheBody } },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      return ok(await run(context, lightdashOf(chart), request.body?.invalidateCache));
    },
  );

  app.post(
    '/v1/saved/:chartUuid/chart-and-results',
    {
      schema: {
        params: ChartParams,
        body: Type.Object(
          {
            dashboardUuid: Type.String(),
            dashboardFilters: DashboardFiltersSchema,
            dashboardSorts: Type.Array(
              Type.Object({ fieldId: Type.String(), descending: Type.Boolean() }, Open),
            ),
            invalidateCache: Type.Optional(Type.Boolean()),
            granularity: MetricQuerySchema.properties.granularity,
            autoRefresh: Type.Optional(Type.Boolean()),
          },
          Open,
        ),
      },
    },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const body = request.body;
      const dashboard = await ports.content.dashboards.get(context.principal, body.dashboardUuid);
      const tile = dashboard.widgets.find((widget) => widget.chartId === chart.uuid);
      const kept = lightdashOf(chart);
      const { explore } = await findExplore(ports, context.principal, context.project, kept.tableName);
      const tables = new Set(explore.tables.map((table) => table.name));
      const { query, applied } = asTile(
        kept.metricQuery,
        body.dashboardFilters,
        tile?.id,
        tables,
        body.dashboardSorts,
        body.granularity as MetricQuery['granularity'],
      );
      const results = await run(context, { ...kept, metricQuery: query }, body.invalidateCache);
      return ok({
        chart: await savedChartJson(context, chart, chart),
        explore: exploreJson(explore),
        appliedDashboardFilters: applied,
        ...results,
      });
    },
  );

  app.get('/v1/projects/:projectUuid/charts', { schema: { params: ProjectParams } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const listed = await charts.list(context.principal, { projectId: context.project.id });
    return ok(await Promise.all(listed.map((chart) => chartSummaryItem(context, chart))));
  });

  app.get(
    '/v1/projects/:projectUuid/chart-summaries',
    {
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          excludeChartsSavedInDashboard: Type.Optional(
            Type.Union([Type.Literal('true'), Type.Literal('false')]),
          ),
        }),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const listed = await charts.list(context.principal, { projectId: context.project.id });
      const summaries = await Promise.all(listed.map((chart) => chartSummaryJson(context, chart)));
      const exclude = request.query.excludeChartsSavedInDashboard === 'true';
      return ok(exclude ? summaries.filter((summary) => summary.dashboardUuid === null) : summaries);
    },
  );
}
