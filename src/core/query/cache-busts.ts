/**
 * Busting the query cache of one connection as a job (Holistics' `bust_exploration_cache`, which
 * answers with a job to follow): the caller's right is checked when it is asked for, and again as
 * its owner when the job runs, so a user demoted in between busts nothing.
 */
import { authorize } from '../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../auth/credential-scope.ts';
import type { Principal } from '../auth/principal.ts';
import type { Job, JobService } from '../jobs/index.ts';
import type { QueryService } from './service.ts';

export const CACHE_BUST_JOB_TYPE = 'cache_bust';

interface CacheBustPayload {
  connectionId: number;
  scope: CredentialScope;
}

/** The job's result: how many cached results were dropped. */
export interface CacheBustResult {
  invalidated: number;
}

export interface CacheBusts {
  /**
   * Queues dropping the cached results of one connection (`cache.invalidate`); the caller checks
   * the connection is one it may see (the query module knows no connections).
   */
  enqueue(principal: Principal, connectionId: number): Promise<Job>;
}

export function createCacheBusts(deps: {
  jobs: Pick<JobService, 'register' | 'enqueue'>;
  query: Pick<QueryService, 'invalidate'>;
  owners(organizationId: number, userId: number): Promise<Principal | undefined>;
}): CacheBusts {
  deps.jobs.register<CacheBustPayload, CacheBustResult>(CACHE_BUST_JOB_TYPE, {
    concurrency: 1,
    timeoutMs: 60_000,
    // Dropping cached results again is harmless.
    onInterrupted: 'requeue',
    async run(job, context) {
      const owner = job.ownerId === null ? undefined : await deps.owners(job.organizationId, job.ownerId);
      if (!owner) throw new Error(`the user who asked for this cache bust (${job.ownerId}) no longer exists`);
      const principal = actingWithin(owner, context.payload.scope);
      const invalidated = deps.query.invalidate(principal, { connectionId: context.payload.connectionId });
      await context.log(`${invalidated} cached results dropped`);
      return { invalidated };
    },
  });
  return {
    async enqueue(principal, connectionId) {
      authorize(principal, 'cache.invalidate');
      const payload: CacheBustPayload = { connectionId, scope: credentialScope(principal) };
      return deps.jobs.enqueue(principal, CACHE_BUST_JOB_TYPE, payload);
    },
  };
}
