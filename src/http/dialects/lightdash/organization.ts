import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import { roles } from '../../../core/auth/index.ts';
import type { Group, UserView } from '../../../core/directory/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import { groupJson, groupMember, groupWithMembers, memberProfile, pageOf } from './shapes.ts';

// Query strings arrive as text (the server does not coerce types), so numbers are patterns.
const Count = (description: string) => Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description }));
const PositiveCount = (description: string) =>
  Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description }));
const numberOf = (text: string | undefined) => (text === undefined ? undefined : Number(text));

const Paging = {
  page: PositiveCount('the page to answer, from 1 (with pageSize)'),
  pageSize: PositiveCount('rows per page (with page)'),
  searchQuery: Type.Optional(Type.String({ maxLength: 200 })),
};
const MembersQuery = Type.Object({
  ...Paging,
  includeGroups: Count('how many groups to show per member'),
  projectUuid: Type.Optional(Type.String({ maxLength: 64 })),
});
const GroupsQuery = Type.Object({ ...Paging, includeMembers: Count('how many members to show per group') });
const GroupQuery = Type.Object({
  includeMembers: Count('how many members to show'),
  offset: Count('the first member to show'),
});
const UserUuid = Type.Object({ userUuid: Type.String({ maxLength: 64 }) });
const GroupUuid = Type.Object({ groupUuid: Type.String({ maxLength: 64 }) });
const GroupMember = Type.Object({
  groupUuid: Type.String({ maxLength: 64 }),
  userUuid: Type.String({ maxLength: 64 }),
});
const RoleBody = Type.Object({
  role: Type.Union([...roles, 'member' as const].map((role) => Type.Literal(role))),
});
const Members = Type.Array(Type.Object({ userUuid: Type.String({ maxLength: 64 }) }), { maxItems: 10_000 });
const NewGroup = Type.Object({ name: Type.String({ maxLength: 200 }), members: Type.Optional(Members) });
const GroupPatch = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  members: Type.Optional(Members),
});
const OrganizationPatch = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  chartColors: Type.Optional(Type.Array(Type.String())),
  defaultProjectUuid: Type.Optional(Type.String()),
});

/**
 * `/v1/org` (the caller's organization, its members and groups) and `/v1/groups`: the core
 * directory. Users and groups are named by their uuids.
 */
