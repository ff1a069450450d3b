import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

let app: TestApp;
let orders: string;
let customers: string;

async function storage(name: string, rows: Record<string, unknown>[]): Promise<string> {
  const created = await seren(app, 'POST', '/api/data_source', { name, type: 'Storage', jsonContent: {} });
  expect(created.status).toBe(201);
  const reload = await seren(app, 'POST', `/api/data_source/${created.body.uuid}/reload`, rows);
  expect(reload.body).toEqual({ status: 'ok' });
  return created.body.uuid;
}

beforeAll(async () => {
  app = await startTestApp();
  orders = await storage('join_orders', [
    { id: 1, customer_id: 1, amount: 10 },
    { id: 2, customer_id: 1, amount: 5 },
    { id: 3, customer_id: 2, amount: 7 },
    { id: 4, customer_id: 3, amount: 100 },
  ]);
  customers = await storage('join_customers', [
    { id: 1, name: 'Ann', country: 'FR' },
    { id: 2, name: 'Bob', country: 'US' },
  ]);
}, 120_000);
afterAll(() => app?.close());

const joinConfig = () => ({
  base: orders,
  joins: [
    { source: customers, type: 'left', on: [{ left: `${orders}.customer_id`, right: `${customers}.id` }] },
  ],
});
const createJoin = (name: string, config: unknown) =>
  seren(app, 'POST', '/api/data_source', { name, type: 'Join', jsonContent: { joinConfig: config } });

