import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

let app: TestApp;
let demo: number;
let other: number;

beforeAll(async () => {
  app = await startTestApp();
  const created = await app.request('POST', '/api/data-sources', { type: 'storage', name: 'second' });
  other = created.body.id;
  const sources = (await app.request('GET', '/api/data-sources')).body.items;
  demo = sources.find((source: { name: string }) => source.name === 'demo_sales').id;
}, 120_000);
afterAll(() => app?.close());

describe('PATCH /api/api-keys/:id', () => {
  it('renames a key and edits the sources of a data-API key, which the key then follows', async () => {
    const created = await app.request('POST', '/api/api-keys', { name: 'partner', dataSourceIds: [demo] });
    expect(created.status).toBe(201);
    const { id, key } = created.body;
    const visible = async () =>
      (await app.request('GET', '/api/data-sources', undefined, { token: key })).body.items.map(
        (source: { id: number }) => source.id,
      );
    expect(await visible()).toEqual([demo]);

    const added = await app.request('PATCH', `/api/api-keys/${id}`, {
      name: 'partner B',
      addDataSourceId: other,
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ id, name: 'partner B', dataSourceIds: [demo, other] });
    expect(added.body.key).toBeUndefined();
    expect(await visible()).toEqual([demo, other]);

    const removed = await app.request('PATCH', `/api/api-keys/${id}`, { removeDataSourceId: demo });
    expect(removed.body.dataSourceIds).toEqual([other]);
    expect(await visible()).toEqual([other]);

    const set = await app.request('PATCH', `/api/api-keys/${id}`, { dataSourceIds: [demo] });
    expect(set.body.dataSourceIds).toEqual([demo]);
    const listed = (await app.request('GET', '/api/api-keys')).body.items;
    expect(listed.find((k: { id: number }) => k.id === id)).toMatchObject({
      name: 'partner B',
      dataSourceIds: [demo],
    });
  });

  it('answers 400 naming the field, 404 for keys the caller cannot manage, 403 to a data key', async () => {
    const full = (await app.request('POST', '/api/api-keys', { name: 'mine' })).body;
    const data = (await app.request('POST', '/api/api-keys', { name: 'p', dataSourceIds: [demo] })).body;
    const cases: [number, unknown, string][] = [
      [full.id, { dataSourceIds: [demo] }, 'dataSourceIds'],
      [data.id, { dataSourceIds: null }, 'dataSourceIds'],
      [data.id, { dataSourceIds: [] }, 'dataSourceIds'],
      [data.id, { dataSourceIds: [demo, 4242] }, 'dataSourceIds'],
      [data.id, { addDataSourceId: 4242 }, 'addDataSourceId'],
      [data.id, { removeDataSourceId: demo }, 'removeDataSourceId'],
      [data.id, { expiresAt: '2100-01-01T00:00:00Z' }, 'expiresAt'],
      [data.id, { name: 42 }, 'name'],
    ];
    for (const [id, body, field] of cases) {
      const answer = await app.request('PATCH', `/api/api-keys/${id}`, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.field).toBe(field);
    }
    const unknown = await app.request('POST', '/api/api-keys', { name: 'p', dataSourceIds: [4242, 4343] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('dataSourceIds: unknown data sources 4242, 4343');

    expect((await app.request('PATCH', '/api/api-keys/999999', { name: 'x' })).status).toBe(404);
    const byDataKey = await app.request(
      'PATCH',
      `/api/api-keys/${data.id}`,
      { name: 'x' },
      { token: data.key },
    );
    // A data-API key lists and queries its sources, and manages nothing, itself included.
    expect(byDataKey.status).toBe(403);
    expect(
      (await app.request('PATCH', `/api/api-keys/${data.id}`, { name: 'x' }, { token: '' })).status,
    ).toBe(401);
  });

  it('is documented in the OpenAPI description', async () => {
    const spec = (await app.request('GET', '/api/openapi.json')).body;
    const patch = spec.paths['/api/api-keys/{id}'].patch;
    expect(Object.keys(patch.requestBody.content['application/json'].schema.properties)).toEqual([
      'name',
      'dataSourceIds',
      'addDataSourceId',
      'removeDataSourceId',
    ]);
  });
});

describe('a data-API key', () => {
  it("lists and queries its sources and nothing else, not even its owner's exports", async () => {
    const key = (await app.request('POST', '/api/api-keys', { name: 'partner', dataSourceIds: [other] })).body
      .key;
    const asKey = (method: string, url: string, body?: unknown) =>
      app.request(method, url, body, { token: key });
    // The owner (an admin) exports the other source; the job is theirs.
    const demoUuid = (await app.request('GET', `/api/data-sources/${demo}`)).body.uuid;
    const exported = await app.request('POST', '/api/exports', {
      query: { source: demoUuid, metrics: [{ aggregation: 'count' }] },
      format: 'csv',
    });
    expect(exported.status).toBe(202);
    const job = exported.body.job.id;
    const dashboard = (await app.request('GET', '/api/dashboards')).body.items[0].id;
    for (const [method, url, body] of [
      ['GET', `/api/jobs/${job}/download`],
      ['GET', `/api/jobs/${job}`],
      ['GET', '/api/jobs'],
      ['POST', `/api/dashboards/${dashboard}/embeds`, { expiresInSeconds: 60 }],
      ['GET', '/api/users'],
      ['GET', '/api/groups'],
      ['GET', '/api/dashboards'],
      ['PUT', `/api/dashboards/${dashboard}/favourite`],
      [
        'POST',
        '/api/exports',
        { query: { source: demoUuid, metrics: [{ aggregation: 'count' }] }, format: 'csv' },
      ],
      ['GET', '/api/me'],
    ] as const) {
      const answer = await asKey(method, url, body);
      expect(answer.status, `${method} ${url}`).toBe(403);
    }
    expect((await asKey('GET', '/api/data-sources')).body.items.map((s: { id: number }) => s.id)).toEqual([
      other,
    ]);
    expect((await asKey('GET', `/api/data-sources/${demo}`)).status).toBe(404);
    const otherUuid = (await app.request('GET', `/api/data-sources/${other}`)).body.uuid;
    // Before its first rows a storage source has nothing to query: a 400 that says so.
    const empty = await asKey('POST', '/api/query', {
      source: otherUuid,
      metrics: [{ aggregation: 'count' }],
    });
    expect(empty.body.error).toMatchObject({
      field: 'source',
      message: expect.stringContaining('no columns yet'),
    });
    await app.request('POST', `/api/data-sources/${other}/rows`, {
      mode: 'insert',
      rows: [{ n: 1 }, { n: 2 }],
    });
    const counted = await asKey('POST', '/api/query', {
      source: otherUuid,
      metrics: [{ aggregation: 'count' }],
    });
    expect(counted.body.rows).toEqual([[2]]);
    expect(
      (await asKey('POST', '/api/query', { source: demoUuid, metrics: [{ aggregation: 'count' }] })).status,
    ).toBe(403);
  });
});
