import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { DEMO } from './jaql-support.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

/**
 * The data catalogue of the Sisense face: JAQL data sources, field search, the v2 schema, and
 * REST v1 datasets (read, create on a connection, rename, share, delete), checked against the
 * native API.
 */
let app: TestApp;
const PASSWORD = 'a-long-password-1';
let connectionOid: string;
let viewerToken: string;
let viewerOid: string;
let otherToken: string;
let demoTable: { schema: string; table: string };

async function oidOf(kind: 'user' | 'group' | 'connection', id: number): Promise<string> {
  const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
  return app.rosetta.services.externalIds.idOf(admin.organizationId, kind, id, 'hex24');
}

async function createViewer(name: string): Promise<{ token: string; oid: string }> {
  const email = `${name}@datasets.test`;
  const created = await app.request('POST', '/api/users', { email, role: 'viewer', password: PASSWORD });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { token: await sisenseLogin(app, email, PASSWORD), oid: await oidOf('user', created.body.id) };
}

/** A dataset over the demo source's warehouse table, created through the face. */
const newDataset = (title: string, connection: unknown = connectionOid) =>
  sx(app, 'POST', '/api/v1/datasets/', {
    title,
    type: 'extract',
    connection,
    schema: {
      tables: [
        {
          name: 'sales',
          table: demoTable.table,
          schemaName: demoTable.schema,
          columns: [{ name: 'country' }, { name: 'quantity' }],
        },
      ],
    },
  });

beforeAll(async () => {
  app = await startTestApp();
  const sources = await app.request('GET', '/api/data-sources');
  const demo = sources.body.items.find((source: { name: string }) => source.name === DEMO);
  const detail = (await app.request('GET', `/api/data-sources/${demo.id}`)).body;
  demoTable = { schema: detail.schema, table: detail.table };
  const connections = await app.request('GET', '/api/connections');
  connectionOid = await oidOf('connection', connections.body.items[0].id);
  ({ token: viewerToken, oid: viewerOid } = await createViewer('viewer'));
  ({ token: otherToken } = await createViewer('other'));
});
afterAll(() => app?.close());

describe('JAQL catalogue', () => {
  it('lists every data source with and without the trailing slash, with the datasets fullname', async () => {
    const listed = await sx(app, 'GET', '/api/datasources/?sharedWith=r,w', undefined, {
      token: viewerToken,
    });
    expect(listed.status, listed.text).toBe(200);
    const demo = listed.body.find((source: { title: string }) => source.title === DEMO);
    expect(demo).toMatchObject({
      fullname: `LocalHost/${DEMO}`,
      live: false,
      address: 'LocalHost',
      database: DEMO,
    });
    expect(demo.id).toMatch(/^[0-9a-f]{24}$/);
    expect((await sx(app, 'GET', '/api/datasources')).body).toEqual(listed.body);
    const datasets = await sx(app, 'GET', '/api/v1/datasets', undefined, { token: viewerToken });
    expect(datasets.status, datasets.text).toBe(200);
    expect(datasets.body.map((d: { fullname: string; _id: string }) => [d.fullname, d._id])).toEqual(
      listed.body.map((s: { fullname: string; id: string }) => [s.fullname, s.id]),
    );
    expect((await sx(app, 'GET', '/api/datasources?sharedWith=x')).body.error.field).toBe('sharedWith');
  });

  it('searches the fields of a data source by term, table and window', async () => {
    const path = `/api/datasources/${DEMO}/fields/search`;
    const all = await sx(app, 'POST', path, { offset: 0, count: 9999 }, { token: viewerToken });
    expect(all.status, all.text).toBe(200);
    expect(all.body).toContainEqual({
      id: `[${DEMO}.country]`,
      type: 'dimension',
      dimtype: 'text',
      title: 'country',
      table: DEMO,
      column: 'country',
      tableTitle: DEMO,
      columnTitle: 'country',
      indexed: true,
      merged: false,
    });
    const found = await sx(app, 'POST', path, { offset: 0, count: 10, term: 'COUNT' });
    expect(found.body.map((field: { column: string }) => field.column)).toEqual(['country']);
    expect((await sx(app, 'POST', path, { offset: 1, count: 1 })).body).toEqual([all.body[1]]);
    expect((await sx(app, 'POST', path, { offset: 0, count: 10, tableFilter: 'nope' })).body).toEqual([]);
    expect((await sx(app, 'POST', path, { offset: -1, count: 1 })).body.error.field).toBe('offset');
    expect(
      (await sx(app, 'POST', '/api/datasources/nothing/fields/search', { offset: 0, count: 1 })).status,
    ).toBe(404);
  });

  it('answers the v2 schema of a data model', async () => {
    const schema = await sx(app, 'GET', `/api/v2/datamodels/schema?title=${DEMO}`, undefined, {
      token: viewerToken,
    });
    expect(schema.status, schema.text).toBe(200);
    expect(schema.body).toMatchObject({ title: DEMO, fullname: `LocalHost/${DEMO}` });
    const [table] = schema.body.datasets[0].schema.tables;
    expect(table.name).toBe(DEMO);
    expect(table.columns.map((column: { name: string }) => column.name)).toContain('country');
    expect((await sx(app, 'GET', '/api/v2/datamodels/schema?title=nothing')).status).toBe(404);
    expect(Array.isArray((await sx(app, 'GET', '/api/v2/datamodels/schema')).body)).toBe(true);
  });
});

