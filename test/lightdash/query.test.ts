// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${table.field}` and `${TABLE}` are the placeholders of Lightdash SQL
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * The Lightdash query API on a small model whose numbers are computed here in JS: explores,
 * runQuery against the native API and arithmetic, every filter operator, table calculations,
 * additional metrics, bins, relative dates, compiled SQL that runs, the v2 async API with paging,
 * CSV downloads, the SQL runner, 400s naming the field, and row-level security.
 */
let app: TestApp;
let project: string;
let connectionId: number;
let northViewer: string;
let developer: string;

const DAY = 86_400_000;
const now = Date.now();
const at = (days: number) => new Date(now + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Order {
  id: number;
  customer_id: number;
  amount: number;
  status: string | null;
  region: string;
  created_at: string;
}
const ORDERS: Order[] = [
  { id: 1, customer_id: 1, amount: 10, status: 'shipped', region: 'north', created_at: at(-2) },
  { id: 2, customer_id: 1, amount: 25.5, status: 'shipped', region: 'south', created_at: at(-40) },
  { id: 3, customer_id: 2, amount: 70, status: 'returned', region: 'north', created_at: at(-400) },
  { id: 4, customer_id: 2, amount: 120, status: 'pending', region: 'south', created_at: at(3) },
  { id: 5, customer_id: 3, amount: 5, status: null, region: 'north', created_at: at(-1) },
  { id: 6, customer_id: 3, amount: 99, status: 'Shipped late', region: 'east', created_at: at(-10) },
];
const sum = (orders: Order[]) => orders.reduce((total, order) => total + order.amount, 0);

const base = (projectUuid = project) => `/lightdash/api/v1/projects/${projectUuid}`;
const ld = (method: string, path: string, body?: unknown, token?: string) =>
  app.request(method, `/lightdash/api${path}`, body, token === undefined ? undefined : { token });

const query = (overrides: Record<string, unknown> = {}) => ({
  exploreName: 'shop',
  dimensions: ['orders_id'],
  metrics: [],
  filters: {},
  sorts: [{ fieldId: 'orders_id', descending: false }],
  limit: 500,
  tableCalculations: [],
  ...overrides,
});
const run = (body: unknown, token?: string) =>
  app.request('POST', `${base()}/explores/shop/runQuery`, body, token === undefined ? undefined : { token });
const raw = (rows: Array<Record<string, { value: { raw: unknown } }>>, id: string) =>
  rows.map((row) => row[id].value.raw);

async function signIn(email: string, role: string, attributes?: Record<string, string[]>): Promise<string> {
  const user = await app.request('POST', '/api/users', { email, role, password: 'a long password 1' });
  expect(user.status).toBe(201);
  if (attributes) await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes });
  const session = await app.request(
    'POST',
    '/api/auth/login',
    { email, password: 'a long password 1' },
    { token: '' },
  );
  return session.body.token;
}

