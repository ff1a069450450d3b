import type { Static } from 'typebox';
import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { ChartDetail } from '../../../core/content/index.ts';
import { RosettaError } from '../../../core/errors.ts';
import type { App } from '../../server.ts';
import { principalOf } from '../../server.ts';
import {
  type ChartCode,
  chartAsCode,
  type DashboardCode,
  dashboardAsCode,
  type PromotionChanges,
  type UpsertOptions,
  upsertChart,
  upsertDashboard,
} from './content-as-code.ts';
import { ContentContext, type ContentLimits, type ContentPorts } from './content-context.ts';
import { ok } from './envelope.ts';

/**
 * Promotion (spec §2.8, §2.10): a chart or dashboard, with its space and a dashboard's charts,
 * copied into the project's upstream project through the content-as-code upsert, matched by
 * slug there — created the first time, updated after. A diff is the same upsert as a dry run.
 */

type Kind = 'chart' | 'dashboard';

/** The source and upstream contexts; a project without upstream answers as Lightdash does. */
async function promotionContexts(ports: ContentPorts, principal: Principal, projectId: number, kind: Kind) {
  const { projects } = ports.directory;
  projects.authorizePromotion(principal, projectId);
  const upstream = await projects.upstreamOf(principal, projectId);
  if (!upstream) throw new RosettaError('ERR_NOT_FOUND', `This ${kind} does not have an upstream project`);
  const [source, target] = await Promise.all([
    ContentContext.ofProjectId(ports, principal, projectId),
    ContentContext.ofProjectId(ports, principal, upstream.id),
  ]);
  return { source, target };
}

/**
 * A chart as promotion copies it: without the dashboard it may be saved in (the upstream may
 * not hold that dashboard yet), so it lands in its space.
 */
async function promotableChart(source: ContentContext, chart: ChartDetail) {
  const { dashboardSlug: _, ...code } = await chartAsCode(source, chart, await source.spaces());
  return code satisfies Static<typeof ChartCode>;
}

async function promoteChart(
  ports: ContentPorts,
  limits: ContentLimits,
  principal: Principal,
  chartUuid: string,
  options: UpsertOptions,
) {
  const chart = await ports.content.charts.lookup(principal, chartUuid);
  const { source, target } = await promotionContexts(ports, principal, chart.projectId, 'chart');
  const code = await promotableChart(source, chart);
  const changes = await upsertChart(target, limits, code.slug, code, options);
  return withOrigins(changes, [{ uuid: chart.uuid, slug: code.slug, spaceSlug: code.spaceSlug }]);
}

async function promoteDashboard(
  ports: ContentPorts,
  limits: ContentLimits,
  principal: Principal,
  dashboardUuid: string,
  options: UpsertOptions,
) {
  const dashboard = await ports.content.dashboards.lookup(principal, dashboardUuid);
  const { source, target } = await promotionContexts(ports, principal, dashboard.projectId, 'dashboard');
  const changes: PromotionChanges = { spaces: [], charts: [], dashboards: [] };
  const origins: ChartOrigin[] = [];
  const chartUuids = new Set(dashboard.widgets.flatMap((widget) => (widget.chartId ? [widget.chartId] : [])));
  for (const chartUuid of chartUuids) {
    const code = await promotableChart(source, await ports.content.charts.lookup(principal, chartUuid));
    origins.push({ uuid: chartUuid, slug: code.slug, spaceSlug: code.spaceSlug });
    merge(changes, await upsertChart(target, limits, code.slug, code, options));
  }
  const code = (await dashboardAsCode(source, dashboard, await source.spaces())) as Static<
    typeof DashboardCode
  >;
  const dashboardChanges = await upsertDashboard(target, code.slug ?? '', code, options);
  merge(changes, {
    ...dashboardChanges,
    dashboards: dashboardChanges.dashboards.map((change) => ({
      ...change,
      data: { ...(change.data as object), spaceSlug: code.spaceSlug },
    })),
  });
  return withOrigins(changes, origins);
}

interface ChartOrigin {
  uuid: string;
  slug: string;
  spaceSlug: string;
}

/** `PromotedChart`s name the chart they come from (`oldUuid`) and their space by slug. */
function withOrigins(changes: PromotionChanges, origins: ChartOrigin[]): PromotionChanges {
  return {
    ...changes,
    charts: changes.charts.map((change) => {
      const data = change.data as { slug?: string };
      const origin = origins.find((candidate) => candidate.slug === data.slug);
      return { ...change, data: { ...data, oldUuid: origin?.uuid, spaceSlug: origin?.spaceSlug } };
    }),
  };
}

/** A dry run reports the space each chart would create: the same space is reported once. */
function merge(into: PromotionChanges, changes: PromotionChanges) {
  const slugOf = (data: unknown) => (data as { slug?: string }).slug;
  for (const space of changes.spaces)
    if (!into.spaces.some((known) => slugOf(known.data) === slugOf(space.data))) into.spaces.push(space);
  into.charts.push(...changes.charts);
  into.dashboards.push(...changes.dashboards);
}

const ChartParams = Type.Object({ chartUuid: Type.String() });
const DashboardParams = Type.Object({ dashboardUuid: Type.String() });

export function registerPromotionRoutes(app: App, ports: ContentPorts, limits: ContentLimits): void {
  app.post('/v1/saved/:chartUuid/promote', { schema: { params: ChartParams } }, async (request) => {
    const changes = await promoteChart(ports, limits, principalOf(request), request.params.chartUuid, {});
    return ok(changes.charts[0]?.data);
  });

  app.get('/v1/saved/:chartUuid/promoteDiff', { schema: { params: ChartParams } }, async (request) =>
    ok(await promoteChart(ports, limits, principalOf(request), request.params.chartUuid, { dryRun: true })),
  );

  app.post(
    '/v1/dashboards/:dashboardUuid/promote',
    { schema: { params: DashboardParams } },
    async (request) => {
      const changes = await promoteDashboard(
        ports,
        limits,
        principalOf(request),
        request.params.dashboardUuid,
        {},
      );
      return ok(changes.dashboards[0]?.data);
    },
  );

  app.get(
    '/v1/dashboards/:dashboardUuid/promoteDiff',
    { schema: { params: DashboardParams } },
    async (request) =>
      ok(
        await promoteDashboard(ports, limits, principalOf(request), request.params.dashboardUuid, {
          dryRun: true,
        }),
      ),
  );
}
