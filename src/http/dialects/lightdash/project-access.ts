import { Type } from 'typebox';
import { type Principal, roles } from '../../../core/auth/index.ts';
import type { GrantSubject, Project, ProjectGrant } from '../../../core/directory/index.ts';
import { notFound } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import { nameParts } from './shapes.ts';

const Uuid = Type.String({ maxLength: 64 });
const ProjectRole = Type.Union(roles.map((role) => Type.Literal(role)));
const RoleBody = Type.Object({ role: ProjectRole });
const GrantBody = Type.Object({
  email: Type.String({ maxLength: 320 }),
  role: ProjectRole,
  sendEmail: Type.Boolean(),
});
const ProjectParams = Type.Object({ projectUuid: Uuid });
const MemberParams = Type.Object({ projectUuid: Uuid, userUuid: Uuid });
const GroupProjectParams = Type.Object({ groupUuid: Uuid, projectUuid: Uuid });

/**
 * Project access (spec §2.3, §2.5, Appendix A): Lightdash's explicit project roles are the core's
 * project grants of users and groups; who holds a role through the organization is not listed.
 */
export function registerProjectAccessRoutes(app: App, services: Pick<Services, 'directory'>): void {
  const { directory } = services;
  const { projectAccess } = directory;

  const projectByUuid = (principal: Principal, uuid: string) => directory.projects.getByUuid(principal, uuid);
  const userByUuid = (principal: Principal, uuid: string) => directory.getUserByUuid(principal, uuid);
  const groupByUuid = async (principal: Principal, uuid: string) => {
    const group = (await directory.listGroups(principal)).find((g) => g.uuid === uuid);
    if (!group) throw notFound('group', uuid);
    return group;
  };
  const userSubject = (id: number): GrantSubject => ({ kind: 'user', id });

  /** `ProjectMemberProfile`s of the project's user grants. */
  const memberProfiles = async (principal: Principal, project: Project, grants: ProjectGrant[]) => {
    const users = new Map((await directory.listUsers(principal)).map((user) => [user.id, user]));
    return grants.flatMap((grant) => {
      const user = grant.subject.kind === 'user' ? users.get(grant.subject.id) : undefined;
      if (!user) return [];
      return [
        {
          userUuid: user.uuid,
          projectUuid: project.uuid,
          role: grant.role,
          email: user.email,
          ...nameParts(user.name),
        },
      ];
    });
  };

  /** `ProjectGroupAccess`. */
  const groupAccess = (groupUuid: string, project: Project, grant: ProjectGrant) => ({
    groupUuid,
    projectUuid: project.uuid,
    role: grant.role,
  });

  app.get('/v1/projects/:projectUuid/access', { schema: { params: ProjectParams } }, async (request) => {
    const principal = principalOf(request);
    const project = await projectByUuid(principal, request.params.projectUuid);
    return ok(await memberProfiles(principal, project, await projectAccess.list(principal, project.id)));
  });

  // Rosetta sends no email here: the user already is a member of the organization.
  app.post(
    '/v1/projects/:projectUuid/access',
    { schema: { params: ProjectParams, body: GrantBody } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectByUuid(principal, request.params.projectUuid);
      const user = await directory.getUserByEmail(principal, request.body.email);
      await projectAccess.grant(principal, project.id, userSubject(user.id), request.body.role, 'new');
      return ok();
    },
  );

  const projectAndUser = (principal: Principal, params: { projectUuid: string; userUuid: string }) =>
    Promise.all([projectByUuid(principal, params.projectUuid), userByUuid(principal, params.userUuid)]);

  app.get(
    '/v1/projects/:projectUuid/user/:userUuid',
    { schema: { params: MemberParams } },
    async (request) => {
      const principal = principalOf(request);
      const [project, user] = await projectAndUser(principal, request.params);
      const grant = await projectAccess.get(principal, project.id, userSubject(user.id));
      const [profile] = await memberProfiles(principal, project, [grant]);
      return ok(profile);
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/access/:userUuid',
    { schema: { params: MemberParams, body: RoleBody } },
    async (request) => {
      const principal = principalOf(request);
      const [project, user] = await projectAndUser(principal, request.params);
      await projectAccess.grant(principal, project.id, userSubject(user.id), request.body.role, 'change');
      return ok();
    },
  );

  app.delete(
    '/v1/projects/:projectUuid/access/:userUuid',
    { schema: { params: MemberParams } },
    async (request) => {
      const principal = principalOf(request);
      const [project, user] = await projectAndUser(principal, request.params);
      if (!(await projectAccess.revoke(principal, project.id, userSubject(user.id))))
        throw notFound("user's access to project", user.uuid);
      return ok();
    },
  );

  app.get(
    '/v1/projects/:projectUuid/groupAccesses',
    { schema: { params: ProjectParams } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectByUuid(principal, request.params.projectUuid);
      const [grants, groups] = await Promise.all([
        projectAccess.list(principal, project.id),
        directory.listGroups(principal),
      ]);
      const uuidOf = new Map(groups.map((group) => [group.id, group.uuid]));
      return ok(
        grants.flatMap((grant) => {
          const uuid = grant.subject.kind === 'group' ? uuidOf.get(grant.subject.id) : undefined;
          return uuid === undefined ? [] : [groupAccess(uuid, project, grant)];
        }),
      );
    },
  );

  /** The group and project of a group-access route. */
  const groupAndProject = async (
    principal: Principal,
    params: { groupUuid: string; projectUuid: string },
  ) => {
    const [group, project] = await Promise.all([
      groupByUuid(principal, params.groupUuid),
      projectByUuid(principal, params.projectUuid),
    ]);
    return { group, project, subject: { kind: 'group', id: group.id } as GrantSubject };
  };

  for (const [method, mode] of [
    ['post', 'new'],
    ['patch', 'change'],
  ] as const) {
    app[method](
      '/v1/groups/:groupUuid/projects/:projectUuid',
      { schema: { params: GroupProjectParams, body: RoleBody } },
      async (request) => {
        const principal = principalOf(request);
        const { group, project, subject } = await groupAndProject(principal, request.params);
        const grant = await projectAccess.grant(principal, project.id, subject, request.body.role, mode);
        return ok(groupAccess(group.uuid, project, grant));
      },
    );
  }

  // 200 when revoked, 204 when the group had no role there (Appendix A).
  app.delete(
    '/v1/groups/:groupUuid/projects/:projectUuid',
    { schema: { params: GroupProjectParams } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { project, subject } = await groupAndProject(principal, request.params);
      if (!(await projectAccess.revoke(principal, project.id, subject))) return reply.status(204).send();
      return ok();
    },
  );
}
