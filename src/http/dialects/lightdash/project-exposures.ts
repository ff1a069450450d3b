import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ChartContent } from '../../../core/content/index.ts';
import { isRosettaError } from '../../../core/errors.ts';
import type { App } from '../../server.ts';
import { lightdashOf } from './chart-shapes.ts';
import { type ContentContext, type ContentPorts, contentContext } from './content-context.ts';
import { ok } from './envelope.ts';
import { type Explore, exploreJson, findExplore, listExplores } from './explores.ts';

const ProjectUuid = Type.Object({ projectUuid: Type.String({ maxLength: 64 }) });

/** dbt's `ref()` of each table an explore reads: its models, as dbt names them. */
const refsOf = (explore: Explore | undefined): string[] =>
  explore ? explore.tables.map((table) => `ref('${table.name}')`) : [];

/** The explore a chart or tile reads: by the explore name Lightdash saved, else by the core source. */
function exploreOf(explores: Explore[], content: Pick<ChartContent, 'query' | 'visualization'>) {
  const { tableName } = lightdashOf(content);
  return (
    explores.find((explore) => explore.name === tableName) ??
    explores.find((explore) => explore.source === content.query.source)
  );
}

/** A dbt node name of a uuid, as Lightdash writes it (`ld_chart_<uuid in snake case>`). */
const nodeName = (kind: 'chart' | 'dashboard', uuid: string) => `ld_${kind}_${uuid.replaceAll('-', '_')}`;

async function ownerOf(context: ContentContext, userId: number) {
  const user = await context.user(userId);
  return { name: user?.name ?? '', email: user?.email ?? '' };
}

/**
 * `DbtExposure`s of the project's charts (`analysis`) and dashboards (`dashboard`), keyed by their
 * node name, each depending on the dbt models its explores read: what `lightdash
 * generate-exposures` writes into the dbt project. Only content the caller may see is listed.
 */
async function dbtExposures(context: ContentContext, origin: string) {
  const { principal, project, ports } = context;
  const explores = await listExplores(ports, principal, project);
  const site = `${origin}/projects/${project.uuid}`;
  const exposures: Record<string, unknown> = {};
  for (const summary of await ports.content.charts.list(principal, { projectId: project.id })) {
    const chart = await ports.content.charts.lookup(principal, summary.id);
    const name = nodeName('chart', chart.uuid);
    exposures[name] = {
      name,
      type: 'analysis',
      owner: await ownerOf(context, chart.updatedBy),
      label: chart.name,
      description: chart.description ?? '',
      url: `${site}/saved/${chart.uuid}/view`,
      dependsOn: refsOf(exploreOf(explores, chart)),
      tags: ['lightdash', 'chart'],
    };
  }
  for (const summary of await ports.content.dashboards.list(principal, { projectId: project.id })) {
    const dashboard = await ports.content.dashboards.lookup(principal, summary.id);
    const refs = new Set<string>();
    for (const widget of dashboard.widgets) {
      if (!widget.query) continue;
      for (const ref of refsOf(
        exploreOf(explores, { query: widget.query, visualization: widget.visualization }),
      ))
        refs.add(ref);
    }
    const name = nodeName('dashboard', dashboard.uuid);
    exposures[name] = {
      name,
      type: 'dashboard',
      owner: await ownerOf(context, dashboard.updatedBy),
      label: dashboard.name,
      description: dashboard.description ?? '',
      url: `${site}/dashboards/${dashboard.uuid}/view`,
      dependsOn: [...refs],
      tags: ['lightdash', 'dashboard'],
    };
  }
  return exposures;
}

/**
 * `ProjectCatalog` (the catalog before the data catalog): database → schema → table →
 * `{description, sqlTable}`, over the tables of every explore of the project, as `GetExplore`
 * describes them.
 */
async function projectCatalog(context: ContentContext) {
  const { principal, project, ports } = context;
  const catalog: Record<
    string,
    Record<string, Record<string, { description?: string; sqlTable: string }>>
  > = {};
  for (const listed of await listExplores(ports, principal, project)) {
    // A model whose sources went away is listed but reads nothing: no tables to describe.
    const found = await findExplore(ports, principal, project, listed.name).catch((error: unknown) => {
      if (isRosettaError(error) && (error.code === 'ERR_NOT_FOUND' || error.code === 'ERR_VALIDATION'))
        return undefined;
      throw error;
    });
    if (!found) continue;
    const { explore } = found;
    for (const table of Object.values(exploreJson(explore).tables)) {
      catalog[table.database] ??= {};
      catalog[table.database][table.schema] ??= {};
      catalog[table.database][table.schema][table.name] = {
        ...(explore.description !== undefined && table.name === explore.baseTable
          ? { description: explore.description }
          : {}),
        sqlTable: table.sqlTable,
      };
    }
  }
  return catalog;
}

const originOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/** Hidden project routes over its content and explores: dbt exposures and the old catalog. */
export function registerProjectExposureRoutes(app: App, ports: ContentPorts): void {
  app.get('/v1/projects/:projectUuid/dbt-exposures', { schema: { params: ProjectUuid } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    return ok(await dbtExposures(context, originOf(request)));
  });

  app.get('/v1/projects/:projectUuid/catalog', { schema: { params: ProjectUuid } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    return ok(await projectCatalog(context));
  });
}
