import { Type } from 'typebox';
import type { ChartSummary, DashboardSummary, Folder } from '../../../core/content/index.ts';
import { numberedPage } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { chartSummaryJson } from './chart-shapes.ts';
import { ContentContext, type ContentPorts, slugOf } from './content-context.ts';
import { ok } from './envelope.ts';
import { pinOf } from './pins.ts';
import { nameParts } from './shapes.ts';

const contentTypes = ['chart', 'dashboard', 'space'] as const;
type ContentType = (typeof contentTypes)[number];

/** A query parameter given once is a string, given again an array. */
const OneOrMany = <T extends ReturnType<typeof Type.String>>(item: T) =>
  Type.Optional(Type.Union([item, Type.Array(item, { maxItems: 100 })]));
const ContentQuery = Type.Object({
  projectUuids: OneOrMany(Type.String()),
  spaceUuids: OneOrMany(Type.String()),
  contentTypes: OneOrMany(Type.String({ enum: [...contentTypes] })),
  // Query strings are text here (no coercion): a page from 1, at most 100 items a page.
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })),
  pageSize: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|100)$' })),
  search: Type.Optional(Type.String({ maxLength: 500 })),
  sortBy: Type.Optional(
    Type.Union([Type.Literal('name'), Type.Literal('space_name'), Type.Literal('last_updated_at')]),
  ),
  sortDirection: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
});

const listOf = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** One listed item before its shape is made: only the page's items get one. */
type Entry = { context: ContentContext; spaceName: string } & (
  | { type: 'chart'; item: ChartSummary }
  | { type: 'dashboard'; item: DashboardSummary }
  | { type: 'space'; item: Folder }
);

async function person(context: ContentContext, id: number | null) {
  const user = id === null ? undefined : await context.user(id);
  return user ? { uuid: user.uuid, ...nameParts(user.name) } : null;
}

/** The fields every `SummaryContent` has. */
async function contentBase(entry: Entry, updatedBy: number | null) {
  const { context, item } = entry;
  const space = entry.type === 'space' ? entry.item.parentUuid : entry.item.folderUuid;
  const kind = entry.type === 'space' ? 'folder' : entry.type;
  const pin = await pinOf(context, { kind, uuid: item.uuid });
  return {
    contentType: entry.type,
    uuid: item.uuid,
    slug: slugOf(item.name),
    name: item.name,
    description: item.description ?? null,
    createdAt: item.createdAt,
    createdBy: await person(context, entry.type === 'dashboard' ? entry.item.ownerId : entry.item.createdBy),
    lastUpdatedAt: item.updatedAt,
    lastUpdatedBy: await person(context, updatedBy),
    project: { uuid: context.project.uuid, name: context.project.name },
    organization: { uuid: context.organization.uuid, name: context.organization.name },
    space: space ? { uuid: space, name: entry.spaceName } : null,
    pinnedList: pin.pinnedListUuid ? { uuid: pin.pinnedListUuid, order: pin.pinnedListOrder } : null,
  };
}

/** `SummaryContent`: `ChartContent`, `DashboardContent` or `SpaceContent`. */
async function summaryContent(entry: Entry) {
  const { context } = entry;
  const { content } = context.ports;
  if (entry.type === 'chart') {
    const detail = await content.charts.lookup(context.principal, entry.item.uuid);
    const summary = await chartSummaryJson(context, entry.item);
    const dashboard = summary.dashboardUuid
      ? await content.dashboards.lookup(context.principal, summary.dashboardUuid).catch(() => undefined)
      : undefined;
    return {
      ...(await contentBase(entry, detail.updatedBy)),
      ...(await context.viewsOf('chart', entry.item)),
      source: summary.source,
      chartKind: summary.chartType,
      dashboard: dashboard ? { uuid: dashboard.uuid, name: dashboard.name } : null,
    };
  }
  if (entry.type === 'dashboard') {
    const detail = await content.dashboards.lookup(context.principal, entry.item.uuid);
    return {
      ...(await contentBase(entry, detail.updatedBy)),
      ...(await context.viewsOf('dashboard', entry.item)),
    };
  }
  const filter = { folderId: entry.item.uuid };
  const [charts, dashboards] = await Promise.all([
    content.charts.list(context.principal, filter),
    content.dashboards.list(context.principal, filter),
  ]);
  const spaces = await context.spaces();
  return {
    ...(await contentBase(entry, null)),
    views: 0,
    firstViewedAt: null,
    isPrivate: entry.item.restricted,
    access: (await context.spaceShares(entry.item)).map((share) => share.userUuid),
    chartCount: charts.length,
    dashboardCount: dashboards.length,
    childSpaceCount: spaces.filter((space) => space.parentUuid === entry.item.uuid).length,
    parentSpaceUuid: entry.item.parentUuid,
  };
}

