import type { Principal } from '../../../core/auth/index.ts';
import type { Schedule } from '../../../core/schedules/index.ts';
import type { Services } from '../../../services.ts';
import { holisticsRole } from './directory-shapes.ts';
import { type CursorQuery, cursorPage } from './paging.ts';

/** The data schedule list's filters, orders and pages (`DataSchedules_List`). */

/** What the list reads of a `DataSchedule`. */
export interface ListedJson {
  id: number;
  title: string;
  dest: { type: string };
}

/** A listed schedule with what the list sorts by besides its own fields. */
export interface Listed<Json extends ListedJson> {
  json: Json;
  ownerId: number;
  sourceTitle: string;
  lastRunAt: string;
}

export interface ListQuery extends CursorQuery {
  page?: number;
  creator_roles?: string[];
  search_term?: string;
  sort?: string;
  dest_type?: string;
  source_type?: string;
  source_id?: number;
}

const byId = (a: Listed<ListedJson>, b: Listed<ListedJson>) => a.json.id - b.json.id;
const SORTS: Record<string, (a: Listed<ListedJson>, b: Listed<ListedJson>) => number> = {
  id: byId,
  title: (a, b) => a.json.title.localeCompare(b.json.title) || byId(a, b),
  destination: (a, b) => a.json.dest.type.localeCompare(b.json.dest.type) || byId(a, b),
  source_title: (a, b) => a.sourceTitle.localeCompare(b.sourceTitle) || byId(a, b),
  last_run: (a, b) => a.lastRunAt.localeCompare(b.lastRunAt) || byId(a, b),
};

/**
 * One page of the list in the order asked for (an order Rosetta has no counterpart for, the
 * organization's or an embed user's, is the id order): by `page`, or by cursors over that order.
 */
export function pageOf<Json extends ListedJson>(items: Listed<Json>[], query: ListQuery) {
  const [key, direction] = /^(.*)_(asc|desc)$/.exec(query.sort ?? 'id_asc')?.slice(1) ?? ['id', 'asc'];
  const compare = SORTS[key] ?? SORTS.id;
  const sorted = [...items].sort((a, b) => (direction === 'desc' ? -compare(a, b) : compare(a, b)));
  const limit = query.limit ?? 20;
  if (query.page !== undefined) {
    const start = (query.page - 1) * limit;
    return { items: sorted.slice(start, start + limit), cursors: { previous: null, next: null } };
  }
  // Cursors name a position in this order (in the id order, the id itself).
  const byIdOrder = compare === SORTS.id && direction === 'asc';
  const rank = new Map(sorted.map((item, i) => [item, byIdOrder ? item.json.id : i + 1]));
  return cursorPage(sorted, query, (item) => rank.get(item) as number);
}

/** Every role a Rosetta user shows as (directory-shapes.ts). */
const SHOWN_ROLES = ['user', 'explorer', 'analyst', 'admin'];

/**
 * The owners whose role is among `roles` (`creator_roles`); undefined when every role is asked
 * for, as by default. An owner the caller cannot see the role of, or who is gone, is left out.
 */
export async function creatorRoles(
  ports: Pick<Services, 'directory'>,
  principal: Principal,
  schedules: readonly Schedule[],
  roles: readonly string[] | undefined,
): Promise<Set<number> | undefined> {
  if (roles === undefined || SHOWN_ROLES.every((role) => roles.includes(role))) return undefined;
  const owners = new Set<number>();
  for (const ownerId of new Set(schedules.map((schedule) => schedule.ownerId))) {
    const owner = await ports.directory.getUser(principal, ownerId).catch(() => undefined);
    if (owner?.role && roles.includes(holisticsRole(owner.role))) owners.add(ownerId);
  }
  return owners;
}
