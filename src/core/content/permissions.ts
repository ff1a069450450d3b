import { can } from '../auth/authorize.ts';
import { inProject, type Principal } from '../auth/principal.ts';
import type { AccessEntry } from './types.ts';

/**
 * Who may do what with content. One rule table, applied by every face:
 *
 * | action                               | allowed when                                                   |
 * |--------------------------------------|----------------------------------------------------------------|
 * | see a folder                         | folder access ≥ view                                           |
 * | create/rename/move/delete a folder,  | folder access = edit (on the parent for create; on the folder  |
 * | create a dashboard in it             |   and on the destination for a move); top level: editor+       |
 * | set a folder's access list           | admin, or its creator while they have edit access              |
 * | delete a non-empty folder (recursive)| admin                                                          |
 * | see a dashboard (and its versions)   | dashboard access ≥ view                                        |
 * | edit/delete/share/restore a dashboard| dashboard access = edit (moving it also needs edit on the      |
 * |                                      |   destination folder)                                          |
 * | clone a dashboard                    | see it, and create in the destination folder                   |
 * | see a saved chart (and its versions) | chart access ≥ view                                            |
 * | edit/delete/restore a chart          | chart access = edit (moving it also needs edit on the          |
 * |                                      |   destination folder; creating one, edit on its folder)        |
 *
 * Folder access: admins edit everything. Otherwise the folder's *governing list* decides: its own
 * access list, or, when that is empty, the nearest ancestor's non-empty list (lists are inherited
 * by subfolders that have none of their own; a subfolder with its own list replaces, it does not
 * narrow, the inherited one). No list up to the top = open: every member of the organization
 * views, and editors+ edit. With a list, only the creator of the folder that holds the list and
 * the listed users/groups get in, at their listed level.
 *
 * Dashboard access: the owner always keeps it; otherwise a non-empty `shares` list (same entries
 * as folder lists) governs alone, replacing its folder's access as a subfolder's own list does;
 * without shares, its folder's access (top level = open). Chart access: the best
 * of its folder's access and ownership (charts have no shares). Personal content (`personal`, at
 * the top level) is its owner's and the admins' alone until it is shared or filed in a folder.
 * A dashboard showing a chart shows it to whoever sees the dashboard, as any widget: chart
 * access governs the chart itself.
 *
 * In every case edit needs the `dashboard.edit` action (editor role, a credential acting as the
 * user): an edit grant to a viewer or interactive_viewer gives view. `content.admin` (admins)
 * edits everything. An embed sees only its one dashboard and edits nothing; a data-API key sees
 * no content.
 *
 * Moving a folder or dashboard changes the list it inherits: whoever may edit both ends may
 * move restricted content to an open place, as in Lightdash spaces.
 *
 * Something a caller cannot see answers 404 (as if absent, so restricted content does not leak
 * its existence) and is left out of lists; something it sees but may not change answers 403.
 */
export type Access = 'none' | 'view' | 'edit';

/** What permissions need to know of a folder. */
export interface FolderAccessNode {
  id: number;
  projectId: number;
  parentId: number | null;
  createdBy: number;
  access: AccessEntry[];
}

export type FolderIndex = ReadonlyMap<number, FolderAccessNode>;

/** What permissions need to know of a dashboard. */
export interface DashboardAccessNode {
  id: number;
  projectId: number;
  folderId: number | null;
  ownerId: number;
  shares: AccessEntry[];
  /** In the owner's personal space. */
  personal: boolean;
}

/** What permissions need to know of a saved chart. */
export interface ChartAccessNode {
  projectId: number;
  folderId: number | null;
  ownerId: number;
  personal: boolean;
}

/** The folder holding the list that governs `folderId`, or undefined when it is open. */
export function governingFolder(index: FolderIndex, folderId: number | null): FolderAccessNode | undefined {
  const seen = new Set<number>();
  let current = folderId === null ? undefined : index.get(folderId);
  while (current && !seen.has(current.id)) {
    if (current.access.length > 0) return current;
    seen.add(current.id);
    current = current.parentId === null ? undefined : index.get(current.parentId);
  }
  return undefined;
}

const best = (a: Access, b: Access): Access =>
  a === 'edit' || b === 'edit' ? 'edit' : a === 'view' || b === 'view' ? 'view' : 'none';

/** The most a principal may do with content it can reach. */
const roleCeiling = (principal: Principal): Access => (can(principal, 'dashboard.edit') ? 'edit' : 'view');

/** The best level the entries grant the principal (as a user or through a group), capped by role. */
function granted(principal: Principal, entries: AccessEntry[]): Access {
  let level: Access = 'none';
  for (const entry of entries) {
    const matches =
      entry.subject === 'user' ? entry.id === principal.userId : principal.groupIds.includes(entry.id);
    if (matches) level = best(level, entry.level);
  }
  return level === 'edit' ? roleCeiling(principal) : level;
}

