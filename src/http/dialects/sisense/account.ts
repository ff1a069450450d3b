import { Type } from 'typebox';
import { isRosettaError, RosettaError, unauthenticated } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { limitCredentialFailures } from '../../kit/index.ts';
import { type App, absoluteUrl } from '../../server.ts';
import { notAvailable } from './authentication.ts';

type Purpose = 'invitation' | 'reset';
type Token = { Params: { token: string } };

const EmailBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) });
const PasswordBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) });

/** Sisense's words for a token that is unknown, used up or expired (ACC-F1, ACC-F2: 404). */
const INVALID: Record<Purpose, string> = {
  invitation: 'Provided token is invalid',
  reset: 'Reset token is invalid',
};

/**
 * A link token is the credential of these pre-login routes: a wrong guess counts against the
 * caller's address like a wrong API key, and every refusal (unknown, used, expired, or a link of
 * the other kind) is Sisense's 404.
 */
async function withLink<T>(
  services: Pick<Services, 'auth'>,
  request: Parameters<typeof limitCredentialFailures>[0],
  token: string,
  purpose: Purpose,
  use: (link: { email: string }) => Promise<T>,
): Promise<T> {
  return limitCredentialFailures(request, async () => {
    const link = await services.auth.openPasswordLink(token);
    // A link of the other kind is as good as unknown here: counted as a wrong guess.
    if (link.purpose !== purpose) throw unauthenticated(INVALID[purpose]);
    return use(link);
  }).catch((error: unknown) => {
    if (isRosettaError(error) && error.code === 'ERR_QUOTA') throw error;
    if (isRosettaError(error) && error.field === 'password') throw error;
    throw new RosettaError('ERR_NOT_FOUND', INVALID[purpose]);
  });
}

/**
 * Account flows (ACC-F1..ACC-06) onto Rosetta's password links: activation is the invitation
 * of a pending user, reset the reset link of an active one. Asking for a link answers 204
 * whether or not the email holds an account (Sisense's 404 would tell who has one). Passwords
 * are taken as sent: Sisense's clients send them in clear to these routes as to the login.
 */
export function registerAccountRoutes(
  app: App,
  services: Pick<Services, 'auth' | 'account'>,
  version: string,
): void {
  const { auth, account } = services;
  const pub = { config: { public: true } };

  const beginRoute = (path: string, purpose: Purpose) =>
    app.post(path, { ...pub, schema: { body: EmailBody } }, async (request, reply) => {
      await account.emailPasswordLink(request.body.email, purpose, (url) => absoluteUrl(request, url), {
        address: request.ip,
      });
      return reply.code(204).send();
    });
  beginRoute('/api/v1/account/begin_activate', 'invitation');
  beginRoute('/api/v1/account/begin_reset_password', 'reset');

  app.post(
    '/api/v1/account/begin_activate_bulk',
    { ...pub, schema: { body: Type.Array(EmailBody, { minItems: 1, maxItems: 100 }) } },
    async (request, reply) => {
      for (const { email } of request.body)
        await account.emailPasswordLink(email, 'invitation', (url) => absoluteUrl(request, url), {
          address: request.ip,
        });
      return reply.code(204).send();
    },
  );

  const validateRoute = (path: string, purpose: Purpose) =>
    app.get<Token>(path, pub, async (request) =>
      withLink(services, request, request.params.token, purpose, async (link) => ({ userName: link.email })),
    );
  validateRoute('/api/v1/account/activate/:token', 'invitation');
  validateRoute('/api/v1/account/reset_password/:token', 'reset');

  const finishRoute = (path: string, purpose: Purpose) =>
    app.post<Token>(path, { ...pub, schema: { body: PasswordBody } }, async (request, reply) => {
      const { token } = request.params;
      const { password } = request.body as { password: string };
      await withLink(services, request, token, purpose, () =>
        auth.acceptPasswordLink(token, { password }, { address: request.ip }),
      );
      return reply.code(204).send();
    });
  finishRoute('/api/v1/account/activate/:token', 'invitation');
  finishRoute('/api/v1/account/reset_password/:token', 'reset');

  // Rosetta is open source: there is no licence, hence nothing to report on one.
  app.get('/api/v1/account/get_license_info', async () => {
    throw notAvailable('Licensing (Rosetta has no licence limits)');
  });

  // APP-01: answers without a token, as load balancers and Sisense's clients probe it.
  app.get('/api/v1/application/status', pub, async () => ({
    status: 'ok',
    version,
    licensed: true,
  }));
}
