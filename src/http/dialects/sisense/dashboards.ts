import type { Dashboard } from '../../../core/content/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import { isJsonObject, object, text } from '../../../core/input.ts';
import { type App, principalOf } from '../../server.ts';
import {
  type DashboardPorts,
  faceSettingsOf,
  SisenseContent,
  type SisenseDashboardSettings,
  settingsOf,
} from './dashboard-context.ts';
import { dashboardJson, parseSisenseDashboard } from './dashboard-shapes.ts';
import { applyListOptions } from './list-options.ts';
import { type QueryParams, queryExpand, queryIds, queryText } from './query-params.ts';
import { parseShares } from './shares.ts';

type IdParams = { Params: { id: string }; Querystring: QueryParams };

/** DSH-01/02 filters: a folder, a name, a data source's title or address. */
function matchesFilters(json: Record<string, unknown>, query: QueryParams): boolean {
  const folder = queryText(query, 'parentFolder');
  const name = queryText(query, 'name');
  const title = queryText(query, 'datasourceTitle');
  const address = queryText(query, 'datasourceAddress');
  const datasource = isJsonObject(json.datasource) ? json.datasource : {};
  const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
  return (
    (folder === undefined || json.parentFolder === folder.toLowerCase()) &&
    (name === undefined || same(json.title, name)) &&
    (title === undefined || same(datasource.title, title)) &&
    (address === undefined || same(datasource.address, address))
  );
}

/** Every dashboard the caller sees, as Sisense lists them, filtered and paged as asked. */
async function listDashboards(context: SisenseContent, query: QueryParams) {
  const withWidgets = queryExpand(query, ['widgets']).has('widgets');
  const { dashboards } = context.ports.content;
  const summaries = await dashboards.list(context.principal);
  const listed = await Promise.all(
    summaries.map(async (summary) =>
      dashboardJson(context, await dashboards.lookup(context.principal, summary.id), withWidgets),
    ),
  );
  return applyListOptions(
    listed.filter((json) => matchesFilters(json, query)),
    query,
  );
}

/** Stores the face's settings of a dashboard (one new version). */
export function saveSettings(
  context: SisenseContent,
  dashboard: Dashboard,
  settings: SisenseDashboardSettings,
) {
  return context.ports.content.dashboards.update(context.principal, dashboard.id, {
    faceSettings: faceSettingsOf(settings),
  });
}

/** PATCH: the dashboard's own fields, and its shares when the body has `shares`. */
async function patchDashboard(
  context: SisenseContent,
  dashboard: Dashboard,
  body: unknown,
): Promise<Dashboard> {
  const input = object('', body);
  const { dashboards } = context.ports.content;
  const patch = await parseSisenseDashboard(context, input, dashboard);
  let updated = await dashboards.update(context.principal, dashboard.id, patch);
  if (input.shares !== undefined)
    updated = await dashboards.setShares(
      context.principal,
      dashboard.id,
      await parseShares(context, updated, input.shares, 'shares'),
    );
  return updated;
}

/**
 * A copy owned by the caller; the kept Sisense JSON of each widget follows its copy (the core
 * gives copied widgets new ids, in the same order), and the copy starts unpublished.
 */
export async function duplicateDashboard(
  context: SisenseContent,
  original: Dashboard,
  options: { name?: string; folderId?: number | null },
): Promise<Dashboard> {
  const { dashboards } = context.ports.content;
  const copy = await dashboards.clone(context.principal, original.id, options);
  const kept = settingsOf(original);
  const widgets = Object.fromEntries(
    copy.widgets.flatMap((widget, i) => {
      const display = kept.widgets?.[original.widgets[i]?.id];
      return display ? [[widget.id, display]] : [];
    }),
  );
  return saveSettings(context, copy, {
    ...(kept.datasource && { datasource: kept.datasource }),
    ...(kept.display && { display: kept.display }),
    widgets,
  });
}

