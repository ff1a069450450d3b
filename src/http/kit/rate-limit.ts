import rateLimit, { type CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRosettaError, RosettaError } from '../../core/errors.ts';
import type { App } from '../server.ts';

/**
 * Brute-force protection for every face: failed sign-ins per account and per client address,
 * failed credential lookups (API key, session token, embed token, script webhook token) per
 * address. Only failures count, so a valid credential is never slowed; past a limit the next
 * attempt is a 429 in the face's own envelope (`ERR_QUOTA`) with `Retry-After` and the IETF
 * draft's `RateLimit-Limit/Remaining/Reset` headers. Counters live in this process's memory
 * (the library's local store): several server processes each count on their own.
 */

/** How many failures each limit allows; 0 turns that limit off. */
export interface CredentialLimits {
  /** Failed sign-ins per account (the email) in 15 minutes. */
  loginFailuresPerAccount: number;
  /** Failed sign-ins per client address in 15 minutes. */
  loginFailuresPerAddress: number;
  /** Failed credential lookups per client address in a minute. */
  credentialFailuresPerAddress: number;
}

const LOGIN_WINDOW_MS = 15 * 60_000;
const LOOKUP_WINDOW_MS = 60_000;
/**
 * Keys each limit remembers (least recently used go first). Large, so that a spray over many
 * made-up accounts cannot cheaply evict the count of the account it is after.
 */
const REMEMBERED_KEYS = 50_000;

/** A 429 with the headers that say when to come back; the `onError` hook below writes them. */
class TooManyFailures extends RosettaError {
  constructor(
    message: string,
    readonly headers: Record<string, string>,
    field?: string,
  ) {
    super('ERR_QUOTA', message, field);
  }
}

type Limiter = ReturnType<App['createRateLimit']>;

interface Refusal {
  message: string;
  field?: string;
}

/** The state of one key of a limit: the failures it still allows, and for how long it counts. */
interface Count {
  key: string;
  max: number;
  remaining: number;
  /** More failures than `max`. */
  exceeded: boolean;
  ttlSeconds: number;
}

/** A place held for one sign-in attempt; `done` counts it if it failed and frees the place. */
interface Reservation {
  done(failed: boolean): Promise<void>;
}

/**
 * One limit on failures: the library's limiter (store, window, IPv6 /64 grouping) plus the
 * attempts under way per key, so that a burst of parallel guesses cannot all pass the check
 * before the first failure is counted.
 */
function failureLimit(limiter: Limiter, refusal: Refusal) {
  const underWay = new Map<string, number>();
  const countOf = async (request: FastifyRequest, increment: boolean): Promise<Count> => {
    const state = await limiter(request, { increment });
    if (state.isAllowed) throw new Error('credential limits use no allow list');
    const { key, max, remaining, isExceeded, ttlInSeconds } = state;
    return { key, max, remaining, exceeded: isExceeded, ttlSeconds: Math.max(1, ttlInSeconds) };
  };
  const refuse = (count: Count, ttlSeconds = count.ttlSeconds) =>
    new TooManyFailures(
      `${refusal.message}; retry in ${ttlSeconds} s`,
      {
        'retry-after': String(ttlSeconds),
        'ratelimit-limit': String(count.max),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(ttlSeconds),
      },
      refusal.field,
    );
  return {
    /** Counts one failure; the refusal to answer instead once the failures exceed the limit. */
    async fail(request: FastifyRequest): Promise<TooManyFailures | undefined> {
      const count = await countOf(request, true);
      return count.exceeded ? refuse(count) : undefined;
    },
    /**
     * Holds a place for an attempt, or refuses it when the failures so far and the attempts
     * under way fill the limit.
     */
    async reserve(request: FastifyRequest): Promise<Reservation> {
      const count = await countOf(request, false);
      const held = underWay.get(count.key) ?? 0;
      // A full limit refuses until its window ends; attempts under way alone refuse only briefly.
      if (count.remaining === 0) throw refuse(count);
      if (held >= count.remaining) throw refuse(count, 1);
      underWay.set(count.key, held + 1);
      return {
        done: async (failed) => {
          try {
            if (failed) await countOf(request, true);
          } finally {
            const left = (underWay.get(count.key) ?? 1) - 1;
            if (left > 0) underWay.set(count.key, left);
            else underWay.delete(count.key);
          }
        },
      };
    },
  };
}

