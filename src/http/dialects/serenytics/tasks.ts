import { Type } from 'typebox';
import { isFinished } from '../../../core/jobs/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';

/**
 * `GET /api/task/{task_id}`: a core job seen as a Serenytics task. The client polls until the
 * status is no longer "pending"; a body with `errors` is a failure, anything else the result.
 */
export function registerTaskRoutes(app: App, services: Pick<Services, 'jobs'>): void {
  app.get('/task/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (request) => {
    const job = await services.jobs.get(principalOf(request), request.params.id);
    if (!isFinished(job.status)) return { status: 'pending', progress: job.progress };
    if (job.status === 'success') {
      const result =
        job.result !== null && typeof job.result === 'object' ? job.result : { result: job.result };
      return { ...result, status: 'ok' };
    }
    return { status: 'error', errors: [job.error ?? `task ${job.status}`] };
  });
}
