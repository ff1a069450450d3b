import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { holisticsRoute } from './routes.ts';

/**
 * Job queues (`/job_queues`): one queue per core job type, with the workers this server runs for
 * it (the type's concurrency) and how many are busy now. Ids number the queues in the order the
 * server registers its job types, which is fixed by its code.
 */
export function registerJobQueueRoutes(api: App, ports: Pick<Services, 'jobs'>): void {
  holisticsRoute(api, 'JobQueues_List', async (request) => ({
    job_queues: ports.jobs.queues(principalOf(request)).map((queue, index) => ({
      id: index + 1,
      queue: queue.type,
      total_workers: queue.workers,
      busy_workers: queue.busy,
    })),
  }));
}
