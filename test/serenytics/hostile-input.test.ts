import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

/**
 * Hostile input through the Serenytics face: random JSON on every write route answers a 4xx (or
 * formatted_data's HTTP 200 `status: "error"`), never a 500. The routes act on throwaway objects,
 * and the demo data and dashboard are unchanged afterwards. Script runs and PDF generation are
 * left out: a body that happens to be valid would start processes and renders, not test input.
 */
describe('hostile input through the Serenytics face', () => {
  let app: TestApp;
  let demoSource: string;
  let demoDashboard: string;
  let snapshot: string;
  /** A throwaway storage source holding rows `{id: 1, name: 'a'}`. */
  let fuzz: string;
  const routes: Array<[string, string]> = [];

  const storedState = async () => {
    const rows = await app.request('POST', '/api/query', {
      source: demoSource,
      metrics: [{ field: 'quantity', aggregation: 'sum' }, { aggregation: 'count' }],
    });
    const dashboard = await seren(app, 'GET', `/api/web_app/${demoDashboard}`);
    return JSON.stringify([rows.body.rows, dashboard.body]);
  };

  beforeAll(async () => {
    app = await startTestApp();
    const sources = (await seren(app, 'GET', '/api/data_source')).body.objects;
    demoSource = sources.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    const webApps = (await seren(app, 'GET', '/api/web_app')).body.objects;
    demoDashboard = webApps.find((w: { name: string }) => w.name === DEMO_DASHBOARD_NAME).uuid;
    snapshot = await storedState();

    const source = (await seren(app, 'POST', '/api/data_source', { name: 'fuzz', type: 'Storage' })).body
      .uuid;
    fuzz = source;
    const reloaded = await seren(app, 'POST', `/api/data_source/${source}/reload`, [{ id: 1, name: 'a' }]);
    expect(reloaded.status, JSON.stringify(reloaded.body)).toBe(200);
    const board = (await seren(app, 'POST', `/api/web_app/${demoDashboard}/clone`)).body.uuid;
    const user = (
      await seren(app, 'POST', '/api/user', {
        username: 'fuzz@example.com',
        password: 'longEnoughPassword',
        category: 'viewer',
      })
    ).body.uuid;
    const group = (await seren(app, 'POST', '/api/usersgroup', { name: 'fuzzers' })).body.uuid;
    const script = (await seren(app, 'POST', '/api/script', { name: 'fuzz', code: '', language: 'python' }))
      .body.uuid;
    routes.push(
      ['POST', '/api/data_source'],
      ['PUT', `/api/data_source/${source}`],
      ['POST', `/api/data_source/${source}/batch`],
      ['POST', `/api/data_source/${source}/reload`],
      ['POST', `/api/data_source/${source}/invalidate_cache`],
      ['POST', `/api/data_source/${source}/export_source_data`],
      ['POST', `/api/data_source/${source}/reload_from_file`],
      ['POST', `/api/data_source/${source}/update_from_file`],
      ['POST', `/api/formatted_data/${demoSource}`],
      ['POST', `/api/data_source/formatted_data/${source}`],
      ['PUT', `/api/web_app/${board}`],
      ['POST', `/api/web_app/${board}/dashboard_variables`],
      ['POST', `/api/web_app/${board}/embed`],
      ['POST', `/api/web_app/${board}/sharings`],
      ['POST', '/api/user'],
      ['PUT', `/api/user/${user}`],
      ['POST', '/api/usersgroup'],
      ['POST', `/api/usersgroup/${group}/adduser`],
      ['POST', `/api/usersgroup/${group}/removeuser`],
      ['POST', '/api/folder'],
      ['POST', '/api/script'],
      ['PUT', `/api/script/${script}`],
      ['PUT', `/api/script/${script}/storage`],
      ['POST', '/api/email'],
    );
  }, 120_000);
  afterAll(async () => {
    expect(await storedState()).toBe(snapshot);
    await app?.close();
  });

  it('refuses NUL and numbers no column holds on every data route, storing nothing', async () => {
    const huge = '9'.repeat(400);
    const rowsOf = async () =>
      (
        await seren(app, 'POST', `/api/formatted_data/${fuzz}`, {
          order: 'row_by_row',
          data_processing_pipeline: [{ select: ['id', 'name'], order_by: ['id'] }],
        })
      ).body.data;
    const before = await rowsOf();
    expect(before).toEqual([[1, 'a']]);
    const route = `/api/data_source/${fuzz}`;
    const refused = async (path: string, body: unknown, problem: RegExp | string) => {
      const answer = await seren(
        app,
        'POST',
        path,
        typeof body === 'string' ? undefined : body,
        typeof body === 'string' ? { raw: body } : {},
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      if (typeof problem === 'string') expect(answer.body.errors[0]).toContain(problem);
      else expect(answer.body.errors[0]).toMatch(problem);
    };
    const nul = /must not contain the NUL character/;
    const batch = (row: string) => `{"async": false, "operations": [{"action": "insert", "rows": [${row}]}]}`;
    await refused(
      `${route}/batch`,
      batch('{"id": 2, "name": "x\\u0000"}'),
      /^rows\[1\]\.name: must not contain the NUL/,
    );
    await refused(`${route}/batch`, batch(`{"id": ${huge}}`), /^rows\[1\]\.id: number out of range/);
    // Accepted for later, it is refused up front too: the job's JSON payload would make it null.
    const later = batch(`{"id": ${huge}}`).replace('"async": false', '"async": true');
    await refused(`${route}/batch`, later, /^rows\[1\]\.id: number out of range/);
    await refused(`${route}/batch`, batch(`{"id": "${huge}"}`), /^rows\[1\]\.id: out of range for integer/);
    await refused(
      `${route}/batch`,
      batch(`{"id": 2, "name": -${huge}}`),
      /^rows\[1\]\.name: number out of range/,
    );
    const token = (await seren(app, 'GET', route)).body.token;
    await refused(`${route}/push/${token}`, { id: 3, name: 'x\u0000' }, nul);
    // A reload bringing new columns would redefine the table: a NUL name must stop it first.
    await refused(
      `${route}/reload`,
      [{ id: 4, 'na\u0000me': 'x' }],
      'rows[1].na\u0000me: must not contain the NUL',
    );
    expect(await rowsOf()).toEqual(before);

    const where = async (value: unknown, column = 'name') =>
      (
        await seren(app, 'POST', `/api/formatted_data/${fuzz}`, {
          data_processing_pipeline: [{ select: ['id'], where: [{ name: column, op: '==', value }] }],
        })
      ).body;
    expect(await where('a\u0000')).toMatchObject({ status: 'error', errors: [expect.stringMatching(nul)] });
    expect(await where(huge, 'id')).toMatchObject({
      status: 'error',
      errors: [expect.stringMatching(/out of range for integer/)],
    });
    const dataApi = await app.rosetta.server.inject({
      method: 'POST',
      url: `/serenytics/data-api/query-data/${fuzz}`,
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      payload: JSON.stringify({
        data_processing_pipeline: [{ select: ['id'], where: [{ name: 'name', op: '==', value: 'a\u0000' }] }],
      }),
    });
    expect(dataApi.statusCode, dataApi.body).toBe(400);
    expect(dataApi.json().errors[0]).toMatch(nul);
  });

  it('never answers random JSON with a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.jsonValue({ maxDepth: 3 }),
        async ([method, url], body) => {
          const response = await seren(app, method, url, body);
          expect(response.status, JSON.stringify({ method, url, body, answer: response.body })).toBeLessThan(
            500,
          );
          if (response.status >= 400) expect(response.body?.errors?.[0]).toBeTruthy();
        },
      ),
      { numRuns: 500 },
    );
  }, 120_000);

  it('never answers random JSON on the data API with a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(`/query-data/${demoSource}`, `/query-model/${demoSource}`, '/query-data/not-a-uuid'),
        fc.jsonValue({ maxDepth: 3 }),
        async (route, body) => {
          const response = await app.rosetta.server.inject({
            method: 'POST',
            url: `/serenytics/data-api${route}`,
            headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
            payload: JSON.stringify(body),
          });
          expect(response.statusCode, JSON.stringify({ route, body, answer: response.body })).toBeLessThan(
            500,
          );
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
