import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';

/**
 * Hostile input through the whole HTTP stack: every bad request is a 4xx with a message, never a
 * 500, and stored data (warehouse rows, dashboards, users) is unchanged afterwards.
 */
describe('hostile input', () => {
  let app: TestApp;
  let source: string;
  /** A storage source without columns yet: a failed first push must leave it so. */
  let empty: string;
  let snapshot: string;

  const storedState = async () => {
    const count = await app.request('POST', '/api/query', {
      source,
      metrics: [
        { field: 'quantity', aggregation: 'count' },
        { field: 'quantity', aggregation: 'sum' },
      ],
    });
    const dashboards = await app.request('GET', '/api/dashboards');
    const dashboard = await app.request('GET', `/api/dashboards/${dashboards.body.items[0].uuid}`);
    const users = await app.request('GET', '/api/users');
    const sources = await app.request('GET', '/api/data-sources');
    return JSON.stringify([count.body.rows, dashboard.body, users.body, sources.body]);
  };

  beforeAll(async () => {
    app = await startTestApp();
    const sources = await app.request('GET', '/api/data-sources');
    source = sources.body.items[0].uuid;
    empty = (await app.request('POST', '/api/data-sources', { name: 'empty', type: 'storage' })).body.uuid;
    snapshot = await storedState();
  });
  afterAll(async () => {
    expect(await storedState()).toBe(snapshot);
    await app.close();
  });

  const expectClientError = (response: { status: number; body: { error?: { message?: string } } }) => {
    expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body.error?.message).toBeTruthy();
  };

  it('refuses malformed JSON on every kind of route', async () => {
    for (const [method, url] of [
      ['POST', '/api/query'],
      ['POST', '/api/dashboards'],
      ['POST', `/api/data-sources/${source}/rows`],
      ['POST', '/api/users'],
      ['POST', '/api/auth/login'],
    ]) {
      expectClientError(await app.request(method, url, undefined, { raw: '{"source": "x", ' }));
    }
  });

  it('names the field when a field name carries SQL', async () => {
    const response = await app.request('POST', '/api/query', {
      source,
      dimensions: ['country"; DROP TABLE storage.ds_1; --'],
    });
    expectClientError(response);
    expect(response.body.error.message).toContain('DROP TABLE');
    expect(response.body.error.field).toMatch(/^dimensions\[0\]/);
  });

  it('treats SQL in filter values as plain values', async () => {
    const response = await app.request('POST', '/api/query', {
      source,
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      filters: { and: [{ field: 'country', operator: '=', values: ["France' OR '1'='1"] }] },
    });
    expect(response.status).toBe(200);
    expect(response.body.rows).toEqual([]);
  });

  it('refuses wrong types and huge limits with the field named', async () => {
    const cases = [
      { body: { source, limit: 1e12 }, field: 'limit' },
      { body: { source, limit: 'ten' }, field: 'limit' },
      { body: { source, dimensions: 'country' }, field: 'dimensions' },
      {
        body: {
          source,
          dimensions: ['country'],
          filters: { and: [{ field: 'price', operator: '>', values: ['cheap'] }] },
        },
        field: 'filters',
      },
      { body: { source, metrics: [{ field: 'country', aggregation: 'median' }] }, field: 'metrics' },
    ];
    for (const { body, field } of cases) {
      const response = await app.request('POST', '/api/query', body);
      expectClientError(response);
      expect(String(response.body.error.field ?? response.body.error.message)).toContain(field);
    }
  });

  /** A 400 whose field is `field` (and whose message says `problem`), for a JSON body or its raw text. */
  const refused = async (method: string, url: string, body: unknown, field: string, problem: RegExp) => {
    const response =
      typeof body === 'string'
        ? await app.request(method, url, undefined, { raw: body })
        : await app.request(method, url, body);
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'ERR_VALIDATION', field });
    expect(response.body.error.message).toMatch(problem);
  };
  const nul = /must not contain the NUL character/;
  const huge = '9'.repeat(400);

  it('refuses NUL in query names and values with a 400 naming the field', async () => {
    const query = (parts: Record<string, unknown>) => ({ source, ...parts });
    await refused(
      'POST',
      '/api/query',
      query({ metrics: [{ field: 'quantity', aggregation: 'sum', alias: 'total\u0000' }] }),
      'metrics[0].alias',
      nul,
    );
    await refused(
      'POST',
      '/api/query',
      query({ dimensions: [{ field: 'country', alias: '\u0000' }] }),
      'dimensions[0].alias',
      nul,
    );
    await refused(
      'POST',
      '/api/query',
      query({
        metrics: [
          { field: 'quantity', aggregation: 'sum' },
          { name: 'double\u0000', formula: 'sum_quantity * 2' },
        ],
      }),
      'metrics[1].name',
      nul,
    );
    await refused(
      'POST',
      '/api/query',
      query({
        dimensions: ['country'],
        filters: { and: [{ field: 'country', operator: '=', values: ['F\u0000'] }] },
      }),
      'filters.and[0].values[0]',
      nul,
    );
    await refused(
      'POST',
      '/api/query',
      query({
        dimensions: ['country'],
        variables: { c: 'F\u0000' },
        filters: { and: [{ field: 'country', operator: 'contains', values: [{ variable: 'c' }] }] },
      }),
      'filters.and[0].values[0]',
      nul,
    );
  });

  it('refuses NUL in column names, row keys and text values, storing nothing', async () => {
    await refused(
      'POST',
      '/api/data-sources',
      { name: 'nul', type: 'storage', columns: [{ name: 'a\u0000b', type: 'string' }] },
      'columns[0].name',
      nul,
    );
    await refused(
      'POST',
      `/api/data-sources/${source}/rows`,
      { mode: 'insert', rows: [{ country: 'F\u0000' }] },
      'rows[1].country',
      nul,
    );
    await refused(
      'POST',
      `/api/data-sources/${empty}/rows`,
      { mode: 'insert', rows: [{ 'a\u0000': 1 }] },
      'rows[1].a\u0000',
      nul,
    );
    await refused(
      'POST',
      `/api/data-sources/${empty}/rows`,
      { mode: 'insert', rows: [{ a: 'x\u0000' }] },
      'rows[1].a',
      nul,
    );
    await refused(
      'POST',
      '/api/models',
      {
        name: 'nul model',
        connectionId: (await app.request('GET', `/api/data-sources/${source}`)).body.connectionId,
        baseTable: 's',
        tables: [{ name: 's', dataSource: source }],
        dimensions: [{ name: 'country\u0000', table: 's', column: 'country' }],
      },
      'dimensions[0].name',
      nul,
    );
    const csv = (text: string) =>
      app.rosetta.server.inject({
        method: 'POST',
        url: `/api/data-sources/${source}/csv?mode=append`,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/csv' },
        payload: text,
      });
    // CSV is text: a NUL byte anywhere, header or value, refuses the file where it is.
    for (const [text, at] of [
      ['country\u0000,quantity\nFrance,1\n', 7],
      ['country,quantity\nFr\u0000ance,1\n', 19],
    ] as const) {
      const answer = await csv(text);
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json().error).toEqual({
        code: 'ERR_VALIDATION',
        reason: 'validation',
        field: 'file',
        message: `file: holds a NUL byte at byte ${at}: save the file as UTF-8 text`,
      });
    }
  });

  it('refuses numbers beyond what the column holds in queries and rows, naming the field', async () => {
    const filter = (field: string, value: string) =>
      `{"source":"${source}","dimensions":["country"],"filters":{"and":[{"field":"${field}","operator":">","values":[${value}]}]}}`;
    await refused(
      'POST',
      '/api/query',
      filter('quantity', huge),
      'filters.and[0].values[0]',
      /number out of range/,
    );
    await refused(
      'POST',
      '/api/query',
      filter('price', `-${huge}`),
      'filters.and[0].values[0]',
      /number out of range/,
    );
    await refused(
      'POST',
      '/api/query',
      filter('quantity', `"${huge}"`),
      'filters.and[0].values[0]',
      /out of range for integer/,
    );
    await refused(
      'POST',
      '/api/query',
      filter('quantity', '1e300'),
      'filters.and[0].values[0]',
      /out of range for integer/,
    );
    await refused(
      'POST',
      '/api/query',
      `{"source":"${source}","dimensions":["country"],"offset":${huge}}`,
      'offset',
      /non-negative integer/,
    );
    await refused(
      'POST',
      '/api/query',
      `{"source":"${source}","dimensions":["country"],"limit":${huge}}`,
      'limit',
      /non-negative integer/,
    );

    const rows = (row: string) => `{"mode":"insert","rows":[${row}]}`;
    const push = `/api/data-sources/${source}/rows`;
    await refused(
      'POST',
      push,
      rows(`{"quantity":${huge}}`),
      'rows[1].quantity',
      /^rows\[1\]\.quantity: number out of range/,
    );
    await refused(
      'POST',
      push,
      rows(`{"quantity":"${huge}"}`),
      'rows[1].quantity',
      /out of range for integer/,
    );
    await refused(
      'POST',
      push,
      rows('{"quantity":"9223372036854775808"}'),
      'rows[1].quantity',
      /out of range for integer/,
    );
    await refused('POST', push, rows(`{"price":"${huge}"}`), 'rows[1].price', /number out of range/);
    await refused('POST', push, rows(`{"price":-${huge}}`), 'rows[1].price', /number out of range/);
    await refused('POST', push, rows(`{"country":${huge}}`), 'rows[1].country', /number out of range/);
    // A first push would define the columns; a bad value must not leave them defined.
    const first = `/api/data-sources/${empty}/rows`;
    await refused('POST', first, rows(`{"a":${huge}}`), 'rows[1].a', /number out of range/);
    await refused('POST', first, rows('{"a":1},{"a":{"nested":true}}'), 'rows[2].a', /expected string/);
  });

  it('never answers a random body with a server error', async () => {
    const routes: Array<[string, string]> = [
      ['POST', '/api/query'],
      ['POST', '/api/dashboards'],
      ['POST', `/api/data-sources/${source}/rows`],
      ['POST', '/api/data-sources'],
      ['POST', '/api/users'],
      ['POST', '/api/groups'],
      ['POST', '/api/folders'],
      ['POST', '/api/models'],
      ['POST', '/api/connections'],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.jsonValue({ maxDepth: 4 }),
        async ([method, url], body) => {
          // Bodies that happen to be valid may create things; only creations of new entities are possible,
          // and the row-count/dashboards snapshot checked at the end must hold regardless.
          const response = await app.request(method, url, body);
          expect(response.status, JSON.stringify({ url, body, answer: response.body })).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('answers random bodies on every write route of the OpenAPI document without a server error', async () => {
    const { body: openapi } = await app.request('GET', '/api/openapi.json');
    // Path parameters name nothing that exists, so a body that happens to be valid changes nothing
    // stored; the body is still validated first. Logging out would end the test's own credential.
    const routes = Object.entries(openapi.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) =>
        ['post', 'put', 'patch']
          .filter((method) => method in operations && path !== '/api/auth/logout')
          .map((method): [string, string] => [method.toUpperCase(), path.replace(/\{[^}]+\}/g, '999999')]),
    );
    expect(routes.length).toBeGreaterThan(40);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.jsonValue({ maxDepth: 3 }),
        async ([method, url], body) => {
          const response = await app.request(method, url, body);
          expect(response.status, JSON.stringify({ method, url, body, answer: response.body })).toBeLessThan(
            500,
          );
        },
      ),
      { numRuns: 600 },
    );
  }, 120_000);
});
