import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AuthService } from '../../core/auth/index.ts';
import type { DirectoryService } from '../../core/directory/index.ts';
import { unauthenticated } from '../../core/errors.ts';
import { type App, principalOf } from '../server.ts';
// Schema errors as coded 400s naming the field; shared with the content routes (belongs in server.ts).
import { UserSchema } from './users.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on routes that answer without credentials (only `POST /auth/login` here). */
    public?: boolean;
  }
}

/** The secret of `Authorization: Bearer <secret>`, or undefined. */
export function bearerOf(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
}

/**
 * The native face's auth hook (register with `app.addHook('onRequest', …)`): resolves the bearer
 * — session token or API key — to `request.principal`, except on routes flagged `public`.
 */
export function bearerAuthHook(auth: AuthService) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.routeOptions.config.public) return;
    const bearer = bearerOf(request);
    if (bearer === undefined) throw unauthenticated('missing Authorization: Bearer header');
    request.principal = await auth.authenticate(bearer);
  };
}

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
    async (request) => auth.login(request.body.email, request.body.password),
  );

  app.post('/auth/logout', async (request, reply) => {
    await auth.logout(bearerOf(request) ?? '');
    return reply.status(204).send();
  });

  app.get('/me', { schema: { response: { 200: MeAnswer } } }, async (request) => {
    const principal = principalOf(request);
    const user = await directory.getUser(principal, principal.userId);
    return {
      ...user,
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