/** The visible content of one project, of the kinds and spaces asked for. */
async function projectEntries(
  context: ContentContext,
  types: ReadonlySet<ContentType>,
  spaceUuids: ReadonlySet<string> | undefined,
): Promise<Entry[]> {
  const { content } = context.ports;
  const filter = { projectId: context.project.id };
  const [spaces, charts, dashboards] = await Promise.all([
    context.spaces(),
    types.has('chart') ? content.charts.list(context.principal, filter) : [],
    types.has('dashboard') ? content.dashboards.list(context.principal, filter) : [],
  ]);
  const spaceName = new Map(spaces.map((space) => [space.uuid, space.name]));
  const inSpaces = (uuid: string | null) => !spaceUuids || (uuid !== null && spaceUuids.has(uuid));
  const nameOf = (uuid: string | null) => (uuid === null ? '' : (spaceName.get(uuid) ?? ''));
  return [
    ...charts
      .filter((chart) => inSpaces(chart.folderUuid))
      .map((item) => ({ context, spaceName: nameOf(item.folderUuid), type: 'chart' as const, item })),
    ...dashboards
      .filter((dashboard) => inSpaces(dashboard.folderUuid))
      .map((item) => ({ context, spaceName: nameOf(item.folderUuid), type: 'dashboard' as const, item })),
    ...(types.has('space') ? spaces : [])
      .filter((space) => inSpaces(space.parentUuid))
      .map((item) => ({ context, spaceName: nameOf(item.parentUuid), type: 'space' as const, item })),
  ];
}

const matches = (entry: Entry, search: string) => {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${entry.item.name} ${entry.item.description ?? ''}`.toLowerCase();
  return words.every((word) => text.includes(word));
};

/** `GET /api/v2/content` (Appendix B): charts, dashboards and spaces of the caller's projects, one numbered page. */
export function registerContentListingRoutes(app: App, ports: ContentPorts): void {
  app.get('/v2/content', { schema: { querystring: ContentQuery } }, async (request) => {
    const principal = principalOf(request);
    const query = request.query;
    const projectUuids = listOf(query.projectUuids);
    const projects = projectUuids
      ? await Promise.all(projectUuids.map((uuid) => ports.directory.projects.getByUuid(principal, uuid)))
      : await ports.directory.projects.list(principal);
    const types = new Set<ContentType>(
      (listOf(query.contentTypes) as ContentType[] | undefined) ?? contentTypes,
    );
    const spaceUuids = listOf(query.spaceUuids);
    const spaceFilter = spaceUuids && new Set(spaceUuids);
    const entries = (
      await Promise.all(
        projects.map(async (project) =>
          projectEntries(await ContentContext.open(ports, principal, project.uuid), types, spaceFilter),
        ),
      )
    ).flat();
    const found = query.search ? entries.filter((entry) => matches(entry, query.search ?? '')) : entries;
    const sortBy = query.sortBy ?? 'last_updated_at';
    const direction =
      (query.sortDirection ?? (sortBy === 'last_updated_at' ? 'desc' : 'asc')) === 'asc' ? 1 : -1;
    const key = (entry: Entry) =>
      sortBy === 'name'
        ? entry.item.name.toLowerCase()
        : sortBy === 'space_name'
          ? entry.spaceName.toLowerCase()
          : entry.item.updatedAt;
    found.sort((a, b) => direction * key(a).localeCompare(key(b)) || a.item.uuid.localeCompare(b.item.uuid));
    const page = numberedPage(found, Number(query.page ?? 1), Number(query.pageSize ?? 10));
    return ok({
      data: await Promise.all(page.items.map(summaryContent)),
      pagination: {
        page: page.page,
        pageSize: page.pageSize,
        totalResults: page.totalResults,
        totalPageCount: page.totalPages,
      },
    });
  });
}
