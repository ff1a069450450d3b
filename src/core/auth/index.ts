/** The auth module: credentials, principals and the one permission table every face applies. */
export {
  type AccountService,
  type AllowedEmailDomains,
  createAccountService,
  type EmailStatus,
  type NewInviteLink,
  type SendNotice,
  type SetupInput,
  type UserSettings,
} from './account.ts';
export {
  type Action,
  type ActionRule,
  actions,
  type CredentialKind,
  credentialKinds,
} from './actions.ts';
export type { ApiKey, ApiKeyPatch, DataSourceLookup, NewApiKey } from './api-keys.ts';
export { type AuthorizedResource, authorize, can, inScope } from './authorize.ts';
export { type BootstrapOptions, type BootstrapResult, bootstrapDirectory } from './bootstrap.ts';
export { actingWithin, type CredentialScope, credentialScope } from './credential-scope.ts';
export {
  createEmbedService,
  type EmbedLink,
  type EmbedService,
  type EmbedStatus,
  isEmbedSession,
  MAX_EMBED_SECONDS,
  type OpenedEmbed,
} from './embed.ts';
export {
  createInvitationJobs,
  INVITE_JOB_TYPE,
  type InvitationJobs,
  type NewInvitations,
  type RefusedEmail,
} from './invitation-jobs.ts';
export type {
  IssuedPasswordLink,
  NewInvitation,
  OpenedPasswordLink,
  PasswordLinkAnswer,
} from './password-links.ts';
export * from './principal.ts';
export { createUserPrincipalLookup } from './resolve-principal.ts';
export { API_KEY_PREFIX, SESSION_PREFIX } from './secrets.ts';
export {
  type AuthService,
  type AuthServiceOptions,
  createAuthService,
  type LoginResult,
  type RequestOrigin,
} from './service.ts';
