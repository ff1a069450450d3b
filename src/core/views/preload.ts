/**
 * Preloading a dashboard: every widget's query run with the given filters as a job, so the query
 * cache holds their results before anyone opens it (Holistics' `submit_preload`).
 */
import { authorize } from '../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../auth/credential-scope.ts';
import type { Principal } from '../auth/principal.ts';
import type { ContentRef, DashboardService } from '../content/index.ts';
import { isRosettaError } from '../errors.ts';
import type { Job, JobContext, JobService } from '../jobs/index.ts';
import type { ViewService } from './service.ts';
import { requestedFilters } from './view-filters.ts';

export const PRELOAD_JOB_TYPE = 'dashboard_preload';

export interface PreloadInput {
  /** Filter id (or field) → value, as a view takes them; a filter left out takes its default. */
  filters?: Record<string, unknown>;
  /** Run every widget even when its result is cached (the fresh result is stored). */
  bustCache?: boolean;
}

/** The job's result: how many widgets ran, how many answered from the cache, how many failed. */
export interface PreloadResult {
  widgets: number;
  executed: number;
  cached: number;
  failed: number;
}

interface PreloadPayload {
  dashboardId: number;
  filters: Record<string, unknown>;
  bustCache: boolean;
  scope: CredentialScope;
}

export interface DashboardPreloads {
  /** Checks the dashboard and filter values with the caller's rights now, and queues the job. */
  enqueue(principal: Principal, dashboard: ContentRef, input: PreloadInput): Promise<Job>;
}

export function createDashboardPreloads(deps: {
  jobs: JobService;
  views: ViewService;
  dashboards: DashboardService;
  owners(organizationId: number, userId: number): Promise<Principal | undefined>;
}): DashboardPreloads {
  async function run(job: Job, context: JobContext<PreloadPayload>): Promise<PreloadResult> {
    const { payload, signal } = context;
    const owner = job.ownerId === null ? undefined : await deps.owners(job.organizationId, job.ownerId);
    if (!owner) throw new Error(`the user who asked for this preload (${job.ownerId}) no longer exists`);
    const principal = actingWithin(owner, payload.scope);
    const dashboard = await deps.dashboards.lookup(principal, payload.dashboardId);
    const widgets = dashboard.widgets.filter((widget) => widget.query !== null);
    const result: PreloadResult = { widgets: widgets.length, executed: 0, cached: 0, failed: 0 };
    for (const [index, widget] of widgets.entries()) {
      signal.throwIfAborted();
      try {
        const answer = await deps.views.widgetResults(
          principal,
          dashboard.id,
          widget.id,
          { filters: payload.filters },
          { signal, noCache: payload.bustCache },
        );
        if (answer.cached) result.cached++;
        else result.executed++;
      } catch (error) {
        // One broken widget does not keep the others out of the cache; the log says which.
        if (!isRosettaError(error)) throw error;
        result.failed++;
        await context.log(`widget ${widget.title || widget.id}: ${error.message}`, 'warn');
      }
      await context.progress(Math.round(((index + 1) / widgets.length) * 100));
    }
    await context.log(
      `${result.executed} widgets run, ${result.cached} already cached, ${result.failed} failed`,
    );
    return result;
  }

  deps.jobs.register<PreloadPayload, PreloadResult>(PRELOAD_JOB_TYPE, {
    concurrency: 2,
    timeoutMs: 10 * 60_000,
    // Rerunning a preload only runs cached queries again.
    onInterrupted: 'requeue',
    run,
  });

  return {
    async enqueue(principal, ref, input) {
      authorize(principal, 'dashboard.run');
      const dashboard = await deps.dashboards.lookup(principal, ref);
      const filters = input.filters ?? {};
      // Bad filter values are the caller's 422 now, not a failed job later.
      requestedFilters(filters, dashboard.filters);
      const payload: PreloadPayload = {
        dashboardId: dashboard.id,
        filters,
        bustCache: input.bustCache === true,
        scope: credentialScope(principal),
      };
      return deps.jobs.enqueue(principal, PRELOAD_JOB_TYPE, payload);
    },
  };
}
