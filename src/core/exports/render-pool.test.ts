import { afterAll, describe, expect, it } from 'vitest';
import {
  closeRenderPool,
  configureRenderPool,
  renderDashboardPdf,
  renderDashboardPng,
  renderWorkerCount,
} from './render-pool.ts';
import { sampleDashboardSpec } from './samples.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);

describe('render pool idle workers', () => {
  afterAll(() => closeRenderPool());

  it('stops a worker once idle for idleMs, keeps it while renders follow, restarts on next use', async () => {
    configureRenderPool({ size: 1, idleMs: 1500 });
    const spec = sampleDashboardSpec();
    const before = process.memoryUsage.rss();
    await renderDashboardPdf(spec);
    expect(renderWorkerCount()).toBe(1);

    // Renders closer together than idleMs reuse the worker.
    for (let i = 0; i < 3; i++) {
      await sleep(500);
      expect(renderWorkerCount()).toBe(1);
      await renderDashboardPng(spec);
    }
    const busy = process.memoryUsage.rss();

    await sleep(2500);
    expect(renderWorkerCount()).toBe(0);
    const idle = process.memoryUsage.rss();
    console.log(
      `RSS: ${megabytes(before)} MB before, ${megabytes(busy)} MB with the worker, ${megabytes(idle)} MB after it stopped`,
    );
    expect(busy - idle).toBeGreaterThan(30 * 1024 * 1024);

    const again = await renderDashboardPdf(spec);
    expect(again.data.subarray(0, 5).toString()).toBe('%PDF-');
    expect(renderWorkerCount()).toBe(1);
  });
});
