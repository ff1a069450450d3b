import { Type } from 'typebox';
import type { SqlChart } from '../../../core/content/index.ts';
import { notFound } from '../../../core/errors.ts';
import { derivedUuid } from '../../kit/index.ts';
import type { App } from '../../server.ts';
import { principalOf } from '../../server.ts';
import { type ContentContext, type ContentPorts, contentContext } from './content-context.ts';
import { ok } from './envelope.ts';

/**
 * Saved SQL charts (`SqlChart`, Lightdash's `saved_sql`) on the core's SQL charts: filed in a
 * space (a dashboard folder of the project), addressed by uuid or by the slug the core keeps
 * unique per project. `versionedData` changes make a new version, whose uuid is derived from the
 * chart's and its version number (the core numbers versions).
 */

const Open = { additionalProperties: true };
const Params = Type.Object({
  projectUuid: Type.String({ maxLength: 64 }),
  uuid: Type.String({ maxLength: 64 }),
});
const SlugParams = Type.Object({
  projectUuid: Type.String({ maxLength: 64 }),
  slug: Type.String({ maxLength: 300 }),
});
const ProjectParams = Type.Object({ projectUuid: Type.String({ maxLength: 64 }) });
const Description = Type.Union([Type.String(), Type.Null()]);
const Config = Type.Record(Type.String(), Type.Unknown());
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Description),
    sql: Type.String({ minLength: 1 }),
    limit: Type.Integer({ minimum: 1 }),
    config: Config,
    spaceUuid: Type.String({ minLength: 1 }),
  },
  Open,
);
const UpdateBody = Type.Object(
  {
    unversionedData: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          description: Type.Optional(Description),
          spaceUuid: Type.String(),
        },
        Open,
      ),
    ),
    versionedData: Type.Optional(
      Type.Object(
        { sql: Type.String({ minLength: 1 }), limit: Type.Integer({ minimum: 1 }), config: Config },
        Open,
      ),
    ),
  },
  Open,
);

const versionUuid = (chart: SqlChart) =>
  derivedUuid('lightdash.sql-chart-version', `${chart.uuid}/${chart.version}`);

/** Lightdash's `ChartKind` of a config: its `type` (`vertical_bar`, `line`, `pie`, `table`, …). */
const chartKindOf = (config: Record<string, unknown>) =>
  typeof config.type === 'string' ? config.type : 'table';

async function sqlChartJson(context: ContentContext, chart: SqlChart) {
  const space = await context.ports.content.folders.get(context.principal, chart.folderUuid);
  const person = async (id: number) => (await context.updatedByUser(id)) ?? null;
  return {
    savedSqlUuid: chart.uuid,
    name: chart.name,
    description: chart.description,
    slug: chart.slug,
    sql: chart.sql,
    limit: chart.limit,
    config: chart.config,
    chartKind: chartKindOf(chart.config),
    createdAt: chart.createdAt,
    createdBy: await person(chart.createdBy),
    lastUpdatedAt: chart.updatedAt,
    lastUpdatedBy: await person(chart.updatedBy),
    space: {
      uuid: space.uuid,
      name: space.name,
      isPrivate: space.restricted,
      userAccess: await context.spaceShares(space),
    },
    dashboard: null,
    project: { projectUuid: context.project.uuid },
    organization: { organizationUuid: context.organization.uuid },
    // Views are not counted for SQL charts: no number is better than a made-up one.
    views: 0,
    firstViewedAt: chart.createdAt,
    lastViewedAt: chart.updatedAt,
  };
}

export function registerSavedSqlRoutes(app: App, ports: ContentPorts): void {
  const prefix = '/v1/projects/:projectUuid/sqlRunner/saved';
  /** A chart of this project; one of another project is as unknown as a missing one. */
  const chartOf = async (context: ContentContext, uuid: string) => {
    const chart = await ports.content.sqlCharts.get(context.principal, uuid);
    if (chart.projectId !== context.project.id) throw notFoundChart(uuid);
    return chart;
  };

  app.get(`${prefix}/:uuid`, { schema: { params: Params } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    return ok(await sqlChartJson(context, await chartOf(context, request.params.uuid)));
  });

  app.get(`${prefix}/slug/:slug`, { schema: { params: SlugParams } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const chart = await ports.content.sqlCharts.getBySlug(
      context.principal,
      context.project.id,
      request.params.slug,
    );
    return ok(await sqlChartJson(context, chart));
  });

  app.post(prefix, { schema: { params: ProjectParams, body: CreateBody } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const { name, description, sql, limit, config, spaceUuid } = request.body;
    const space = await context.space(spaceUuid);
    const chart = await ports.content.sqlCharts.create(principalOf(request), {
      name,
      description: description ?? null,
      sql,
      limit,
      config,
      folderId: space.uuid,
    });
    return ok({ savedSqlUuid: chart.uuid, slug: chart.slug });
  });

  app.patch(`${prefix}/:uuid`, { schema: { params: Params, body: UpdateBody } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const current = await chartOf(context, request.params.uuid);
    const { unversionedData, versionedData } = request.body;
    const space = unversionedData && (await context.space(unversionedData.spaceUuid));
    const chart = await ports.content.sqlCharts.update(context.principal, current.uuid, {
      ...(unversionedData && {
        name: unversionedData.name,
        ...(unversionedData.description !== undefined && { description: unversionedData.description }),
        folderId: space!.uuid,
      }),
      ...(versionedData && {
        sql: versionedData.sql,
        limit: versionedData.limit,
        config: versionedData.config,
      }),
    });
    return ok({
      savedSqlUuid: chart.uuid,
      savedSqlVersionUuid: chart.version === current.version ? null : versionUuid(chart),
    });
  });

  app.delete(`${prefix}/:uuid`, { schema: { params: Params } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const chart = await chartOf(context, request.params.uuid);
    await ports.content.sqlCharts.delete(context.principal, chart.uuid);
    return ok();
  });
}

const notFoundChart = (uuid: string) => notFound('sql chart', uuid);
