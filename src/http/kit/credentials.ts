import type { FastifyRequest } from 'fastify';
import type { AuthService, EmbedService, Principal } from '../../core/auth/index.ts';
import { unauthenticated } from '../../core/errors.ts';
import { limitCredentialFailures } from './rate-limit.ts';

/**
 * What a request presents to authenticate, as each face reads it from its own headers:
 * - `secret`: a session token or an API key (any kind);
 * - `embed`: an embed session, handed out when an embed link is opened;
 * - `embedLink`: an embed link itself, on the routes that open one (each opening counts a use).
 */
export type Credential =
  | { kind: 'secret'; value: string }
  | { kind: 'embed'; value: string }
  | { kind: 'embedLink'; value: string };

/** Reads a face's credential from a request; undefined when it carries none. */
export type CredentialReader = (request: FastifyRequest) => Credential | undefined;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answers without credentials (login, embed opening, signed downloads, the web app). */
    public?: boolean;
    /** Also authenticates by a token of its own in this query parameter (`token` of a script webhook). */
    ownToken?: string;
  }
}

/** The secret of `Authorization: <scheme> <secret>`, or undefined. */
export function authorizationOf(request: FastifyRequest, scheme: string): string | undefined {
  const match = /^(\S+)\s+(\S+)\s*$/.exec(request.headers.authorization ?? '');
  return match && match[1].toLowerCase() === scheme.toLowerCase() ? match[2] : undefined;
}

/** A header's first value, trimmed, or undefined. */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers[name.toLowerCase()];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value ? value : undefined;
}

/**
 * The auth hook of a face (`onRequest`): resolves the credential to `request.principal` through
 * the core, or answers ERR_UNAUTHENTICATED with `missing` when there is none. What the principal
 * may do is decided later, by `authorize`, never here.
 */
export function credentialHook(
  deps: { auth: AuthService; embeds?: EmbedService },
  read: CredentialReader,
  missing: string,
) {
  return async (request: FastifyRequest): Promise<void> => {
    const { config, url } = request.routeOptions;
    // An unknown path is the face's 404 whoever asks, as an unknown GET is (the face's public `GET /*`).
    if (url === undefined) return;
    const credential = read(request);
    const ownToken =
      config.ownToken && (request.query as Record<string, unknown> | undefined)?.[config.ownToken];
    if (config.public || (typeof ownToken === 'string' && credential === undefined)) return;
    if (!credential) throw unauthenticated(missing);
    request.principal = await limitCredentialFailures(request, () =>
      principalOf(deps, credential, request.ip),
    );
  };
}

async function principalOf(
  deps: { auth: AuthService; embeds?: EmbedService },
  credential: Credential,
  address: string,
): Promise<Principal> {
  if (credential.kind === 'secret') return deps.auth.authenticate(credential.value, { address });
  if (!deps.embeds) throw unauthenticated('embed links are not accepted here');
  if (credential.kind === 'embedLink')
    return (await deps.embeds.open(credential.value, { address })).principal;
  const principal = await deps.embeds.authenticate(credential.value);
  principal.address = address;
  return principal;
}
