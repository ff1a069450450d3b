import type { Principal } from '../../../core/auth/index.ts';
import type { UserChanges, UserStatus, UserView } from '../../../core/directory/index.ts';
import { isRosettaError, validationError } from '../../../core/errors.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import {
  type DirectoryPort,
  groupJson,
  type HolisticsRole,
  membershipsOf,
  message,
  pageInOrder,
  rosettaRole,
  unsupported,
  userJson,
} from './directory-shapes.ts';
import type { CursorQuery } from './paging.ts';
import { holisticsRoute } from './routes.ts';

type Id = { id: number };

interface UsersQuery extends CursorQuery {
  search_term?: string;
  status?: UserStatus;
  statuses?: UserStatus[];
  ids?: number[];
  role?: HolisticsRole;
  has_authentication_token?: boolean;
  exclude_deleted?: boolean;
  sort?: 'natural' | 'id_asc' | 'id_desc' | 'name_asc' | 'name_desc' | 'initials_asc' | 'initials_desc';
}

interface UserPatch {
  password?: string;
  name?: string | null;
  title?: string | null;
  job_title?: string | null;
  role?: HolisticsRole;
  allow_authentication_token?: boolean;
  enable_export_data?: boolean;
  group_ids?: number[];
  settings?: unknown;
}

const STATUSES: readonly UserStatus[] = ['active', 'pending', 'deleted'];
/** The core's longest list page. */
const CORE_PAGE = 1000;

/** Every user of the organization, deleted ones included (the core lists one status at a time). */
async function everyUser(directory: DirectoryPort['directory'], principal: Principal): Promise<UserView[]> {
  const users: UserView[] = [];
  for (const status of STATUSES) {
    for (let offset = 0; ; offset += CORE_PAGE) {
      const page = await directory.listUsers(principal, { status, limit: CORE_PAGE, offset });
      users.push(...page);
      if (page.length < CORE_PAGE) break;
    }
  }
  return users;
}

type Listed = ReturnType<typeof userJson> & { group_ids: number[] };

const byText = (pick: (user: Listed) => string, direction: 1 | -1) => (a: Listed, b: Listed) =>
  direction * pick(a).localeCompare(pick(b), 'en', { sensitivity: 'base' });

const SORTS: Record<NonNullable<UsersQuery['sort']>, ((a: Listed, b: Listed) => number) | undefined> = {
  natural: undefined,
  id_asc: undefined,
  id_desc: (a, b) => b.id - a.id,
  name_asc: byText((user) => user.name, 1),
  name_desc: byText((user) => user.name, -1),
  initials_asc: byText((user) => user.initials, 1),
  initials_desc: byText((user) => user.initials, -1),
};

/** Users_List's filters, as the document lists them (no status filter: every status). */
function matches(query: UsersQuery, groupNames: Map<number, string>, statusOf: Map<number, UserStatus>) {
  const statuses = [...(query.statuses ?? []), ...(query.status ? [query.status] : [])];
  const term = query.search_term?.trim().toLowerCase();
  const ids = query.ids && new Set(query.ids);
  return (user: Listed): boolean => {
    const status = statusOf.get(user.id);
    if (statuses.length > 0 && !(status && statuses.includes(status))) return false;
    if (query.exclude_deleted && user.is_deleted) return false;
    if (ids && !ids.has(user.id)) return false;
    if (query.role && user.role !== query.role) return false;
    if (
      query.has_authentication_token !== undefined &&
      user.has_authentication_token !== query.has_authentication_token
    )
      return false;
    if (!term) return true;
    const texts = [
      user.email,
      user.name ?? '',
      user.initials,
      ...user.group_ids.map((id) => groupNames.get(id) ?? ''),
    ];
    return texts.some((text) => text.toLowerCase().includes(term));
  };
}

/** Body fields Rosetta has no place for: accepted only when they ask for what Rosetta already does. */
function refuseUnkept(patch: UserPatch, prefix: string): void {
  for (const field of ['title', 'job_title'] as const)
    if (patch[field] !== undefined && patch[field] !== null)
      throw unsupported(`${prefix}${field}`, 'Rosetta keeps no user titles');
  if (patch.allow_authentication_token === false)
    throw unsupported(
      `${prefix}allow_authentication_token`,
      'every Rosetta user may hold API keys; revoke them with revoke_authentication_token',
    );
  if (patch.enable_export_data === false)
    throw unsupported(`${prefix}enable_export_data`, 'every Rosetta user may export what they can see');
}

/** Core field paths as the body names them. */
const renamedIn = (prefix: string) => (error: unknown) => {
  throw renameFields(error, (field) =>
    field === 'currentPassword' || field.startsWith(prefix) ? field : `${prefix}${field}`,
  );
};

/**
 * Users: Holistics' users are the directory's users (ids are theirs). Users_List, with its
 * counters and its map of the listed users' groups, and the changes to another user are for
 * admins, as the user fields it answers are (visibility.ts).
 */
