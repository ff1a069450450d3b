import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type Static, Type } from 'typebox';
import type { ChartDetail, Dashboard, Folder } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { assertValidCode } from '../../../formats/lightdash-code/validate.ts';
import type { App } from '../../server.ts';
import {
  chartContentOf,
  type LightdashChart,
  lightdashOf,
  Open,
  savedChartJson,
  VersionBody,
} from './chart-shapes.ts';
import {
  CodeTabSchema,
  CodeTileSchema,
  codeTileOf,
  filtersWithoutIds,
  tabsAndTilesOfCode,
} from './content-as-code-tiles.ts';
import {
  type ContentContext,
  type ContentLimits,
  type ContentPorts,
  contentContext,
  slugOf,
} from './content-context.ts';
import {
  asTileError,
  contentOfTiles,
  DashboardFilterRuleSchema,
  type DashboardFilters,
  dashboardJson,
} from './dashboards.ts';
import { ok } from './envelope.ts';

/** Charts or dashboards one download answers at most; the client asks again from `offset`. */
const CODE_PAGE_SIZE = 100;
const CODE_VERSION = 1;

type Action = 'create' | 'update' | 'no changes';
export interface PromotionChanges {
  spaces: Array<{ action: Action; data: unknown }>;
  charts: Array<{ action: Action; data: unknown }>;
  dashboards: Array<{ action: Action; data: unknown }>;
}

/** Compares what JSON would carry: an absent key and an undefined one are the same. */
const sameJson = (a: unknown, b: unknown) =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));

const spaceSlugOf = (context: ContentContext, folders: Folder[], folderUuid: string | null) => {
  const folder = folders.find((candidate) => candidate.uuid === folderUuid);
  return folder ? slugOf(folder.name) : slugOf(context.project.name);
};

/** A slug's words with capitals, the name Lightdash gives a space it creates from a slug. */
const nameOfSlug = (slug: string) =>
  slug
    .split('-')
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ') || slug;

/** An upsert that only reports what it would change (promotion's diff) writes nothing. */
export interface UpsertOptions {
  dryRun?: boolean;
}

/**
 * The space a code file names by slug: found among the caller's spaces of the project, or
 * created (public unless said otherwise), as `lightdash upload` expects; a dry run reports the
 * space it would create and answers undefined.
 */
async function spaceOfSlug(
  context: ContentContext,
  body: { spaceSlug: string; skipSpaceCreate?: boolean; publicSpaceCreate?: boolean },
  changes: PromotionChanges,
  options: UpsertOptions,
  current?: string | null,
): Promise<{ uuid: string | null } | undefined> {
  const found = (await context.spaces()).find((space) => slugOf(space.name) === body.spaceSlug);
  if (found) return found;
  // Content in no space (the demo dashboard) downloads with the project's slug: back, it stays there.
  if (current === null && body.spaceSlug === slugOf(context.project.name)) return { uuid: null };
  if (body.skipSpaceCreate)
    throw validationError('spaceSlug', `no space ${JSON.stringify(body.spaceSlug)} in the project`);
  if (options.dryRun) {
    const name = nameOfSlug(body.spaceSlug);
    changes.spaces.push({
      action: 'create',
      data: { name, slug: body.spaceSlug, projectUuid: context.project.uuid },
    });
    return undefined;
  }
  const access =
    body.publicSpaceCreate === false
      ? [{ subject: 'user' as const, id: context.principal.userId, level: 'edit' as const }]
      : [];
  const created = await context.ports.content.folders.create(context.principal, {
    name: nameOfSlug(body.spaceSlug),
    kind: 'dashboard',
    projectId: context.project.id,
    access,
  });
  changes.spaces.push({
    action: 'create',
    data: {
      uuid: created.uuid,
      name: created.name,
      slug: slugOf(created.name),
      projectUuid: context.project.uuid,
    },
  });
  return created;
}

/** The paging and selection of a code download: `ids` are uuids or slugs; unknown ones are `missingIds`. */
function selected<T extends { uuid: string; name: string; id: number }>(
  items: T[],
  query: { ids?: string | string[]; offset?: string },
) {
  const ids = query.ids === undefined ? undefined : [query.ids].flat();
  const matches = (item: T, id: string) => item.uuid === id || slugOf(item.name) === id;
  const chosen = [...items]
    .sort((a, b) => a.id - b.id)
    .filter((item) => ids === undefined || ids.some((id) => matches(item, id)));
  const missingIds = (ids ?? []).filter((id) => !items.some((item) => matches(item, id)));
  const offset = Number(query.offset ?? 0);
  const page = chosen.slice(offset, offset + CODE_PAGE_SIZE);
  return { page, missingIds, total: chosen.length, offset: offset + page.length };
}

