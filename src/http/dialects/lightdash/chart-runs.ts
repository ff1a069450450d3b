import { Type } from 'typebox';
import type { ChartContent } from '../../../core/content/index.ts';
import type { Granularity } from '../../../core/query/index.ts';
import type { ChartViewInput, TileFilter, WidgetResults } from '../../../core/views/index.ts';
import { tileQuery } from '../../../core/views/index.ts';
import type { Services } from '../../../services.ts';
import type { App } from '../../server.ts';
import { ChartParams, lightdashOf, Open, openChart, savedChartJson, VersionParams } from './chart-shapes.ts';
import { versionOf } from './chart-versions.ts';
import type { ContentContext, ContentLimits, ContentPorts } from './content-context.ts';
import { type DashboardFilterRule, type DashboardFilters, DashboardFiltersSchema } from './dashboards.ts';
import { ok } from './envelope.ts';
import {
  type DimensionType,
  type Explore,
  type ExploreField,
  exploreJson,
  findExplore,
  intervalGranularity,
} from './explores.ts';
import { filterRule } from './metric-filters.ts';
import { type MetricQuery, MetricQuerySchema, onMetricQueryPaths, planMetricQuery } from './metric-query.ts';
import { csvRowLimit } from './query-routes.ts';
import { queryResults } from './results.ts';

/** Lightdash's date zoom (`Month`) as the core's period (`month`). */
const dateZoomOf = (granularity: NonNullable<MetricQuery['granularity']>): Granularity =>
  intervalGranularity[granularity.toUpperCase() as keyof typeof intervalGranularity];

/** The services chart runs use beside content: the core's chart view and exports (CSV files). */
export type ChartRunPorts = ContentPorts & Pick<Services, 'views' | 'exports'>;

const CacheBody = Type.Optional(Type.Object({ invalidateCache: Type.Optional(Type.Boolean()) }, Open));
const SortsSchema = Type.Array(Type.Object({ fieldId: Type.String(), descending: Type.Boolean() }, Open));

/**
 * Lightdash's dashboard rules (spec §3.5) as the core's tile filters on the chart's explore. A
 * dimension rule names a field of this explore, and its `tileTargets` fields of it (a target on
 * another explore's table leaves the tile alone); a metric or table calculation rule names the
 * chart's metric or calculation by its id. The core applies them (`tileQuery`): rules on nothing
 * the chart has are dropped, a rule on a field the chart filters takes that filter's place.
 */
function tileFiltersOf(explore: Explore, filters: DashboardFilters | undefined): TileFilter[] {
  const dimension = (fieldId: string): ExploreField | undefined =>
    explore.fields.find((field) => field.id === fieldId && field.fieldType === 'dimension');
  const onDimension = (fieldId: string) => {
    const field = dimension(fieldId)!;
    return {
      field: field.address,
      type: field.type as DimensionType,
      ...(field.interval && { interval: field.interval }),
    };
  };
  const named = (fieldId: string) => ({ field: fieldId, type: 'number' as const });
  const stages = [
    ['dimensions', 'rows', (fieldId: string) => dimension(fieldId)?.address, onDimension],
    ['metrics', 'metrics', (fieldId: string) => fieldId, named],
    ['tableCalculations', 'calculations', (fieldId: string) => fieldId, named],
  ] as const;
  return stages.flatMap(([kind, stage, fieldOf, targetOf]) =>
    (filters?.[kind] ?? []).flatMap((rule: DashboardFilterRule, i) => {
      if (rule.disabled) return [];
      const own = fieldOf(rule.target.fieldId);
      const tileTargets: Record<string, string | false> = {};
      for (const [tile, target] of Object.entries(rule.tileTargets ?? {}))
        tileTargets[tile] = (target && fieldOf(target.fieldId)) || false;
      // The rule's operator is read against its own field, else the first field a tile retargets it to.
      const typed = [rule.target, ...Object.values(rule.tileTargets ?? {})].find(
        (target) => target && fieldOf(target.fieldId),
      );
      if (!typed) return [];
      const node = filterRule(
        { ...rule, target: { fieldId: typed.fieldId } },
        `dashboardFilters.${kind}[${i}]`,
        targetOf,
      );
      if (!node) return [];
      // A rule on another explore's table names no field of this one: it applies through tile targets only.
      const field = own ?? '';
      const label = rule.label ?? rule.id;
      return [
        { filter: { id: rule.id, field, label, type: 'values' as const, tileTargets }, rules: [node], stage },
      ];
    }),
  );
}