describe('REST v1 datasets', () => {
  it('reads one by id, by fullname (encoded or not), transformed, with an expanded connection', async () => {
    const [demo] = (await sx(app, 'GET', '/api/v1/datasets')).body.filter(
      (d: { title: string }) => d.title === DEMO,
    );
    expect(demo.connection).toBe(connectionOid);
    expect((await sx(app, 'GET', `/api/v1/datasets/${demo._id}`)).body).toEqual(demo);
    for (const path of [`LocalHost%2F${DEMO}`, `LocalHost/${DEMO}`]) {
      const read = await sx(app, 'GET', `/api/v1/datasets/by_fullname/${path}`, undefined, {
        token: viewerToken,
      });
      expect(read.body, read.text).toEqual(demo);
    }
    const expanded = await sx(app, 'GET', `/api/v1/datasets/${demo._id}?expand=connection`);
    expect(expanded.body.connection).toMatchObject({ oid: connectionOid });
    expect(expanded.body.connection.parameters).toBeUndefined();
    const transformed = await sx(app, 'GET', `/api/v1/datasets/${demo._id}/transformed`);
    expect(transformed.body.schema.tables[0].columns).toContainEqual(
      expect.objectContaining({ dim: `[${DEMO}.country]` }),
    );
    expect((await sx(app, 'GET', `/api/v1/datasets/${demo._id}?fields=title`)).body).toEqual({
      _id: demo._id,
      title: DEMO,
    });
    expect((await sx(app, 'GET', '/api/v1/datasets/xyz')).body.error.field).toBe('id');
    expect((await sx(app, 'GET', '/api/v1/datasets/ffffffffffffffffffffffff')).status).toBe(404);
    expect((await sx(app, 'GET', '/api/v1/datasets?expand=owner')).body.error.field).toBe('expand');
  });

  it('creates a dataset as a model on a connection, refusing a taken name and an unknown connection', async () => {
    const created = await newDataset('Sales DS');
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      title: 'Sales DS',
      fullname: 'LocalHost/Sales DS',
      connection: connectionOid,
    });
    const models = await app.request('GET', '/api/models');
    const model = models.body.items.find((m: { name: string }) => m.name === 'Sales DS');
    expect(model).toBeDefined();
    const fields = await sx(app, 'POST', '/api/datasources/Sales%20DS/fields/search', {
      offset: 0,
      count: 99,
    });
    expect(fields.body.map((field: { id: string }) => field.id)).toEqual([
      '[sales.country]',
      '[sales.quantity]',
    ]);
    const taken = await newDataset('Sales DS');
    expect(taken.status).toBe(400);
    expect(sisenseError(taken).code).toBe(23004);
    const noConnection = await newDataset('Other DS', 'ffffffffffffffffffffffff');
    expect(noConnection.status).toBe(400);
    expect(sisenseError(noConnection).code).toBe(23003);
    const noSchema = await sx(app, 'POST', '/api/v1/datasets/', { title: 'x', connection: connectionOid });
    expect(noSchema.body.error.field).toBe('schema');
    expect((await sx(app, 'POST', '/api/v1/datasets/', {}, { token: viewerToken })).status).toBe(403);
  });

  it('renames, shares and deletes a dataset, as the native API sees it', async () => {
    const created = (await newDataset('Shared DS')).body;
    const renamed = await sx(app, 'PATCH', `/api/v1/datasets/${created._id}`, { title: 'Shared DS 2' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({
      _id: created._id,
      title: 'Shared DS 2',
      fullname: 'LocalHost/Shared DS 2',
    });
    const names = (await app.request('GET', '/api/models')).body.items.map((m: { name: string }) => m.name);
    expect(names).toContain('Shared DS 2');

    const shares = [{ party: viewerOid, type: 'user', permission: 'r' }];
    const shared = await sx(app, 'PATCH', `/api/v1/datasets/${created._id}/permissions`, shares);
    expect(shared.status, shared.text).toBe(200);
    expect(shared.body).toEqual(shares);
    expect((await sx(app, 'GET', `/api/v1/datasets/${created._id}/permissions`)).body).toEqual(shares);
    const titles = async (token: string) =>
      (await sx(app, 'GET', '/api/v1/datasets', undefined, { token })).body.map(
        (d: { title: string }) => d.title,
      );
    expect(await titles(viewerToken)).toContain('Shared DS 2');
    expect(await titles(otherToken)).not.toContain('Shared DS 2');
    const unknownUser = [{ party: 'ffffffffffffffffffffffff', type: 'user', permission: 'r' }];
    expect(
      sisenseError(await sx(app, 'PATCH', `/api/v1/datasets/${created._id}/permissions`, unknownUser)).code,
    ).toBe(23005);
    const unknownGroup = [{ party: 'ffffffffffffffffffffffff', type: 'group', permission: 'r' }];
    expect(
      sisenseError(await sx(app, 'PATCH', `/api/v1/datasets/${created._id}/permissions`, unknownGroup)).code,
    ).toBe(23006);
    const badType = [{ party: viewerOid, type: 'team' }];
    expect(
      (await sx(app, 'PATCH', `/api/v1/datasets/${created._id}/permissions`, badType)).body.error.field,
    ).toBe('[0].type');
    expect(
      (await sx(app, 'PATCH', `/api/v1/datasets/${created._id}`, { title: 'mine' }, { token: viewerToken }))
        .status,
    ).toBe(403);

    const removed = await sx(app, 'DELETE', `/api/v1/datasets/${created._id}`);
    expect(removed.status, removed.text).toBe(204);
    expect((await sx(app, 'GET', `/api/v1/datasets/${created._id}`)).status).toBe(404);
    expect(
      (await app.request('GET', '/api/models')).body.items.map((m: { name: string }) => m.name),
    ).not.toContain('Shared DS 2');
  });
});
