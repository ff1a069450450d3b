/** The auth module: credentials, principals and the permission rules every face applies. */
export type { ApiKey, ApiKeyPatch, DataSourceLookup, NewApiKey } from './api-keys.ts';
export { type BootstrapOptions, type BootstrapResult, bootstrapDirectory } from './bootstrap.ts';
export * from './permissions.ts';
export * from './principal.ts';
export { createUserPrincipalLookup } from './resolve-principal.ts';
export { API_KEY_PREFIX, SESSION_PREFIX } from './secrets.ts';
export { type AuthService, type AuthServiceOptions, createAuthService, type LoginResult } from './service.ts';
