/** Worker-thread entry of the render pool: renders one dashboard per message. */
import { parentPort } from 'node:worker_threads';
import { isRosettaError } from '../errors.ts';
import { renderPdf } from './pdf.ts';
import { renderPng } from './png.ts';
import type { RenderFailure, RenderJob, RenderReply } from './render-pool.ts';

if (!parentPort) throw new Error('render-worker.ts runs only as a worker thread');
const port = parentPort;

port.on('message', async (job: RenderJob) => {
  try {
    const output =
      job.format === 'pdf' ? await renderPdf(job.spec, job.options) : await renderPng(job.spec, job.options);
    // A copy the size of the file, handed over without a second copy.
    const data = new Uint8Array(output.data);
    const reply: RenderReply = { id: job.id, ok: true, data, warnings: output.warnings, pages: output.pages };
    port.postMessage(reply, [data.buffer]);
  } catch (error) {
    // A RosettaError crosses the thread boundary as its parts (structured clone keeps no class);
    // any other error (a Node `code` such as ENOENT included) only as its message.
    const failure: RenderFailure = isRosettaError(error)
      ? {
          message: error.message,
          code: error.code,
          field: error.field,
          reason: error.reason,
          problem: error.problem,
        }
      : { message: error instanceof Error ? error.message : String(error) };
    const reply: RenderReply = { id: job.id, ok: false, ...failure };
    port.postMessage(reply);
  }
});
