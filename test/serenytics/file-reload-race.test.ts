import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren, waitTask } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

// Found by the face contract's hostile bodies: a new upload replaces the staged file while queued
// reload tasks read it. A read failing under a load used to be an unhandled stream error, which
// ends the process; it must fail that task only.
it('survives uploads replacing the staged file under queued reload tasks', async () => {
  const source = (await app.request('POST', '/api/data-sources', { name: 'raced', type: 'storage' })).body
    .uuid;
  const upload = (text: string) =>
    seren(app, 'POST', `/api/data_source/${source}/file`, undefined, { raw: text, contentType: 'text/csv' });
  const tasks: string[] = [];
  for (let i = 0; i < 20; i++) {
    for (const text of [`a${i},b${i}\n1,x\n`, `c${i}\n1\n`]) {
      expect((await upload(text)).status).toBe(201);
      tasks.push((await seren(app, 'POST', `/api/data_source/${source}/reload_from_file`, {})).body.task_id);
    }
  }
  for (const task of tasks) expect(['ok', 'error']).toContain((await waitTask(app, task)).body.status);
  const { columns } = (await app.request('GET', `/api/data-sources/${source}`)).body;
  const names = columns.map((column: { name: string }) => column.name);
  expect((await app.request('POST', '/api/query', { source, dimensions: names })).status).toBe(200);
});
