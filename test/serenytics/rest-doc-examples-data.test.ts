import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows } from '../../src/core/data/index.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { demoDashboard } from '../support/exports.ts';
import { type DocRunner, docRunner, SHOW_RESULT, serveFace } from './rest-doc-examples/run-example.ts';
import { seren, waitTask } from './support.ts';

/*
 * The REST doc's data source, batch, task and formatted_data examples, run as written against a
 * listening Rosetta (catalogue: rest-doc-examples.md). Tests run in order: later examples use
 * earlier state.
 */

let app: TestApp;
let run: DocRunner;
let demo: string;
beforeAll(async () => {
  app = await startTestApp();
  run = docRunner(await serveFace(app), { YOUR_API_KEY: ADMIN_KEY });
  demo = (await seren(app, 'GET', '/api/data_source')).body.objects.find(
    (o: { name: string }) => o.name === 'demo_sales',
  ).uuid;
}, 120_000);
afterAll(() => app?.close());

const nativeSource = async (uuid: string) =>
  (await app.request('GET', '/api/data-sources')).body.items.find((s: { uuid: string }) => s.uuid === uuid);

describe('data_source examples', () => {
  it('14 lists the data sources and 15 gets one by uuid', async () => {
    const list = await run('14-list-data-sources.py');
    expect(list.lines).toHaveLength(1);
    expect(list.lines[0]).toContain(`'uuid': '${demo}'`);
    const one = await run('15-get-data-source.py', { values: { YOUR_DATA_SOURCE_UUID: demo } });
    expect(one.lines).toEqual(['demo_sales']);
  });

  it('16 renames a data source by PUTting back what it GETs, and 17 deletes it (204)', async () => {
    const created = await seren(app, 'POST', '/api/data_source', { name: 'doc_source', type: 'Storage' });
    const values = { YOUR_DATA_SOURCE_UUID: created.body.uuid };
    const before = await nativeSource(created.body.uuid);
    expect((await run('16-update-data-source.py', { values })).lines).toEqual(['My New Name']);
    expect(await nativeSource(created.body.uuid)).toEqual({
      ...before,
      name: 'My New Name',
      updatedAt: expect.any(String),
    });

    expect((await run('17-delete-data-source.py', { values })).lines).toEqual(['204']);
    expect(await nativeSource(created.body.uuid)).toBeUndefined();
  });

  it('18 invalidates the cache: the next query of the source is computed afresh', async () => {
    const query = (await demoDashboard(app)).widgets[0].query;
    const ask = async () => (await app.request('POST', '/api/query', query)).body.cached;
    await ask();
    expect(await ask()).toBe(true);
    const { lines } = await run('18-invalidate-cache.py', {
      values: { YOUR_DATA_SOURCE_UUID: demo },
      after: SHOW_RESULT,
    });
    expect(lines[0]).toBe('200');
    expect(JSON.parse(lines[1])).toEqual({ status: 'ok' });
    expect(await ask()).toBe(false);
  });

  let taskId: string;
  it('19 runs the batch operations in order, as a task', async () => {
    const target = (await seren(app, 'POST', '/api/data_source', { name: 'batch_target', type: 'Storage' }))
      .body;
    const { lines } = await run('19-batch.py', {
      values: { YOUR_DATA_SOURCE_UUID: target.uuid },
      after: SHOW_RESULT,
    });
    expect(lines[0]).toBe('200');
    const result = JSON.parse(lines[1]);
    expect(result).toEqual({ status: 'ok', task_id: expect.any(String) });
    taskId = result.task_id;
    expect((await waitTask(app, taskId)).body.status).toBe('ok');
    const data = await seren(app, 'POST', `/api/formatted_data/${target.uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [
        { select: ['id', 'country', 'name', 'quantity'], order_by: [{ name: 'id' }] },
      ],
    });
    expect(data.body.data).toEqual([
      [1, 'FR', 'John', 50],
      [3, 'UK', 'John', 1],
      [5, 'US', 'Peter', 13],
    ]);
  });

  it('24 reads the status of that task', async () => {
    const { lines } = await run('24-get-task.py', { values: { YOUR_TASK_ID: taskId }, after: SHOW_RESULT });
    expect(lines[0]).toBe('200');
    expect(JSON.parse(lines[1])).toMatchObject({ status: 'ok' });
  });
});

describe('formatted_data examples (the doc forgets `import json`: added before each)', () => {
  const query = (file: string) => run(file, { values: { YOUR_SOURCE_UUID: demo }, before: 'import json' });
  const rowCount = (line: string) => line.match(/\['[^']*', '\d{4}-/g)?.length;

  it('20 reads the columns of a source', async () => {
    const { exitCode, lines } = await query('20-formatted-data-headers.py');
    expect(exitCode).toBe(0);
    expect(lines).toHaveLength(1);
    for (const column of [
      "{'name': 'date', 'type': 'datetime'",
      "{'name': 'country', 'type': 'str'}",
      "{'name': 'quantity', 'type': 'int'}",
      "{'name': 'price', 'type': 'float'}",
    ])
      expect(lines[0]).toContain(column);
    expect(lines[0]).toContain("'status': 'ok'");
  });

  it('21 reads the selected columns, capped at 20 000 rows', async () => {
    const { lines } = await query('21-formatted-data-select.py');
    expect(lines[0]).toContain(
      "'columns_titles': [{'name': 'Country', 'type': 'str'}, {'name': 'Date', 'type': 'datetime'",
    );
    expect(lines[0]).toContain("'status': 'ok'");
    expect(rowCount(lines[0])).toBe(20_000);
  });

  it('22 groups, filters and limits', async () => {
    const { lines } = await query('22-formatted-data-group-by.py');
    expect(lines[0]).toContain("'columns_titles': [{'name': 'Country', 'type': 'str'}, {'name': 'Quantity'");
    const expected = new Map<string, number>();
    for (const [, country, , , quantity, price] of demoRows())
      if ((price as number) > 20)
        expected.set(country as string, (expected.get(country as string) ?? 0) + (quantity as number));
    const got = [...lines[0].matchAll(/\['([^']+)', (\d+)\]/g)].map(([, country, sum]) => [
      country,
      Number(sum),
    ]);
    expect(new Map(got as [string, number][])).toEqual(expected);
  });

  it('23 queries a formula by its measureUuid', async () => {
    const config = (await seren(app, 'GET', `/api/data_source/${demo}`)).body;
    config.jsonContent.measures = {
      '697c7a7d0ffd5254': { name: 'Double quantity', formula: '2 * [quantity]' },
    };
    expect((await seren(app, 'PUT', `/api/data_source/${demo}`, config)).status).toBe(200);
    const { lines } = await query('23-formatted-data-formula.py');
    expect(lines[0]).toContain("'columns_titles': [{'name': 'Country', 'type': 'str'}, {'name': 'MyFormula'");
    const expected = new Map<string, number>();
    for (const [, country, , , quantity] of demoRows())
      expected.set(country as string, (expected.get(country as string) ?? 0) + 2 * (quantity as number));
    const got = [...lines[0].matchAll(/\['([^']+)', (\d+)\]/g)].map(([, country, sum]) => [
      country,
      Number(sum),
    ]);
    expect(new Map(got as [string, number][])).toEqual(expected);
  });
});
