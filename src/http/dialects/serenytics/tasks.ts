import { Type } from 'typebox';
import type { Services } from '../../../services.ts';
import { type JobView, jobView } from '../../kit/jobs.ts';
import { type App, principalOf } from '../../server.ts';

/**
 * `GET /api/task/{task_id}`: a core job seen as a Serenytics task. The client polls until the
 * status is no longer "pending"; a body with `errors` is a failure, anything else the result.
 */
export function registerTaskRoutes(app: App, services: Pick<Services, 'jobs'>): void {
  app.get('/task/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (request) =>
    serenyticsTask(jobView(await services.jobs.get(principalOf(request), request.params.id))),
  );
}

function serenyticsTask(view: JobView) {
  if (view.error) return { status: 'error', errors: [view.error.message] };
  if (view.state !== 'success') return { status: 'pending', progress: view.progress };
  const result =
    view.result !== null && typeof view.result === 'object' ? view.result : { result: view.result };
  return { ...result, status: 'ok' };
}
