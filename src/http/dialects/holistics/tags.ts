import type { DashboardSummary } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { asyncResult } from './jobs-view.ts';
import { holisticsRoute } from './routes.ts';

export type TagPorts = Pick<Services, 'content' | 'contentJobs' | 'directory'>;

/** Holistics recommends archiving what nobody opened for more than 30 days. */
const ARCHIVABLE_AFTER_MS = 30 * 24 * 3600 * 1000;

interface ObjectTagsBody {
  object_params: { uname?: string; type?: 'dataset' | 'dashboard' };
  tags: string[];
  project_id?: number | null;
}

/**
 * The dashboard an `object_params` names: its uname is the dashboard's uuid (as
 * `/dashboards/list_metadata` shows it) or its integer id. Rosetta tags dashboards only.
 */
function taggedDashboard({ object_params }: ObjectTagsBody): string | number {
  if (object_params.type !== 'dashboard')
    throw validationError('object_params.type', 'must be "dashboard": Rosetta tags dashboards, not datasets');
  const { uname } = object_params;
  if (uname === undefined || uname === '') throw validationError('object_params.uname', 'is required');
  return /^\d{1,15}$/.test(uname) ? Number(uname) : uname;
}

export function registerTagRoutes(api: App, ports: TagPorts): void {
  const { content } = ports;

  /** The project's tags (with their colours) and every tag a dashboard the caller sees carries. */
  holisticsRoute(api, 'TaggingSystem_List', async (request) => {
    const principal = principalOf(request);
    const [defined, dashboards] = await Promise.all([
      content.tags.list(principal, principal.projectId),
      content.dashboards.list(principal),
    ]);
    const colors = new Map(defined.map((tag) => [tag.name, tag.color]));
    const names = new Set([...colors.keys(), ...dashboards.flatMap((dashboard) => dashboard.tags)]);
    return {
      tags: [...names]
        .sort((a, b) => a.localeCompare(b))
        .map((name) => ({ name, description: null, color: colors.get(name) ?? null })),
    };
  });

  holisticsRoute<{ Body: ObjectTagsBody }>(api, 'TaggingSystem_SubmitAddObjectTags', async (request) => {
    const job = await ports.contentJobs.editTags(principalOf(request), taggedDashboard(request.body), {
      add: request.body.tags,
    });
    return asyncResult(job);
  });

  holisticsRoute<{ Body: ObjectTagsBody }>(api, 'TaggingSystem_SubmitRemoveObjectTags', async (request) => {
    const { tags } = request.body;
    const job = await ports.contentJobs.editTags(
      principalOf(request),
      taggedDashboard(request.body),
      // The document: an empty list removes every tag.
      tags.length === 0 ? { removeAll: true } : { remove: tags },
    );
    return asyncResult(job);
  });

  holisticsRoute(api, 'TaggingSystem_RecommendArchivableObjects', async (request) => {
    const principal = principalOf(request);
    const dashboards = await content.dashboards.list(principal);
    const stats = await content.views.statsOf(
      principal,
      'dashboard',
      dashboards.map((dashboard) => dashboard.id),
    );
    const cutoff = new Date(Date.now() - ARCHIVABLE_AFTER_MS).toISOString();
    // One never opened counts from its creation: a dashboard made today is not stale yet.
    const stale = dashboards.filter(
      (dashboard) => (stats.get(dashboard.id)?.lastViewedAt ?? dashboard.createdAt) < cutoff,
    );
    const owners = new Map(
      stale.length === 0
        ? []
        : (await ports.directory.listUsers(principal)).map((user) => [user.id, user.name ?? ''] as const),
    );
    const editable = await Promise.all(stale.map((d) => content.dashboards.editable(principal, d.id)));
    return {
      archivable_objects: stale.map((dashboard: DashboardSummary, index) => ({
        id: dashboard.id,
        title: dashboard.name,
        type: 'Dashboard',
        description: dashboard.description,
        tags: dashboard.tags,
        uname: dashboard.uuid,
        owner_name: owners.get(dashboard.ownerId) ?? '',
        project_id: dashboard.projectId,
        permissions: { can_live_update: editable[index].editable, can_edit: editable[index].editable },
        last_viewed_at: stats.get(dashboard.id)?.lastViewedAt ?? null,
        email_schedules_count: null,
        data_alerts_count: null,
      })),
    };
  });
}
