import { createReadStream } from 'node:fs';
import { validationError } from '../../../core/errors.ts';
import { EXPORT_JOB_TYPE, type ExportResult } from '../../../core/exports/index.ts';
import type { Services } from '../../../services.ts';
import { type App, absoluteUrl, principalOf } from '../../server.ts';
import { holisticsRoute } from './routes.ts';

export type ExportDownloadPorts = Pick<Services, 'jobs' | 'exports'>;

/**
 * `GET /exports/download?job_id=`: as Holistics does, a 302 to the file's secured URL (the export's
 * signed, expiring link, which needs no key), so clients that follow redirects get the file. A job
 * that is not an export, or not finished with success, is a 422.
 */
export function registerExportRoutes(api: App, ports: ExportDownloadPorts): void {
  holisticsRoute<{ Querystring: { job_id: number } }>(api, 'Exports_Download', async (request, reply) => {
    const principal = principalOf(request);
    const job = await ports.jobs.get(principal, request.query.job_id);
    if (job.type !== EXPORT_JOB_TYPE)
      throw validationError('job_id', `job ${job.id} is a ${job.type} job, not an export`);
    if (job.status !== 'success')
      throw validationError(
        'job_id',
        `export job ${job.id} is ${job.status}: it can be downloaded once it has succeeded`,
      );
    const { downloadUrl, expiresAt } = job.result as ExportResult;
    if (expiresAt > new Date().toISOString()) return reply.redirect(absoluteUrl(request, downloadUrl), 302);
    // Past its link's expiry the file is still the caller's while it is kept: answered directly.
    const file = await ports.exports.download(principal, job.id);
    return reply
      .header('content-type', file.contentType)
      .header(
        'content-disposition',
        `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`,
      )
      .send(createReadStream(file.path));
  });
}
