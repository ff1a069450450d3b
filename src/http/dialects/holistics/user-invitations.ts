import type { RefusedEmail } from '../../../core/auth/index.ts';
import { isRosettaError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { type HolisticsRole, rosettaRole } from './directory-shapes.ts';
import { asyncResult } from './jobs-view.ts';
import { holisticsRoute } from './routes.ts';

interface InviteBody {
  emails: string[];
  role: HolisticsRole;
  allow_authentication_token?: boolean;
  enable_export_data?: boolean;
  group_ids?: number[];
  message?: string;
}

/**
 * Invitations: a job that makes each email a pending user with an invitation link (or gives a
 * pending user a new one) and puts them in the groups named; the user is activated when they
 * set their password through it. Rosetta sends no invitation email (it knows no public URL to
 * put in one), so `message` is not sent: an admin hands out the link (native
 * `POST /api/users/{id}/password-link`). Refused emails answer Holistics'
 * `InvalidEmailsInvitationError`, every one listed with its reason.
 */
export function registerInvitationRoutes(api: App, services: Pick<Services, 'invitations'>): void {
  const { invitations } = services;

  holisticsRoute<{ Body: InviteBody }>(api, 'Users_Invite', async (request, reply) => {
    const { emails, role, group_ids: groupIds } = request.body;
    try {
      const job = await invitations.invite(principalOf(request), {
        emails,
        role: rosettaRole(role),
        groupIds,
      });
      return asyncResult(job);
    } catch (error) {
      // Every refused input answers the documented `InvalidEmailsInvitationError` (`data` lists the emails).
      if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION') throw error;
      const refused = (error.details?.refused as RefusedEmail[] | undefined) ?? [];
      const details = { field: error.field, problem: error.problem };
      return reply
        .status(422)
        .send({ type: 'InvalidParameterError', message: error.message, details, data: refused });
    }
  });

  holisticsRoute<{ Params: { id: number } }>(api, 'Users_ResendInvite', async (request) =>
    asyncResult(await invitations.resend(principalOf(request), request.params.id)),
  );
}
