/** Worker-thread entry of the render pool: renders one dashboard per message. */
import { parentPort } from 'node:worker_threads';
import { renderPdf } from './pdf.ts';
import { renderPng } from './png.ts';
import type { RenderJob, RenderReply } from './render-pool.ts';

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
    const { message, code, field } = error as { message?: string; code?: string; field?: string };
    const reply: RenderReply = { id: job.id, ok: false, message: message ?? String(error), code, field };
    port.postMessage(reply);
  }
});