export function registerUserRoutes(api: App, services: DirectoryPort): void {
  const { directory, auth } = services;

  const shown = async (principal: Principal, user: UserView) =>
    userJson(user, (await auth.keyHolders(principal, [user.id])).has(user.id));

  /** Makes the user's groups exactly `groupIds` (Holistics: an empty list removes every group). */
  async function setGroups(principal: Principal, userId: number, groupIds: number[]): Promise<void> {
    const { groups, groupsOf } = await membershipsOf(directory, principal);
    const known = new Set(groups.map((group) => group.id));
    groupIds.forEach((id, i) => {
      if (!known.has(id)) throw validationError(`user.group_ids[${i}]`, `names no group (${id})`);
    });
    const current = groupsOf.get(userId) ?? [];
    for (const id of new Set(groupIds))
      if (!current.includes(id)) await directory.addMember(principal, id, userId);
    for (const id of current) if (!groupIds.includes(id)) await directory.removeMember(principal, id, userId);
  }

  holisticsRoute<{ Querystring: UsersQuery }>(api, 'Users_List', async (request) => {
    const principal = principalOf(request);
    const [users, memberships] = await Promise.all([
      everyUser(directory, principal),
      membershipsOf(directory, principal),
    ]);
    const holders = await auth.keyHolders(
      principal,
      users.map((user) => user.id),
    );
    const listed: Listed[] = users.map((user) => ({
      ...userJson(user, holders.has(user.id)),
      group_ids: memberships.groupsOf.get(user.id) ?? [],
    }));
    const groupNames = new Map(memberships.groups.map((group) => [group.id, group.name]));
    const statusOf = new Map(users.map((user) => [user.id, user.status ?? 'active']));
    const filtered = listed.filter(matches(request.query, groupNames, statusOf));
    const page = pageInOrder(filtered, request.query, SORTS[request.query.sort ?? 'natural']);
    const byRole: Record<string, number> = {};
    for (const user of filtered) byRole[user.role] = (byRole[user.role] ?? 0) + 1;
    const shownGroups = new Set(page.items.flatMap((user) => user.group_ids));
    return {
      counters: { total: filtered.length, by_role: byRole },
      users: page.items,
      groups: Object.fromEntries(
        memberships.groups
          .filter((group) => shownGroups.has(group.id))
          .map((group) => [group.id, groupJson(group, memberships.usersOf.get(group.id) ?? [])]),
      ),
      cursors: page.cursors,
    };
  });

  holisticsRoute(api, 'Users_Me', async (request) => {
    const principal = principalOf(request);
    return { user: await shown(principal, await directory.getSelf(principal)) };
  });

  holisticsRoute<{ Querystring: { email?: string } }>(api, 'Users_CheckHolisticsUser', async (request) => {
    const email = request.query.email;
    if (email === undefined || email.trim() === '') throw validationError('email', 'is required');
    const found = await directory.getUserByEmail(principalOf(request), email).then(
      () => true,
      (error) => {
        if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND') return false;
        throw error;
      },
    );
    return { is_already_user: found };
  });

  holisticsRoute<{ Params: Id; Body: { user?: UserPatch } }>(api, 'Users_Update', async (request) => {
    const principal = principalOf(request);
    const { id } = request.params;
    const patch = request.body?.user ?? {};
    refuseUnkept(patch, 'user.');
    if (patch.name === null) throw validationError('user.name', 'must be a name: Rosetta users have one');
    const changes: UserChanges = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.role !== undefined) changes.role = rosettaRole(patch.role);
    if (patch.password !== undefined) changes.password = patch.password;
    await directory.getUser(principal, id);
    // Groups first: changing them is for admins, so a refused change leaves the user untouched.
    if (patch.group_ids !== undefined) await setGroups(principal, id, patch.group_ids);
    const user =
      Object.keys(changes).length > 0
        ? await directory.updateUser(principal, id, changes).catch(renamedIn('user.'))
        : await directory.getUser(principal, id);
    return shown(principal, user);
  });

  holisticsRoute<{ Params: Id }>(api, 'Users_Delete', async (request) => {
    const principal = principalOf(request);
    const { id } = request.params;
    // Holistics refuses self-destruction (documented 422), before anything is looked up.
    if (id === principal.userId) throw validationError('id', 'you cannot delete yourself');
    await directory.deleteUser(principal, id);
    return message('User deleted successfully');
  });

  holisticsRoute<{ Params: Id }>(api, 'Users_Restore', async (request) => {
    await directory.restoreUser(principalOf(request), request.params.id);
    return message('User restored successfully');
  });

  holisticsRoute<{ Params: Id }>(api, 'Users_RevokeAuthenticationToken', async (request) => {
    const principal = principalOf(request);
    const { id } = request.params;
    await directory.getUser(principal, id);
    const keys = await auth.listApiKeys(principal, id);
    for (const key of keys)
      if (key.kind === 'standard' && key.revokedAt === null) await auth.revokeApiKey(principal, key.id);
    return message('User authentication token revoked successfully');
  });
}
