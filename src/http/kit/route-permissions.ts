import type { FastifyRequest } from 'fastify';
import { type Action, authorize } from '../../core/auth/index.ts';
import { RosettaError } from '../../core/errors.ts';
import { principalOf } from '../server.ts';

/**
 * The permission table of a face: `METHOD /url` (as registered, with its prefix) → the action
 * the route takes; `public` for routes that answer without a principal (login, signed links);
 * `{orOwnToken: action}` for routes that also take a token of their own instead of a credential
 * (a script's webhook), which the core checks. Every route has a row (the permission-matrix test
 * fails on a route without one, and such a route refuses everyone), so no route forgets its check.
 */
export type RouteRule = Action | 'public' | { orOwnToken: Action };
export type RoutePermissions = Record<string, RouteRule>;

export const routeKey = (method: string, url: string): string => `${method} ${url}`;

/**
 * The hook (`onRequest`, after the credential hook) that authorizes the route's action before
 * the body is even parsed: a principal without the right gets a 403 whatever it sends. Services
 * authorize again, with the resource, for callers that are not HTTP routes.
 */
export function routeAuthorization(table: RoutePermissions) {
  return async (request: FastifyRequest): Promise<void> => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // not found: the face's 404
    const entry = table[routeKey(request.method === 'HEAD' ? 'GET' : request.method, url)];
    if (entry === undefined)
      throw new RosettaError('ERR_FORBIDDEN', `no permission is declared for ${request.method} ${url}`);
    if (entry === 'public') return;
    if (typeof entry === 'object') {
      if (request.principal) authorize(request.principal, entry.orOwnToken);
      return;
    }
    authorize(principalOf(request), entry);
  };
}
