import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import {
  dataOf,
  demoLines,
  demoSourceUuid,
  dim,
  jaql,
  jaqlErrorOf,
  nativeRows,
  quantityBy,
} from './jaql-support.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

/**
 * The JAQL protocol around the query: row-level security through a face login, the row cap,
 * errors a JAQL client must survive, CSV, cancelling by queryGuid, the query plan (EC-04),
 * usage events, and who may call what.
 */

const MAX_ROWS = 50;
const PASSWORD = 'a long password 1';
const EUROPE = ['France', 'Spain'];
const lines = demoLines();
let app: TestApp;
let source: string;
let viewer: string;
let explorer: string;

/** A user of that role with attribute values, logged in through the face; answers the token. */
async function faceUser(email: string, role: string, attributes?: Record<string, string[]>): Promise<string> {
  const user = await app.request('POST', '/api/users', { email, role, password: PASSWORD });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  if (attributes) {
    const set = await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes });
    expect(set.status, JSON.stringify(set.body)).toBeLessThan(300);
  }
  return sisenseLogin(app, email, PASSWORD);
}

beforeAll(async () => {
  app = await startTestApp({ env: { ROSETTA_SISENSE_MAX_ROWS: String(MAX_ROWS) } });
  source = await demoSourceUuid(app);
  const demo = (await app.request('GET', '/api/data-sources')).body.items.find(
    (item: { name: string }) => item.name === 'demo_sales',
  );
  const model = await app.request('POST', '/api/models', {
    name: 'Secured Sales',
    connectionId: demo.connectionId,
    baseTable: 'Sales',
    tables: [{ name: 'Sales', dataSource: source }],
    joins: [],
    dimensions: [
      { name: 'Country', table: 'Sales', column: 'country', type: 'string' },
      { name: 'Quantity', table: 'Sales', column: 'quantity', type: 'integer' },
    ],
    metrics: [],
    policies: [{ field: 'Sales.Country', attribute: 'market' }],
  });
  expect(model.status, JSON.stringify(model.body)).toBe(201);
  await app.request('POST', '/api/attributes', { key: 'market', type: 'string' });
  explorer = await faceUser('explorer@jaql.test', 'interactive_viewer', { market: EUROPE });
  viewer = await faceUser('viewer@jaql.test', 'viewer');
}, 120_000);
afterAll(() => app?.close());

const country = { jaql: { title: 'Country', dim: dim('country'), datatype: 'text' } };
const sumQuantity = { jaql: { title: 'Total Quantity', dim: dim('quantity'), agg: 'sum' } };

describe('data security and limits', () => {
  it('restricts a logged-in user by the model row policy, as the native API does', async () => {
    const query = [{ jaql: { dim: '[Sales.Country]' } }, { jaql: { dim: '[Sales.Quantity]', agg: 'sum' } }];
    const theirs = await jaql(app, query, { cube: 'Secured Sales', token: explorer });
    expect(dataOf(theirs)).toEqual(
      quantityBy(
        lines,
        (l) => l.country,
        (l) => EUROPE.includes(l.country),
      ),
    );
    const native = await nativeRows(
      app,
      {
        source: 'Secured Sales',
        dimensions: ['Country'],
        metrics: [{ field: 'Quantity', aggregation: 'sum' }],
      },
      explorer,
    );
    expect(dataOf(theirs)).toEqual(native);
    const admin = await jaql(app, query, { cube: 'Secured Sales' });
    expect(dataOf(admin)).toEqual(quantityBy(lines, (l) => l.country));
  });

  it('cuts the answer at the row cap, also when count asks for more', async () => {
    const days = [{ jaql: { dim: dim('date'), datatype: 'datetime', level: 'days' } }, sumQuantity];
    expect(dataOf(await jaql(app, days))).toHaveLength(MAX_ROWS);
    expect(dataOf(await jaql(app, days, { extra: { count: 10_000 } }))).toHaveLength(MAX_ROWS);
    const paged = dataOf(await jaql(app, days, { extra: { count: 5, offset: 10 } }));
    const native = await nativeRows(app, {
      source,
      dimensions: [{ field: 'date', granularity: 'day' }],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      limit: 5,
      offset: 10,
    });
    expect(paged).toEqual(native);
  });
});

