import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { CatalogLabels, ChartDetail } from '../../../core/content/index.ts';
import { notFound } from '../../../core/errors.ts';
import type { App } from '../../server.ts';
import { lightdashOf } from './chart-shapes.ts';
import { type ContentContext, type ContentPorts, contentContext } from './content-context.ts';
import { ok } from './envelope.ts';
import { type Explore, type ExploreField, listExplores } from './explores.ts';
import { pageOf } from './shapes.ts';

/**
 * The data catalog (spec §2.13), derived from the project's explores: one table item per
 * explore and one field item per dimension and metric of its base table (interval variants
 * are their base dimension's); chart usage from the project's saved charts; categories (the
 * project's tags) and icons from the core's catalog labels, keyed by table and field.
 */

/** The core's label key of a catalog item: its table, and its field for a field. */
const labelKey = (...path: string[]): string => JSON.stringify(path);

/** A catalog item's uuid: stable for the same project, table and field. */
function catalogSearchUuid(projectUuid: string, ...path: string[]): string {
  const hex = createHash('sha1')
    .update([projectUuid, ...path].join('\0'))
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const catalogFields = (explore: Explore): ExploreField[] =>
  explore.fields.filter((field) => field.table === explore.baseTable && field.interval === undefined);

/** Each field id with the ids of its interval variants: a chart grouping by month uses the date. */
function fieldIdsOf(explore: Explore, field: ExploreField): string[] {
  const variants = explore.fields.filter(
    (other) => other.table === field.table && other.baseName === field.name,
  );
  return [field.id, ...variants.map((variant) => variant.id)];
}

interface ChartUsage {
  chart: ChartDetail;
  tableName: string;
  fieldIds: Set<string>;
  dashboardUuid: string | null;
}

async function chartUsages(context: ContentContext): Promise<ChartUsage[]> {
  const { charts } = context.ports.content;
  const listed = await charts.list(context.principal, { projectId: context.project.id });
  const details = await Promise.all(listed.map((chart) => charts.lookup(context.principal, chart.uuid)));
  return details.map((chart) => {
    const kept = lightdashOf(chart);
    return {
      chart,
      tableName: kept.tableName,
      fieldIds: new Set([...kept.metricQuery.dimensions, ...kept.metricQuery.metrics]),
      dashboardUuid: kept.dashboardUuid ?? null,
    };
  });
}

const chartKinds: Record<string, string> = {
  line: 'line',
  area: 'area',
  scatter: 'scatter',
  pie: 'pie',
  donut: 'pie',
  table: 'table',
  kpi: 'big_number',
};

async function analyticsJson(context: ContentContext, usages: ChartUsage[]) {
  const spaces = new Map((await context.spaces()).map((space) => [space.uuid, space]));
  return {
    charts: usages.map(({ chart, dashboardUuid }) => ({
      uuid: chart.uuid,
      name: chart.name,
      spaceUuid: chart.folderUuid ?? '',
      spaceName: (chart.folderUuid && spaces.get(chart.folderUuid)?.name) || '',
      dashboardUuid,
      dashboardName: chart.usedBy.find((dashboard) => dashboard.uuid === dashboardUuid)?.name ?? null,
      chartKind: chartKinds[chart.visualizationType] ?? 'vertical_bar',
    })),
  };
}

interface Catalog {
  projectUuid: string;
  explores: Explore[];
  usages: ChartUsage[];
  labels: Map<string, CatalogLabels>;
}

/** `icon` and `categories` of an item. */
function labelsJson(catalog: Catalog, key: string) {
  const labels = catalog.labels.get(key);
  return {
    icon: labels?.icon ?? null,
    categories: (labels?.tags ?? []).map((tag) => ({ tagUuid: tag.uuid, name: tag.name, color: tag.color })),
  };
}

function fieldItem(catalog: Catalog, explore: Explore, field: ExploreField) {
  const ids = fieldIdsOf(explore, field);
  return {
    name: field.name,
    label: field.label,
    fieldType: field.fieldType,
    tableLabel: explore.label,
    chartUsage: catalog.usages.filter((usage) => ids.some((id) => usage.fieldIds.has(id))).length,
    ...labelsJson(catalog, labelKey(explore.name, field.name)),
    tags: [],
    tableName: explore.name,
    basicType: field.fieldType === 'metric' ? 'number' : field.type,
    type: 'field' as const,
    catalogSearchUuid: catalogSearchUuid(catalog.projectUuid, explore.name, field.name),
  };
}

function tableItem(catalog: Catalog, explore: Explore) {
  return {
    name: explore.name,
    label: explore.label,
    ...(explore.description !== undefined && { description: explore.description }),
    chartUsage: catalog.usages.filter((usage) => usage.tableName === explore.name).length,
    joinedTables: explore.joins.map((join) => ({ table: join.table, sqlOn: '', type: join.type })),
    ...labelsJson(catalog, labelKey(explore.name)),
    tags: [],
    type: 'table' as const,
    catalogSearchUuid: catalogSearchUuid(catalog.projectUuid, explore.name),
  };
}

/** The label key of the item a `catalogSearchUuid` names; 404 when no item has it. */
function keyOfItem(catalog: Catalog, uuid: string): string {
  for (const explore of catalog.explores) {
    if (catalogSearchUuid(catalog.projectUuid, explore.name) === uuid) return labelKey(explore.name);
    for (const field of catalogFields(explore))
      if (catalogSearchUuid(catalog.projectUuid, explore.name, field.name) === uuid)
        return labelKey(explore.name, field.name);
  }
  throw notFound('catalog item', uuid);
}

type FieldItem = ReturnType<typeof fieldItem>;
type TableItem = ReturnType<typeof tableItem>;

const matches = (search: string | undefined, item: { name: string; label: string; description?: string }) => {
  if (!search) return true;
  const needle = search.toLowerCase();
  return [item.name, item.label, item.description ?? ''].some((text) => text.toLowerCase().includes(needle));
};

async function catalogOf(context: ContentContext): Promise<Catalog> {
  const [explores, usages, labels] = await Promise.all([
    listExplores(context.ports, context.principal, context.project),
    chartUsages(context),
    context.ports.content.catalogLabels.list(context.principal, context.project.id),
  ]);
  return { projectUuid: context.project.uuid, explores, usages, labels };
}

function exploreNamed(explores: Explore[], table: string): Explore {
  const explore = explores.find((candidate) => candidate.name === table);
  if (!explore) throw notFound('table', table);
  return explore;
}

const ProjectParams = Type.Object({ projectUuid: Type.String() });
const TableParams = Type.Object({ projectUuid: Type.String(), table: Type.String() });
const ItemParams = Type.Object({ projectUuid: Type.String(), catalogSearchUuid: Type.String() });
const IconBody = Type.Object({
  icon: Type.Union([
    Type.Object({ unicode: Type.String({ minLength: 1, maxLength: 16 }) }),
    Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }) }),
    Type.Null(),
  ]),
});
const FieldParams = Type.Object({ projectUuid: Type.String(), table: Type.String(), field: Type.String() });
const CatalogQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 500 })),
  type: Type.Optional(Type.Union([Type.Literal('table'), Type.Literal('field')])),
  filter: Type.Optional(
    Type.Union([Type.Literal('tables'), Type.Literal('dimensions'), Type.Literal('metrics')]),
  ),
});
// Query strings arrive as text (the server does not coerce them), so counts are patterns.
const PositiveCount = Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' }));
const MetricsQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 500 })),
  page: PositiveCount,
  pageSize: PositiveCount,
  sort: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('label'), Type.Literal('chartUsage')])),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  categories: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()])),
});