async function storage(name: string, columns: Array<{ name: string; type: string }>, rows: object[]) {
  const source = await app.request('POST', '/api/data-sources', { name, type: 'storage', columns });
  expect(source.status).toBe(201);
  const pushed = await app.request('POST', `/api/data-sources/${source.body.id}/rows`, {
    mode: 'insert',
    rows,
  });
  expect(pushed.status).toBe(200);
  return source.body;
}

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  const orders = await storage(
    'ld_orders',
    [
      { name: 'id', type: 'integer' },
      { name: 'customer_id', type: 'integer' },
      { name: 'amount', type: 'number' },
      { name: 'status', type: 'string' },
      { name: 'region', type: 'string' },
      { name: 'created_at', type: 'datetime' },
    ],
    ORDERS,
  );
  const customers = await storage(
    'ld_customers',
    [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'string' },
    ],
    [
      { id: 1, name: 'Ann' },
      { id: 2, name: 'Bob' },
      { id: 3, name: 'Cid' },
    ],
  );
  connectionId = orders.connectionId;
  const model = await app.request('POST', '/api/models', {
    name: 'shop',
    connectionId,
    baseTable: 'orders',
    tables: [
      { name: 'orders', dataSource: orders.uuid },
      { name: 'customers', dataSource: customers.uuid },
    ],
    joins: [
      { table: 'customers', type: 'left', on: [{ left: 'orders.customer_id', right: 'customers.id' }] },
    ],
    dimensions: [
      { name: 'id', table: 'orders', column: 'id' },
      { name: 'amount', table: 'orders', column: 'amount' },
      { name: 'status', table: 'orders', column: 'status' },
      { name: 'region', table: 'orders', column: 'region' },
      { name: 'created_at', table: 'orders', column: 'created_at' },
      { name: 'name', table: 'customers', column: 'name' },
    ],
    metrics: [
      { name: 'revenue', table: 'orders', aggregation: 'sum', column: 'amount' },
      { name: 'order_count', table: 'orders', aggregation: 'count' },
    ],
    policies: [{ field: 'orders.region', attribute: 'region' }],
  });
  expect(model.status).toBe(201);
  project = (await ld('GET', '/v1/org/projects')).body.results[0].projectUuid;
  await app.request('POST', '/api/attributes', { key: 'region', type: 'string' });
  northViewer = await signIn('north@ld.test', 'interactive_viewer', { region: ['north'] });
  developer = await signIn('dev@ld.test', 'developer', { region: ['north', 'south', 'east'] });
}, 120_000);
afterAll(() => app?.close());

