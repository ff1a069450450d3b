import type { Store } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import { verifyPassword } from '../directory/passwords.ts';
import type { User } from '../directory/types.ts';
import type { UserRow } from '../directory/users-read.ts';
import { toUser } from '../directory/users-read.ts';
import { unauthenticated } from '../errors.ts';
import * as apiKeys from './api-keys.ts';
import { liveKeyHolders } from './key-holders.ts';
import * as links from './password-links.ts';
import type { Principal } from './principal.ts';
import { createPrincipalResolver } from './resolve-principal.ts';
import { SESSION_PREFIX, sha256 } from './secrets.ts';
import { createSession, deleteSession, endSessionsOf } from './sessions.ts';

export interface AuthServiceOptions {
  store: Store;
  /** Lifetime of a session token (config `sessionHours`); default 24. */
  sessionHours?: number;
  /** The clock; tests move it to expire credentials. */
  now?: () => Date;
  /** Checks the sources a data-API key names; absent on stores without the data module. */
  dataSources?: apiKeys.DataSourceLookup;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}

/** Where a request comes from, for the audit log. */
export interface RequestOrigin {
  address?: string;
}

export interface AuthService {
  login(email: string, password: string, origin?: RequestOrigin): Promise<LoginResult>;
  /** Resolves a bearer secret — session token or API key — to its principal, or ERR_UNAUTHENTICATED. */
  authenticate(bearer: string, origin?: RequestOrigin): Promise<Principal>;
  /** Ends a session; an unknown token or an API key is a no-op (keys are revoked, not logged out). */
  logout(token: string): Promise<void>;
  /** Ends every session of the users (their own, or anyone's for admins); answers how many ended. */
  endSessions(principal: Principal, userIds: readonly number[]): Promise<number>;
  createApiKey(
    principal: Principal,
    input: apiKeys.NewApiKey,
  ): Promise<{ key: string; apiKey: apiKeys.ApiKey }>;
  listApiKeys(principal: Principal, userId?: number): Promise<apiKeys.ApiKey[]>;
  /** Which of the users hold a live API key (key-holders.ts: admins, or users about themselves). */
  keyHolders(principal: Principal, userIds: readonly number[]): Promise<Set<number>>;
  revokeApiKey(principal: Principal, id: number): Promise<apiKeys.ApiKey>;
  /** A new secret and expiry for an expiring key; the old secret stops working (same rule as revoking). */
  rotateApiKey(
    principal: Principal,
    id: number,
    expiresAt: Date | string,
  ): Promise<{ key: string; apiKey: apiKeys.ApiKey }>;
  /** Renames a key or changes the data sources of a data-API key (same rule as revoking). */
  updateApiKey(principal: Principal, id: number, patch: apiKeys.ApiKeyPatch): Promise<apiKeys.ApiKey>;
  registerApiKey(
    userId: number,
    plainKey: string,
    name: string,
  ): Promise<{ apiKey: apiKeys.ApiKey; created: boolean }>;
  /** The short-lived key of one script run, acting for `owner` (see `createScriptKey`). */
  mintScriptKey(
    owner: Principal,
    name: string,
    expiresAt: Date,
  ): Promise<{ key: string; apiKey: apiKeys.ApiKey }>;
  /** Ends a script run's key. */
  endScriptKey(id: number): Promise<void>;

  /** Creates a pending user and the invitation link that lets them set their password (admins). */
  invite(
    principal: Principal,
    input: links.NewInvitation,
  ): Promise<{ user: User; link: links.IssuedPasswordLink }>;
  /** A new invitation (pending user) or password-reset link (active user); earlier ones expire. */
  issuePasswordLink(principal: Principal, userId: number): Promise<links.IssuedPasswordLink>;
  /** What the link's page shows before it is used (public: the token is the credential). */
  openPasswordLink(token: string): Promise<links.OpenedPasswordLink>;
  /** Sets the password (and name) through the link, uses it up and signs the user in. */
  acceptPasswordLink(
    token: string,
    answer: links.PasswordLinkAnswer,
    origin?: RequestOrigin,
  ): Promise<LoginResult>;
}

const BAD_LOGIN = 'invalid email or password';
const BAD_CREDENTIAL = 'invalid credentials';
/** last_used_at is written at most this often per key, so authentication stays read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Longer bearers are refused before hashing; no credential of ours comes near. */
const MAX_BEARER_LENGTH = 512;
const MAX_PASSWORD_LENGTH = 1024;

