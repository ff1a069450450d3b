import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren, waitTask } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 120_000);
afterAll(() => app?.close());

async function storage(name: string) {
  const created = await seren(app, 'POST', '/api/data_source', { name, type: 'Storage', jsonContent: {} });
  expect(created.status).toBe(201);
  return created.body;
}

const rowsOf = async (uuid: string, select: string[]) =>
  (
    await seren(app, 'POST', `/api/formatted_data/${uuid}`, {
      order: 'row_by_row',
      data_processing_pipeline: [{ select, order_by: [select[0]] }],
    })
  ).body;

describe('reload_data_from_file and update_data_from_file (as the client sends them)', () => {
  it('saves the separator and force_types, uploads (201), reloads as a task, then updates on a key', async () => {
    const config = await storage('from_file');
    const route = `/api/data_source/${config.uuid}`;
    // 1. the client saves the load options in the config
    const saved = await seren(app, 'PUT', route, {
      ...config,
      originalFileName: 'sales.csv',
      jsonContent: {
        ...config.jsonContent,
        separator: ';',
        advanced_options: '{"force_types": {"code": "str"}}',
      },
    });
    expect(saved.status).toBe(200);
    // 2. no signed S3 URL here: the client falls back to posting the file
    const sign = await seren(
      app,
      'GET',
      `/api/data_source/sign_s3/?s3_object_type=csv/gz&s3_object_name=${config.uuid}`,
    );
    expect(sign.body.status).toBe('error');
    const csv = 'id;code;amount\n1;007;10.5\n2;042;3\n';
    const upload = await seren(app, 'POST', `${route}/file`, undefined, {
      raw: csv,
      contentType: 'application/json',
    });
    expect(upload.status).toBe(201);
    // 3. reload from the file as a task
    const reload = await seren(app, 'POST', `${route}/reload_from_file`, { async: true });
    expect(reload.body.task_id).toEqual(expect.any(String));
    expect((await waitTask(app, reload.body.task_id)).body.status).toBe('ok');
    const headers = await seren(app, 'POST', `/api/formatted_data/${config.uuid}`, { only_headers: true });
    expect(headers.body.columns_titles).toEqual([
      { name: 'id', type: 'int' },
      { name: 'code', type: 'str' },
      { name: 'amount', type: 'float' },
    ]);
    expect((await rowsOf(config.uuid, ['id', 'code', 'amount'])).data).toEqual([
      [1, '007', 10.5],
      [2, '042', 3],
    ]);

    // update_from_file with a gzip file: row 2 changes, row 3 is new
    const update = gzipSync(Buffer.from('id;code;amount\n2;043;4\n3;100;1\n'));
    expect(
      (
        await seren(app, 'POST', `${route}/file`, undefined, {
          raw: update,
          contentType: 'application/octet-stream',
        })
      ).status,
    ).toBe(201);
    const updated = await seren(app, 'POST', `${route}/update_from_file`, { primary_key: 'id', async: true });
    expect((await waitTask(app, updated.body.task_id)).body.status).toBe('ok');
    expect((await rowsOf(config.uuid, ['id', 'code', 'amount'])).data).toEqual([
      [1, '007', 10.5],
      [2, '043', 4],
      [3, '100', 1],
    ]);
  });

  it('lower-cases CSV headers, as the doc asks of every column name (reload and update)', async () => {
    const config = await storage('mixed_case_file');
    const route = `/api/data_source/${config.uuid}`;
    const upload = (raw: string) =>
      seren(app, 'POST', `${route}/file`, undefined, { raw, contentType: 'text/csv' });
    expect((await upload('Id,Country Name,AMOUNT\n1,FR,2\n2,US,3\n')).status).toBe(201);
    expect((await seren(app, 'POST', `${route}/reload_from_file`, { async: false })).body).toEqual({
      status: 'ok',
    });
    const headers = await seren(app, 'POST', `/api/formatted_data/${config.uuid}`, { only_headers: true });
    expect(headers.body.columns_titles.map((c: { name: string }) => c.name)).toEqual([
      'id',
      'country name',
      'amount',
    ]);
    expect((await upload('ID,COUNTRY NAME,Amount\n2,DE,5\n')).status).toBe(201);
    const updated = await seren(app, 'POST', `${route}/update_from_file`, {
      primary_key: 'Id',
      async: false,
    });
    expect(updated.body).toEqual({ status: 'ok' });
    expect((await rowsOf(config.uuid, ['id', 'country name', 'amount'])).data).toEqual([
      [1, 'FR', 2],
      [2, 'DE', 5],
    ]);
  });

  it('refuses a pandas pickle with a 400 naming CSV and JSON', async () => {
    const config = await storage('pickled');
    const pickle = gzipSync(Buffer.from([0x80, 0x04, 0x95, 0x00, 0x01]));
    const answer = await seren(app, 'POST', `/api/data_source/${config.uuid}/file`, undefined, {
      raw: pickle,
      contentType: 'application/octet-stream',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toMatch(/CSV/);
    expect(answer.body.errors[0]).toMatch(/JSON/);
  });

  it('reports a failed file load in the task', async () => {
    const config = await storage('typed');
    await seren(app, 'POST', `/api/data_source/${config.uuid}/reload`, [{ id: 1 }]);
    await seren(app, 'POST', `/api/data_source/${config.uuid}/file`, undefined, {
      raw: 'id\nabc\n',
      contentType: 'text/csv',
    });
    const reload = await seren(app, 'POST', `/api/data_source/${config.uuid}/reload_from_file`, {
      async: true,
    });
    const task = await waitTask(app, reload.body.task_id);
    expect(task.body.status).toBe('error');
    expect(task.body.errors[0]).toEqual(expect.any(String));
    const sync = await seren(app, 'POST', `/api/data_source/${config.uuid}/reload_from_file`, {
      async: false,
    });
    expect(sync.status).toBe(400);
  });
});

describe('push/{token}', () => {
  it('appends one row with the source token, and refuses another token (403)', async () => {
    const config = await storage('pushed');
    expect(config.token).toEqual(expect.any(String));
    const route = `/api/data_source/${config.uuid}/push`;
    expect((await seren(app, 'POST', `${route}/${config.token}`, { Name: 'a', n: 1 })).body).toEqual({
      status: 'ok',
    });
    expect(
      (await seren(app, 'POST', `${route}/${config.token}`, { name: 'b', n: 2, extra: true })).status,
    ).toBe(200);
    expect((await seren(app, 'POST', `${route}/wrong`, { name: 'c', n: 3 })).status).toBe(403);
    expect((await rowsOf(config.uuid, ['name', 'n'])).data).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});

describe('export_source_data (get_dataset)', () => {
  it('answers a signed csv_url that downloads without the API key', async () => {
    const config = await storage('exported');
    await seren(app, 'POST', `/api/data_source/${config.uuid}/reload`, [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    const answer = await seren(app, 'POST', `/api/data_source/${config.uuid}/export_source_data`, {
      export_format: 'csv',
    });
    expect(answer.body).toMatchObject({
      status: 'ok',
      output_file_format: 'csv',
      csv_url: expect.any(String),
    });
    const url = new URL(answer.body.csv_url);
    const file = await app.rosetta.server.inject({ method: 'GET', url: url.pathname + url.search });
    expect(file.statusCode).toBe(200);
    expect(file.body.trim().split(/\r?\n/)).toEqual(['id,name', '1,a', '2,b']);
    expect(
      (
        await seren(app, 'POST', `/api/data_source/${config.uuid}/export_source_data`, {
          export_format: 'parquet',
        })
      ).status,
    ).toBe(400);
  });
});