describe('explores', () => {
  it('lists the project models and the data sources', async () => {
    const listed = await ld('GET', `/v1/projects/${project}/explores`);
    expect(listed.status).toBe(200);
    const names = listed.body.results.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['shop', 'ld_orders', 'ld_customers']));
    expect(listed.body.results.find((e: { name: string }) => e.name === 'shop')).toMatchObject({
      label: 'Shop',
      tags: [],
    });
  });

  it('shows tables, time intervals, metrics and joins', async () => {
    const { status, body } = await ld('GET', `/v1/projects/${project}/explores/shop`);
    expect(status).toBe(200);
    const explore = body.results;
    expect(explore.baseTable).toBe('orders');
    expect(Object.keys(explore.tables).sort()).toEqual(['customers', 'orders']);
    const dimensions = explore.tables.orders.dimensions;
    expect(Object.keys(dimensions)).toEqual(
      expect.arrayContaining([
        'created_at',
        'created_at_raw',
        'created_at_day',
        'created_at_quarter',
        'created_at_year',
      ]),
    );
    expect(dimensions.created_at_month).toMatchObject({
      fieldType: 'dimension',
      type: 'date',
      timeInterval: 'MONTH',
      timeIntervalBaseDimensionName: 'created_at',
    });
    expect(dimensions.amount.type).toBe('number');
    expect(dimensions.created_at_raw.type).toBe('timestamp');
    expect(explore.tables.orders.metrics.revenue).toMatchObject({ fieldType: 'metric', type: 'sum' });
    expect(explore.joinedTables).toEqual([expect.objectContaining({ table: 'customers', type: 'left' })]);
    // The SQL runner reads the table the explore names.
    const read = await app.request(
      'POST',
      `${base()}/sqlQuery`,
      { sql: `SELECT COUNT(*) AS n FROM ${explore.tables.orders.sqlTable}` },
      { token: developer },
    );
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.results.rows).toEqual([{ n: ORDERS.length }]);
  });

  it('answers 404 NotExistsError for an unknown explore or project', async () => {
    const missing = await ld('GET', `/v1/projects/${project}/explores/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.name).toBe('NotExistsError');
    const otherProject = await ld('GET', '/v1/projects/00000000-0000-4000-8000-000000000000/explores');
    expect(otherProject.status).toBe(404);
  });
});

describe('runQuery', () => {
  it('equals the native API and the arithmetic', async () => {
    const answer = await run(
      query({
        dimensions: ['customers_name'],
        metrics: ['orders_revenue', 'orders_order_count'],
        sorts: [{ fieldId: 'customers_name', descending: false }],
      }),
    );
    expect(answer.status).toBe(200);
    const { rows, fields, metricQuery, cacheMetadata } = answer.body.results;
    expect(Object.keys(fields)).toEqual(['customers_name', 'orders_revenue', 'orders_order_count']);
    expect(metricQuery.timezone).toBeUndefined();
    expect(cacheMetadata).toEqual({ cacheHit: false });
    const native = await app.request('POST', '/api/query', {
      source: 'shop',
      dimensions: ['customers.name'],
      metrics: [{ metric: 'revenue' }, { metric: 'order_count' }],
      sorts: ['customers.name'],
    });
    expect(native.status, JSON.stringify(native.body)).toBe(200);
    expect(
      rows.map((row: Record<string, { value: { raw: unknown } }>) =>
        Object.values(row).map((c) => c.value.raw),
      ),
    ).toEqual(native.body.rows);
    const byCustomer = (id: number) => ORDERS.filter((order) => order.customer_id === id);
    expect(raw(rows, 'orders_revenue')).toEqual([sum(byCustomer(1)), sum(byCustomer(2)), sum(byCustomer(3))]);
    expect(rows[0].orders_revenue.value.formatted).toBe('35.5');
    expect(rows[0].customers_name.value).toEqual({ raw: 'Ann', formatted: 'Ann' });
  });

  it('buckets dates by interval: dates YYYY-MM-DD, timestamps ISO', async () => {
    const answer = await run(
      query({
        dimensions: ['orders_created_at_month', 'orders_created_at_raw'],
        metrics: ['orders_order_count'],
        sorts: [{ fieldId: 'orders_created_at_raw', descending: false }],
        filters: {
          dimensions: {
            id: 'f',
            and: [{ id: 'r', target: { fieldId: 'orders_id' }, operator: 'equals', values: [1] }],
          },
        },
      }),
    );
    expect(answer.status).toBe(200);
    const [row] = answer.body.results.rows;
    expect(row.orders_created_at_month.value.raw).toBe(`${ORDERS[0].created_at.slice(0, 7)}-01`);
    expect(row.orders_created_at_month.value.formatted).toBe(ORDERS[0].created_at.slice(0, 7));
    expect(new Date(row.orders_created_at_raw.value.raw).toISOString()).toBe(
      new Date(ORDERS[0].created_at).toISOString(),
    );
  });

  it('zooms the first date dimension to the granularity, keeping its field id', async () => {
    const answer = await run(
      query({
        dimensions: ['orders_created_at_day'],
        metrics: ['orders_order_count'],
        sorts: [{ fieldId: 'orders_created_at_day', descending: false }],
        granularity: 'Year',
      }),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const years = [...new Set(ORDERS.map((order) => order.created_at.slice(0, 4)))].sort();
    expect(raw(answer.body.results.rows, 'orders_created_at_day')).toEqual(
      years.map((year) => `${year}-01-01`),
    );
  });

  it('buckets in the query timezone', async () => {
    const zoned = await run(
      query({
        dimensions: ['orders_created_at_raw'],
        filters: {
          dimensions: {
            id: 'g',
            and: [{ id: 'r', target: { fieldId: 'orders_id' }, operator: 'equals', values: [1] }],
          },
        },
        sorts: [],
        timezone: 'Asia/Tokyo',
      }),
    );
    expect(zoned.status, JSON.stringify(zoned.body)).toBe(200);
    const tokyo = new Date(new Date(ORDERS[0].created_at).getTime() + 9 * 3_600_000).toISOString();
    expect(zoned.body.results.rows[0].orders_created_at_raw.value.raw.slice(0, 19)).toBe(tokyo.slice(0, 19));
    const bad = await run(query({ timezone: 'Mars/Olympus' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.data).toHaveProperty('timezone');
  });

  it('queries a bare data source with an additional metric over ${TABLE}', async () => {
    const answer = await app.request('POST', `${base()}/explores/ld_orders/runQuery`, {
      ...query({
        dimensions: ['ld_orders_region'],
        sorts: [{ fieldId: 'ld_orders_region', descending: false }],
      }),
      exploreName: 'ld_orders',
      metrics: ['ld_orders_total'],
      additionalMetrics: [{ name: 'total', table: 'ld_orders', type: 'sum', sql: '${TABLE}.amount' }],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(raw(answer.body.results.rows, 'ld_orders_total')).toEqual(
      ['east', 'north', 'south'].map((region) => sum(ORDERS.filter((order) => order.region === region))),
    );
  });

  it('applies row-level security from user attributes', async () => {
    const answer = await run(query({ dimensions: [], metrics: ['orders_revenue'], sorts: [] }), northViewer);
    expect(answer.status).toBe(200);
    expect(raw(answer.body.results.rows, 'orders_revenue')).toEqual([
      sum(ORDERS.filter((order) => order.region === 'north')),
    ]);
  });
});

describe('runUnderlyingDataQuery', () => {
  it('answers the rows behind a cell', async () => {
    const answer = await app.request('POST', `${base()}/explores/shop/runUnderlyingDataQuery`, {
      ...query({ dimensions: ['orders_id', 'orders_amount'] }),
      filters: {
        dimensions: {
          id: 'g',
          and: [{ id: 'r', target: { fieldId: 'orders_region' }, operator: 'equals', values: ['south'] }],
        },
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(
      answer.body.results.rows.map((row: Record<string, { value: { raw: unknown } }>) => [
        row.orders_id.value.raw,
        row.orders_amount.value.raw,
      ]),
    ).toEqual([
      [2, 25.5],
      [4, 120],
    ]);
  });
});

describe('filters', () => {
  const rule = (fieldId: string, operator: string, values?: unknown[], settings?: unknown) => ({
    id: 'rule',
    target: { fieldId },
    operator,
    ...(values && { values }),
    ...(settings !== undefined && { settings }),
  });
  const ids = (predicate: (order: Order) => boolean) => ORDERS.filter(predicate).map((order) => order.id);
  const time = (order: Order) => new Date(order.created_at).getTime();
  const cases: Array<[string, ReturnType<typeof rule>, number[]]> = [
    ['equals (any of)', rule('orders_status', 'equals', ['shipped', 'pending']), [1, 2, 4]],
    ['notEquals keeps nulls', rule('orders_status', 'notEquals', ['shipped']), [3, 4, 5, 6]],
    ['include ignores case', rule('orders_status', 'include', ['SHIP']), [1, 2, 6]],
    [
      'doesNotInclude',
      rule('orders_status', 'doesNotInclude', ['ship']),
      ids((o) => !o.status?.toLowerCase().includes('ship')),
    ],
    ['startsWith', rule('orders_status', 'startsWith', ['ret']), [3]],
    ['endsWith', rule('orders_status', 'endsWith', ['ing']), [4]],
    ['isNull', rule('orders_status', 'isNull'), [5]],
    ['notNull', rule('orders_status', 'notNull'), [1, 2, 3, 4, 6]],
    ['lessThan', rule('orders_amount', 'lessThan', [25.5]), [1, 5]],
    ['lessThanOrEqual', rule('orders_amount', 'lessThanOrEqual', [25.5]), [1, 2, 5]],
    ['greaterThan', rule('orders_amount', 'greaterThan', [70]), [4, 6]],
    ['greaterThanOrEqual', rule('orders_amount', 'greaterThanOrEqual', [70]), [3, 4, 6]],
    ['inBetween', rule('orders_amount', 'inBetween', [10, 70]), [1, 2, 3]],
    ['equals with no values filters nothing', rule('orders_status', 'equals', []), [1, 2, 3, 4, 5, 6]],
    [
      'inThePast 7 days (rolling)',
      rule('orders_created_at', 'inThePast', [7], { unitOfTime: 'days' }),
      ids((o) => time(o) >= now - 7 * DAY && time(o) <= now),
    ],
    [
      'notInThePast 7 days',
      rule('orders_created_at', 'notInThePast', [7], { unitOfTime: 'days' }),
      ids((o) => !(time(o) >= now - 7 * DAY && time(o) <= now)),
    ],
    ['inTheNext 1 week', rule('orders_created_at', 'inTheNext', [1], { unitOfTime: 'weeks' }), [4]],
    [
      'inThePast 2 years completed',
      rule('orders_created_at', 'inThePast', [2], { unitOfTime: 'years', completed: true }),
      ids((o) => {
        const year = new Date(now).getUTCFullYear();
        const y = new Date(o.created_at).getUTCFullYear();
        return y >= year - 2 && y < year;
      }),
    ],
    [
      'inTheCurrent year',
      rule('orders_created_at', 'inTheCurrent', [], { unitOfTime: 'years' }),
      ids((o) => new Date(o.created_at).getUTCFullYear() === new Date(now).getUTCFullYear()),
    ],
    [
      'notInTheCurrent year',
      rule('orders_created_at', 'notInTheCurrent', [], { unitOfTime: 'years' }),
      ids((o) => new Date(o.created_at).getUTCFullYear() !== new Date(now).getUTCFullYear()),
    ],
    [
      'equals on a day bucket',
      rule('orders_created_at_day', 'equals', [ORDERS[0].created_at.slice(0, 10)]),
      ids((o) => o.created_at.slice(0, 10) === ORDERS[0].created_at.slice(0, 10)),
    ],
  ];
  it.each(cases)('%s', async (_name, filter, expected) => {
    const answer = await run(query({ filters: { dimensions: { id: 'g', and: [filter] } } }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(raw(answer.body.results.rows, 'orders_id')).toEqual(expected);
  });

  it('combines or groups inside and groups, and drops disabled rules', async () => {
    const answer = await run(
      query({
        filters: {
          dimensions: {
            id: 'g',
            and: [
              {
                id: 'o',
                or: [rule('orders_region', 'equals', ['north']), rule('orders_amount', 'greaterThan', [100])],
              },
              { ...rule('orders_id', 'equals', [99]), disabled: true },
            ],
          },
        },
      }),
    );
    expect(raw(answer.body.results.rows, 'orders_id')).toEqual([1, 3, 4, 5]);
  });

  it('filters metrics after aggregation and table calculations after them', async () => {
    const answer = await run(
      query({
        dimensions: ['orders_region'],
        metrics: ['orders_revenue'],
        sorts: [{ fieldId: 'orders_region', descending: false }],
        tableCalculations: [
          { name: 'double', displayName: 'Double', sql: '${orders.revenue} * 2', type: 'number' },
        ],
        filters: {
          metrics: { id: 'm', and: [rule('orders_revenue', 'greaterThan', [90])] },
          tableCalculations: { id: 't', and: [rule('double', 'lessThan', [250])] },
        },
      }),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // east 99, north 85, south 145.5: the metric filter keeps east and south, the calculation east.
    expect(raw(answer.body.results.rows, 'orders_region')).toEqual(['east']);
    expect(raw(answer.body.results.rows, 'double')).toEqual([198]);
  });

  it('refuses an operator the type does not take with CompileError', async () => {
    const answer = await run(
      query({ filters: { dimensions: { id: 'g', and: [rule('orders_amount', 'startsWith', ['1'])] } } }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.name).toBe('CompileError');
    expect(answer.body.error.data).toHaveProperty(['filters.dimensions.and[0].operator']);
  });
});

describe('calculations, custom metrics and bins', () => {
  it('computes table calculations over field references', async () => {
    const answer = await run(
      query({
        dimensions: ['orders_region'],
        metrics: ['orders_revenue', 'orders_order_count'],
        sorts: [{ fieldId: 'orders_region', descending: false }],
        tableCalculations: [
          { name: 'average', displayName: 'Average', sql: '${orders.revenue} / ${orders.order_count}' },
        ],
      }),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const regions = ['east', 'north', 'south'];
    const average = regions.map((region) => {
      const orders = ORDERS.filter((order) => order.region === region);
      return sum(orders) / orders.length;
    });
    raw(answer.body.results.rows, 'average').forEach((value, i) => {
      expect(value).toBeCloseTo(average[i], 9);
    });
    expect(answer.body.results.fields.average).toMatchObject({ name: 'average', displayName: 'Average' });
  });

  it('runs additional metrics on ${TABLE} columns, with their own filters', async () => {
    const answer = await run(
      query({
        dimensions: [],
        sorts: [],
        metrics: ['orders_biggest', 'orders_north_total'],
        additionalMetrics: [
          { name: 'biggest', table: 'orders', type: 'max', sql: '${TABLE}.amount' },
          {
            name: 'north_total',
            table: 'orders',
            type: 'sum',
            sql: '${TABLE}.amount',
            filters: [{ id: 'f', target: { fieldRef: 'region' }, operator: 'equals', values: ['north'] }],
          },
        ],
      }),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const [row] = answer.body.results.rows;
    expect(row.orders_biggest.value.raw).toBe(120);
    expect(row.orders_north_total.value.raw).toBe(sum(ORDERS.filter((order) => order.region === 'north')));
  });

  it('bins by fixed width and custom ranges', async () => {
    const width = await run(
      query({
        dimensions: ['amount_bin'],
        metrics: ['orders_order_count'],
        sorts: [{ fieldId: 'amount_bin', descending: false }],
        customDimensions: [
          {
            id: 'amount_bin',
            name: 'Amount bin',
            table: 'orders',
            type: 'bin',
            dimensionId: 'orders_amount',
            binType: 'fixed_width',
            binWidth: 50,
          },
        ],
      }),
    );
    expect(width.status, JSON.stringify(width.body)).toBe(200);
    expect(raw(width.body.results.rows, 'amount_bin')).toEqual([0, 50, 100]);
    expect(raw(width.body.results.rows, 'orders_order_count')).toEqual([3, 2, 1]);
    const ranges = await run(
      query({
        dimensions: ['amount_range'],
        metrics: ['orders_order_count'],
        sorts: [{ fieldId: 'amount_range', descending: false }],
        customDimensions: [
          {
            id: 'amount_range',
            name: 'Range',
            table: 'orders',
            type: 'bin',
            dimensionId: 'orders_amount',
            binType: 'custom_range',
            customRange: [{ to: 20 }, { from: 20, to: 100 }, { from: 100 }],
          },
        ],
      }),
    );
    expect(ranges.status, JSON.stringify(ranges.body)).toBe(200);
    expect(raw(ranges.body.results.rows, 'orders_order_count')).toEqual([2, 3, 1]);
  });
});

describe('errors name the field', () => {
  it('answers FieldReferenceError for an unknown field id', async () => {
    const answer = await run(query({ dimensions: ['orders_nope'] }));
    expect(answer.status).toBe(400);
    expect(answer.body.error.name).toBe('FieldReferenceError');
    expect(answer.body.error.data).toHaveProperty(['dimensions[0]']);
  });

  it('answers FieldReferenceError for a sort or a filter on an unknown field', async () => {
    const sorted = await run(query({ sorts: [{ fieldId: 'orders_nope', descending: false }] }));
    expect(sorted.status).toBe(400);
    expect(sorted.body.error).toMatchObject({
      name: 'FieldReferenceError',
      data: { 'sorts[0].fieldId': expect.any(Object) },
    });
    const filtered = await run(
      query({
        filters: {
          dimensions: { id: 'g', and: [{ id: 'r', target: { fieldId: 'nope_x' }, operator: 'isNull' }] },
        },
      }),
    );
    expect(filtered.status).toBe(400);
    expect(filtered.body.error.name).toBe('FieldReferenceError');
    expect(filtered.body.error.data).toHaveProperty(['filters.dimensions.and[0].target.fieldId']);
  });

  it('answers hostile input with a 400 naming the field, never a 500', async () => {
    let deep: Record<string, unknown> = { id: 'r', target: { fieldId: 'orders_id' }, operator: 'isNull' };
    for (let i = 0; i < 40; i++) deep = { id: `g${i}`, and: [deep] };
    const bodies: Array<[unknown, string]> = [
      [query({ filters: { dimensions: 'x' } }), 'filters.dimensions'],
      [
        query({
          filters: {
            dimensions: {
              id: 'g',
              and: [{ id: 'r', target: { fieldId: 'orders_id' }, operator: 'equals', values: [{}] }],
            },
          },
        }),
        'filters.dimensions.and[0].values[0]',
      ],
      [
        query({
          filters: {
            dimensions: { id: 'g', and: [{ id: 'r', target: { fieldId: 'orders_id' }, operator: 'bogus' }] },
          },
        }),
        'filters.dimensions.and[0].operator',
      ],
      [query({ filters: { dimensions: deep } }), 'filters.dimensions'],
      [query({ dimensions: [42] }), 'dimensions[0]'],
      [query({ limit: 1.5 }), 'limit'],
      [
        query({
          filters: {
            dimensions: {
              id: 'g',
              and: [
                {
                  id: 'r',
                  target: { fieldId: 'orders_created_at' },
                  operator: 'inThePast',
                  values: [3],
                  settings: { unitOfTime: 'seconds' },
                },
              ],
            },
          },
        }),
        'filters.dimensions.and[0].settings.unitOfTime',
      ],
      [
        query({
          customDimensions: [
            { id: 'b', type: 'bin', dimensionId: 'orders_amount', binType: 'fixed_width', binWidth: -1 },
          ],
          dimensions: ['b'],
        }),
        'customDimensions[0].binWidth',
      ],
      [
        query({
          additionalMetrics: [{ name: 'm', table: 'orders', type: 'string', sql: '${TABLE}.amount' }],
          metrics: ['orders_m'],
        }),
        'additionalMetrics[0].type',
      ],
    ];
    for (const [body, field] of bodies) {
      const answer = await run(body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(Object.keys(answer.body.error.data ?? {}).join(), JSON.stringify(answer.body)).toContain(field);
    }
  });

  it('refuses a limit above the maximum with ParameterError', async () => {
    const answer = await run(query({ limit: 5001 }));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      name: 'ParameterError',
      message: 'limit: Query limit can not exceed 5000',
    });
  });

  it('names a bad table calculation', async () => {
    const answer = await run(
      query({
        tableCalculations: [{ name: 'x', displayName: 'X', sql: '${orders.revenue} +' }],
        metrics: ['orders_revenue'],
      }),
    );
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body.error.data)).toContain('tableCalculations[0].sql');
  });
});

describe('compileQuery, totals, CSV and the SQL runner', () => {
  it('compiles SQL that the SQL runner runs to the same numbers', async () => {
    const body = query({
      dimensions: ['orders_region'],
      metrics: ['orders_revenue'],
      sorts: [{ fieldId: 'orders_region', descending: false }],
    });
    const compiled = await app.request('POST', `${base()}/explores/shop/compileQuery`, body, {
      token: developer,
    });
    expect(compiled.status).toBe(200);
    expect(typeof compiled.body.results).toBe('string');
    const ran = await app.request(
      'POST',
      `/api/connections/${connectionId}/sql`,
      { sql: compiled.body.results },
      { token: developer },
    );
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body.rows.map((row: unknown[]) => row[1])).toEqual(
      ['east', 'north', 'south'].map((region) => sum(ORDERS.filter((order) => order.region === region))),
    );
  });

  it('calculates totals of the metrics', async () => {
    const answer = await app.request('POST', `${base()}/calculate-total`, {
      explore: 'shop',
      metricQuery: query({
        dimensions: ['orders_region'],
        metrics: ['orders_revenue', 'orders_order_count'],
        sorts: [],
      }),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.results).toEqual({ orders_revenue: sum(ORDERS), orders_order_count: ORDERS.length });
  });

  it('downloads a CSV through a job whose file URL works', async () => {
    const started = await app.request('POST', `${base()}/explores/shop/downloadCsv`, {
      ...query({
        dimensions: ['orders_region'],
        metrics: ['orders_revenue'],
        sorts: [{ fieldId: 'orders_region', descending: false }],
      }),
      onlyRaw: true,
      showTableNames: false,
      columnOrder: [],
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const { jobId } = started.body.results;
    let status: { status: string; details: { fileUrl?: string } } = { status: 'scheduled', details: {} };
    for (let i = 0; i < 100 && !['completed', 'error'].includes(status.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await ld('GET', `/v1/schedulers/job/${jobId}/status`)).body.results;
    }
    expect(status.status, JSON.stringify(status)).toBe('completed');
    const file = await app.request(
      'GET',
      new URL(status.details.fileUrl as string).pathname + new URL(status.details.fileUrl as string).search,
      undefined,
      { token: '' },
    );
    expect(file.status).toBe(200);
    expect(String(file.body)).toContain('north');
  });

  it('runs raw SQL for developers only', async () => {
    const sql = 'SELECT 1 AS one, 2.5 AS two';
    const refused = await app.request('POST', `${base()}/sqlQuery`, { sql }, { token: northViewer });
    expect(refused.status).toBe(403);
    const answer = await app.request('POST', `${base()}/sqlQuery`, { sql }, { token: developer });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.results).toEqual({
      rows: [{ one: 1, two: 2.5 }],
      fields: { one: { type: 'number' }, two: { type: 'number' } },
    });
  });
});

describe('the SQL runner', () => {
  it('runs SQL as a job whose results file holds one row object per line', async () => {
    const started = await app.request(
      'POST',
      `${base()}/sqlRunner/run`,
      { sql: 'SELECT 1 AS one UNION ALL SELECT 2 ORDER BY 1', limit: 10 },
      { token: developer },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const { jobId } = started.body.results;
    let status = { status: 'scheduled', details: {} as { fileUrl?: string; columns?: unknown } };
    for (let i = 0; i < 100 && !['completed', 'error'].includes(status.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await ld('GET', `/v1/schedulers/job/${jobId}/status`, undefined, developer)).body.results;
    }
    expect(status.status, JSON.stringify(status)).toBe('completed');
    expect(status.details.columns).toEqual([{ reference: 'one', type: 'number' }]);
    const file = await app.request('GET', new URL(status.details.fileUrl as string).pathname, undefined, {
      token: developer,
    });
    expect(file.status).toBe(200);
    expect(file.body).toBe('{"one":1}\n{"one":2}\n');
    const refused = await app.request(
      'POST',
      `${base()}/sqlRunner/run`,
      { sql: 'SELECT 1' },
      { token: northViewer },
    );
    expect(refused.status).toBe(403);
  });
});

describe('v2 async queries', () => {
  const v2 = `/lightdash/api/v2/projects`;
  it('pages the results of a submitted query', async () => {
    const submitted = await app.request('POST', `${v2}/${project}/query/metric-query`, {
      query: query({ dimensions: ['orders_id'], metrics: ['orders_revenue'] }),
      context: 'api',
      invalidateCache: false,
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    const { queryUuid, fields } = submitted.body.results;
    expect(Object.keys(fields)).toEqual(['orders_id', 'orders_revenue']);
    let page: { status: string; rows?: unknown[]; totalResults?: number; totalPageCount?: number } = {
      status: 'pending',
    };
    for (let i = 0; i < 100 && page.status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const read = await app.request('GET', `${v2}/${project}/query/${queryUuid}?page=2&pageSize=4`);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      page = read.body.results;
    }
    expect(page).toMatchObject({ status: 'ready', totalResults: 6, totalPageCount: 2 });
    expect(page.rows).toEqual([
      {
        orders_id: { value: { raw: 5, formatted: '5' } },
        orders_revenue: { value: { raw: 5, formatted: '5' } },
      },
      {
        orders_id: { value: { raw: 6, formatted: '6' } },
        orders_revenue: { value: { raw: 99, formatted: '99' } },
      },
    ]);
    const tooBig = await app.request('GET', `${v2}/${project}/query/${queryUuid}?pageSize=100000`);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.name).toBe('ParameterError');
  });
});
