/** Query jobs: results kept on disk after the request, read page by page, cancellable, expiring. */
export {
  createQueryJobService,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type PageRequest,
  QUERY_JOB_TYPE,
  type QueryJobPage,
  type QueryJobResult,
  type QueryJobService,
  type QueryJobServiceOptions,
  type QueryJobState,
  type QueryJobStatus,
  queryJobStatuses,
  type SqlInput,
  type SubmitOptions,
} from './service.ts';
