import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seren } from './serenytics/support.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';

/**
 * Decompression bombs: a few KB of gzip that expand past `ROSETTA_UPLOAD_MAX_MB` (1 MB here) are
 * refused with a 413 naming the file, on the native CSV route and on Serenytics file uploads and
 * loads, and nothing is stored: the source keeps exactly its rows, columns and version, and no
 * temporary file is left behind.
 */
const bombCsv = `n,label,extra\n${'7,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,x\n'.repeat(80_000)}`; // ≈ 2.7 MB
const bomb = gzipSync(bombCsv);

describe('decompressed upload limit', () => {
  let app: TestApp;
  let source: string;

  /** What must not change: the rows, the columns and the version of the source. */
  const state = async () => {
    const rows = await app.request('POST', '/api/query', {
      source,
      aggregate: false,
      dimensions: ['n', 'label'],
      sorts: ['n'],
    });
    const described = await app.request('GET', `/api/data-sources/${source}`);
    return { rows: rows.body.rows, columns: described.body.columns, version: described.body.version };
  };
  /** The files left in the uploads directory once the last request's clean-up (after its answer) ran. */
  const uploads = async () => {
    const left = () => readdirSync(join(app.dataDir, 'uploads'));
    for (let i = 0; i < 40 && left().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    return left();
  };

  const postCsv = (payload: Buffer | string, contentType: string, mode = 'replace') =>
    app.rosetta.server.inject({
      method: 'POST',
      url: `/api/data-sources/${source}/csv?mode=${mode}`,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': contentType },
      payload,
    });

  beforeAll(async () => {
    app = await startTestApp({ demo: false, env: { ROSETTA_UPLOAD_MAX_MB: '1' } });
    const created = await app.request('POST', '/api/data-sources', {
      name: 'target',
      type: 'storage',
      columns: [
        { name: 'n', type: 'integer' },
        { name: 'label', type: 'string' },
      ],
      primaryKey: ['n'],
    });
    source = created.body.uuid;
    await app.request('POST', `/api/data-sources/${source}/rows`, {
      mode: 'insert',
      rows: [
        { n: 1, label: 'one' },
        { n: 2, label: 'two' },
      ],
    });
  });
  afterAll(() => app.close());

  it('refuses a gzip CSV that inflates past the limit with a 413, storing nothing', async () => {
    expect(bomb.length).toBeLessThan(50_000);
    const before = await state();
    expect(before.rows).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    // A replace bringing a new column would redefine the table: it must not get that far either.
    for (const mode of ['replace', 'append']) {
      const answer = await postCsv(bomb, 'application/gzip', mode);
      expect(answer.statusCode, answer.body).toBe(413);
      expect(answer.json().error).toMatchObject({ code: 'ERR_LIMIT', field: 'file' });
      expect(answer.json().error.message).toMatch(/^file: larger than the upload limit of 1 MB/);
    }
    expect(await state()).toEqual(before);
    expect(await uploads()).toEqual([]);
  });

  it('refuses a plain CSV over the limit and loads a gzip CSV under it', async () => {
    const before = await state();
    expect((await postCsv(bombCsv, 'text/csv')).statusCode).toBe(413);
    expect(await state()).toEqual(before);

    const small = await postCsv(gzipSync('n,label\n3,three\n'), 'application/gzip', 'append');
    expect(small.json()).toEqual({ rows: 1, version: before.version + 1 });
    expect((await state()).rows).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(await uploads()).toEqual([]);
  });

  it('refuses the bomb as a Serenytics file upload, in the vendor envelope', async () => {
    const before = await state();
    const staged = await seren(app, 'POST', `/api/data_source/${source}/file`, undefined, {
      raw: bomb,
      contentType: 'application/octet-stream',
    });
    expect(staged.status).toBe(413);
    expect(staged.body).toEqual({
      status: 'error',
      errors: [expect.stringMatching(/^file: larger than the upload limit of 1 MB/)],
    });
    // Nothing was staged: loading now finds no file.
    const load = await seren(app, 'POST', `/api/data_source/${source}/reload_from_file`, { async_: false });
    expect(load.status).toBe(400);
    expect(load.body.errors[0]).toMatch(/no file was uploaded/);
    const json = Buffer.from(
      JSON.stringify(Array.from({ length: 40_000 }, (_, n) => ({ n, label: 'x'.repeat(20) }))),
    );
    expect(json.length).toBeGreaterThan(1024 * 1024);
    const tooBigJson = await seren(app, 'POST', `/api/data_source/${source}/file`, undefined, {
      raw: json,
      contentType: 'application/json',
    });
    expect(tooBigJson.status).toBe(413);
    expect(await state()).toEqual(before);
  });
});

describe('decompressed upload limit on files staged before it was lowered', () => {
  let app: TestApp;
  let source: string;
  const rowsOf = async () =>
    (
      await app.request('POST', '/api/query', {
        source,
        aggregate: false,
        dimensions: ['n', 'label'],
        sorts: ['n'],
      })
    ).body.rows;

  beforeAll(async () => {
    app = await startTestApp({ demo: false });
    source = (await seren(app, 'POST', '/api/data_source', { name: 'staged', type: 'Storage' })).body.uuid;
    const reloaded = await seren(app, 'POST', `/api/data_source/${source}/reload`, [
      { n: 1, label: 'one' },
      { n: 2, label: 'two' },
    ]);
    expect(reloaded.status, JSON.stringify(reloaded.body)).toBe(200);
    const staged = await seren(app, 'POST', `/api/data_source/${source}/file`, undefined, {
      raw: bomb,
      contentType: 'application/octet-stream',
    });
    expect(staged.status).toBe(201);
    await app.stop();
    app = await startTestApp({ dataDir: app.dataDir, demo: false, env: { ROSETTA_UPLOAD_MAX_MB: '1' } });
  });
  afterAll(() => app.close());

  it('refuses reload_from_file and update_from_file with a 413 and keeps the rows', async () => {
    const before = await rowsOf();
    expect(before).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    const reload = await seren(app, 'POST', `/api/data_source/${source}/reload_from_file`, { async_: false });
    expect(reload.status, JSON.stringify(reload.body)).toBe(413);
    expect(reload.body.errors[0]).toMatch(/^file: larger than the upload limit of 1 MB/);
    const update = await seren(app, 'POST', `/api/data_source/${source}/update_from_file`, {
      async_: false,
      primary_key: 'n',
    });
    expect(update.status, JSON.stringify(update.body)).toBe(413);
    expect(await rowsOf()).toEqual(before);
    const columns = (await app.request('GET', `/api/data-sources/${source}`)).body.columns;
    expect(columns.map((c: { name: string }) => c.name)).toEqual(['n', 'label']);
  });
});