export function registerOrganizationRoutes(app: App, services: Pick<Services, 'directory'>): void {
  const { directory } = services;

  const groupByUuid = async (principal: Principal, uuid: string): Promise<Group> => {
    const group = (await directory.listGroups(principal)).find((g) => g.uuid === uuid);
    if (!group) throw notFound('group', uuid);
    return group;
  };
  /**
   * A member by uuid. Rosetta keeps a deleted user restorable; in Lightdash a removed member is
   * gone, so it is not found here either (the members list already leaves it out).
   */
  const memberByUuid = async (principal: Principal, uuid: string): Promise<UserView> => {
    const user = await directory.getUserByUuid(principal, uuid);
    if (user.status === 'deleted') throw notFound('user', uuid);
    return user;
  };
  /** The users of a members list, every one of them known, before anything changes. */
  const usersOf = async (principal: Principal, members: { userUuid: string }[]) =>
    Promise.all(
      members.map(({ userUuid }, index) =>
        memberByUuid(principal, userUuid).catch((error: unknown) => {
          throw renameFields(error, () => `members[${index}].userUuid`);
        }),
      ),
    );
  /** Makes the group's members exactly `wanted`. */
  const setMembers = async (principal: Principal, group: Group, wanted: UserView[]) => {
    const current = await directory.listMembers(principal, group.id);
    const wantedIds = new Set(wanted.map((user) => user.id));
    const currentIds = new Set(current.map((user) => user.id));
    for (const user of current)
      if (!wantedIds.has(user.id)) await directory.removeMember(principal, group.id, user.id);
    for (const id of wantedIds) if (!currentIds.has(id)) await directory.addMember(principal, group.id, id);
  };
  const groupAnswer = async (principal: Principal, group: Group, includeMembers?: number, offset = 0) => {
    const organization = await directory.getOrganization(principal);
    if (includeMembers === undefined) return groupJson(group, organization);
    const members = await directory.listMembers(principal, group.id);
    return groupWithMembers(group, organization, members.slice(offset, offset + includeMembers));
  };

  app.get('/v1/org', async (request) => {
    const principal = principalOf(request);
    const [organization, project] = await Promise.all([
      directory.getOrganization(principal),
      directory.defaultProject(principal),
    ]);
    return ok({
      organizationUuid: organization.uuid,
      name: organization.name,
      defaultProjectUuid: project.uuid,
      needsProject: false,
    });
  });

  app.patch('/v1/org', { schema: { body: OrganizationPatch } }, async (request) => {
    const principal = principalOf(request);
    const { name, chartColors, defaultProjectUuid } = request.body;
    // What Rosetta does not keep is refused, not dropped: the caller would believe it saved.
    if (chartColors !== undefined)
      throw validationError('chartColors', 'cannot be set: Rosetta keeps colours in each chart');
    if (
      defaultProjectUuid !== undefined &&
      defaultProjectUuid !== (await directory.defaultProject(principal)).uuid
    )
      throw validationError(
        'defaultProjectUuid',
        'cannot change: the first project of an organization is its default',
      );
    if (name !== undefined) await directory.renameOrganization(principal, name);
    return ok();
  });

  app.get('/v1/org/users', { schema: { querystring: MembersQuery } }, async (request) => {
    const principal = principalOf(request);
    const { searchQuery, projectUuid } = request.query;
    const [page, pageSize, includeGroups] = [
      request.query.page,
      request.query.pageSize,
      request.query.includeGroups,
    ].map(numberOf);
    // Every member of the organization sees every project: the filter only checks the project.
    if (projectUuid !== undefined) await directory.projects.getByUuid(principal, projectUuid);
    const [organization, users] = await Promise.all([
      directory.getOrganization(principal),
      directory.listUsers(principal, searchQuery ? { search: searchQuery } : {}),
    ]);
    const listed = pageOf(users, page, pageSize);
    const groupsOf = includeGroups ? await memberGroups(principal) : undefined;
    return ok({
      ...listed,
      data: listed.data.map((user) => ({
        ...memberProfile(user, organization),
        ...(groupsOf && { groups: (groupsOf.get(user.id) ?? []).slice(0, includeGroups) }),
      })),
    });
  });

  /** Each user's groups (`{name, uuid}`), read once for the whole page. */
  const memberGroups = async (principal: Principal) => {
    const byUser = new Map<number, { name: string; uuid: string }[]>();
    for (const group of await directory.listGroups(principal))
      for (const member of await directory.listMembers(principal, group.id))
        byUser.set(member.id, [...(byUser.get(member.id) ?? []), { name: group.name, uuid: group.uuid }]);
    return byUser;
  };

  app.get('/v1/org/users/:userUuid', { schema: { params: UserUuid } }, async (request) => {
    const principal = principalOf(request);
    const [organization, user] = await Promise.all([
      directory.getOrganization(principal),
      memberByUuid(principal, request.params.userUuid),
    ]);
    return ok(memberProfile(user, organization));
  });

  app.patch('/v1/org/users/:userUuid', { schema: { params: UserUuid, body: RoleBody } }, async (request) => {
    const principal = principalOf(request);
    const user = await memberByUuid(principal, request.params.userUuid);
    // A `member` keeps the least role for what is not of a project and reaches projects by grant only.
    const { role } = request.body;
    const changes =
      role === 'member' ? { role: 'viewer', projectsByGrant: true } : { role, projectsByGrant: false };
    const updated = await directory.updateUser(principal, user.id, changes);
    return ok(memberProfile(updated, await directory.getOrganization(principal)));
  });

  app.delete('/v1/org/user/:userUuid', { schema: { params: UserUuid } }, async (request) => {
    const principal = principalOf(request);
    const user = await memberByUuid(principal, request.params.userUuid);
    await directory.deleteUser(principal, user.id);
    return ok();
  });

  app.post('/v1/org/groups', { schema: { body: NewGroup } }, async (request, reply) => {
    const principal = principalOf(request);
    const members = await usersOf(principal, request.body.members ?? []);
    const group = await directory.createGroup(principal, { name: request.body.name });
    await setMembers(principal, group, members);
    const organization = await directory.getOrganization(principal);
    return reply
      .status(201)
      .send(ok(groupWithMembers(group, organization, await directory.listMembers(principal, group.id))));
  });

  app.get('/v1/org/groups', { schema: { querystring: GroupsQuery } }, async (request) => {
    const principal = principalOf(request);
    const { searchQuery } = request.query;
    const [page, pageSize, includeMembers] = [
      request.query.page,
      request.query.pageSize,
      request.query.includeMembers,
    ].map(numberOf);
    const search = searchQuery?.toLowerCase();
    const groups = (await directory.listGroups(principal)).filter(
      (group) => !search || group.name.toLowerCase().includes(search),
    );
    const listed = pageOf(groups, page, pageSize);
    return ok({
      ...listed,
      data: await Promise.all(listed.data.map((group) => groupAnswer(principal, group, includeMembers))),
    });
  });

  app.get(
    '/v1/groups/:groupUuid',
    { schema: { params: GroupUuid, querystring: GroupQuery } },
    async (request) => {
      const principal = principalOf(request);
      const group = await groupByUuid(principal, request.params.groupUuid);
      return ok(
        await groupAnswer(
          principal,
          group,
          numberOf(request.query.includeMembers),
          numberOf(request.query.offset),
        ),
      );
    },
  );

  app.patch('/v1/groups/:groupUuid', { schema: { params: GroupUuid, body: GroupPatch } }, async (request) => {
    const principal = principalOf(request);
    const { name, members } = request.body;
    let group = await groupByUuid(principal, request.params.groupUuid);
    const wanted = members && (await usersOf(principal, members));
    if (name !== undefined) group = await directory.updateGroup(principal, group.id, { name });
    if (wanted) await setMembers(principal, group, wanted);
    const organization = await directory.getOrganization(principal);
    return ok(
      wanted
        ? groupWithMembers(group, organization, await directory.listMembers(principal, group.id))
        : groupJson(group, organization),
    );
  });

  app.delete('/v1/groups/:groupUuid', { schema: { params: GroupUuid } }, async (request) => {
    const principal = principalOf(request);
    await directory.deleteGroup(principal, (await groupByUuid(principal, request.params.groupUuid)).id);
    return ok();
  });

  app.get('/v1/groups/:groupUuid/members', { schema: { params: GroupUuid } }, async (request) => {
    const principal = principalOf(request);
    const group = await groupByUuid(principal, request.params.groupUuid);
    const members = await directory.listMembers(principal, group.id);
    return ok(members.map(groupMember));
  });

  /** The group and user of a membership route, and whether the user is already a member. */
  const membership = async (principal: Principal, groupUuid: string, userUuid: string) => {
    const group = await groupByUuid(principal, groupUuid);
    const user = await memberByUuid(principal, userUuid);
    const members = await directory.listMembers(principal, group.id);
    return { group, user, isMember: members.some((member) => member.id === user.id) };
  };

  // 201 when added, 204 when the user already was a member (spec Appendix A).
  app.put(
    '/v1/groups/:groupUuid/members/:userUuid',
    { schema: { params: GroupMember } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { group, user, isMember } = await membership(
        principal,
        request.params.groupUuid,
        request.params.userUuid,
      );
      if (isMember) return reply.status(204).send();
      await directory.addMember(principal, group.id, user.id);
      return reply.status(201).send(ok());
    },
  );

  // 200 when removed, 204 when the user was not a member (spec §1.5).
  app.delete(
    '/v1/groups/:groupUuid/members/:userUuid',
    { schema: { params: GroupMember } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { group, user, isMember } = await membership(
        principal,
        request.params.groupUuid,
        request.params.userUuid,
      );
      if (!isMember) return reply.status(204).send();
      await directory.removeMember(principal, group.id, user.id);
      return ok();
    },
  );
}