/**
 * The principal with its role in the project of the folder (or, at the top level, `projectId`);
 * undefined without access to that project. Unknown project: the principal as it is.
 */
function actingIn(
  principal: Principal,
  index: FolderIndex,
  folderId: number | null,
  projectId?: number,
): Principal | undefined {
  const project = folderId === null ? projectId : (index.get(folderId)?.projectId ?? projectId);
  return project === undefined ? principal : inProject(principal, project);
}

/** Folder access; at the top level (`folderId` null), that of `projectId`'s top level. */
export function folderAccess(
  principal: Principal,
  index: FolderIndex,
  folderId: number | null,
  projectId?: number,
): Access {
  const acting = actingIn(principal, index, folderId, projectId);
  if (!acting || acting.embedDashboardId !== undefined || !can(acting, 'dashboard.view')) return 'none';
  if (can(acting, 'content.admin')) return 'edit';
  const list = governingFolder(index, folderId);
  if (!list || list.createdBy === acting.userId) return roleCeiling(acting);
  return granted(acting, list.access);
}

export function dashboardAccess(
  principal: Principal,
  index: FolderIndex,
  dashboard: DashboardAccessNode,
): Access {
  if (principal.embedDashboardId !== undefined)
    return principal.embedDashboardId === dashboard.id ? 'view' : 'none';
  const acting = inProject(principal, dashboard.projectId);
  if (!acting || !can(acting, 'dashboard.view')) return 'none';
  if (can(acting, 'content.admin')) return 'edit';
  if (dashboard.ownerId === acting.userId) return roleCeiling(acting);
  // A share list, like a folder's own list, replaces the access the dashboard would inherit.
  if (dashboard.shares.length > 0) return granted(acting, dashboard.shares);
  if (dashboard.personal) return 'none';
  return folderAccess(acting, index, dashboard.folderId, dashboard.projectId);
}

/** Charts: no shares and no embeds (an embed sees its one dashboard, tiles included). */
export function chartAccess(principal: Principal, index: FolderIndex, chart: ChartAccessNode): Access {
  const acting = inProject(principal, chart.projectId);
  if (!acting || acting.embedDashboardId !== undefined || !can(acting, 'dashboard.view')) return 'none';
  if (can(acting, 'content.admin')) return 'edit';
  if (chart.ownerId === acting.userId) return roleCeiling(acting);
  if (chart.personal) return 'none';
  return folderAccess(acting, index, chart.folderId, chart.projectId);
}

export const canManageFolderAccess = (
  principal: Principal,
  index: FolderIndex,
  folder: FolderAccessNode,
): boolean =>
  can(principal, 'content.admin', { projectId: folder.projectId }) ||
  (folder.createdBy === principal.userId && folderAccess(principal, index, folder.id) === 'edit');

export const canDeleteRecursively = (principal: Principal): boolean => can(principal, 'content.admin');

// One function per action, as in the table above; services call these.
export const canViewFolder = (p: Principal, index: FolderIndex, folderId: number | null): boolean =>
  folderAccess(p, index, folderId) !== 'none';

/** Create inside, rename, move or delete the folder (null = the top level, of `projectId` if given). */
export const canEditFolder = (
  p: Principal,
  index: FolderIndex,
  folderId: number | null,
  projectId?: number,
): boolean => folderAccess(p, index, folderId, projectId) === 'edit';

export const canCreateDashboard = canEditFolder;

export const canViewDashboard = (p: Principal, index: FolderIndex, dashboard: DashboardAccessNode): boolean =>
  dashboardAccess(p, index, dashboard) !== 'none';

/** Edit, delete, share, add versions to or restore the dashboard. */
export const canEditDashboard = (p: Principal, index: FolderIndex, dashboard: DashboardAccessNode): boolean =>
  dashboardAccess(p, index, dashboard) === 'edit';

export const canMoveDashboard = (
  p: Principal,
  index: FolderIndex,
  dashboard: DashboardAccessNode,
  targetFolderId: number | null,
): boolean => canEditDashboard(p, index, dashboard) && canEditFolder(p, index, targetFolderId);

export const canCloneDashboard = (
  p: Principal,
  index: FolderIndex,
  dashboard: DashboardAccessNode,
  targetFolderId: number | null,
): boolean => canViewDashboard(p, index, dashboard) && canCreateDashboard(p, index, targetFolderId);

export const canViewChart = (p: Principal, index: FolderIndex, chart: ChartAccessNode): boolean =>
  chartAccess(p, index, chart) !== 'none';

/** Edit, delete or restore the chart. */
export const canEditChart = (p: Principal, index: FolderIndex, chart: ChartAccessNode): boolean =>
  chartAccess(p, index, chart) === 'edit';

export const canMoveChart = (
  p: Principal,
  index: FolderIndex,
  chart: ChartAccessNode,
  targetFolderId: number | null,
): boolean => canEditChart(p, index, chart) && canEditFolder(p, index, targetFolderId);
