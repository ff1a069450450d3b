import type { DirectoryService } from '../directory/service.ts';
import { normalizeEmail, validRole } from '../directory/validation.ts';
import { conflict, isRosettaError, RosettaError, validationError } from '../errors.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { authorize } from './authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from './credential-scope.ts';
import type { Principal, Role } from './principal.ts';
import type { AuthService } from './service.ts';

/**
 * Invitations as jobs (Holistics invites many emails at once and answers the job): each email
 * becomes a pending user with an invitation link (password-links.ts), a pending user gets a new
 * link (earlier ones expire), and each joins the groups named. The input is checked when the
 * job is queued, so a bad email or group is refused at once, with every bad email listed.
 */
export const INVITE_JOB_TYPE = 'directory.invite';

export const MAX_INVITED_EMAILS = 100;

interface InvitePayload {
  /** Normalized; empty when resending. */
  emails: string[];
  role: Role;
  groupIds: number[];
  scope: CredentialScope;
}

export interface NewInvitations {
  emails: unknown[];
  role?: unknown;
  groupIds?: number[];
}

/** An email the invitation refuses, and why. */
export interface RefusedEmail {
  email: string;
  reason: string;
}

export interface InvitationJobs {
  invite(principal: Principal, input: NewInvitations): Promise<Job>;
  /** A new invitation link for a pending user, as a job. */
  resend(principal: Principal, userId: number): Promise<Job>;
}

export interface InvitationJobDeps {
  jobs: JobService;
  auth: Pick<AuthService, 'invite' | 'issuePasswordLink'>;
  directory: Pick<DirectoryService, 'getUser' | 'getUserByEmail' | 'getGroup' | 'addMember'>;
  owners: (organizationId: number, userId: number) => Promise<Principal | undefined>;
}

const isNotFound = (error: unknown) => isRosettaError(error) && error.code === 'ERR_NOT_FOUND';

export function createInvitationJobs(deps: InvitationJobDeps): InvitationJobs {
  const { jobs, auth, directory } = deps;

  /** The user holding `email`, if any. */
  const holder = (principal: Principal, email: string) =>
    directory.getUserByEmail(principal, email).catch((error) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });

  async function inviteOne(principal: Principal, payload: InvitePayload, email: string): Promise<number> {
    const existing = await holder(principal, email);
    const pending = existing?.status === 'pending' ? existing : undefined;
    if (pending) await auth.issuePasswordLink(principal, pending.id);
    const userId = pending?.id ?? (await auth.invite(principal, { email, role: payload.role })).user.id;
    for (const groupId of payload.groupIds)
      await directory.addMember(principal, groupId, userId).catch((error) => {
        // Already a member: what was asked holds.
        if (!(isRosettaError(error) && error.code === 'ERR_CONFLICT')) throw error;
      });
    return userId;
  }

  jobs.register<InvitePayload & { resendUserId?: number }, { userIds: number[] }>(INVITE_JOB_TYPE, {
    concurrency: 2,
    timeoutMs: 5 * 60_000,
    // Not retried: a second run would expire the links the first one issued.
    onInterrupted: 'fail',
    async run(job, context) {
      const owner = job.ownerId === null ? undefined : await deps.owners(job.organizationId, job.ownerId);
      if (!owner) throw new Error(`the user who sent these invitations (${job.ownerId}) is no longer active`);
      const principal = actingWithin(owner, context.payload.scope);
      const { resendUserId } = context.payload;
      if (resendUserId !== undefined) {
        await auth.issuePasswordLink(principal, resendUserId);
        await context.log(`invitation sent again to user ${resendUserId}`);
        return { userIds: [resendUserId] };
      }
      const userIds: number[] = [];
      for (const [i, email] of context.payload.emails.entries()) {
        userIds.push(await inviteOne(principal, context.payload, email));
        await context.log(`invited ${email}`);
        await context.progress(Math.round(((i + 1) * 100) / context.payload.emails.length));
      }
      return { userIds };
    },
  });

  return {
    async invite(principal, input) {
      authorize(principal, 'directory.manage');
      if (input.emails.length === 0) throw validationError('emails', 'must name at least one email');
      if (input.emails.length > MAX_INVITED_EMAILS)
        throw validationError('emails', `invites at most ${MAX_INVITED_EMAILS} emails at once`);
      const role = validRole(input.role ?? 'viewer');
      const refused: RefusedEmail[] = [];
      const emails: string[] = [];
      for (const [i, raw] of input.emails.entries()) {
        let email: string;
        try {
          email = normalizeEmail(raw, `emails[${i}]`);
        } catch {
          refused.push({ email: String(raw), reason: 'is not an email address' });
          continue;
        }
        const existing = await holder(principal, email);
        if (existing?.status === 'active') refused.push({ email, reason: 'is already a user' });
        else if (existing?.status === 'deleted')
          refused.push({ email, reason: 'belongs to a deleted user: restore them instead' });
        else if (!emails.includes(email)) emails.push(email);
      }
      if (refused.length > 0)
        throw new RosettaError('ERR_VALIDATION', `emails: ${refused.length} cannot be invited`, 'emails', {
          problem: `${refused.length} cannot be invited`,
          details: { refused },
        });
      const groupIds = [...new Set(input.groupIds ?? [])];
      for (const [i, groupId] of groupIds.entries())
        await directory.getGroup(principal, groupId).catch((error) => {
          throw isNotFound(error) ? validationError(`group_ids[${i}]`, `names no group (${groupId})`) : error;
        });
      const payload: InvitePayload = { emails, role, groupIds, scope: credentialScope(principal) };
      return jobs.enqueue(principal, INVITE_JOB_TYPE, payload);
    },

    async resend(principal, userId) {
      authorize(principal, 'directory.manage');
      const user = await directory.getUser(principal, userId);
      if (user.status !== 'pending')
        throw conflict(`user ${userId} has no open invitation: they are ${user.status}`);
      const payload = {
        emails: [],
        role: 'viewer' as Role,
        groupIds: [],
        scope: credentialScope(principal),
        resendUserId: user.id,
      };
      return jobs.enqueue(principal, INVITE_JOB_TYPE, payload);
    },
  };
}
