import type { Store } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import {
  type AllowedEmailDomains,
  type AllowedEmailDomainsInput,
  emailDomainOf,
  readAllowedDomains,
  validDomain,
  writeAllowedDomains,
} from '../directory/email-domains.ts';
import {
  dropPasscode,
  type EmailStatus,
  emailStatus,
  newPasscode,
  PASSCODE_LIFETIME_MS,
  passcodeHasher,
  tryPasscode,
} from '../directory/email-verification.ts';
import type { DirectoryService } from '../directory/service.ts';
import type { PasswordLinkPurpose } from '../directory/tables.ts';
import type { User } from '../directory/types.ts';
import {
  checkSetupAnswers,
  completeSetup,
  readUserSettings,
  type SetupAnswers,
  type UserSettings,
} from '../directory/user-settings.ts';
import { requiredText } from '../directory/validation.ts';
import { isRosettaError, notFound, RosettaError, renameField, validationError } from '../errors.ts';
import { authorize } from './authorize.ts';
import { createInviteLink, type NewInviteLink, revokeInviteLinks } from './invite-links.ts';
import {
  acceptLink,
  type IssuedPasswordLink,
  issueForEmail,
  type OpenedPasswordLink,
  openLink,
} from './password-links.ts';
import type { Principal } from './principal.ts';

export type { AllowedEmailDomains, EmailStatus, NewInviteLink, UserSettings };

/** Sends one plain-text message the server writes itself; sent, or held in the outbox without SMTP. */
export type SendNotice = (
  organizationId: number,
  message: { to: string; subject: string; text: string },
) => Promise<unknown>;

export interface SetupInput extends SetupAnswers {
  /** Renames the organization (admins). */
  organizationName?: unknown;
  /** Lets members of the caller's email domain join (admins; never a public mail provider). */
  enableEmailDomainAccess?: unknown;
}

/**
 * One's own account beyond name and password: email verification by passcode, the answers of
 * account setup, the organization's self-join domains, invitation links with a chosen expiry and
 * password resets through a link. Rosetta users belong to exactly one organization.
 */
export interface AccountService {
  /** The caller's email status; with `passcode`, tried first (a wrong one counts an attempt). */
  emailStatus(principal: Principal, passcode?: string): Promise<EmailStatus>;
  /** Mails a new passcode to the caller (ERR_QUOTA within a minute of the last one). */
  sendPasscode(principal: Principal): Promise<EmailStatus>;
  settings(principal: Principal): Promise<UserSettings>;
  completeSetup(principal: Principal, input: SetupInput): Promise<UserSettings>;
  allowedEmailDomains(principal: Principal): Promise<AllowedEmailDomains>;
  setAllowedEmailDomains(principal: Principal, input: AllowedEmailDomainsInput): Promise<AllowedEmailDomains>;
  /** Joining one's own organization changes nothing; any other is refused: one organization per user. */
  joinOrganization(principal: Principal, organizationUuid: string): Promise<void>;
  createInviteLink(
    principal: Principal,
    input: NewInviteLink,
  ): Promise<{ user: User; link: IssuedPasswordLink }>;
  /** What an invitation shows before it is accepted (public: the code is the credential). */
  openInviteLink(token: string): Promise<OpenedPasswordLink>;
  /** Ends every open invitation of the caller's organization; answers how many. */
  revokeInviteLinks(principal: Principal): Promise<number>;
  /** Sets a new password through a reset link and uses the link up; signs no one in. */
  resetPassword(token: string, password: string, origin?: { address?: string }): Promise<void>;
  /**
   * Public: emails the user holding `email` a new invitation (pending users) or reset link
   * (active users), `linkUrl` turning the link's path into the address to click. Answers the
   * same whether or not anyone holds the email, so it reveals no accounts.
   */
  emailPasswordLink(
    email: unknown,
    purpose: PasswordLinkPurpose,
    linkUrl: (path: string) => string,
    origin?: { address?: string },
  ): Promise<void>;
}