/** Saved chart results, as saved, as one version or as a dashboard tile, and their totals and CSV (spec §2.8). */
export function registerChartRunRoutes(app: App, ports: ChartRunPorts, limits: ContentLimits): void {
  const { charts } = ports.content;

  /**
   * Runs the chart through the core's chart view (whoever sees the chart, `dashboard.run`) and
   * answers its rows under the Lightdash ids of its MetricQuery.
   */
  const run = async (
    context: ContentContext,
    chartUuid: string,
    content: Pick<ChartContent, 'query' | 'visualization'>,
    input: Omit<ChartViewInput, 'filters'> & {
      dashboardFilters?: DashboardFilters;
      granularity?: MetricQuery['granularity'];
    },
    noCache = false,
  ) => {
    const kept = lightdashOf(content);
    const { explore } = await findExplore(ports, context.principal, context.project, kept.tableName);
    const { dashboardFilters, granularity, ...chartView } = input;
    // The date zoom changes what the zoomed dimension's cells are: its `fields` entry says so.
    const metricQuery = granularity ? { ...kept.metricQuery, granularity } : kept.metricQuery;
    const planned = await planMetricQuery(explore, metricQuery, { maxLimit: limits.maxLimit });
    const filters = tileFiltersOf(explore, dashboardFilters);
    const view = { ...chartView.view, ...(granularity && { dateZoom: dateZoomOf(granularity) }) };
    const result: WidgetResults = await onMetricQueryPaths(planned.paths, () =>
      ports.views.chartResults(context.principal, chartUuid, { ...chartView, filters, view }, { noCache }),
    );
    return { kept, explore, planned, result, results: queryResults(metricQuery, planned.selected, result) };
  };

  app.post(
    '/v1/saved/:chartUuid/results',
    { schema: { params: ChartParams, body: CacheBody } },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      return ok((await run(context, chart.uuid, chart, {}, request.body?.invalidateCache)).results);
    },
  );

  app.post(
    '/v1/saved/:chartUuid/version/:versionUuid/results',
    { schema: { params: VersionParams } },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const version = await versionOf(charts, context.principal, chart.uuid, request.params.versionUuid);
      return ok((await run(context, chart.uuid, version.snapshot, { version: version.version })).results);
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
            dashboardSorts: SortsSchema,
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
      const { explore, result, results } = await run(
        context,
        chart.uuid,
        chart,
        {
          dashboard: body.dashboardUuid,
          dashboardFilters: body.dashboardFilters,
          view: {
            sorts: body.dashboardSorts.map((sort) => ({ field: sort.fieldId, descending: sort.descending })),
          },
          granularity: body.granularity,
        },
        body.invalidateCache,
      );
      const applied = new Set(result.appliedFilters);
      return ok({
        chart: await savedChartJson(context, chart, chart),
        explore: exploreJson(explore),
        appliedDashboardFilters: {
          dimensions: body.dashboardFilters.dimensions.filter((rule) => applied.has(rule.id)),
          metrics: body.dashboardFilters.metrics.filter((rule) => applied.has(rule.id)),
          tableCalculations: body.dashboardFilters.tableCalculations.filter((rule) => applied.has(rule.id)),
        },
        ...results,
      });
    },
  );

  app.post(
    '/v1/saved/:chartUuid/calculate-total',
    {
      schema: {
        params: ChartParams,
        body: Type.Object(
          {
            invalidateCache: Type.Optional(Type.Boolean()),
            dashboardFilters: Type.Optional(DashboardFiltersSchema),
          },
          Open,
        ),
      },
    },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const { dashboardFilters, invalidateCache } = request.body;
      const { planned, result } = await run(
        context,
        chart.uuid,
        chart,
        { totals: true, dashboardFilters },
        invalidateCache,
      );
      const metrics = planned.selected.filter((field) => field.kind === 'metric');
      return ok(Object.fromEntries(metrics.map((field) => [field.id, result.totals?.[field.id] ?? null])));
    },
  );

  app.post(
    '/v1/saved/:chartUuid/downloadCsv',
    {
      schema: {
        params: ChartParams,
        body: Type.Object(
          {
            onlyRaw: Type.Boolean(),
            dashboardFilters: DashboardFiltersSchema,
            csvLimit: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
            tileUuid: Type.Optional(Type.String()),
          },
          Open,
        ),
      },
    },
    async (request) => {
      const { chart, context } = await openChart(ports, request, request.params.chartUuid);
      const { dashboardFilters, csvLimit, tileUuid } = request.body;
      const kept = lightdashOf(chart);
      const { explore, model } = await findExplore(ports, context.principal, context.project, kept.tableName);
      const planned = await planMetricQuery(explore, kept.metricQuery, { maxLimit: limits.maxLimit });
      // A file is an ad-hoc export of the chart's query as the tile shows it (interactive viewers and up).
      const { query } = tileQuery(
        chart.query,
        tileFiltersOf(explore, dashboardFilters),
        tileUuid ?? '',
        model,
      );
      const limited =
        csvLimit === undefined ? query : { ...query, limit: csvRowLimit(csvLimit, planned.selected.length) };
      const job = await ports.exports.enqueue(context.principal, { query: limited, format: 'csv' });
      return ok({ jobId: job.uuid });
    },
  );
}
