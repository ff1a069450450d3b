import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren, waitTask } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 120_000);
afterAll(() => app?.close());

const byName = (name: string) =>
  `/api/data_source?q=${encodeURIComponent(JSON.stringify({ filters: [{ name: 'name', op: 'eq', val: name }] }))}`;

describe('Serenytics auth and errors', () => {
  it('answers 401 in the vendor shape without or with a bad X-Api-Key', async () => {
    const missing = await seren(app, 'GET', '/api/data_source', undefined, { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ status: 'error', errors: [expect.any(String)] });
    const bad = await seren(app, 'GET', '/api/data_source', undefined, { key: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.status).toBe('error');
  });

  it('tolerates a doubled slash after the mount point', async () => {
    const answer = await seren(app, 'GET', '//api/data_source');
    expect(answer.status).toBe(200);
    expect(answer.body.objects.length).toBeGreaterThan(0);
  });

  it('answers 404 with errors[0] for an unknown source', async () => {
    const answer = await seren(app, 'GET', '/api/data_source/4b1c2d3e-0000-4000-8000-000000000000');
    expect(answer.status).toBe(404);
    expect(answer.body.errors[0]).toMatch(/not found/);
  });
});

describe('data_source', () => {
  it('lists with the q filter, gets, creates a Storage (201), renames and deletes (204)', async () => {
    const all = await seren(app, 'GET', '/api/data_source');
    expect(all.status).toBe(200);
    expect(all.body.objects.map((o: { name: string }) => o.name)).toContain('demo_sales');

    const none = await seren(app, 'GET', byName('my_storage'));
    expect(none.body).toMatchObject({ num_results: 0, objects: [] });
    const created = await seren(app, 'POST', '/api/data_source', {
      name: 'my_storage',
      type: 'Storage',
      jsonContent: {},
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'my_storage', type: 'Storage', uuid: expect.any(String) });
    const found = await seren(app, 'GET', byName('my_storage'));
    expect(found.body.num_results).toBe(1);
    expect(found.body.objects[0].uuid).toBe(created.body.uuid);

    const route = `/api/data_source/${created.body.uuid}`;
    const got = await seren(app, 'GET', route);
    expect(got.body.name).toBe('my_storage');
    const renamed = await seren(app, 'PUT', route, { ...got.body, name: 'My New Name' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('My New Name');

    expect((await seren(app, 'POST', `${route}/invalidate_cache`)).body).toEqual({ status: 'ok' });
    expect((await seren(app, 'DELETE', route)).status).toBe(204);
    expect((await seren(app, 'GET', route)).status).toBe(404);
  });

  it('runs the doc batch example in order, asynchronously, then synchronously', async () => {
    const created = await seren(app, 'POST', '/api/data_source', {
      name: 'batch_target',
      type: 'Storage',
      jsonContent: {},
    });
    const route = `/api/data_source/${created.body.uuid}`;
    const answer = await seren(app, 'POST', `${route}/batch`, {
      async_: true,
      operations: [
        {
          action: 'insert',
          rows: [
            { id: 1, country: 'FR', name: 'John', quantity: 10 },
            { id: 2, country: 'US', name: 'Mark', quantity: 2 },
            { id: 3, country: 'UK', name: 'John', quantity: 1 },
            { id: 4, country: 'US', name: 'David', quantity: 8 },
          ],
        },
        {
          action: 'insertOrUpdate',
          primaryKey: 'id',
          rows: [
            { id: 1, country: 'FR', name: 'John', quantity: 50 },
            { id: 5, country: 'US', name: 'Peter', quantity: 13 },
          ],
        },
        { action: 'delete', primaryKey: 'id', rows: [2, 4] },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'ok', task_id: expect.any(String) });
    expect((await waitTask(app, answer.body.task_id)).body.status).toBe('ok');

    const data = await seren(app, 'POST', `/api/formatted_data/${created.body.uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [{ select: ['id', 'name', 'quantity'], order_by: [{ name: 'id' }] }],
    });
    expect(data.body.data).toEqual([
      [1, 'John', 50],
      [3, 'John', 1],
      [5, 'Peter', 13],
    ]);

    // The client's spelling (`async: false`): new columns ignored, missing ones NULL, keys lower-cased.
    const sync = await seren(app, 'POST', `${route}/batch`, {
      async: false,
      operations: [{ action: 'insert', rows: [{ ID: 6, Name: 'Zoe', extra: 'x' }] }],
    });
    expect(sync.body).toEqual({ status: 'ok' });
    const six = await seren(app, 'POST', `/api/formatted_data/${created.body.uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [
        { select: ['name', 'quantity', 'country'], where: [{ name: 'id', op: '==', value: 6 }] },
      ],
    });
    expect(six.body.data).toEqual([['Zoe', null, null]]);
  });

  it('refuses a batch atomically when a value does not fit its column', async () => {
    const created = await seren(app, 'POST', '/api/data_source', {
      name: 'atomic',
      type: 'Storage',
      jsonContent: {},
    });
    const route = `/api/data_source/${created.body.uuid}`;
    await seren(app, 'POST', `${route}/reload`, [{ id: 1, quantity: 3 }]);
    const answer = await seren(app, 'POST', `${route}/batch`, {
      async: false,
      operations: [
        { action: 'insert', rows: [{ id: 2, quantity: 4 }] },
        { action: 'insert', rows: [{ id: 3, quantity: 'many' }] },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toContain('is incompatible with current table column types');
    const count = await seren(app, 'POST', `/api/formatted_data/${created.body.uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [{ select: [{ name: '$$count$$', agg_function: 'sum' }] }],
    });
    expect(count.body.data[0][0]).toBe(1);
  });

  it('infers int/str/float/datetime from pushed rows; force_types overrides; a misfit value fails', async () => {
    const created = await seren(app, 'POST', '/api/data_source', {
      name: 'typed_push',
      type: 'Storage',
      jsonContent: {},
    });
    const route = `/api/data_source/${created.body.uuid}`;
    const pushed = await seren(app, 'POST', `${route}/push/${created.body.token}`, {
      n: 1,
      label: 'a',
      ratio: 1.5,
      at: '2024-03-01T10:20:30',
    });
    expect(pushed.status).toBe(200);
    const headers = async () =>
      (await seren(app, 'POST', `/api/formatted_data/${created.body.uuid}`, { only_headers: true })).body
        .columns_titles;
    expect(await headers()).toEqual([
      { name: 'n', type: 'int' },
      { name: 'label', type: 'str' },
      { name: 'ratio', type: 'float' },
      { name: 'at', type: 'datetime', datetime_format: '%Y-%m-%dT%H:%M:%S' },
    ]);
    const misfit = await seren(app, 'POST', `${route}/batch`, {
      async: false,
      operations: [
        { action: 'insert', rows: [{ n: 'two', label: 'b', ratio: 2, at: '2024-03-02T00:00:00' }] },
      ],
    });
    expect(misfit.status).toBe(400);
    expect(misfit.body.errors[0]).toContain('is incompatible with current table column types');
  });

  it('lets force_types override the types a file load would infer', async () => {
    const created = await seren(app, 'POST', '/api/data_source', {
      name: 'forced',
      type: 'Storage',
      jsonContent: {},
    });
    const route = `/api/data_source/${created.body.uuid}`;
    const saved = await seren(app, 'PUT', route, {
      ...created.body,
      jsonContent: {
        ...created.body.jsonContent,
        advanced_options: '{"force_types": {"n": "str", "ratio": "float"}}',
      },
    });
    expect(saved.status).toBe(200);
    const upload = await seren(app, 'POST', `${route}/file`, undefined, {
      raw: 'n,label,ratio\n007,b,2\n',
      contentType: 'text/csv',
    });
    expect(upload.status).toBe(201);
    const reload = await seren(app, 'POST', `${route}/reload_from_file`, { async: false });
    expect(reload.body.errors).toBeUndefined();
    const headers = await seren(app, 'POST', `/api/formatted_data/${created.body.uuid}`, {
      only_headers: true,
    });
    expect(headers.body.columns_titles).toEqual([
      { name: 'n', type: 'str' },
      { name: 'label', type: 'str' },
      { name: 'ratio', type: 'float' },
    ]);
    const rows = await seren(app, 'POST', `/api/formatted_data/${created.body.uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [{ select: ['n', 'ratio'] }],
    });
    expect(rows.body.data).toEqual([['007', 2]]);
  });

  it('reloads from JSON rows, replacing the content', async () => {
    const created = await seren(app, 'POST', '/api/data_source', {
      name: 'reloaded',
      type: 'Storage',
      jsonContent: {},
    });
    const route = `/api/data_source/${created.body.uuid}`;
    expect((await seren(app, 'POST', `${route}/reload`, [{ a: 1 }, { a: 2 }])).body).toEqual({
      status: 'ok',
    });
    expect((await seren(app, 'POST', `${route}/reload`, [{ a: 7 }])).body).toEqual({ status: 'ok' });
    const data = await seren(app, 'POST', `/api/formatted_data/${created.body.uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [{ select: ['a'] }],
    });
    expect(data.body.data).toEqual([[7]]);
  });
});
