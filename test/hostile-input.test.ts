import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * Hostile input through the whole HTTP stack: every bad request is a 4xx with a message, never a
 * 500, and stored data (warehouse rows, dashboards, users) is unchanged afterwards.
 */
describe('hostile input', () => {
  let app: TestApp;
  let source: string;
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
