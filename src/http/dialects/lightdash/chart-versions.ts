import type { Principal } from '../../../core/auth/index.ts';
import type { ChartService, ChartVersion } from '../../../core/content/index.ts';
import { notFound } from '../../../core/errors.ts';
import type { App } from '../../server.ts';
import {
  ChartParams,
  chartContentOf,
  lightdashOf,
  openChart,
  savedChartJson,
  VersionBody,
  VersionParams,
} from './chart-shapes.ts';
import type { ContentLimits, ContentPorts } from './content-context.ts';
import { ok } from './envelope.ts';

/** `GetChartHistory` lists the versions of the last 30 days. */
const HISTORY_DAYS = 30;

/** A chart version by uuid: the history lists them, the core reads them by number. */
export async function versionOf(
  charts: Pick<ChartService, 'listVersions' | 'getVersion'>,
  principal: Principal,
  chartUuid: string,
  versionUuid: string,
): Promise<ChartVersion> {
  const versions = await charts.listVersions(principal, chartUuid);
  const found = versions.find((version) => version.uuid === versionUuid);
  if (!found) throw notFound('chart version', versionUuid);
  return charts.getVersion(principal, chartUuid, found.version);
}

/** A chart's new versions, its history and one version (spec §2.8, Appendix B). */
export function registerChartVersionRoutes(app: App, ports: ContentPorts, limits: ContentLimits): void {
  const { charts } = ports.content;

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
      const version = await versionOf(charts, context.principal, chart.uuid, request.params.versionUuid);
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
}
