/** Jobs: persisted records of slow work, run by an in-process worker with retries, timeouts and recovery. */
export { jobMigrations } from './migrations.ts';
export { createJobService, type JobAccess, type JobService, type JobServiceOptions } from './service.ts';
export type { JobTables } from './tables.ts';
export * from './types.ts';
