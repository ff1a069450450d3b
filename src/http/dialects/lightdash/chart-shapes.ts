import { type Static, Type } from 'typebox';
import type {
  ChartContent,
  ChartDetail,
  ChartSummary,
  Folder,
  Visualization,
  VisualizationType,
} from '../../../core/content/index.ts';
import { isRosettaError, renameField, validationError } from '../../../core/errors.ts';
import { savedQueryOf } from '../../../core/query/index.ts';
import { principalOf } from '../../server.ts';
import {
  bodyChecker,
  ContentContext,
  type ContentLimits,
  type ContentPorts,
  slugOf,
} from './content-context.ts';
import { type MetricQuery, MetricQuerySchema, prepareMetricQuery } from './metric-query.ts';

/**
 * Saved charts as Lightdash shows them (spec §2.0.5): what the face keeps of a chart's vendor JSON,
 * the core content it plans to, and the `SavedChart` and summary shapes.
 */

/** The key under which a chart's visualization options keep the Lightdash JSON it was saved with. */
const FACE = 'lightdash';
export const Open = { additionalProperties: true };
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
export const VersionBody = Type.Object(chartContentFields);
type ChartContentBody = Static<typeof VersionBody>;
export const checkCreate = bodyChecker(CreateChartBody);
export const checkDuplicate = bodyChecker(DuplicateChartBody);

/** What the face keeps of a saved chart: the vendor JSON a GET gives back as saved. */
export interface LightdashChart {
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
export function lightdashOf(content: Pick<ChartContent, 'query' | 'visualization'>): LightdashChart {
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
      // Lightdash's MetricQuery always has one (its chart-as-code schema requires it); 500 is its default.
      limit: typeof content.query.limit === 'number' ? content.query.limit : 500,
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
export async function chartContentOf(
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
        .lookup(context.principal, kept.dashboardUuid)
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
export async function chartSummaryJson(context: ContentContext, chart: ChartSummary, space?: Folder) {
  const folder = space ?? (await context.spaces()).find((candidate) => candidate.uuid === chart.folderUuid);
  const detail = await context.ports.content.charts.lookup(context.principal, chart.uuid);
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
    ...(await context.viewsOf('chart', chart)),
    validationErrors: [],
  };
}

/** A chart by uuid with the context of its project. */
export async function openChart(
  ports: ContentPorts,
  request: Parameters<typeof principalOf>[0],
  uuid: string,
  options: { view?: boolean } = {},
) {
  const principal = principalOf(request);
  // Only the route that shows the chart is a view of it (the core's `get` counts one).
  const { charts } = ports.content;
  const chart = await (options.view ? charts.get(principal, uuid) : charts.lookup(principal, uuid));
  return { chart, context: await ContentContext.ofProjectId(ports, principal, chart.projectId) };
}

export const ChartParams = Type.Object({ chartUuid: Type.String() });
export const ProjectParams = Type.Object({ projectUuid: Type.String() });
export const VersionParams = Type.Object({ chartUuid: Type.String(), versionUuid: Type.String() });