describe('errors a JAQL client survives', () => {
  it('answers HTTP 200 {error: true, details} naming the item', async () => {
    expect(jaqlErrorOf(await jaql(app, [{ jaql: { dim: '[demo_sales.nope]' } }]))).toMatch(
      /^metadata\[0\]\.jaql\.dim: "\[demo_sales\.nope\]" is not a field of demo_sales/,
    );
    expect(jaqlErrorOf(await jaql(app, [country, { jaql: { dim: dim('price'), agg: 'total' } }]))).toMatch(
      /^metadata\[1\]\.jaql\.agg: /,
    );
    expect(jaqlErrorOf(await jaql(app, [{ jaql: { dim: dim('date'), level: 'decades' } }]))).toMatch(
      /^metadata\[0\]\.jaql\.level: unknown level "decades"/,
    );
    expect(jaqlErrorOf(await jaql(app, [{ jaql: { title: 'x' } }]))).toMatch(
      /^metadata\[0\]\.jaql: needs a dim or a formula/,
    );
    expect(jaqlErrorOf(await jaql(app, [country], { cube: 'No Such Cube' }))).toMatch(/No Such Cube/);
    const noMetadata = await sx(app, 'POST', '/api/datasources/demo_sales/jaql', {
      datasource: 'demo_sales',
    });
    expect(jaqlErrorOf(noMetadata)).toMatch(/^metadata: /);
  });

  it('answers 401 for a bad token and 403 for a viewer, who may not query ad hoc', async () => {
    const bad = await sx(
      app,
      'POST',
      '/api/datasources/demo_sales/jaql',
      { metadata: [country] },
      { token: 'nope' },
    );
    expect(bad.status).toBe(401);
    const refused = await jaql(app, [country], { token: viewer });
    expect(refused.status).toBe(403);
    expect(sisenseError(refused).status).toBe(403);
  });
});

describe('CSV', () => {
  const expectedCsv = () =>
    `Country,Total Quantity\r\n${quantityBy(lines, (l) => l.country)
      .map(([name, sum]) => `${name},${sum}`)
      .join('\r\n')}\r\n`;

  it('streams the answer as CSV from a form field data', async () => {
    const data = JSON.stringify({ metadata: [country, sumQuantity], datasource: { title: 'demo_sales' } });
    const answer = await sx(app, 'POST', '/api/datasources/demo_sales/jaql/csv', { data }, { form: true });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/csv/);
    expect(answer.text).toBe(expectedCsv());
  });

  it('takes a JSON body too, and answers a JAQL error or a 400 for bad data', async () => {
    const answer = await sx(app, 'POST', '/api/datasources/demo_sales/jaql/csv', {
      metadata: [country, sumQuantity],
    });
    expect(answer.text).toBe(expectedCsv());
    const bad = await sx(
      app,
      'POST',
      '/api/datasources/demo_sales/jaql/csv',
      { data: '{nope' },
      { form: true },
    );
    expect(bad.status).toBe(400);
    expect(sisenseError(bad).message).toMatch(/^data: /);
    const failed = await sx(app, 'POST', '/api/datasources/demo_sales/jaql/csv', {
      metadata: [{ jaql: { dim: '[x.y]' } }],
    });
    expect(jaqlErrorOf(failed)).toMatch(/^metadata\[0\]\.jaql\.dim/);
  });
});

describe('cancel_queries', () => {
  it('answers the guids of the caller’s running queries it cancelled', async () => {
    const answer = await sx(app, 'POST', '/api/datasources/localhost/demo_sales/cancel_queries', {
      queries: 'a1b2;c3d4',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ cancelled: [] });
    const bad = await sx(app, 'POST', '/api/datasources/localhost/demo_sales/cancel_queries', { queries: 3 });
    expect(bad.status).toBe(400);
    expect(sisenseError(bad).message).toMatch(/^queries: /);
  });

  it('cancels a running query by its queryGuid, which then answers a JAQL error', async () => {
    const guid = 'guid-of-a-slow-query';
    // Every minute of three years, with a distinct count: long enough to be caught running.
    const slow = jaql(
      app,
      [
        { jaql: { dim: dim('date'), datatype: 'datetime', level: 'minutes' } },
        { jaql: { dim: dim('price'), agg: 'median' } },
      ],
      { extra: { queryGuid: guid, count: 10 } },
    );
    let cancelled: string[] = [];
    for (let i = 0; i < 50 && cancelled.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const answer = await sx(app, 'POST', '/api/datasources/localhost/demo_sales/cancel_queries', {
        queries: guid,
      });
      cancelled = answer.body.cancelled;
    }
    const answer = await slow;
    // The query may have finished first on a fast machine; when it was caught, it says so.
    if (cancelled.length > 0) expect(jaqlErrorOf(answer)).toMatch(/cancel|abort/i);
    else expect(answer.body.values).toBeDefined();
  });
});

