import { Type } from 'typebox';
import type { AuthService, IssuedPasswordLink } from '../../core/auth/index.ts';
import { limitCredentialFailures } from '../kit/rate-limit.ts';
import { type App, absoluteUrl, principalOf } from '../server.ts';
import { IdParams, RoleSchema, UserSchema } from './users.ts';

const Purpose = Type.Union([Type.Literal('invitation'), Type.Literal('reset')]);
const LinkSchema = Type.Object({
  purpose: Purpose,
  token: Type.String(),
  url: Type.String(),
  expiresAt: Type.String(),
});

const InviteBody = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(RoleSchema),
  },
  { additionalProperties: false },
);
const TokenField = { token: Type.String({ minLength: 1, maxLength: 100 }) };
const OpenBody = Type.Object(TokenField, { additionalProperties: false });
const AcceptBody = Type.Object(
  {
    ...TokenField,
    password: Type.String({ maxLength: 1024 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const Opened = Type.Object({
  purpose: Purpose,
  email: Type.String(),
  name: Type.String(),
  organizationName: Type.String(),
  expiresAt: Type.String(),
});
const SignedIn = Type.Object({ token: Type.String(), expiresAt: Type.String(), user: UserSchema });

/**
 * Invitations and password-reset links. Admins create them (`POST /invitations` makes a pending
 * user, `POST /users/:id/password-link` a new link for an existing one) and hand the URL over;
 * the link's page opens and uses it without credentials. Unknown tokens count against the
 * caller's address like wrong API keys (kit/rate-limit.ts).
 */
export function registerPasswordLinkRoutes(app: App, deps: { auth: AuthService }): void {
  const { auth } = deps;
  const withAbsoluteUrl = (request: Parameters<typeof absoluteUrl>[0], link: IssuedPasswordLink) => ({
    ...link,
    url: absoluteUrl(request, link.url),
  });

  app.post(
    '/invitations',
    { schema: { body: InviteBody, response: { 201: Type.Object({ user: UserSchema, link: LinkSchema }) } } },
    async (request, reply) => {
      const { user, link } = await auth.invite(principalOf(request), request.body);
      return reply.status(201).send({ user, link: withAbsoluteUrl(request, link) });
    },
  );

  app.post(
    '/users/:id/password-link',
    { schema: { params: IdParams, response: { 201: LinkSchema } } },
    async (request, reply) => {
      const link = await auth.issuePasswordLink(principalOf(request), Number(request.params.id));
      return reply.status(201).send(withAbsoluteUrl(request, link));
    },
  );

  app.post(
    '/password-links/open',
    { config: { public: true }, schema: { body: OpenBody, response: { 200: Opened } } },
    async (request) => limitCredentialFailures(request, () => auth.openPasswordLink(request.body.token)),
  );

  app.post(
    '/password-links/accept',
    { config: { public: true }, schema: { body: AcceptBody, response: { 200: SignedIn } } },
    async (request) => {
      const { token, ...answer } = request.body;
      return limitCredentialFailures(request, () =>
        auth.acceptPasswordLink(token, answer, { address: request.ip }),
      );
    },
  );
}
