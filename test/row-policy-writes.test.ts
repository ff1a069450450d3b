import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * Row policies hold for writes: an editor whose rows are France's writes France's rows only, on
 * every write route (rows, batches, files), and the table is checked afterwards with plain SQL.
 */
let app: TestApp;
let source: { id: number; uuid: string };
let editor: string;

const push = (body: object, token = editor) =>
  app.request('POST', `/api/data-sources/${source.id}/rows`, body, { token });

/** The stored rows, as the warehouse itself has them (admin SQL console). */
async function stored(): Promise<string[]> {
  const answer = await app.request('POST', '/api/connections/1/sql', {
    sql: `SELECT id || ':' || country || ':' || amount FROM storage.ds_${source.id} ORDER BY id`,
  });
  expect(answer.status).toBe(200);
  return answer.body.rows.map((row: string[]) => row[0]);
}

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  source = (
    await app.request('POST', '/api/data-sources', {
      name: 'sales',
      type: 'storage',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'country', type: 'string' },
        { name: 'amount', type: 'integer' },
      ],
      primaryKey: ['id'],
      policies: [{ field: 'country', attribute: 'country' }],
    })
  ).body;
  await app.request('POST', '/api/attributes', { key: 'country', type: 'string' });
  const user = await app.request('POST', '/api/users', {
    email: 'fr.editor@example.com',
    role: 'editor',
    password: 'editor password 1',
  });
  await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes: { country: ['France'] } });
  editor = (
    await app.request('POST', '/api/auth/login', {
      email: 'fr.editor@example.com',
      password: 'editor password 1',
    })
  ).body.token;
  // The admin writes both countries: no policy binds an admin.
  expect(
    (
      await push(
        {
          mode: 'insert',
          rows: [
            { id: 1, country: 'France', amount: 10 },
            { id: 2, country: 'Germany', amount: 20 },
          ],
        },
        '',
      )
    ).status,
  ).toBe(401);
  const byAdmin = await app.request('POST', `/api/data-sources/${source.id}/rows`, {
    mode: 'insert',
    rows: [
      { id: 1, country: 'France', amount: 10 },
      { id: 2, country: 'Germany', amount: 20 },
    ],
  });
  expect(byAdmin.status).toBe(200);
}, 120_000);
afterAll(() => app?.close());

describe('writes under a row policy', () => {
  it('inserts rows inside the policy and refuses, naming it, a row outside', async () => {
    expect((await push({ mode: 'insert', rows: [{ id: 3, country: 'France', amount: 30 }] })).status).toBe(
      200,
    );
    const outside = await push({
      mode: 'insert',
      rows: [
        { id: 4, country: 'France', amount: 40 },
        { id: 5, country: 'Germany', amount: 50 },
      ],
    });
    expect(outside.status).toBe(403);
    expect(outside.body.error.field).toBe('rows[2].country');
    expect(outside.body.error.message).toContain('"Germany" is outside your rows');
    const blank = await push({ mode: 'insert', rows: [{ id: 6, amount: 60 }] });
    expect(blank.status).toBe(403);
    expect(await stored()).toEqual(['1:France:10', '2:Germany:20', '3:France:30']);
  });

  it('upserts and deletes only rows that are inside the policy already', async () => {
    // Taking over Germany's row by its key, even with French values, is refused.
    const takeover = await push({ mode: 'upsert', rows: [{ id: 2, country: 'France', amount: 0 }] });
    expect(takeover.status).toBe(403);
    expect(takeover.body.error.message).toContain('the stored row id=2 is outside your rows');
    expect((await push({ mode: 'upsert', rows: [{ id: 1, country: 'France', amount: 11 }] })).status).toBe(
      200,
    );
    const deletion = await push({ mode: 'delete', rows: [{ id: 2 }] });
    expect(deletion.status).toBe(403);
    expect((await push({ mode: 'delete', rows: [{ id: 3 }] })).status).toBe(200);
    expect(await stored()).toEqual(['1:France:11', '2:Germany:20']);
  });

  it('refuses replacing the table and loading files to a bound writer', async () => {
    const replace = await push({ mode: 'replace', rows: [{ id: 1, country: 'France', amount: 1 }] });
    expect(replace.status).toBe(403);
    expect(replace.body.error.field).toBe('mode');
    const csv = await app.rosetta.server.inject({
      method: 'POST',
      url: `/api/data-sources/${source.id}/csv`,
      headers: { authorization: `Bearer ${editor}`, 'content-type': 'text/csv' },
      payload: 'id,country,amount\n7,France,70\n',
    });
    expect(csv.statusCode).toBe(403);
    expect(await stored()).toEqual(['1:France:11', '2:Germany:20']);
  });

  it('holds on the Serenytics face too, in batches', async () => {
    const batch = await app.rosetta.server.inject({
      method: 'POST',
      url: `/serenytics/api/data_source/${source.uuid}/batch`,
      headers: { 'x-api-key': editor, 'content-type': 'application/json' },
      payload: JSON.stringify({
        async_: false,
        operations: [
          { action: 'insert', rows: [{ id: 8, country: 'France', amount: 80 }] },
          { action: 'delete', primaryKey: 'id', rows: [2] },
        ],
      }),
    });
    expect(batch.statusCode).toBe(403);
    expect(batch.json().errors[0]).toContain('id=2');
    // Atomic: the insert of the same batch did not happen either.
    expect(await stored()).toEqual(['1:France:11', '2:Germany:20']);
  });
});
