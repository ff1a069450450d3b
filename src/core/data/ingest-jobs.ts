import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import type { JobService } from '../jobs/index.ts';
import { NUMBER_OUT_OF_RANGE } from '../storable.ts';
import type { RowsOperation, StorageIngestor } from './ingest.ts';
import type { SourceFileService } from './source-files.ts';
import type { IngestResult } from './storage-writes.ts';

/**
 * Ingestion run later as a job (Serenytics `async_` batches and file loads, and any face that
 * wants a task id). The payload carries the caller's principal as it was when the work was
 * accepted: the handler goes through the same permission-checked call, so a job can do nothing
 * its caller could not have done at once.
 */
export const INGEST_OPERATIONS_JOB = 'data.ingest-operations';
export const LOAD_FILE_JOB = 'data.load-file';

interface OperationsPayload {
  principal: Principal;
  source: string;
  operations: RowsOperation[];
}

interface LoadFilePayload {
  principal: Principal;
  source: string;
  mode: 'replace' | 'upsert';
  key?: string[];
  lowerCaseHeader?: boolean;
}

export function registerIngestionJobs(
  jobs: JobService,
  data: { ingestor: StorageIngestor; files: SourceFileService },
): void {
  // Each load is atomic, so running one again after a crash cannot apply half of it twice.
  jobs.register<OperationsPayload, IngestResult>(INGEST_OPERATIONS_JOB, {
    concurrency: 2,
    timeoutMs: 10 * 60_000,
    onInterrupted: 'requeue',
    run: (_job, { payload }) =>
      data.ingestor.applyOperations(payload.principal, payload.source, payload.operations),
  });
  jobs.register<LoadFilePayload, IngestResult>(LOAD_FILE_JOB, {
    concurrency: 2,
    timeoutMs: 30 * 60_000,
    onInterrupted: 'requeue',
    run: (_job, { payload }) =>
      data.files.load(payload.principal, payload.source, {
        mode: payload.mode,
        ...(payload.key && { key: payload.key }),
        ...(payload.lowerCaseHeader && { lowerCaseHeader: true }),
      }),
  });
}

/**
 * A job's payload is JSON, in which a number past the double range (a 400-digit literal, parsed
 * to ±Infinity) would become null: such a value is refused when the work is accepted, with the
 * error the ingestor gives it, rather than stored as null later.
 */
function refuseNonFinite(operations: RowsOperation[]): void {
  const named = (row: unknown): [string, unknown][] =>
    row !== null && typeof row === 'object' && !Array.isArray(row)
      ? Object.entries(row).map(([name, value]) => [`.${name}`, value])
      : [row].flat().map((value) => ['', value]);
  for (const operation of operations)
    operation.rows.forEach((row, r) => {
      for (const [name, value] of named(row))
        if (typeof value === 'number' && !Number.isFinite(value))
          throw validationError(`rows[${r + 1}]${name}`, NUMBER_OUT_OF_RANGE);
    });
}

/** Accepts operations for later; resolves with the job whose uuid is the task id. */
export async function enqueueOperations(
  jobs: JobService,
  principal: Principal,
  source: string,
  operations: RowsOperation[],
) {
  refuseNonFinite(operations);
  return jobs.enqueue(principal, INGEST_OPERATIONS_JOB, { principal, source, operations });
}

export const enqueueFileLoad = (
  jobs: JobService,
  principal: Principal,
  source: string,
  how: { mode: 'replace' | 'upsert'; key?: string[]; lowerCaseHeader?: boolean },
) => jobs.enqueue(principal, LOAD_FILE_JOB, { principal, source, ...how });
