import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

let app: TestApp;
let demo: string;
beforeAll(async () => {
  app = await startTestApp({
    env: {
      ROSETTA_SERENYTICS_MAX_ROWS: '50',
      ROSETTA_SCRIPT_TIMEOUT_SECONDS: '2',
      ROSETTA_SCRIPT_MEMORY_MB: '64',
    },
  });
  const list = await seren(app, 'GET', '/api/data_source');
  demo = list.body.objects.find((o: { name: string }) => o.name === 'demo_sales').uuid;
}, 120_000);
afterAll(() => app?.close());

describe('configured limits', () => {
  it('caps formatted_data and the data-api at ROSETTA_SERENYTICS_MAX_ROWS', async () => {
    const all = await seren(app, 'POST', `/api/formatted_data/${demo}`, { order: 'row_by_row' });
    expect(all.body.data).toHaveLength(50);
    const asked = await seren(app, 'POST', `/api/formatted_data/${demo}`, {
      data_processing_pipeline: [{ select: ['country'], limit: 80 }],
    });
    expect(asked.body.data).toHaveLength(50);
    const fewer = await seren(app, 'POST', `/api/formatted_data/${demo}`, {
      data_processing_pipeline: [{ select: ['country'], limit: 7 }],
    });
    expect(fewer.body.data).toHaveLength(7);

    const json = await seren(app, 'POST', `/data-api/query-data/${demo}`, { format: 'json' });
    expect(json.body.data).toHaveLength(50);
    const csv = await seren(app, 'POST', `/data-api/query-data/${demo}`);
    expect((csv.body as string).trim().split('\r\n')).toHaveLength(51);
  });

  const runScript = async (code: string) => {
    const created = await seren(app, 'POST', '/api/script', { name: 'limited', code, language: 'python' });
    return seren(app, 'POST', `/api/script/${created.body.uuid}/run?async_=false`, {});
  };

  it('kills a script running past ROSETTA_SCRIPT_TIMEOUT_SECONDS', async () => {
    const started = Date.now();
    const run = await runScript('import time\ntime.sleep(30)\nprint("woke up")');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.body.stdout).not.toContain('woke up');
    expect(run.body.stderr).toContain('killed: the script ran longer than 2000 ms');
  }, 30_000);

  it('refuses a script more memory than ROSETTA_SCRIPT_MEMORY_MB', async () => {
    const run = await runScript('data = bytearray(200 * 1024 * 1024)\nprint("allocated")');
    expect(run.body.return_code).not.toBe(0);
    expect(run.body.stdout).not.toContain('allocated');
    expect(run.body.stderr).toContain('MemoryError');
  }, 30_000);
});
