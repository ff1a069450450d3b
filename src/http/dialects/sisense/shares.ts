import type { AccessEntry, Dashboard } from '../../../core/content/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import { isJsonObject, object } from '../../../core/input.ts';
import { type App, principalOf } from '../../server.ts';
import { type DashboardPorts, SisenseContent } from './dashboard-context.ts';
import { sharesJson } from './dashboard-shapes.ts';
import type { QueryParams } from './query-params.ts';
import { queryText } from './query-params.ts';
import { sisenseUser } from './user-json.ts';

const rules = ['view', 'edit'] as const;

/**
 * Sisense's share list (`[{shareId, type, rule, subscribe}]`) as the dashboard's grants. The
 * owner's own entry (Sisense lists it with rule `owner`, or as an edit share) grants nothing new
 * and is left out. `subscribe` (emailed reports) has no counterpart in a grant and is not kept.
 */
export async function parseShares(
  context: SisenseContent,
  dashboard: Dashboard,
  value: unknown,
  field: string,
): Promise<AccessEntry[]> {
  if (!Array.isArray(value)) throw validationError(field, 'must be an array of shares');
  const entries: AccessEntry[] = [];
  for (const [i, item] of value.entries()) {
    const path = `${field}[${i}]`;
    const share = object(path, item);
    if (share.type !== 'user' && share.type !== 'group')
      throw validationError(`${path}.type`, 'must be "user" or "group"');
    const codec = share.type === 'user' ? context.users : context.groups;
    const id = await codec.decode(context.organizationId, share.shareId, `${path}.shareId`);
    if (id === undefined)
      throw validationError(`${path}.shareId`, `no ${share.type} has the id ${String(share.shareId)}`);
    if (share.type === 'user' && Number(id) === dashboard.ownerId) continue;
    const rule = share.rule ?? 'view';
    if (rule === 'owner') continue;
    if (!rules.includes(rule as 'view')) throw validationError(`${path}.rule`, 'must be "view" or "edit"');
    if (share.subscribe !== undefined && typeof share.subscribe !== 'boolean')
      throw validationError(`${path}.subscribe`, 'must be a boolean');
    const entry: AccessEntry = { subject: share.type, id: Number(id), level: rule as 'view' | 'edit' };
    if (entries.some((other) => other.subject === entry.subject && other.id === entry.id))
      throw validationError(`${path}.shareId`, `shares the dashboard with the same ${share.type} twice`);
    entries.push(entry);
  }
  return entries;
}

/** The shares with their user or group expanded (`expand=user,group`). */
async function expandedShares(context: SisenseContent, dashboard: Dashboard, expand: Set<string>) {
  const shares = await sharesJson(context, dashboard.shares);
  const { directory } = context.ports;
  return Promise.all(
    shares.map(async (share, i) => {
      const { subject, id } = dashboard.shares[i];
      if (subject === 'user' && expand.has('user')) {
        const user = await directory.getUser(context.principal, id);
        return { ...share, user: await sisenseUser(context.ports, user, []) };
      }
      if (subject === 'group' && expand.has('group')) {
        const group = await directory.getGroup(context.principal, id);
        return { ...share, group: { _id: share.shareId, name: group.name, created: group.createdAt } };
      }
      return share;
    }),
  );
}

/**
 * Shares (SHR-01 and the sharing route the issue names): a dashboard's grants to users and
 * groups, read with `expand`, and replaced as a whole with `{sharesTo: [...]}`.
 */
export function registerShareRoutes(api: App, ports: DashboardPorts): void {
  api.get<{ Params: { dashboardId: string }; Querystring: QueryParams }>(
    '/api/v1/dashboards/:dashboardId/shares',
    async (request) => {
      const context = new SisenseContent(ports, principalOf(request));
      const expand = queryText(request.query, 'expand');
      const asked = new Set(expand === undefined ? [] : expand.split(','));
      // The catalogue's answer for an unknown expand (SHR-01): 404 "expand resource not found".
      if ([...asked].some((name) => name !== 'user' && name !== 'group'))
        throw notFound('expand resource', expand as string);
      const dashboard = await context.dashboard(request.params.dashboardId, 'dashboardId');
      return expandedShares(context, dashboard, asked);
    },
  );

  api.post<{ Params: { id: string } }>('/api/shares/dashboard/:id', async (request) => {
    const context = new SisenseContent(ports, principalOf(request));
    const body = object('', request.body);
    if (!isJsonObject(body) || body.sharesTo === undefined) throw validationError('sharesTo', 'is required');
    const dashboard = await context.dashboard(request.params.id);
    const shares = await parseShares(context, dashboard, body.sharesTo, 'sharesTo');
    const updated = await ports.content.dashboards.setShares(context.principal, dashboard.id, shares);
    return { sharesTo: await sharesJson(context, updated.shares) };
  });
}
