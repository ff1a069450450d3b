import { Type } from 'typebox';
import type { AllowedEmailDomains, EmailStatus } from '../../../core/auth/index.ts';
import { roles } from '../../../core/auth/index.ts';
import { isRosettaError, RosettaError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { limitCredentialFailures, renameFields } from '../../kit/index.ts';
import { type App, absoluteUrl, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import { lightdashUser } from './shapes.ts';

const Passcode = Type.Object({ passcode: Type.Optional(Type.String({ maxLength: 64 })) });
const OrganizationUuid = Type.Object({ organizationUuid: Type.String({ maxLength: 64 }) });
const InviteCode = Type.Object({ inviteCode: Type.String({ maxLength: 200 }) });
const DomainsBody = Type.Object({
  emailDomains: Type.Array(Type.String({ maxLength: 253 }), { maxItems: 1000 }),
  role: Type.String({ maxLength: 40 }),
  projects: Type.Array(
    Type.Object({ projectUuid: Type.String({ maxLength: 64 }), role: Type.String({ maxLength: 40 }) }),
    { maxItems: 1000 },
  ),
});
const CompleteBody = Type.Object({
  organizationName: Type.Optional(Type.String({ maxLength: 200 })),
  jobTitle: Type.Optional(Type.String({ maxLength: 200 })),
  isTrackingAnonymized: Type.Optional(Type.Boolean()),
  isMarketingOptedIn: Type.Optional(Type.Boolean()),
  enableEmailDomainAccess: Type.Optional(Type.Boolean()),
});
const PasswordBody = Type.Object({
  password: Type.Optional(Type.String({ maxLength: 1024 })),
  newPassword: Type.String({ maxLength: 1024 }),
});
const ResetBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 200 }),
  newPassword: Type.String({ maxLength: 1024 }),
});
const NewInviteLink = Type.Object({
  email: Type.String({ maxLength: 254 }),
  role: Type.Optional(Type.Union([...roles, 'member' as const].map((role) => Type.Literal(role)))),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** `EmailStatusExpiring`. */
const emailStatusJson = (status: EmailStatus) => ({
  email: status.email,
  isVerified: status.isVerified,
  ...(status.passcode && {
    otp: {
      createdAt: status.passcode.createdAt,
      numberOfAttempts: status.passcode.attempts,
      expiresAt: status.passcode.expiresAt,
      isExpired: status.passcode.isExpired,
      isMaxAttempts: status.passcode.isMaxAttempts,
    },
  }),
});

/** `AllowedEmailDomains`. */
const allowedDomainsJson = (organizationUuid: string, allowed: AllowedEmailDomains) => ({
  organizationUuid,
  emailDomains: allowed.domains,
  role: allowed.role,
  projects: allowed.projects.map(({ projectUuid, role }) => ({ projectUuid, role })),
});

/**
 * A code that names no link is a credential failure (counted against the caller's address, as a
 * wrong key is), which Lightdash answers as a link that does not exist.
 */
const unknownLinkAs = (what: string) => (error: unknown) => {
  if (isRosettaError(error) && error.code === 'ERR_UNAUTHENTICATED')
    throw new RosettaError('ERR_NOT_FOUND', `${what} not found`);
  throw error;
};

/**
 * The caller's account beyond the profile (email verification, setup, passwords), the
 * organization's self-join domains and invite links: the core account service.
 */
export function registerAccountRoutes(app: App, services: Pick<Services, 'account' | 'directory'>): void {
  const { account, directory } = services;

  app.put('/v1/user/me/email/otp', async (request) =>
    ok(emailStatusJson(await account.sendPasscode(principalOf(request)))),
  );

  app.get('/v1/user/me/email/status', { schema: { querystring: Passcode } }, async (request) =>
    ok(emailStatusJson(await account.emailStatus(principalOf(request), request.query.passcode))),
  );

  app.post(
    '/v1/user/me/joinOrganization/:organizationUuid',
    { schema: { params: OrganizationUuid } },
    async (request) => {
      await account.joinOrganization(principalOf(request), request.params.organizationUuid);
      return ok();
    },
  );

  app.patch('/v1/user/me/complete', { schema: { body: CompleteBody } }, async (request) => {
    const principal = principalOf(request);
    const setup = await account.completeSetup(principal, request.body);
    const [user, organization] = await Promise.all([
      directory.getSelf(principal),
      directory.getOrganization(principal),
    ]);
    return ok(lightdashUser(user, organization, setup));
  });

  app.get('/v1/org/allowedEmailDomains', async (request) => {
    const principal = principalOf(request);
    const [organization, allowed] = await Promise.all([
      directory.getOrganization(principal),
      account.allowedEmailDomains(principal),
    ]);
    return ok(allowedDomainsJson(organization.uuid, allowed));
  });

  app.patch('/v1/org/allowedEmailDomains', { schema: { body: DomainsBody } }, async (request) => {
    const principal = principalOf(request);
    const allowed = await account.setAllowedEmailDomains(principal, request.body);
    return ok(allowedDomainsJson((await directory.getOrganization(principal)).uuid, allowed));
  });

  app.get('/v1/user/password', async (request) =>
    ok((await directory.getSelf(principalOf(request))).hasPassword),
  );

  // Lightdash's `password` is the current one, `newPassword` the one to set.
  app.post('/v1/user/password', { schema: { body: PasswordBody } }, async (request) => {
    const principal = principalOf(request);
    const { password, newPassword } = request.body;
    await directory
      .updateUser(principal, principal.userId, { password: newPassword, currentPassword: password })
      .catch((error: unknown) => {
        throw renameFields(error, (field) =>
          field === 'currentPassword' ? 'password' : field === 'password' ? 'newPassword' : field,
        );
      });
    return ok();
  });

  app.post(
    '/v1/user/password/reset',
    { config: { public: true }, schema: { body: ResetBody } },
    async (request) => {
      const { code, newPassword } = request.body;
      await limitCredentialFailures(request, () =>
        account.resetPassword(code, newPassword, { address: request.ip }),
      )
        .catch(unknownLinkAs('password reset link'))
        .catch((error: unknown) => {
          // Lightdash forgets an expired reset link: it no longer exists.
          if (isRosettaError(error) && error.reason === 'auth.link_expired')
            throw new RosettaError('ERR_NOT_FOUND', 'password reset link expired');
          throw renameFields(error, (field) =>
            field === 'password' ? 'newPassword' : field === 'token' ? 'code' : field,
          );
        });
      return ok();
    },
  );

  app.post('/v1/invite-links', { schema: { body: NewInviteLink } }, async (request, reply) => {
    const principal = principalOf(request);
    const [{ user, link }, organization] = await Promise.all([
      account.createInviteLink(principal, request.body),
      directory.getOrganization(principal),
    ]);
    return reply.status(201).send(
      ok({
        inviteCode: link.token,
        inviteUrl: absoluteUrl(request, link.url),
        expiresAt: link.expiresAt,
        email: user.email,
        userUuid: user.uuid,
        organizationUuid: organization.uuid,
      }),
    );
  });

  // Read before sign-up, so without credentials: the code is the credential.
  app.get(
    '/v1/invite-links/:inviteCode',
    { config: { public: true }, schema: { params: InviteCode } },
    async (request) => {
      const { inviteCode } = request.params;
      const link = await limitCredentialFailures(request, () => account.openInviteLink(inviteCode)).catch(
        unknownLinkAs('invite link'),
      );
      return ok({
        inviteCode,
        inviteUrl: absoluteUrl(request, link.url),
        expiresAt: link.expiresAt,
        email: link.email,
        userUuid: link.userUuid,
        organizationUuid: link.organizationUuid,
      });
    },
  );

  app.delete('/v1/invite-links', async (request) => {
    await account.revokeInviteLinks(principalOf(request));
    return ok();
  });
}
