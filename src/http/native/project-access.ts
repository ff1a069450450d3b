import { Type } from 'typebox';
import { roles } from '../../core/auth/index.ts';
import {
  type DirectoryService,
  GRANT_SUBJECTS,
  type GrantSubject,
  type ProjectGrant,
} from '../../core/directory/index.ts';
import { notFound } from '../../core/errors.ts';
import { type App, principalOf } from '../server.ts';

const RoleField = Type.Enum(roles, {
  description:
    "The subject's role in the project; a user's role there is the highest of this, their groups' and their organization role",
});
const SubjectField = Type.Enum(GRANT_SUBJECTS, { description: 'Who holds the role: a user or a group' });
const GrantView = Type.Object({
  subject: SubjectField,
  subjectId: Type.Integer(),
  role: RoleField,
  createdAt: Type.String(),
});
const Id = Type.String({ pattern: '^[0-9]{1,9}$' });
const ProjectParams = Type.Object({ id: Id });
const GrantParams = Type.Object({
  id: Id,
  subject: SubjectField,
  subjectId: Id,
});
const RoleBody = Type.Object({ role: RoleField }, { additionalProperties: false });

const grantView = (grant: ProjectGrant) => ({
  subject: grant.subject.kind,
  subjectId: grant.subject.id,
  role: grant.role,
  createdAt: grant.createdAt,
});

/**
 * Project access: the roles users and groups hold in one project, beyond their organization role.
 * Admins of the project (by organization role or by grant) read and change them.
 */
export function registerProjectAccessRoutes(
  app: App,
  deps: { directory: Pick<DirectoryService, 'projectAccess'> },
): void {
  const { projectAccess } = deps.directory;
  const subjectOf = (params: { subject: GrantSubject['kind']; subjectId: string }): GrantSubject => ({
    kind: params.subject,
    id: Number(params.subjectId),
  });

  app.get(
    '/projects/:id/access',
    {
      schema: {
        params: ProjectParams,
        response: { 200: Type.Object({ items: Type.Array(GrantView) }) },
      },
    },
    async (request) => ({
      items: (await projectAccess.list(principalOf(request), Number(request.params.id))).map(grantView),
    }),
  );

  app.get(
    '/projects/:id/access/:subject/:subjectId',
    { schema: { params: GrantParams, response: { 200: GrantView } } },
    async (request) =>
      grantView(
        await projectAccess.get(principalOf(request), Number(request.params.id), subjectOf(request.params)),
      ),
  );

  app.put(
    '/projects/:id/access/:subject/:subjectId',
    { schema: { params: GrantParams, body: RoleBody, response: { 200: GrantView } } },
    async (request) =>
      grantView(
        await projectAccess.grant(
          principalOf(request),
          Number(request.params.id),
          subjectOf(request.params),
          request.body.role,
          'set',
        ),
      ),
  );

  app.delete(
    '/projects/:id/access/:subject/:subjectId',
    { schema: { params: GrantParams } },
    async (request, reply) => {
      const subject = subjectOf(request.params);
      const revoked = await projectAccess.revoke(principalOf(request), Number(request.params.id), subject);
      if (!revoked) throw notFound(`${subject.kind}'s access to project`, subject.id);
      return reply.status(204).send();
    },
  );
}