export function createAuthService(options: AuthServiceOptions): AuthService {
  const { db } = options.store;
  const now = options.now ?? (() => new Date());
  const sessionHours = options.sessionHours ?? 24;
  const principalOfUser = createPrincipalResolver(db);

  /** Active users with this email across organizations (one, unless tenants share an address). */
  async function loginCandidates(email: unknown): Promise<UserRow[]> {
    if (typeof email !== 'string' || email.length > 254) return [];
    const normalized = email.trim().toLowerCase();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: PostgreSQL text cannot hold NUL
    if (/[\u0000-\u001f\u007f]/.test(normalized)) return [];
    return db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', normalized)
      .where('status', '=', 'active')
      .execute();
  }

  async function login(email: string, password: string, origin: RequestOrigin = {}): Promise<LoginResult> {
    const candidates = await loginCandidates(email);
    const usable = typeof password === 'string' && password.length <= MAX_PASSWORD_LENGTH;
    // Unknown users still pay one password verification, so timing does not tell them apart.
    if (candidates.length === 0 || !usable) {
      await verifyPassword(null, usable ? password : '');
      await loginFailed(candidates, email, origin);
      throw unauthenticated(BAD_LOGIN);
    }
    for (const user of candidates) {
      if (await verifyPassword(user.password_hash, password)) return startSession(toUser(user), origin);
    }
    await loginFailed(candidates, email, origin);
    throw unauthenticated(BAD_LOGIN);
  }

  async function startSession(user: User, origin: RequestOrigin): Promise<LoginResult> {
    const at = now();
    const updated = await db
      .updateTable('users')
      .set({ last_login_at: at.toISOString() })
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const session = await createSession(db, user.id, at, sessionHours);
    await recordAudit(
      db,
      { organizationId: user.organizationId, email: user.email, address: origin.address },
      { action: 'auth.login', target: { type: 'user', id: user.id } },
      at,
    );
    return { ...session, user: toUser(updated) };
  }

  /** Each organization holding that email sees the failure in its log; unknown emails land in none. */
  async function loginFailed(candidates: UserRow[], email: unknown, origin: RequestOrigin): Promise<void> {
    const tried = typeof email === 'string' ? email.slice(0, 254) : undefined;
    const organizations = candidates.length > 0 ? candidates.map((u) => u.organization_id) : [null];
    for (const organizationId of organizations)
      await recordAudit(
        db,
        { organizationId, email: tried, address: origin.address },
        { action: 'auth.login_failed' },
        now(),
      );
  }

  async function authenticateSession(hash: string): Promise<Principal> {
    const row = await db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select('sessions.expires_at as session_expires_at')
      .where('sessions.token_hash', '=', hash)
      .executeTakeFirst();
    if (row?.status !== 'active') throw unauthenticated(BAD_CREDENTIAL);
    if (row.session_expires_at <= now().toISOString()) {
      await db.deleteFrom('sessions').where('token_hash', '=', hash).execute();
      throw unauthenticated('session expired');
    }
    const { session_expires_at: _, ...user } = row;
    return { ...(await principalOfUser(user)), sessionHash: hash };
  }

  async function authenticateApiKey(hash: string): Promise<Principal> {
    const row = await db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .selectAll('users')
      .select([
        'api_keys.id as key_id',
        'api_keys.expires_at as key_expires_at',
        'api_keys.revoked_at as key_revoked_at',
        'api_keys.last_used_at as key_last_used_at',
        'api_keys.data_source_ids as key_data_source_ids',
        'api_keys.kind as key_kind',
      ])
      .where('api_keys.secret_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.key_revoked_at !== null || row.status !== 'active') throw unauthenticated(BAD_CREDENTIAL);
    const at = now();
    if (row.key_expires_at !== null && row.key_expires_at <= at.toISOString())
      throw unauthenticated('API key expired');
    const stale = new Date(at.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
    if (row.key_last_used_at === null || row.key_last_used_at < stale) {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: at.toISOString() })
        .where('id', '=', row.key_id)
        .execute();
    }
    const {
      key_id,
      key_expires_at,
      key_revoked_at,
      key_last_used_at,
      key_data_source_ids,
      key_kind,
      ...user
    } = row;
    if (key_data_source_ids !== null) {
      const dataSourceIds = JSON.parse(key_data_source_ids) as number[];
      return principalOfUser(user, { kind: 'dataKey', apiKeyId: key_id, dataSourceIds });
    }
    return principalOfUser(user, { kind: key_kind === 'script' ? 'script' : 'apiKey', apiKeyId: key_id });
  }

  return {
    login,
    async authenticate(bearer, origin = {}) {
      if (typeof bearer !== 'string' || bearer === '' || bearer.length > MAX_BEARER_LENGTH) {
        throw unauthenticated(BAD_CREDENTIAL);
      }
      const hash = sha256(bearer);
      const principal = await (bearer.startsWith(SESSION_PREFIX)
        ? authenticateSession(hash)
        : authenticateApiKey(hash));
      if (origin.address !== undefined) principal.address = origin.address;
      return principal;
    },
    async logout(token) {
      if (typeof token === 'string' && token.startsWith(SESSION_PREFIX)) await deleteSession(db, token);
    },
    endSessions: (principal, userIds) => endSessionsOf(db, principal, userIds),
    createApiKey: (principal, input) =>
      apiKeys.createApiKey(db, principal, input, now(), options.dataSources),
    listApiKeys: (principal, userId) => apiKeys.listApiKeys(db, principal, userId),
    keyHolders: (principal, userIds) => liveKeyHolders(db, principal, userIds, now()),
    revokeApiKey: (principal, id) => apiKeys.revokeApiKey(db, principal, id, now()),
    rotateApiKey: (principal, id, expiresAt) => apiKeys.rotateApiKey(db, principal, id, expiresAt, now()),
    updateApiKey: (principal, id, patch) =>
      apiKeys.updateApiKey(db, principal, id, patch, options.dataSources),
    registerApiKey: (userId, plainKey, name) => apiKeys.registerApiKey(db, userId, plainKey, name, now()),
    mintScriptKey: (owner, name, expiresAt) => apiKeys.createScriptKey(db, owner, name, expiresAt, now()),
    async endScriptKey(id) {
      await db
        .updateTable('api_keys')
        .set({ revoked_at: now().toISOString() })
        .where('id', '=', id)
        .execute();
    },
    invite: (principal, input) => links.invite(db, principal, input, now()),
    issuePasswordLink: (principal, userId) => links.issueForUser(db, principal, userId, now()),
    openPasswordLink: (token) => links.openLink(db, token, now()),
    async acceptPasswordLink(token, answer, origin = {}) {
      return startSession(await links.acceptLink(db, token, answer, origin, now()), origin);
    },
  };
}
