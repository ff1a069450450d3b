import { Type } from 'typebox';
import type { ChartSummary, DashboardSummary } from '../../../core/content/index.ts';
import type { App } from '../../server.ts';
import { chartSummaryItem } from './chart-shapes.ts';
import { type ContentContext, type ContentPorts, contentContext } from './content-context.ts';
import { dashboardBasicDetails } from './dashboards.ts';
import { ok } from './envelope.ts';
import { listExplores } from './explores.ts';

/** How many items `most-popular-and-recently-updated` lists in each part, as Lightdash does. */
const RECENT_ITEMS = 10;

const ProjectParams = Type.Object({ projectUuid: Type.String() });
const SearchParams = Type.Object({ projectUuid: Type.String(), query: Type.String({ maxLength: 500 }) });

/**
 * Ranks a name against the words searched: every word must occur (case-insensitively); a name
 * that starts with the whole query ranks first, then one that holds it whole, then the rest.
 */
function rankOf(text: string, query: string): number | undefined {
  const haystack = text.toLowerCase();
  const needle = query.trim().toLowerCase();
  const words = needle.split(/\s+/).filter(Boolean);
  if (words.length === 0 || !words.every((word) => haystack.includes(word))) return undefined;
  if (haystack.startsWith(needle)) return 1;
  return haystack.includes(needle) ? 0.5 : 0.25;
}

function matching<T>(items: T[], query: string, textOf: (item: T) => string) {
  return items
    .flatMap((item) => {
      const rank = rankOf(textOf(item), query);
      return rank === undefined ? [] : [{ item, search_rank: rank }];
    })
    .sort((a, b) => b.search_rank - a.search_rank);
}

const described = (item: { name: string; description?: string | null }) =>
  `${item.name} ${item.description ?? ''}`;

/** `SearchResults` of a project: its visible spaces, dashboards and charts, and its explores' tables and fields. */
async function searchProject(context: ContentContext, query: string) {
  const { content } = context.ports;
  const filter = { projectId: context.project.id };
  const [spaces, dashboards, charts, explores] = await Promise.all([
    context.spaces(),
    content.dashboards.list(context.principal, filter),
    content.charts.list(context.principal, filter),
    listExplores(context.ports, context.principal, context.project),
  ]);
  const tables = explores.flatMap((explore) =>
    explore.tables.map((table) => ({ explore, table, label: table.name })),
  );
  const fields = explores.flatMap((explore) => explore.fields.map((field) => ({ explore, field })));
  return {
    spaces: matching(spaces, query, (space) => space.name).map(({ item, search_rank }) => ({
      uuid: item.uuid,
      name: item.name,
      search_rank,
    })),
    dashboards: await Promise.all(
      matching(dashboards, query, described).map(async ({ item, search_rank }) => {
        const { views, firstViewedAt } = await context.viewsOf('dashboard', item);
        return {
          uuid: item.uuid,
          name: item.name,
          description: item.description ?? undefined,
          spaceUuid: item.folderUuid,
          validationErrors: [],
          viewsCount: views,
          firstViewedAt,
          lastModified: item.updatedAt,
          search_rank,
        };
      }),
    ),
    savedCharts: await Promise.all(
      matching(charts, query, described).map(async ({ item, search_rank }) => {
        const summary = await chartSummaryItem(context, item);
        return {
          uuid: item.uuid,
          name: item.name,
          description: item.description ?? undefined,
          spaceUuid: item.folderUuid,
          chartType: summary.chartType,
          validationErrors: [],
          viewsCount: summary.views,
          firstViewedAt: summary.firstViewedAt,
          lastModified: item.updatedAt,
          search_rank,
        };
      }),
    ),
    sqlCharts: [],
    tables: matching(tables, query, (entry) => `${entry.table.name} ${entry.explore.label}`).map(
      ({ item, search_rank }) => ({
        name: item.table.name,
        label: item.label,
        description: item.explore.description,
        explore: item.explore.name,
        exploreLabel: item.explore.label,
        search_rank,
      }),
    ),
    fields: matching(fields, query, (entry) => `${entry.field.name} ${entry.field.label}`).map(
      ({ item, search_rank }) => ({
        name: item.field.name,
        label: item.field.label,
        table: item.field.table,
        tableLabel: item.field.table,
        fieldType: item.field.fieldType,
        explore: item.explore.name,
        exploreLabel: item.explore.label,
        search_rank,
      }),
    ),
    pages: [],
    dashboardTabs: [],
  };
}

const viewsOfEntry = (
  context: ContentContext,
  entry: { dashboard: DashboardSummary } | { chart: ChartSummary },
) =>
  'dashboard' in entry
    ? context.viewsOf('dashboard', entry.dashboard)
    : context.viewsOf('chart', entry.chart);

const newestFirst = (a: { updatedAt: string }, b: { updatedAt: string }) =>
  b.updatedAt.localeCompare(a.updatedAt);

/**
 * Content search and the homepage's lists (Appendix B): the most popular are the most opened
 * (the core's view counts), never-opened content left out.
 */
export function registerSearchRoutes(app: App, ports: ContentPorts): void {
  app.get(
    '/v1/projects/:projectUuid/search/:query',
    { schema: { params: SearchParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      return ok(await searchProject(context, request.params.query));
    },
  );

  app.get(
    '/v1/projects/:projectUuid/most-popular-and-recently-updated',
    { schema: { params: ProjectParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { content } = ports;
      const filter = { projectId: context.project.id };
      const [dashboards, charts] = await Promise.all([
        content.dashboards.list(context.principal, filter),
        content.charts.list(context.principal, filter),
      ]);
      const recent: Array<
        { updatedAt: string } & ({ dashboard: DashboardSummary } | { chart: ChartSummary })
      > = [
        ...dashboards.map((dashboard) => ({ updatedAt: dashboard.updatedAt, dashboard })),
        ...charts.map((chart) => ({ updatedAt: chart.updatedAt, chart })),
      ]
        .sort(newestFirst)
        .slice(0, RECENT_ITEMS);
      const shapeOf = (entry: { dashboard: DashboardSummary } | { chart: ChartSummary }) =>
        'dashboard' in entry
          ? dashboardBasicDetails(context, entry.dashboard)
          : chartSummaryItem(context, entry.chart);
      const recentlyUpdated = await Promise.all(recent.map(shapeOf));
      const all = await Promise.all(
        [...dashboards.map((dashboard) => ({ dashboard })), ...charts.map((chart) => ({ chart }))].map(
          async (entry) => ({ entry, ...(await viewsOfEntry(context, entry)) }),
        ),
      );
      const popular = all
        .filter((item) => item.views > 0)
        .sort((a, b) => b.views - a.views)
        .slice(0, RECENT_ITEMS);
      const mostPopular = await Promise.all(popular.map((item) => shapeOf(item.entry)));
      return ok({ mostPopular, recentlyUpdated });
    },
  );
}