/** `ChartAsCode`: a chart's Lightdash JSON with its space and dashboard named by slug, not uuid. */
export async function chartAsCode(context: ContentContext, chart: ChartDetail, folders: Folder[]) {
  const kept = lightdashOf(chart);
  const dashboard = kept.dashboardUuid
    ? await context.ports.content.dashboards
        .lookup(context.principal, kept.dashboardUuid)
        .catch(() => undefined)
    : undefined;
  return {
    name: chart.name,
    description: chart.description ?? undefined,
    tableName: kept.tableName,
    metricQuery: kept.metricQuery,
    chartConfig: kept.chartConfig,
    tableConfig: kept.tableConfig,
    ...(kept.pivotConfig && { pivotConfig: kept.pivotConfig }),
    slug: slugOf(chart.name),
    updatedAt: chart.updatedAt,
    dashboardSlug: dashboard ? slugOf(dashboard.name) : undefined,
    version: CODE_VERSION,
    spaceSlug: spaceSlugOf(context, folders, chart.folderUuid),
    downloadedAt: new Date().toISOString(),
  };
}

/** `DashboardAsCode`: tiles name their charts by slug, filter rules carry no ids. */
export async function dashboardAsCode(context: ContentContext, dashboard: Dashboard, folders: Folder[]) {
  const json = await dashboardJson(context, dashboard);
  const charts = await context.ports.content.charts.list(context.principal, {
    projectId: context.project.id,
  });
  const slugOfChart = new Map(charts.map((chart) => [chart.uuid, slugOf(chart.name)]));
  return {
    name: json.name,
    description: json.description,
    updatedAt: json.updatedAt,
    tabs: json.tabs,
    slug: json.slug,
    tiles: json.tiles.map((tile) => codeTileOf(tile, slugOfChart)),
    version: CODE_VERSION,
    spaceSlug: spaceSlugOf(context, folders, dashboard.folderUuid),
    downloadedAt: new Date().toISOString(),
    filters: filtersWithoutIds(json.filters),
  };
}

