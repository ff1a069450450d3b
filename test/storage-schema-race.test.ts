import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

// Concurrent replaces that each redefine the table (drop, create, record columns) used to
// interleave: one write's table with another's recorded columns, so later reads failed on a
// column the table lacked. Writes that change a source's table now run one at a time per source.
it('keeps recorded columns and the table in step under concurrent redefining replaces', async () => {
  const source = (await app.request('POST', '/api/data-sources', { name: 'redefined', type: 'storage' })).body
    .uuid;
  const push = (name: string) =>
    app.request('POST', `/api/data-sources/${source}/rows`, { mode: 'replace', rows: [{ [name]: 1 }] });
  expect((await push('first')).status).toBe(200);
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => push(`c${i}`)));
  for (const answer of answers) expect(answer.status).toBe(200);
  const { columns } = (await app.request('GET', `/api/data-sources/${source}`)).body;
  const names = columns.map((column: { name: string }) => column.name);
  expect((await app.request('POST', '/api/query', { source, dimensions: names })).status).toBe(200);
});
