import { EXPORT_JOB_TYPE } from '../../../core/exports/index.ts';
import type { Job } from '../../../core/jobs/index.ts';
import { QUERY_JOB_TYPE } from '../../../core/query/index.ts';
import { scheduleJobTypes } from '../../../core/schedules/index.ts';
import type { HolisticsQuery, ShownColumn } from './dataset-query.ts';
import type { JobSource } from './jobs-view.ts';

/**
 * What a Holistics job was started for (`Job.source`), read from the core job's type and payload,
 * so that every face's jobs show in `/jobs` the same way: nothing face-specific is stored but the
 * annotation a dataset query keeps with its query job (the columns its result shows, its paging).
 */

/** Kept with a dataset query's job (`SubmitOptions.annotation`). */
export interface DatasetQueryAnnotation {
  holistics: {
    dataSetId: number;
    columns: ShownColumn[];
    /** The query's `page` and `page_size`: the page `/jobs/{id}/result` answers. */
    page?: number;
    pageSize?: number;
  };
}

export const datasetQueryAnnotation = (
  dataSetId: number,
  columns: ShownColumn[],
  query: Pick<HolisticsQuery, 'page' | 'page_size'>,
): DatasetQueryAnnotation => ({
  holistics: {
    dataSetId,
    columns,
    ...(query.page !== undefined && { page: query.page }),
    ...(query.page_size !== undefined && { pageSize: query.page_size }),
  },
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The dataset-query annotation of a query job, when a Holistics dataset query started it. */
export function datasetQueryOf(job: Job): DatasetQueryAnnotation['holistics'] | undefined {
  if (job.type !== QUERY_JOB_TYPE || !isObject(job.payload)) return undefined;
  const annotation = job.payload.annotation;
  if (!isObject(annotation) || !isObject(annotation.holistics)) return undefined;
  return annotation.holistics as DatasetQueryAnnotation['holistics'];
}

/** Schedule runs: a delivery is a Holistics data schedule, an alert check a data alert. */
function scheduleSource(job: Job): JobSource | undefined {
  const type =
    job.type === scheduleJobTypes.delivery
      ? 'DataSchedule'
      : job.type === scheduleJobTypes.alert
        ? 'DataAlert'
        : undefined;
  if (!type || !isObject(job.payload)) return undefined;
  const id = typeof job.payload.scheduleId === 'number' ? job.payload.scheduleId : null;
  return { type, id, action: 'execute' };
}

function exportSource(job: Job): JobSource | undefined {
  if (job.type !== EXPORT_JOB_TYPE || !isObject(job.payload) || !isObject(job.payload.target))
    return undefined;
  const target = job.payload.target;
  if ('dashboard' in target)
    return { type: 'Dashboard', id: target.dashboard as number | string, action: 'export' };
  if (isObject(target.widget))
    return { type: 'Dashboard', id: target.widget.dashboard as number | string, action: 'export_widget' };
  return { type: 'DataSet', id: null, action: 'export' };
}

/** `Job.source`: what the job was started for, as far as its type and payload tell. */
export function jobSourceOf(job: Job): JobSource {
  const query = datasetQueryOf(job);
  if (query) return { type: 'DataSet', id: query.dataSetId, action: 'submit_query' };
  if (job.type === QUERY_JOB_TYPE) return { type: 'Query', id: null, action: 'execute' };
  return exportSource(job) ?? scheduleSource(job) ?? { type: job.type, id: null, action: 'run' };
}
