import { createHash } from 'node:crypto';
import type { DashboardSummary } from '../../../core/content/index.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, absoluteUrl, principalOf } from '../../server.ts';
import { DashboardShaper } from './dashboard-shapes.ts';
import {
  type DynamicFilterCondition,
  filterNamed,
  filterValueOf,
  viewFilterValues,
} from './filter-conditions.ts';
import { asyncResult } from './jobs-view.ts';
import { type CursorQuery, cursorPage } from './paging.ts';
import { holisticsRoute } from './routes.ts';

export type DashboardRoutePorts = Pick<Services, 'content' | 'data' | 'preloads' | 'contentJobs'>;

type IdParams = { Params: { id: number } };
type Sort = 'natural' | 'id_asc' | 'id_desc';

/** Rosetta's dashboards are all of one kind, Holistics' 3.0 reporting dashboards (`version` 3). */
const DASHBOARD_VERSION = 3;
/** Keys of a descending list stay non-negative integers, as cursors encode them. */
const DESCENDING = 10 ** 15 - 1;

export const shaperOf = (
  ports: Pick<Services, 'content' | 'data'>,
  request: Parameters<typeof principalOf>[0],
) => new DashboardShaper(ports, principalOf(request), absoluteUrl(request, ''));

/** The web app reads a dashboard's filter values from its URL: `f.<filter id>` per filter. */
function urlParts(value: unknown): string[] {
  if (value === null) return [''];
  if (Array.isArray(value)) return value.length > 0 ? value.map(String) : [''];
  const { from, to, min, max, relative } = value as Record<string, unknown>;
  if (Array.isArray(relative)) return [`@${relative.filter((word) => word !== 'to date').join('-')}`];
  const [low, high] = min !== undefined || max !== undefined ? [min, max] : [from, to];
  return [`${low ?? ''}..${high ?? ''}`];
}

/** The clone's fields as the request names them. */
const cloneFields: Record<string, string> = { name: 'new_title', folderId: 'category_id' };

export function registerDashboardRoutes(api: App, ports: DashboardRoutePorts): void {
  const { dashboards, itemIds } = ports.content;

  holisticsRoute<{ Querystring: CursorQuery & { sort: Sort; include_embed_info?: boolean } }>(
    api,
    'Dashboards_List',
    async (request) => {
      const principal = principalOf(request);
      const { sort, include_embed_info } = request.query;
      const keyOf =
        sort === 'id_desc' ? (d: DashboardSummary) => DESCENDING - d.id : (d: DashboardSummary) => d.id;
      const { items, cursors } = cursorPage(await dashboards.list(principal), request.query, keyOf);
      const shaper = shaperOf(ports, request);
      const shown = [];
      for (const summary of items)
        shown.push(
          await shaper.dashboard(await dashboards.lookup(principal, summary.id), {
            embedInfo: include_embed_info,
          }),
        );
      return { dashboards: shown, cursors };
    },
  );

  holisticsRoute<IdParams>(api, 'Dashboards_Get', async (request) => {
    const dashboard = await dashboards.get(principalOf(request), request.params.id);
    return { dashboard: await shaperOf(ports, request).dashboard(dashboard) };
  });

  holisticsRoute<IdParams>(api, 'Dashboards_Delete', async (request) => {
    await dashboards.delete(principalOf(request), request.params.id);
    return { message: 'Dashboard was deleted successfully' };
  });

  holisticsRoute<IdParams & { Body: { filter_states?: DynamicFilterCondition[] } | undefined }>(
    api,
    'Dashboards_BuildUrl',
    async (request) => {
      const dashboard = await dashboards.lookup(principalOf(request), request.params.id);
      const states = request.body?.filter_states ?? [];
      const search = new URLSearchParams();
      for (const [index, { dynamic_filter_id, condition }] of states.entries()) {
        const path = `filter_states[${index}]`;
        const filter = await filterNamed(itemIds, dashboard, dynamic_filter_id, `${path}.dynamic_filter_id`);
        search.delete(`f.${filter.id}`);
        for (const part of urlParts(filterValueOf(filter.type, condition, `${path}.condition`)))
          search.append(`f.${filter.id}`, part);
      }
      // The states travel in the URL itself; the hash names them (the same states, the same hash).
      const hash =
        states.length === 0
          ? null
          : createHash('sha256').update(search.toString()).digest('hex').slice(0, 32);
      if (hash) search.set('_fstate', hash);
      const query = search.toString();
      const base = shaperOf(ports, request).dashboardUrl(dashboard);
      return { dashboard_url: query ? `${base}?${query}` : base, fstate_hash: hash };
    },
  );

  holisticsRoute<
    IdParams & {
      Body: { dashboard_filter_conditions?: DynamicFilterCondition[]; bust_cache?: boolean } | undefined;
    }
  >(api, 'Dashboards_SubmitPreload', async (request) => {
    const principal = principalOf(request);
    const dashboard = await dashboards.lookup(principal, request.params.id);
    const body = request.body ?? {};
    const filters = await viewFilterValues(
      itemIds,
      dashboard,
      body.dashboard_filter_conditions,
      'dashboard_filter_conditions',
    );
    const job = await ports.preloads.enqueue(principal, dashboard.id, {
      filters,
      bustCache: body.bust_cache,
    });
    return asyncResult(job);
  });

  holisticsRoute<{
    Querystring: {
      version?: number | null | number[];
      permission_action: 'create' | 'read' | 'update' | 'destroy';
    };
  }>(api, 'Dashboards_ListMetadata', async (request) => {
    const principal = principalOf(request);
    const { version, permission_action } = request.query;
    const versions = version === undefined || version === null ? undefined : [version].flat();
    if (versions && !versions.includes(DASHBOARD_VERSION)) return { dashboards_metadata: [] };
    let listed = await dashboards.list(principal);
    if (permission_action !== 'read') {
      // Creating from, changing and deleting a dashboard all take the right to edit it.
      const editable = await Promise.all(listed.map((d) => dashboards.editable(principal, d.id)));
      listed = listed.filter((_, index) => editable[index].editable);
    }
    return {
      dashboards_metadata: listed.map((dashboard) => ({
        id: dashboard.id,
        title: dashboard.name,
        uname: dashboard.uuid,
        project_id: dashboard.projectId,
        version: DASHBOARD_VERSION,
      })),
    };
  });

  holisticsRoute<
    IdParams & {
      Body: { category_type: string; category_id?: number | null; new_uname: string; new_title?: string };
    }
  >(api, 'Dashboards_CloneCanvasDashboard', async (request) => {
    const { category_type, category_id, new_title } = request.body;
    // A report category is a folder; a personal or embed workspace keeps the copy beside its original.
    const folderId = category_type === 'ReportCategory' ? (category_id ?? null) : undefined;
    const job = await ports.contentJobs
      .clone(principalOf(request), request.params.id, {
        ...(new_title !== undefined && { name: new_title }),
        ...(folderId !== undefined && { folderId }),
      })
      .catch((error: unknown) => {
        throw renameFields(error, (path) => cloneFields[path] ?? path);
      });
    return asyncResult(job);
  });
}
