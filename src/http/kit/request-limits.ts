import rateLimit, { type CreateRateLimitOptions, normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RosettaError } from '../../core/errors.ts';
import type { App } from '../server.ts';

/**
 * Request limits of a face, as Holistics documents its own: each caller may call each route so
 * many times a minute, every answer says how many calls are left (`RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` in seconds, the IETF draft's headers), and past the
 * limit the answer is a 429 `ERR_QUOTA` in the face's own envelope with `Retry-After`.
 * The caller is the principal's embed link, else its user, whichever key or session it calls
 * with (else a user would multiply the limit by making keys); a route that needs no credential
 * counts per client address. Counters live in this process's memory (the
 * library's local store): several server processes each count on their own.
 */

/** Calls a minute per caller and route; 0 turns a limit off. */
export interface RequestLimits {
  /** The limit of routes that name no level; 0 = the face is not limited. */
  perMinute: number;
  /** The limits of the levels routes name with `config.rateLevel` (Holistics: 1 → 120, 2 → 60, 3 → 20). */
  levels?: Readonly<Record<number, number>>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The request-limit level of the route, one of its face's `levels`; without it the face's `perMinute`. */
    rateLevel?: number;
  }
}

const WINDOW_MS = 60_000;
/** Callers × routes each face remembers (least recently used go first). */
const REMEMBERED_KEYS = 50_000;

function callerOf(request: FastifyRequest): string {
  const { principal } = request;
  if (principal?.embedId !== undefined) return `embed:${principal.embedId}`;
  if (principal) return `user:${principal.userId}`;
  return `address:${normalizeIP(request.ip)}`;
}

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? '(no route)'}`;

/**
 * Limits every route of `scope` (a face's plugin scope; call it before registering the routes).
 * Counting runs after the face's `onRequest` hooks, so it knows the principal; requests those
 * hooks refuse (401, 403) are not counted, the credential limits of `rate-limit.ts` watch them.
 * A route naming a level its face does not have stops the server at start.
 */
export async function faceRequestLimits(scope: App, limits: RequestLimits): Promise<void> {
  const levels = limits.levels ?? {};
  const limitOf = (level: number | undefined) => (level === undefined ? limits.perMinute : levels[level]);
  if (limits.perMinute === 0 && Object.values(levels).every((max) => max === 0)) return;
  scope.addHook('onRoute', (route) => {
    const level = route.config?.rateLevel;
    if (level !== undefined && limitOf(level) === undefined) {
      throw new Error(`route ${route.url} names rate level ${level}, which its face does not define`);
    }
  });
  if (!scope.hasDecorator('createRateLimit')) await scope.register(rateLimit, { global: false });
  // `cache` sizes the limiter's store; the library reads it but its type omits it.
  const options: CreateRateLimitOptions & { cache: number } = {
    max: (request) => limitOf(request.routeOptions.config.rateLevel) ?? 0,
    timeWindow: WINDOW_MS,
    cache: REMEMBERED_KEYS,
    keyGenerator: (request) => `${routeOf(request)} ${callerOf(request)}`,
  };
  const limiter = scope.createRateLimit(options);
  scope.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (!limitOf(request.routeOptions.config.rateLevel)) return payload;
    const state = await limiter(request);
    if (state.isAllowed) throw new Error('request limits use no allow list');
    const resetSeconds = Math.max(1, state.ttlInSeconds);
    reply.headers({
      'ratelimit-limit': String(state.max),
      'ratelimit-remaining': String(state.remaining),
      'ratelimit-reset': String(resetSeconds),
    });
    if (state.isExceeded) {
      reply.header('retry-after', String(resetSeconds));
      throw new RosettaError(
        'ERR_QUOTA',
        `too many requests to ${routeOf(request)}: ${state.max} a minute; retry in ${resetSeconds} s`,
      );
    }
    return payload;
  });
}