export function createAccountService(options: {
  store: Pick<Store, 'db'>;
  /** The server secret: passcodes are kept as HMACs under a key derived from it. */
  secret: string;
  sendNotice: SendNotice;
  directory: Pick<DirectoryService, 'renameOrganization'>;
  now?: () => Date;
}): AccountService {
  const { db } = options.store;
  const now = options.now ?? (() => new Date());
  const hash = passcodeHasher(options.secret);
  const owner = (p: Principal) => {
    authorize(p, 'profile.edit');
    return { id: p.userId, email: p.email };
  };

  return {
    async emailStatus(p, passcode) {
      const self = owner(p);
      // An empty passcode is no try, as in Lightdash: it only reads the status.
      if (passcode) await tryPasscode(db, hash, self, passcode, now());
      return emailStatus(db, self, now());
    },

    async sendPasscode(p) {
      const self = owner(p);
      const passcode = await newPasscode(db, hash, self, now());
      const minutes = PASSCODE_LIFETIME_MS / 60_000;
      await options
        .sendNotice(p.organizationId, {
          to: self.email,
          subject: 'Your verification code',
          text: `Your verification code is ${passcode}. It expires in ${minutes} minutes.\n\nIf you did not ask for it, ignore this email.`,
        })
        .catch(async (error: unknown) => {
          await dropPasscode(db, self);
          throw error;
        });
      return emailStatus(db, self, now());
    },

    async settings(p) {
      authorize(p, 'directory.read');
      return readUserSettings(db, p.userId);
    },

    async completeSetup(p, input) {
      const self = owner(p);
      const answers = checkSetupAnswers(input);
      const { organizationName, enableEmailDomainAccess } = input;
      // An empty name is no name, as in Lightdash.
      const name = organizationName ? requiredText('organizationName', organizationName) : undefined;
      if (enableEmailDomainAccess !== undefined && typeof enableEmailDomainAccess !== 'boolean')
        throw validationError('enableEmailDomainAccess', 'must be a boolean');
      const domain = enableEmailDomainAccess
        ? validDomain('enableEmailDomainAccess', emailDomainOf(self.email))
        : undefined;
      if (name || domain) authorize(p, 'organization.manage');
      if (name)
        await options.directory.renameOrganization(p, name).catch((error: unknown) => {
          throw isRosettaError(error) && error.field === 'name'
            ? renameField(error, 'organizationName')
            : error;
        });
      if (domain) {
        await writeAllowedDomains(
          db,
          p.organizationId,
          { emailDomains: [domain], role: 'viewer', projects: [] },
          now(),
        );
        await recordAudit(db, p, {
          action: 'organization.email_domains',
          target: { type: 'organization', id: p.organizationId },
          details: { domains: [domain], role: 'viewer' },
        });
      }
      return completeSetup(db, self.id, answers, now());
    },

    async allowedEmailDomains(p) {
      authorize(p, 'directory.read');
      return readAllowedDomains(db, p.organizationId);
    },

    async setAllowedEmailDomains(p, input) {
      authorize(p, 'organization.manage');
      const saved = await writeAllowedDomains(db, p.organizationId, input, now());
      await recordAudit(db, p, {
        action: 'organization.email_domains',
        target: { type: 'organization', id: p.organizationId },
        details: {
          domains: saved.domains,
          role: saved.role,
          projects: saved.projects.map((x) => x.projectUuid),
        },
      });
      return saved;
    },

    async joinOrganization(p, organizationUuid) {
      authorize(p, 'profile.edit');
      if (typeof organizationUuid !== 'string' || organizationUuid.length > 64)
        throw validationError('organizationUuid', 'must be an organization uuid');
      const organization = await db
        .selectFrom('organizations')
        .select('id')
        .where('uuid', '=', organizationUuid)
        .executeTakeFirst();
      if (!organization) throw notFound('organization', organizationUuid);
      if (organization.id === p.organizationId) return;
      throw new RosettaError(
        'ERR_FORBIDDEN',
        'User already has an organization: a Rosetta user belongs to exactly one',
      );
    },

    createInviteLink: (p, input) => createInviteLink(db, p, input, now()),

    async openInviteLink(token) {
      const link = await openLink(db, token, now());
      if (link.purpose !== 'invitation') throw new RosettaError('ERR_NOT_FOUND', 'invite link not found');
      return link;
    },

    revokeInviteLinks: (p) => revokeInviteLinks(db, p, now()),

    async emailPasswordLink(email, purpose, linkUrl, origin = {}) {
      const issued = await issueForEmail(db, email, purpose, origin, now());
      if (!issued) return;
      const { user, link } = issued;
      const invitation = purpose === 'invitation';
      await options.sendNotice(user.organizationId, {
        to: user.email,
        subject: invitation ? 'Activate your account' : 'Reset your password',
        text: `${invitation ? 'To activate your account, set your password' : 'To reset your password, set a new one'} at ${linkUrl(link.url)}. The link expires at ${link.expiresAt}.\n\nIf you did not ask for it, ignore this email.`,
      });
    },

    async resetPassword(token, password, origin = {}) {
      if ((await openLink(db, token, now())).purpose !== 'reset')
        throw new RosettaError('ERR_NOT_FOUND', 'password reset link not found');
      await acceptLink(db, token, { password }, origin, now());
    },
  };
}
