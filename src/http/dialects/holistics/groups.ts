import type { Principal } from '../../../core/auth/index.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import {
  type DirectoryPort,
  groupJson,
  membershipsOf,
  message,
  pageInOrder,
  userJson,
} from './directory-shapes.ts';
import type { CursorQuery } from './paging.ts';
import { holisticsRoute } from './routes.ts';

type Id = { id: number };
type GroupBody = { group?: { name?: string } };

/** Core field paths as the body names them (`name` → `group.name`). */
const inBody = (error: unknown) => {
  throw renameFields(error, (field) => `group.${field}`);
};

/**
 * Groups: the directory's groups, each with its members' ids (`user_ids`). Everyone lists them;
 * creating, renaming, deleting and membership are for admins, as on the native routes.
 */
export function registerGroupRoutes(api: App, services: DirectoryPort): void {
  const { directory, auth } = services;

  const membersOf = async (principal: Principal, groupId: number) =>
    (await directory.listMembers(principal, groupId)).map((user) => user.id);

  holisticsRoute<{
    Querystring: CursorQuery & { sort?: 'natural' | 'id_asc' | 'id_desc'; include_users?: boolean };
  }>(api, 'Groups_List', async (request) => {
    const principal = principalOf(request);
    const { groups, usersOf } = await membershipsOf(directory, principal);
    const descending =
      request.query.sort === 'id_desc' ? (a: { id: number }, b: { id: number }) => b.id - a.id : undefined;
    const page = pageInOrder(groups, request.query, descending);
    const items = page.items.map((group) => groupJson(group, usersOf.get(group.id) ?? []));
    // `users` holds full `User`s, which Rosetta shows admins only: a 403 for others who ask for them.
    const users: Record<number, ReturnType<typeof userJson>> = {};
    if (request.query.include_users) {
      const ids = [...new Set(items.flatMap((group) => group.user_ids))];
      const holders = await auth.keyHolders(principal, ids);
      for (const id of ids) users[id] = userJson(await directory.getUser(principal, id), holders.has(id));
    }
    return { groups: items, users, cursors: page.cursors };
  });

  holisticsRoute<{ Body: GroupBody }>(api, 'Groups_Create', async (request, reply) => {
    const principal = principalOf(request);
    const group = await directory.createGroup(principal, { name: request.body.group?.name }).catch(inBody);
    return reply.status(201).send({ group: groupJson(group, []) });
  });

  holisticsRoute<{ Params: Id; Querystring: { include_users?: boolean } }>(
    api,
    'Groups_Get',
    async (request) => {
      const principal = principalOf(request);
      const group = await directory.getGroup(principal, request.params.id);
      return { group: groupJson(group, await membersOf(principal, group.id)) };
    },
  );

  holisticsRoute<{ Params: Id; Body: GroupBody }>(api, 'Groups_Update', async (request) => {
    const principal = principalOf(request);
    const group = await directory
      .updateGroup(principal, request.params.id, { name: request.body.group?.name })
      .catch(inBody);
    return { group: groupJson(group, await membersOf(principal, group.id)) };
  });

  holisticsRoute<{ Params: Id }>(api, 'Groups_Delete', async (request) => {
    await directory.deleteGroup(principalOf(request), request.params.id);
    return message('Group deleted successfully');
  });

  holisticsRoute<{ Params: Id & { user_id: number } }>(api, 'Groups_AddUser', async (request) => {
    const { id, user_id: userId } = request.params;
    await directory.addMember(principalOf(request), id, userId);
    return message('User added successfully');
  });

  holisticsRoute<{ Params: Id & { user_id: number } }>(api, 'Groups_RemoveUser', async (request) => {
    const { id, user_id: userId } = request.params;
    await directory.removeMember(principalOf(request), id, userId);
    return message('User removed successfully');
  });
}