/** Dashboards (DSH-01, 02, 06, 08, 09, 10, 11, 12, 13 and the lost single routes F5, F6). */
export function registerDashboardRoutes(api: App, ports: DashboardPorts): void {
  const contextOf = (request: Parameters<typeof principalOf>[0]) =>
    new SisenseContent(ports, principalOf(request));
  const { dashboards } = ports.content;

  // Its permission row (`content.admin`) lets only admins in.
  api.get<{ Querystring: QueryParams }>('/api/v1/dashboards/admin', async (request) =>
    listDashboards(contextOf(request), request.query),
  );

  api.get<{ Querystring: QueryParams }>('/api/v1/dashboards', async (request) =>
    listDashboards(contextOf(request), request.query),
  );

  api.post('/api/v1/dashboards', async (request, reply) => {
    const context = contextOf(request);
    const input = await parseSisenseDashboard(context, request.body);
    const created = await dashboards.create(context.principal, { ...input, name: input.name as string });
    return reply.code(201).send(await dashboardJson(context, created, true));
  });

  api.delete<{ Querystring: QueryParams }>('/api/v1/dashboards/bulk', async (request, reply) => {
    const context = contextOf(request);
    const oids = queryIds(request.query, 'dashboardIds') ?? queryIds(request.query, 'ids');
    if (!oids) throw validationError('dashboardIds', 'is required: the ids of the dashboards to delete');
    // Every id is checked before any dashboard goes: a missing one is a 404 that deletes nothing.
    const found = [];
    for (const oid of oids) found.push(await context.dashboard(oid, 'dashboardIds'));
    for (const dashboard of found) await dashboards.delete(context.principal, dashboard.id);
    return reply.code(200).send();
  });

  api.get<IdParams>('/api/v1/dashboards/:id', async (request) => {
    const context = contextOf(request);
    const withWidgets = queryExpand(request.query, ['widgets']).has('widgets');
    const dashboard = await dashboards.get(context.principal, await context.dashboardId(request.params.id));
    const [json] = applyListOptions([await dashboardJson(context, dashboard, withWidgets)], {
      fields: queryText(request.query, 'fields'),
    });
    return json;
  });

  api.patch<IdParams>('/api/v1/dashboards/:id', async (request) => {
    const context = contextOf(request);
    const updated = await patchDashboard(context, await context.dashboard(request.params.id), request.body);
    return dashboardJson(context, updated, false);
  });

  api.delete<IdParams>('/api/v1/dashboards/:id', async (request, reply) => {
    const context = contextOf(request);
    await dashboards.delete(context.principal, await context.dashboardId(request.params.id));
    return reply.code(200).send();
  });

  // Rosetta keeps one copy of a dashboard, which its share recipients see as it changes. Publish
  // marks the current version as the published one, and restore brings that version back.
  api.post<IdParams>('/api/v1/dashboards/:id/publish', async (request, reply) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.id);
    await saveSettings(context, dashboard, {
      ...settingsOf(dashboard),
      publishedVersion: dashboard.version + 1,
    });
    return reply.code(204).send();
  });

  api.post<IdParams>('/api/v1/dashboards/:id/restore', async (request, reply) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.id);
    const published = settingsOf(dashboard).publishedVersion;
    if (published === undefined) throw validationError('id', 'the dashboard has never been published');
    await dashboards.restoreVersion(context.principal, dashboard.id, published);
    return reply.code(204).send();
  });

  api.post<IdParams>('/api/v1/dashboards/:id/undo_Import', async (request, reply) => {
    const context = contextOf(request);
    const dashboard = await context.dashboard(request.params.id);
    const before = settingsOf(dashboard).importedOverVersion;
    if (before === undefined) throw notFound('imported dashboard', request.params.id);
    await dashboards.restoreVersion(context.principal, dashboard.id, before);
    return reply.code(204).send();
  });

  api.post<IdParams>('/api/v1/dashboards/:id/duplicate', async (request, reply) => {
    const context = contextOf(request);
    const body = request.body === undefined || request.body === null ? {} : object('', request.body);
    const original = await context.dashboard(request.params.id);
    const copy = await duplicateDashboard(context, original, {
      ...(body.title !== undefined && { name: text('title', body.title, 255) }),
    });
    return reply.code(201).send(await dashboardJson(context, copy, false));
  });

  api.post<IdParams>('/api/v1/dashboards/:id/change_owner', async (request) => {
    const context = contextOf(request);
    const body = object('', request.body);
    const ownerId = await context.users.decode(context.organizationId, body.ownerId, 'ownerId');
    if (ownerId === undefined) throw validationError('ownerId', `no user has the id ${String(body.ownerId)}`);
    const rule = body.originalOwnerRule ?? 'edit';
    if (rule !== 'edit' && rule !== 'view' && rule !== 'none')
      throw validationError('originalOwnerRule', 'must be "edit", "view" or "none"');
    const dashboard = await dashboards.changeOwner(
      context.principal,
      await context.dashboardId(request.params.id),
      Number(ownerId),
      rule === 'none' ? null : rule,
    );
    return dashboardJson(context, dashboard, false);
  });
}
