import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { Group } from '../../../core/directory/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import { applyListOptions, type SisenseListQuery } from './list-options.ts';
import { roleOf } from './roles.ts';
import {
  changeMemberships,
  type DirectoryPorts,
  diff,
  groupCodec,
  idsOfOids,
  LIST_OPTIONS,
  type Memberships,
  membershipsOf,
  queryOf,
  sisenseUser,
  userCodec,
} from './user-json.ts';

const Oid = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });
const GroupFields = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  roleId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  mail: Type.Optional(Type.String({ maxLength: 254 })),
  users: Type.Optional(Type.Array(Oid, { maxItems: 10_000 })),
};
const NewGroupBody = Type.Object({ ...GroupFields, name: Type.String({ minLength: 1, maxLength: 200 }) });
const GroupPatch = Type.Object(GroupFields);
type GroupInput = { name?: string; description?: string; roleId?: string; mail?: string; users?: string[] };

interface GroupsQuery extends SisenseListQuery {
  name?: string;
  mail?: string;
  roleId?: string;
  origin?: string;
  expand?: string;
}

type Id = { Params: { id: string } };

/**
 * Rosetta's groups carry no role and no email (a member's rights are their own role's): a
 * `roleId` is accepted only when it names a viewer role (Sisense gives groups `consumer` by
 * default), and grants nothing.
 */
const isViewerRole = (role: string): boolean => role === 'viewer' || role === 'interactive_viewer';

function checkGroupInput(input: GroupInput): void {
  if (input.roleId !== undefined && !isViewerRole(roleOf(input.roleId, 'roleId')))
    throw validationError('roleId', 'groups carry no role here: give the role to the users');
  if (input.mail) throw validationError('mail', 'groups have no email address here');
}

async function groupOf(ports: DirectoryPorts, principal: Principal, oid: string): Promise<Group> {
  const id = await groupCodec(ports).decode(principal.organizationId, oid, 'id');
  if (id === undefined) throw notFound('group', oid);
  return ports.directory.getGroup(principal, Number(id));
}

/** The user ids a `users` array of oids names (each must exist). */
const userIdsOf = (ports: DirectoryPorts, principal: Principal, oids: readonly string[]) =>
  idsOfOids(userCodec(ports), principal.organizationId, oids, 'users', 'user');

/** Sisense's group object; `expand=users` writes the members' objects instead of their oids. */
async function groupJson(
  ports: DirectoryPorts,
  principal: Principal,
  group: Group,
  memberships: Memberships,
  expandUsers: boolean,
) {
  const memberIds = memberships.usersOf.get(group.id) ?? [];
  const users = expandUsers
    ? await Promise.all(
        (await ports.directory.listMembers(principal, group.id)).map((user) =>
          sisenseUser(ports, user, memberships.groupsOf.get(user.id) ?? []),
        ),
      )
    : await userCodec(ports).encodeAll(
        memberIds.map((id) => ({ organizationId: group.organizationId, id, uuid: '' })),
      );
  return {
    _id: await groupCodec(ports).encode(group),
    name: group.name,
    description: group.description,
    ad: false,
    users,
    created: group.createdAt,
    lastUpdated: group.updatedAt,
  };
}

function expandsUsers(value: string | undefined): boolean {
  const names = (value ?? '').split(',').filter(Boolean);
  for (const name of names)
    if (name !== 'users' && name !== 'role') throw validationError('expand', 'must be users and/or role');
  return names.includes('users');
}

/** GRP-F1's filters; groups have no email or role here, so filtering on one matches none but the viewer roles. */
function matches(group: Group, query: GroupsQuery): boolean {
  if (query.origin !== undefined && query.origin !== 'ad' && query.origin !== 'sisense')
    throw validationError('origin', 'must be ad or sisense');
  const roleMatches = query.roleId === undefined || isViewerRole(roleOf(query.roleId, 'roleId'));
  return (
    roleMatches &&
    query.origin !== 'ad' &&
    query.mail === undefined &&
    (query.name === undefined || group.name.toLowerCase() === query.name.toLowerCase())
  );
}

/** Makes the group's members exactly `wanted`. */
const setGroupMembers = (
  ports: DirectoryPorts,
  principal: Principal,
  groupId: number,
  current: number[],
  wanted: number[],
) => changeMemberships(ports, principal, diff(current, wanted), (userId) => ({ groupId, userId }));

/** Groups (GRP-F1 and by id): Rosetta's groups; a group's members are its `users`, a user's groups its `groups`. */
export function registerGroupRoutes(app: App, ports: DirectoryPorts): void {
  const answer = async (principal: Principal, group: Group, expandUsers = false) =>
    groupJson(ports, principal, group, await membershipsOf(ports, principal), expandUsers);

  app.get<{ Querystring: GroupsQuery }>(
    '/api/v1/groups',
    { schema: { querystring: queryOf([...LIST_OPTIONS, 'name', 'mail', 'roleId', 'origin']) } },
    async (request) => {
      const principal = principalOf(request);
      const expandUsers = expandsUsers(request.query.expand);
      const memberships = await membershipsOf(ports, principal);
      const groups = memberships.groups.filter((group) => matches(group, request.query));
      const listed = await Promise.all(
        groups.map((group) => groupJson(ports, principal, group, memberships, expandUsers)),
      );
      return applyListOptions(listed, request.query);
    },
  );

  app.post('/api/v1/groups', { schema: { body: NewGroupBody } }, async (request, reply) => {
    const principal = principalOf(request);
    const input = request.body as GroupInput;
    checkGroupInput(input);
    const members = await userIdsOf(ports, principal, input.users ?? []);
    const group = await ports.directory.createGroup(principal, {
      name: input.name,
      description: input.description,
    });
    await setGroupMembers(ports, principal, group.id, [], members);
    return reply.code(201).send(await answer(principal, group));
  });

  app.get<Id & { Querystring: { expand?: string } }>(
    '/api/v1/groups/:id',
    { schema: { querystring: queryOf(['expand']) } },
    async (request) => {
      const principal = principalOf(request);
      const expandUsers = expandsUsers(request.query.expand);
      return answer(principal, await groupOf(ports, principal, request.params.id), expandUsers);
    },
  );

  app.patch<Id>('/api/v1/groups/:id', { schema: { body: GroupPatch } }, async (request) => {
    const principal = principalOf(request);
    const input = request.body as GroupInput;
    checkGroupInput(input);
    const before = await groupOf(ports, principal, request.params.id);
    const members = input.users && (await userIdsOf(ports, principal, input.users));
    const changes = { name: input.name, description: input.description };
    const group =
      changes.name !== undefined || changes.description !== undefined
        ? await ports.directory.updateGroup(principal, before.id, changes)
        : before;
    if (members) {
      const current = (await ports.directory.listMembers(principal, group.id)).map((user) => user.id);
      await setGroupMembers(ports, principal, group.id, current, members);
    }
    return answer(principal, group);
  });

  app.delete<Id>('/api/v1/groups/:id', async (request, reply) => {
    const principal = principalOf(request);
    const group = await groupOf(ports, principal, request.params.id);
    await ports.directory.deleteGroup(principal, group.id);
    return reply.code(204).send();
  });
}
