import { Type } from 'typebox';
import type { AuthService } from '../../core/auth/index.ts';
import type { DirectoryService } from '../../core/directory/index.ts';
import { authorizationOf } from '../kit/credentials.ts';
import { limitLoginFailures } from '../kit/rate-limit.ts';
import { type App, principalOf } from '../server.ts';
// Schema errors as coded 400s naming the field; shared with the content routes (belongs in server.ts).
import { UserSchema } from './users.ts';

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const LoginAnswer = Type.Object({ token: Type.String(), expiresAt: Type.String(), user: UserSchema });

const MeAnswer = Type.Object({
  ...UserSchema.properties,
  organizationId: Type.Integer(),
  organizationName: Type.String(),
  projectId: Type.Integer(),
  groupIds: Type.Array(Type.Integer()),
  attributes: Type.Record(Type.String(), Type.Array(Type.String())),
  apiKeyId: Type.Optional(Type.Integer()),
  dataSourceIds: Type.Optional(Type.Array(Type.Integer())),
});

/** `POST /auth/login` (public), `POST /auth/logout`, `GET /me`. */
export function registerAuthRoutes(app: App, deps: { auth: AuthService; directory: DirectoryService }): void {
  const { auth, directory } = deps;

  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: { body: LoginBody, response: { 200: LoginAnswer } },
    },
    async (request) =>
      limitLoginFailures(request, request.body.email, () =>
        auth.login(request.body.email, request.body.password, { address: request.ip }),
      ),
  );

  app.post('/auth/logout', async (request, reply) => {
    await auth.logout(authorizationOf(request, 'Bearer') ?? '');
    return reply.status(204).send();
  });

  app.get('/me', { schema: { response: { 200: MeAnswer } } }, async (request) => {
    const principal = principalOf(request);
    const [user, organization] = await Promise.all([
      directory.getSelf(principal),
      directory.getOrganization(principal),
    ]);
    return {
      ...user,
      organizationName: organization.name,
      // The credential's role and attributes, as every permission check sees them.
      role: principal.role,
      projectId: principal.projectId,
      groupIds: principal.groupIds,
      attributes: principal.attributes,
      apiKeyId: principal.apiKeyId,
      dataSourceIds: principal.dataSourceIds,
    };
  });
}