type FailureLimit = ReturnType<typeof failureLimit>;

const isFailedCredential = (error: unknown) => isRosettaError(error) && error.code === 'ERR_UNAUTHENTICATED';

/** What the auth hooks and the login route call around resolving a credential. */
export interface CredentialGuard {
  lookup<T>(request: FastifyRequest, resolve: () => Promise<T>): Promise<T>;
  login<T>(request: FastifyRequest, account: string, attempt: () => Promise<T>): Promise<T>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `registerCredentialLimits`; servers built without it (unit tests of one face) run unguarded. */
    credentialGuard?: CredentialGuard;
  }
}

/**
 * Registers `@fastify/rate-limit` (manual limiters only, no global limit) and the credential
 * guard on the root server, before any face, so every face's hooks and error handlers see them.
 */
export async function registerCredentialLimits(app: App, limits: CredentialLimits): Promise<void> {
  await app.register(rateLimit, { global: false });
  const accounts = new WeakMap<FastifyRequest, string>();
  const limit = (
    max: number,
    timeWindow: number,
    refusal: Refusal,
    keyGenerator?: (request: FastifyRequest) => string,
  ): FailureLimit | undefined => {
    if (max === 0) return undefined;
    // `cache` sizes a limiter's store; the library reads it here too but its type omits it.
    // Without a key generator of its own a limit keys on the client address (IPv6 by /64).
    const options: CreateRateLimitOptions & { cache: number } = {
      max,
      timeWindow,
      cache: REMEMBERED_KEYS,
      ...(keyGenerator && { keyGenerator }),
    };
    return failureLimit(app.createRateLimit(options), refusal);
  };
  const signInLimits = [
    limit(
      limits.loginFailuresPerAccount,
      LOGIN_WINDOW_MS,
      { message: 'too many failed sign-ins for this account', field: 'email' },
      (request) => `account:${accounts.get(request)}`,
    ),
    limit(limits.loginFailuresPerAddress, LOGIN_WINDOW_MS, {
      message: 'too many failed sign-ins from this address',
    }),
  ].filter((each) => each !== undefined);
  const lookupLimit = limit(limits.credentialFailuresPerAddress, LOOKUP_WINDOW_MS, {
    message: 'too many failed credentials from this address',
  });

  const guard: CredentialGuard = {
    async lookup(request, resolve) {
      try {
        return await resolve();
      } catch (error) {
        if (lookupLimit && isFailedCredential(error)) throw (await lookupLimit.fail(request)) ?? error;
        throw error;
      }
    },
    async login(request, account, attempt) {
      accounts.set(request, account.trim().toLowerCase());
      const held: Reservation[] = [];
      let failed = false;
      try {
        // Checked before the password: past the limit even the right one is refused, else the
        // answer would tell a guess from the password.
        for (const each of signInLimits) held.push(await each.reserve(request));
        return await attempt();
      } catch (error) {
        failed = isFailedCredential(error);
        throw error;
      } finally {
        await Promise.all(held.map((reservation) => reservation.done(failed)));
      }
    },
  };
  app.decorate('credentialGuard', guard);
  app.addHook('onError', async (_request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (error instanceof TooManyFailures) reply.headers(error.headers);
  });
}

/**
 * Resolves a credential (`resolve` throws `ERR_UNAUTHENTICATED` when it is unknown or expired);
 * a failure counts against the caller's address and, past the limit, answers 429 instead.
 */
export function limitCredentialFailures<T>(request: FastifyRequest, resolve: () => Promise<T>): Promise<T> {
  return request.server.credentialGuard?.lookup(request, resolve) ?? resolve();
}

/** A sign-in attempt for `account`, refused with a 429 while its account or address has failed too often. */
export function limitLoginFailures<T>(
  request: FastifyRequest,
  account: string,
  attempt: () => Promise<T>,
): Promise<T> {
  return request.server.credentialGuard?.login(request, account, attempt) ?? attempt();
}