const ProjectParams = Type.Object({ projectUuid: Type.String() });
const SlugParams = Type.Object({ projectUuid: Type.String(), slug: Type.String({ maxLength: 255 }) });
const CodeQuery = Type.Object({
  ids: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })),
});
const codeFileFields = {
  name: Type.String({ minLength: 1 }),
  slug: Type.Optional(Type.String()),
  spaceSlug: Type.String({ minLength: 1 }),
  version: Type.Number(),
  updatedAt: Type.Optional(Type.String()),
  downloadedAt: Type.Optional(Type.String()),
  skipSpaceCreate: Type.Optional(Type.Boolean()),
  publicSpaceCreate: Type.Optional(Type.Boolean()),
};
export const ChartCode = Type.Object(
  {
    ...VersionBody.properties,
    ...codeFileFields,
    dashboardSlug: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  Open,
);
const CodeFilterRule = Type.Object({
  ...DashboardFilterRuleSchema.properties,
  id: Type.Optional(Type.String()),
});
export const DashboardCode = Type.Object(
  {
    ...codeFileFields,
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    tiles: Type.Array(CodeTileSchema),
    tabs: Type.Optional(Type.Array(CodeTabSchema)),
    filters: Type.Optional(
      Type.Object({
        dimensions: Type.Array(CodeFilterRule),
        metrics: Type.Optional(Type.Array(CodeFilterRule)),
        tableCalculations: Type.Optional(Type.Array(CodeFilterRule)),
      }),
    ),
  },
  Open,
);

/** A dashboard of the project by slug, for a chart saved in it. */
async function dashboardOfSlug(context: ContentContext, slug: string) {
  const listed = await context.ports.content.dashboards.list(context.principal, {
    projectId: context.project.id,
  });
  const found = listed.find((dashboard) => slugOf(dashboard.name) === slug);
  if (!found) throw validationError('dashboardSlug', `no dashboard ${JSON.stringify(slug)} in the project`);
  return found;
}

/** The Lightdash JSON `chartContentOf` keeps of a code file, without planning its query. */
const keptOf = (body: Static<typeof ChartCode>, dashboardUuid: string | null): LightdashChart => ({
  tableName: body.tableName,
  metricQuery: { ...body.metricQuery, exploreName: body.metricQuery.exploreName ?? body.tableName },
  chartConfig: body.chartConfig,
  tableConfig: body.tableConfig,
  ...(body.pivotConfig && { pivotConfig: body.pivotConfig }),
  ...(dashboardUuid && { dashboardUuid }),
});

export async function upsertChart(
  context: ContentContext,
  limits: ContentLimits,
  slug: string,
  body: Static<typeof ChartCode>,
  options: UpsertOptions = {},
): Promise<PromotionChanges> {
  const { charts } = context.ports.content;
  const changes: PromotionChanges = { spaces: [], charts: [], dashboards: [] };
  const listed = await charts.list(context.principal, { projectId: context.project.id });
  const existing = listed.find((chart) => slugOf(chart.name) === slug);
  const dashboardUuid = body.dashboardSlug ? (await dashboardOfSlug(context, body.dashboardSlug)).uuid : null;
  const folder = await spaceOfSlug(context, body, changes, options, existing?.folderUuid);
  const description = body.description ?? null;
  const current = existing && (await charts.lookup(context.principal, existing.uuid));
  if (current) {
    // Compared before planning: a chart of another face, whose download shows no query it can
    // plan, comes back unchanged from a `lightdash download` + `upload` round trip.
    const unchanged =
      current.name === body.name &&
      (current.description ?? null) === description &&
      current.folderUuid === folder?.uuid &&
      sameJson(lightdashOf(current), keptOf(body, dashboardUuid));
    if (unchanged) {
      changes.charts.push({ action: 'no changes', data: await savedChartJson(context, current, current) });
      return changes;
    }
  }
  const content = await chartContentOf(context, limits, { ...body, dashboardUuid });
  if (current) {
    if (!folder || options.dryRun) {
      const data = { ...(await savedChartJson(context, current, current)), name: body.name, description };
      changes.charts.push({ action: 'update', data: { ...data, ...lightdashOf(content) } });
      return changes;
    }
    const updated = await charts.update(context.principal, current.uuid, {
      name: body.name,
      description,
      folderId: folder.uuid ?? undefined,
      ...content,
      version: current.version,
    });
    changes.charts.push({ action: 'update', data: await savedChartJson(context, updated, updated) });
    return changes;
  }
  if (!folder || options.dryRun) {
    const data = { name: body.name, description, projectUuid: context.project.uuid, slug };
    changes.charts.push({ action: 'create', data: { ...data, ...lightdashOf(content) } });
    return changes;
  }
  const created = await charts.create(context.principal, {
    name: body.name,
    description,
    folderId: folder.uuid,
    ...content,
  });
  changes.charts.push({ action: 'create', data: await savedChartJson(context, created, created) });
  return changes;
}

/** Code tiles as `DashboardTile`s: a chart named by slug is the project's chart of that slug. */
async function tilesOfCode(context: ContentContext, tiles: ReturnType<typeof tabsAndTilesOfCode>['tiles']) {
  const charts = await context.ports.content.charts.list(context.principal, {
    projectId: context.project.id,
  });
  return tiles.map((tile, index) => {
    const { chartSlug, chartName: _, ...properties } = tile.properties;
    if (tile.type !== 'saved_chart' || chartSlug === undefined) return tile;
    // A tile of no saved chart (downloaded with `chartSlug: null`) stays one.
    if (chartSlug === null) return { ...tile, properties: { ...properties, savedChartUuid: null } };
    const chart = charts.find((candidate) => slugOf(candidate.name) === chartSlug);
    if (!chart)
      throw validationError(
        `tiles[${index}].properties.chartSlug`,
        `no chart ${JSON.stringify(chartSlug)} in the project`,
      );
    return { ...tile, properties: { ...properties, savedChartUuid: chart.uuid } };
  });
}

export async function upsertDashboard(
  context: ContentContext,
  slug: string,
  body: Static<typeof DashboardCode>,
  options: UpsertOptions = {},
): Promise<PromotionChanges> {
  const { dashboards } = context.ports.content;
  const changes: PromotionChanges = { spaces: [], charts: [], dashboards: [] };
  const listed = await dashboards.list(context.principal, { projectId: context.project.id });
  const existing = listed.find((dashboard) => slugOf(dashboard.name) === slug);
  const folder = await spaceOfSlug(context, body, changes, options, existing?.folderUuid);
  const withIds = (rules: Static<typeof CodeFilterRule>[] = []) =>
    rules.map((rule) => ({ ...rule, id: rule.id ?? randomUUID() }));
  const filters: DashboardFilters = {
    dimensions: withIds(body.filters?.dimensions),
    metrics: withIds(body.filters?.metrics),
    tableCalculations: withIds(body.filters?.tableCalculations),
  };
  const { tabs, tiles: codeTiles } = tabsAndTilesOfCode(body.tabs ?? [], body.tiles);
  const description = body.description ?? null;
  if (existing) {
    const current = await dashboards.lookup(context.principal, existing.uuid);
    const code = await dashboardAsCode(context, current, await context.spaces());
    const comparable = (file: {
      name: string;
      description?: string | null;
      tiles: unknown;
      tabs?: unknown;
      filters?: unknown;
    }) => ({
      name: file.name,
      description: file.description ?? null,
      tiles: file.tiles,
      tabs: file.tabs ?? [],
      filters: file.filters,
    });
    const incoming = { ...body, tabs, tiles: codeTiles, filters: filtersWithoutIds(filters) };
    if (current.folderUuid === folder?.uuid && sameJson(comparable(code), comparable(incoming))) {
      changes.dashboards.push({ action: 'no changes', data: await dashboardJson(context, current) });
      return changes;
    }
    if (!folder || options.dryRun) {
      const data = { ...(await dashboardJson(context, current)), name: body.name, description };
      changes.dashboards.push({ action: 'update', data });
      return changes;
    }
    const tiles = await tilesOfCode(context, codeTiles);
    const updated = await dashboards
      .update(context.principal, current.uuid, {
        name: body.name,
        description,
        folderId: folder.uuid ?? undefined,
        ...contentOfTiles(tiles, tabs, filters),
      })
      .catch(asTileError);
    changes.dashboards.push({ action: 'update', data: await dashboardJson(context, updated) });
    return changes;
  }
  if (!folder || options.dryRun) {
    const data = { name: body.name, description, projectUuid: context.project.uuid, slug };
    changes.dashboards.push({ action: 'create', data });
    return changes;
  }
  const tiles = await tilesOfCode(context, codeTiles);
  const created = await dashboards
    .create(context.principal, {
      name: body.name,
      description,
      folderId: folder.uuid,
      ...contentOfTiles(tiles, tabs, filters),
    })
    .catch(asTileError);
  changes.dashboards.push({ action: 'create', data: await dashboardJson(context, created) });
  return changes;
}

/**
 * Content as code (clients.md, Appendix A): charts and dashboards downloaded as the files
 * `lightdash download` writes and uploaded back by slug, mapped through the chart and dashboard
 * routes' own mappers; an upload reports each change as `create`, `update` or `no changes`.
 */
export function registerContentAsCodeRoutes(app: App, ports: ContentPorts, limits: ContentLimits): void {
  const { charts, dashboards } = ports.content;

  app.get(
    '/v1/projects/:projectUuid/charts/code',
    { schema: { params: ProjectParams, querystring: CodeQuery } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const listed = await charts.list(context.principal, { projectId: context.project.id });
      const { page, ...paging } = selected(listed, request.query);
      const folders = await context.spaces();
      const code = [];
      for (const chart of page)
        code.push(await chartAsCode(context, await charts.lookup(context.principal, chart.uuid), folders));
      return ok({ charts: code, ...paging });
    },
  );

  app.get(
    '/v1/projects/:projectUuid/dashboards/code',
    { schema: { params: ProjectParams, querystring: CodeQuery } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const listed = await dashboards.list(context.principal, { projectId: context.project.id });
      const { page, ...paging } = selected(listed, request.query);
      const folders = await context.spaces();
      const code = [];
      for (const dashboard of page)
        code.push(
          await dashboardAsCode(context, await dashboards.lookup(context.principal, dashboard.uuid), folders),
        );
      return ok({ dashboards: code, ...paging });
    },
  );

  app.post(
    '/v1/projects/:projectUuid/charts/:slug/code',
    {
      schema: { params: SlugParams, body: ChartCode },
      // Lightdash's published schema first: its refusal names the field as the CLI's files have it.
      preValidation: async (request) => assertValidCode('chart', request.body),
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      return ok(await upsertChart(context, limits, request.params.slug, request.body));
    },
  );

  app.post(
    '/v1/projects/:projectUuid/dashboards/:slug/code',
    {
      schema: { params: SlugParams, body: DashboardCode },
      preValidation: async (request) => assertValidCode('dashboard', request.body),
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      return ok(await upsertDashboard(context, request.params.slug, request.body));
    },
  );
}