export function registerCatalogRoutes(app: App, ports: ContentPorts): void {
  app.post(
    '/v1/projects/:projectUuid/dataCatalog/:catalogSearchUuid/categories',
    { schema: { params: ItemParams, body: Type.Object({ tagUuid: Type.String() }) } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const key = keyOfItem(await catalogOf(context), request.params.catalogSearchUuid);
      await ports.content.catalogLabels.addTag(
        context.principal,
        context.project.id,
        key,
        request.body.tagUuid,
      );
      return ok();
    },
  );

  app.delete(
    '/v1/projects/:projectUuid/dataCatalog/:catalogSearchUuid/categories/:tagUuid',
    { schema: { params: Type.Object({ ...ItemParams.properties, tagUuid: Type.String() }) } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const key = keyOfItem(await catalogOf(context), request.params.catalogSearchUuid);
      await ports.content.catalogLabels.removeTag(
        context.principal,
        context.project.id,
        key,
        request.params.tagUuid,
      );
      return ok();
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/dataCatalog/:catalogSearchUuid/icon',
    { schema: { params: ItemParams, body: IconBody } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const key = keyOfItem(await catalogOf(context), request.params.catalogSearchUuid);
      await ports.content.catalogLabels.setIcon(
        context.principal,
        context.project.id,
        key,
        request.body.icon,
      );
      return ok();
    },
  );

  app.get(
    '/v1/projects/:projectUuid/dataCatalog',
    { schema: { params: ProjectParams, querystring: CatalogQuery } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const catalog = await catalogOf(context);
      const { search, type, filter } = request.query;
      const wantTables = type !== 'field' && (filter === undefined || filter === 'tables');
      const wantFields = type !== 'table' && filter !== 'tables';
      const items: (TableItem | FieldItem)[] = [];
      for (const explore of catalog.explores) {
        if (wantTables) items.push(tableItem(catalog, explore));
        if (!wantFields) continue;
        for (const field of catalogFields(explore)) {
          if (filter === 'dimensions' && field.fieldType !== 'dimension') continue;
          if (filter === 'metrics' && field.fieldType !== 'metric') continue;
          items.push(fieldItem(catalog, explore, field));
        }
      }
      return ok(items.filter((item) => matches(search, item)));
    },
  );

  app.get(
    '/v1/projects/:projectUuid/dataCatalog/metrics',
    { schema: { params: ProjectParams, querystring: MetricsQuery } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const catalog = await catalogOf(context);
      const { search, page, pageSize, sort = 'name', order = 'asc', categories } = request.query;
      const wantedCategories = categories === undefined ? [] : [categories].flat();
      const metrics = catalog.explores
        .flatMap((explore) =>
          catalogFields(explore)
            .filter((field) => field.fieldType === 'metric')
            .map((field) => fieldItem(catalog, explore, field)),
        )
        .filter(
          (item) =>
            matches(search, item) &&
            (wantedCategories.length === 0 ||
              item.categories.some((category) => wantedCategories.includes(category.tagUuid))),
        );
      const direction = order === 'desc' ? -1 : 1;
      metrics.sort((a, b) => {
        const left = a[sort];
        const right = b[sort];
        const compared =
          typeof left === 'number' && typeof right === 'number'
            ? left - right
            : String(left).localeCompare(String(right));
        return compared * direction;
      });
      const numberOf = (text: string | undefined) => (text === undefined ? undefined : Number(text));
      return ok(pageOf(metrics, numberOf(page), numberOf(pageSize)));
    },
  );

  app.get(
    '/v1/projects/:projectUuid/dataCatalog/:table/metadata',
    { schema: { params: TableParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const catalog = await catalogOf(context);
      const explore = exploreNamed(catalog.explores, request.params.table);
      const base = explore.tables.find((table) => table.name === explore.baseTable);
      const source =
        base?.relation.sql ?? [base?.relation.schema, base?.relation.table].filter(Boolean).join('.');
      return ok({
        name: explore.name,
        label: explore.label,
        ...(explore.description !== undefined && { description: explore.description }),
        modelName: explore.name,
        ...(source && { source }),
        joinedTables: explore.joins.map((join) => join.table),
        fields: catalogFields(explore).map((field) => fieldItem(catalog, explore, field)),
      });
    },
  );

  app.get(
    '/v1/projects/:projectUuid/dataCatalog/:table/analytics',
    { schema: { params: TableParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const catalog = await catalogOf(context);
      const explore = exploreNamed(catalog.explores, request.params.table);
      return ok(
        await analyticsJson(
          context,
          catalog.usages.filter((usage) => usage.tableName === explore.name),
        ),
      );
    },
  );

  app.get(
    '/v1/projects/:projectUuid/dataCatalog/:table/analytics/:field',
    { schema: { params: FieldParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const catalog = await catalogOf(context);
      const explore = exploreNamed(catalog.explores, request.params.table);
      const field = catalogFields(explore).find((candidate) => candidate.name === request.params.field);
      if (!field) throw notFound('field', request.params.field);
      const ids = fieldIdsOf(explore, field);
      return ok(
        await analyticsJson(
          context,
          catalog.usages.filter((usage) => ids.some((id) => usage.fieldIds.has(id))),
        ),
      );
    },
  );
}
