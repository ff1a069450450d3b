import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import { isRosettaError, RosettaError, unauthenticated, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { authorizationOf, limitLoginFailures } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { idsOfOids, membershipsOf, queryOf, sisenseUser, userCodec } from './user-json.ts';

/** Sisense's words for a failed sign-in (AUTH-04), whatever was wrong. */
const BAD_LOGIN = 'Invalid credentials. Wrong username or password.';

/** Form-encoded or JSON; `username` is the user's email (Rosetta keeps no other user name). */
const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

type AuthPorts = Pick<Services, 'auth' | 'directory' | 'externalIds'>;

/** AUTH-04 `POST /api/v1/authentication/login`: a session token and the user's profile. */
export function registerLoginRoute(app: App, services: AuthPorts): void {
  const { auth } = services;
  app.post(
    '/api/v1/authentication/login',
    { config: { public: true }, schema: { body: LoginBody } },
    async (request) => {
      const { username, password } = request.body;
      const session = await limitLoginFailures(request, username, () =>
        auth.login(username, password, { address: request.ip }).catch((error: unknown) => {
          throw isRosettaError(error) && error.code === 'ERR_UNAUTHENTICATED'
            ? unauthenticated(BAD_LOGIN)
            : error;
        }),
      );
      const principal = await auth.authenticate(session.token);
      const { groupsOf } = await membershipsOf(services, principal);
      return {
        success: true,
        message: '',
        access_token: session.token,
        profile: await sisenseUser(services, session.user, groupsOf.get(session.user.id) ?? []),
      };
    },
  );
}

/** A Sisense feature Rosetta does not have: a 400 naming it, as Sisense answers a disabled feature. */
export const notAvailable = (feature: string, field?: string): RosettaError =>
  new RosettaError('ERR_VALIDATION', `${feature} is not available on this server`, field, {
    reason: 'feature.not_configured',
  });

/** `users`: user oids separated by commas, without spaces; at least one. */
async function usersParameter(services: AuthPorts, principal: Principal, value: string | undefined) {
  const list = (value ?? '').split(',').filter(Boolean);
  if (list.length === 0) throw validationError('users', 'is required: user ids separated by commas');
  return idsOfOids(userCodec(services), principal.organizationId, list, 'users', 'user');
}

/**
 * Revokes the users' live API keys (their own, or anyone's for admins: the core judges). Every
 * user's keys are listed first, so a refusal for one user revokes nothing.
 */
async function revokeApiKeysOf(auth: Services['auth'], principal: Principal, userIds: readonly number[]) {
  const keys = (await Promise.all(userIds.map((userId) => auth.listApiKeys(principal, userId)))).flat();
  for (const key of keys)
    if (key.revokedAt === null && key.kind === 'standard') await auth.revokeApiKey(principal, key.id);
}

type UsersQuery = { Querystring: { users?: string } };
const UsersParam = queryOf(['users']);

/**
 * Logout and token revocation (AUTH-F1, AUTH-01, AUTH-02, AUTH-09), the logged-in user's API
 * token, and the trusted-server and SAML routes Rosetta does not have. Sisense's "device tokens"
 * are Rosetta's sessions, its "API tokens" Rosetta's API keys.
 */
export function registerTokenRoutes(app: App, services: AuthPorts): void {
  const { auth } = services;

  // Only the credential of this request ends: a session is logged out, an API key revoked.
  app.get('/api/v1/authentication/logout', async (request, reply) => {
    const principal = principalOf(request);
    if (principal.apiKeyId !== undefined) await auth.revokeApiKey(principal, principal.apiKeyId);
    else await auth.logout(authorizationOf(request, 'Bearer') ?? '');
    return reply.code(204).send();
  });

  app.get('/api/v1/authentication/logout_all', async (request, reply) => {
    const principal = principalOf(request);
    await revokeApiKeysOf(auth, principal, [principal.userId]);
    await auth.endSessions(principal, [principal.userId]);
    return reply.code(204).send();
  });

  app.get<UsersQuery>(
    '/api/v1/authentication/admin/logout',
    { schema: { querystring: UsersParam } },
    async (request, reply) => {
      const principal = principalOf(request);
      const userIds = await usersParameter(services, principal, request.query.users);
      await revokeApiKeysOf(auth, principal, userIds);
      await auth.endSessions(principal, userIds);
      return reply.code(204).send();
    },
  );

  // The token types are undocumented; `api` (the API tokens) is the one this route revokes.
  app.delete<UsersQuery & { Params: { tokenType: string } }>(
    '/api/v1/authentication/admin/tokens/:tokenType',
    { schema: { querystring: UsersParam } },
    async (request, reply) => {
      if (request.params.tokenType !== 'api') throw validationError('tokenType', 'must be api');
      const principal = principalOf(request);
      await revokeApiKeysOf(auth, principal, await usersParameter(services, principal, request.query.users));
      return reply.code(204).send();
    },
  );

  // Rosetta stores API keys hashed and cannot show one again: each call mints a new key.
  app.get('/api/v1/authentication/tokens/api', async (request) => {
    const { key } = await auth.createApiKey(principalOf(request), { name: 'Sisense API token' });
    return { token: key };
  });

  // Trusted servers copy dashboards between Sisense servers; Rosetta has no such peering.
  app.get('/api/v1/authentication/server_access', async () => []);
  const noTrustedServers = async () => {
    throw notAvailable('Trusted server access');
  };
  app.post('/api/v1/authentication/server_access', noTrustedServers);
  app.patch('/api/v1/authentication/server_access/:id', noTrustedServers);
  app.delete('/api/v1/authentication/server_access/:id', noTrustedServers);
  app.post('/api/v1/authentication/login_saml_callback', { config: { public: true } }, async () => {
    throw notAvailable('SAML single sign-on');
  });
}