describe('join data sources', () => {
  let join: string;
  beforeAll(async () => {
    const created = await createJoin('orders_with_customers', joinConfig());
    expect(created.status).toBe(201);
    join = created.body.uuid;
  });
  const query = (stage: unknown) =>
    seren(app, 'POST', `/api/formatted_data/${join}`, {
      order: 'row_by_row',
      data_processing_pipeline: [stage],
    });

  it('is created from a joinConfig and read back with its uuid.column columns', async () => {
    const read = await seren(app, 'GET', `/api/data_source/${join}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ uuid: join, name: 'orders_with_customers', type: 'Join' });
    expect(read.body.jsonContent.joinConfig).toEqual(joinConfig());
    expect(read.body.jsonContent.columns.map((c: { name: string }) => c.name)).toEqual([
      `${orders}.id`,
      `${orders}.customer_id`,
      `${orders}.amount`,
      `${customers}.id`,
      `${customers}.name`,
      `${customers}.country`,
    ]);
    const headers = await seren(app, 'POST', `/api/formatted_data/${join}`, { only_headers: true });
    expect(headers.body.columns_titles).toHaveLength(6);
  });

  it('groups, aggregates and sorts across the joined sources', async () => {
    const answer = await query({
      group_by: [`${customers}.country`],
      select: [{ name: `${customers}.country` }, { name: `${orders}.amount`, agg_function: 'sum' }],
      order_by: [{ name: `${orders}.amount`, agg_function: 'sum', direction: 'desc' }],
    });
    expect(answer.body).toEqual({
      status: 'ok',
      columns_titles: [
        { name: `${customers}.country`, type: 'str' },
        { name: `${orders}.amount`, type: 'int' },
      ],
      // Order 4's customer does not exist: a left join keeps it with no country.
      data: [
        [null, 100],
        ['FR', 15],
        ['US', 7],
      ],
    });
  });

  it('filters on a column of either source and lists joined rows', async () => {
    const answer = await query({
      select: [{ name: `${orders}.id` }, { name: `${customers}.name` }],
      where: [
        { name: `${customers}.country`, op: 'is_defined' },
        { name: `${orders}.amount`, op: '<', value: 10 },
      ],
      order_by: [{ name: `${orders}.id`, direction: 'desc' }],
    });
    expect(answer.body).toMatchObject({
      status: 'ok',
      data: [
        [3, 'Bob'],
        [2, 'Ann'],
      ],
    });
  });

  it("applies a source's row policy to the join, also when set after the join was made", async () => {
    expect((await app.request('POST', '/api/attributes', { key: 'country', type: 'string' })).status).toBe(
      201,
    );
    const viewer = await app.request('POST', '/api/users', {
      email: 'join-viewer@example.com',
      password: 'viewer password 1',
      role: 'interactive_viewer',
    });
    await app.request('PUT', `/api/users/${viewer.body.id}/attributes`, { attributes: { country: ['FR'] } });
    const { body } = await app.request('GET', '/api/data-sources');
    const id = body.items.find((item: { uuid: string }) => item.uuid === customers).id;
    const patched = await app.request('PATCH', `/api/data-sources/${id}`, {
      policies: [{ field: 'country', attribute: 'country' }],
    });
    expect(patched.status).toBe(200);
    const login = await app.request(
      'POST',
      '/api/auth/login',
      { email: 'join-viewer@example.com', password: 'viewer password 1' },
      { token: '' },
    );
    const query = {
      source: join,
      dimensions: [`${customers}.country`],
      metrics: [{ field: `${orders}.amount`, aggregation: 'sum' }],
    };
    const mine = await app.request('POST', '/api/query', query, { token: login.body.token });
    expect(mine.status).toBe(200);
    expect(mine.body.rows).toEqual([['FR', 15]]);
    expect((await app.request('POST', '/api/query', query)).body.rows).toHaveLength(3);
  });

  it('is listed with the data sources, found by the q filter, filed in the datasource home folder', async () => {
    const all = await seren(app, 'GET', '/api/data_source');
    const home = all.body.objects.find((s: { uuid: string }) => s.uuid === orders).folder_uuid;
    expect(home).toEqual(expect.any(String));
    expect(all.body.objects).toContainEqual(
      expect.objectContaining({ uuid: join, name: 'orders_with_customers', type: 'Join', folder_uuid: home }),
    );
    const q = encodeURIComponent(
      JSON.stringify({ filters: [{ name: 'name', op: 'eq', val: 'orders_with_customers' }] }),
    );
    const found = await seren(app, 'GET', `/api/data_source?q=${q}`);
    expect(found.body.num_results).toBe(1);
    expect(found.body.objects[0]).toMatchObject({ uuid: join, type: 'Join', folder_uuid: home });
    expect((await seren(app, 'GET', `/api/data_source/${join}`)).body.folder_uuid).toBe(home);
  });

  it('saves the whole config back (source.save()): renames, files in a folder, rebuilds from joinConfig', async () => {
    const config = (await seren(app, 'GET', `/api/data_source/${join}`)).body;
    const same = await seren(app, 'PUT', `/api/data_source/${join}`, config);
    expect(same.status).toBe(200);
    expect(same.body).toEqual(config);
    const folder = (await seren(app, 'POST', '/api/folder', { name: 'Joins', resource_type: 'datasource' }))
      .body;
    const moved = await seren(app, 'PUT', `/api/data_source/${join}`, {
      ...config,
      name: 'orders_and_customers',
      folder_uuid: folder.uuid,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      name: 'orders_and_customers',
      folder_uuid: folder.uuid,
      type: 'Join',
    });
    const inner = { ...joinConfig(), joins: [{ ...joinConfig().joins[0], type: 'inner' }] };
    const rebuilt = await seren(app, 'PUT', `/api/data_source/${join}`, {
      ...moved.body,
      jsonContent: { ...moved.body.jsonContent, joinConfig: inner },
    });
    expect(rebuilt.body.jsonContent.joinConfig).toEqual(inner);
    // The inner join drops the order of the unknown customer 3.
    const rows = await query({ select: [`${orders}.id`, `${customers}.name`], order_by: [`${orders}.id`] });
    expect(rows.body.data).toEqual([
      [1, 'Ann'],
      [2, 'Ann'],
      [3, 'Bob'],
    ]);
    // …also when the query reads no field of the joined source: the join still filters rows.
    const counted = await query({ select: [{ name: '$$count$$', agg_function: 'sum' }] });
    expect(counted.body.data, JSON.stringify(counted.body)).toEqual([[3]]);
    const bad = await seren(app, 'PUT', `/api/data_source/${join}`, { name: 7 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toContain('name');
    await seren(app, 'PUT', `/api/data_source/${join}`, {
      ...config,
      jsonContent: { ...config.jsonContent, joinConfig: joinConfig() },
    });
  });

  it('answers an unknown column with the error envelope', async () => {
    const answer = await query({ select: [{ name: `${customers}.nope` }] });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('error');
    expect(answer.body.errors[0]).toContain(`unknown column "${customers}.nope"`);
  });
});

describe('join validation', () => {
  const refused: [string, () => unknown, string][] = [
    ['a missing joinConfig', () => undefined, 'jsonContent.joinConfig: is required'],
    [
      'an unknown base',
      () => ({ ...joinConfig(), base: 'nope' }),
      'jsonContent.joinConfig.base: unknown data source "nope"',
    ],
    [
      'no joins',
      () => ({ base: orders, joins: [] }),
      'jsonContent.joinConfig.joins: must be a non-empty list',
    ],
    [
      'a bad join type',
      () => ({ base: orders, joins: [{ ...joinConfig().joins[0], type: 'cross' }] }),
      'jsonContent.joinConfig.joins[0].type: must be one of left, inner, right, full',
    ],
    [
      'an unknown column',
      () => ({
        base: orders,
        joins: [{ source: customers, on: [{ left: `${orders}.customer_id`, right: `${customers}.uid` }] }],
      }),
      'jsonContent.joinConfig.joins[0].on[0].right: unknown column "uid" in data source',
    ],
    [
      'a condition that does not use the joined source',
      () => ({
        base: orders,
        joins: [{ source: customers, on: [{ left: `${orders}.id`, right: `${orders}.id` }] }],
      }),
      'jsonContent.joinConfig.joins[0].on: must use a column of the joined source',
    ],
    [
      'a source joined twice',
      () => ({
        base: orders,
        joins: [{ source: orders, on: [{ left: `${orders}.id`, right: `${orders}.id` }] }],
      }),
      'jsonContent.joinConfig.joins[0].source: data source',
    ],
  ];
  it.each(refused)('refuses %s with a 400 naming the field', async (_, config, message) => {
    const answer = await createJoin('bad_join', config());
    expect(answer.status).toBe(400);
    expect(answer.body.status).toBe('error');
    expect(answer.body.errors[0]).toContain(message);
  });

  it('refuses a second join with the same name, free again once the first is deleted', async () => {
    const first = await createJoin('twice', joinConfig());
    expect(first.status).toBe(201);
    const again = await createJoin('twice', joinConfig());
    expect(again.status).toBe(400);
    expect(again.body.errors[0]).toContain('already exists');
    expect((await seren(app, 'DELETE', `/api/data_source/${first.body.uuid}`)).status).toBe(204);
    expect((await seren(app, 'GET', `/api/data_source/${first.body.uuid}`)).status).toBe(404);
    expect((await seren(app, 'GET', `/api/data_source/${orders}`)).status).toBe(200);
    expect((await createJoin('twice', joinConfig())).status).toBe(201);
  });
});