describe('the query plan (EC-04)', () => {
  it('answers the SQL the JAQL compiles to, and the row count on request', async () => {
    const body = { metadata: [country, sumQuantity] };
    const answer = await sx(app, 'POST', '/api/v1/elasticubes/demo_sales/jaql/explain?rowcount=true', body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({
      datasource: { title: 'demo_sales' },
      dialect: 'duckdb',
      rowCount: 20,
    });
    expect(answer.body.sql).toMatch(/SELECT[\s\S]*GROUP BY/);
    const wrapped = await sx(app, 'POST', '/api/v1/elasticubes/demo_sales/jaql/explain', { jaql: body });
    expect(wrapped.body.sql).toBe(answer.body.sql);
    expect(wrapped.body.rowCount).toBeUndefined();
  });

  it('refuses a bad item with a 400 naming it, an unknown cube with a 404, a viewer with a 403', async () => {
    const bad = await sx(app, 'POST', '/api/v1/elasticubes/demo_sales/jaql/explain', {
      metadata: [{ jaql: { dim: '[x]' } }],
    });
    expect(bad.status).toBe(400);
    expect(sisenseError(bad).message).toMatch(/^metadata\[0\]\.jaql\.dim/);
    const missing = await sx(app, 'POST', '/api/v1/elasticubes/Nowhere/jaql/explain', {
      metadata: [country],
    });
    expect(missing.status).toBe(404);
    const refused = await sx(
      app,
      'POST',
      '/api/v1/elasticubes/demo_sales/jaql/explain',
      { metadata: [country] },
      { token: viewer },
    );
    expect(refused.status).toBe(403);
  });
});

describe('excelExport (ENG-01)', () => {
  /** The first sheet's rows (header first) of an xlsx answer. */
  async function sheetRows(body: Buffer): Promise<unknown[][]> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    workbook.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return rows;
  }

  it('answers a pivot JAQL as an xlsx workbook, columns spread by the columns panel', async () => {
    const query = {
      datasource: { title: 'demo_sales' },
      metadata: [
        { jaql: { title: 'Country', dim: dim('country') }, panel: 'rows' },
        { jaql: { title: 'Year', dim: dim('date'), datatype: 'datetime', level: 'years' }, panel: 'columns' },
        { jaql: { title: 'Units', dim: dim('quantity'), agg: 'sum' }, panel: 'measures' },
        { jaql: { dim: dim('country'), filter: { members: ['France', 'Japan'] } }, panel: 'scope' },
      ],
    };
    const exported = (url: string) =>
      app.rosetta.server.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ query }),
      });
    const answer = await exported('/sisense/engine/excelExport');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toMatch(/spreadsheetml/);
    const rows = await sheetRows(answer.rawPayload);
    // The same export under the REST prefix, where the catalogue reads every documented path.
    const underV1 = await exported('/sisense/api/v1/engine/excelExport');
    expect(underV1.statusCode, underV1.body).toBe(200);
    expect(await sheetRows(underV1.rawPayload)).toEqual(rows);
    expect(rows[0]).toEqual([
      'Country',
      'Units · 2023-01-01',
      'Units · 2024-01-01',
      'Units · 2025-01-01',
      'Units',
    ]);
    const sums = (name: string) => {
      const years = quantityBy(
        lines,
        (l) => l.date.slice(0, 4),
        (l) => l.country === name,
      ).map(([, sum]) => sum);
      return [name, ...years, years.reduce((a, b) => a + b, 0)];
    };
    expect(rows.slice(1)).toEqual([sums('France'), sums('Japan')]);
  });

  it('refuses a bad item with a 400 naming it', async () => {
    const bad = await sx(app, 'POST', '/engine/excelExport', {
      query: { datasource: 'demo_sales', metadata: [{ jaql: { dim: '[x.y]' } }] },
    });
    expect(bad.status).toBe(400);
    expect(sisenseError(bad).message).toMatch(/^metadata\[0\]\.jaql\.dim/);
  });
});

describe('usage events', () => {
  it('accepts an array of events with 204, and refuses anything else naming the body', async () => {
    const sent = await sx(app, 'POST', '/api/activities', [{ type: 'widget_viewed' }], { token: viewer });
    expect(sent.status).toBe(204);
    const bad = await sx(app, 'POST', '/api/activities', { type: 'widget_viewed' });
    expect(bad.status).toBe(400);
    expect(sisenseError(bad).message).toMatch(/^body: /);
  });
});
