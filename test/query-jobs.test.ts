import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows } from '../src/core/data/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * Query jobs over HTTP, on the demo data with a row policy and a low row cap: a submitted query's
 * pages are the rows POST /api/query answers, the job belongs to its submitter, and a long
 * statement is cancelled. Expected counts come from the same deterministic rows the demo loads.
 */
const CAP = 5000;
const EUROPE = ['France', 'Spain'];
let app: TestApp;
let source: string;
let viewer: string;
let neighbour: string;

async function login(email: string, role: string, attributes?: Record<string, string[]>): Promise<string> {
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

beforeAll(async () => {
  app = await startTestApp({ env: { ROSETTA_MAX_QUERY_ROWS: String(CAP) } });
  const demo = (await app.request('GET', '/api/data-sources')).body.items.find(
    (s: { name: string }) => s.name === 'demo_sales',
  );
  source = demo.uuid;
  await app.request('POST', '/api/attributes', { key: 'market', type: 'string' });
  const patched = await app.request('PATCH', `/api/data-sources/${demo.id}`, {
    policies: [{ field: 'country', attribute: 'market' }],
  });
  expect(patched.status).toBe(200);
  viewer = await login('explorer@example.com', 'interactive_viewer', { market: EUROPE });
  neighbour = await login('neighbour@example.com', 'interactive_viewer', { market: EUROPE });
}, 120_000);
afterAll(() => app?.close());

async function finished(id: string, token?: string) {
  for (;;) {
    const { status, body } = await app.request('GET', `/api/query/jobs/${id}?pageSize=1`, undefined, {
      token,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    if (body.status !== 'queued' && body.status !== 'running') return body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const daily = () => ({
  source,
  dimensions: [{ field: 'date', granularity: 'day' }, 'country', 'category'],
  metrics: [{ field: 'quantity', aggregation: 'sum' }, { aggregation: 'count' }],
});

describe('query jobs over HTTP', () => {
  it('submits a query, then reads its whole result page by page: the rows of POST /api/query', async () => {
    const submitted = await app.request('POST', '/api/query/jobs', daily(), { token: viewer });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({ id: expect.any(String), status: 'queued' });
    const { id } = submitted.body;
    expect(await finished(id, viewer)).toMatchObject({ status: 'success' });

    // The groups the viewer's markets have, counted here from the demo rows; more than the cap.
    const groups = new Set(
      demoRows()
        .filter((row) => EUROPE.includes(String(row[1])))
        .map((row) => `${String(row[0]).slice(0, 10)} ${row[1]} ${row[2]}`),
    ).size;
    expect(groups).toBeGreaterThan(CAP);
    const plain = await app.request('POST', '/api/query', daily(), { token: viewer });
    expect(plain.body).toMatchObject({ truncated: true });
    expect(plain.body.rows).toHaveLength(CAP);

    const rows: unknown[] = [];
    let first: Record<string, unknown> | undefined;
    for (let page = 1; ; page++) {
      const { status, body } = await app.request(
        'GET',
        `/api/query/jobs/${id}?page=${page}&pageSize=1200`,
        undefined,
        { token: viewer },
      );
      expect(status).toBe(200);
      first ??= body;
      rows.push(...body.rows);
      if (page === body.totalPages) break;
    }
    expect(first).toMatchObject({
      id,
      status: 'success',
      page: 1,
      pageSize: 1200,
      totalRows: CAP,
      totalPages: Math.ceil(CAP / 1200),
      truncated: true,
      columns: plain.body.columns,
    });
    expect(rows).toEqual(plain.body.rows);
    expect(new Set(rows.map((row) => (row as unknown[])[1]))).toEqual(new Set(EUROPE));

    // The job is one of the viewer's jobs too.
    const listed = await app.request('GET', '/api/jobs?type=query', undefined, { token: viewer });
    expect(listed.body.items).toMatchObject([{ uuid: id, status: 'success', result: { totalRows: CAP } }]);
  });

  it('names a bad page or page size, and a bad body at once', async () => {
    const { body } = await app.request(
      'POST',
      '/api/query/jobs',
      { ...daily(), limit: 10 },
      { token: viewer },
    );
    await finished(body.id, viewer);
    const fieldOf = async (query: string) => {
      const answer = await app.request('GET', `/api/query/jobs/${body.id}?${query}`, undefined, {
        token: viewer,
      });
      return `${answer.status} ${answer.body.error?.field}`;
    };
    expect(await fieldOf('page=0')).toBe('400 page');
    expect(await fieldOf('page=two')).toBe('400 page');
    expect(await fieldOf('page=2&pageSize=10')).toBe('400 page');
    expect(await fieldOf('pageSize=5001')).toBe('400 pageSize');
    expect(await fieldOf('pageSize=-1')).toBe('400 pageSize');
    const bad = await app.request(
      'POST',
      '/api/query/jobs',
      { source, dimensions: ['colour'] },
      { token: viewer },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('dimensions[0].field');
  });

  it('shows a job only to its submitter and admins', async () => {
    const { body } = await app.request(
      'POST',
      '/api/query/jobs',
      { ...daily(), limit: 3 },
      { token: viewer },
    );
    await finished(body.id, viewer);
    const url = `/api/query/jobs/${body.id}`;
    expect((await app.request('GET', url, undefined, { token: neighbour })).status).toBe(404);
    expect((await app.request('POST', `${url}/cancel`, undefined, { token: neighbour })).status).toBe(404);
    expect((await app.request('GET', url)).body.rows).toHaveLength(3);
    // A data-API key follows its own query jobs, although it follows no other job; it is always
    // under the row policies, and its owner, the admin, has no market: no row.
    const key = await app.request('POST', '/api/api-keys', {
      name: 'partner',
      dataSourceIds: [(await app.request('GET', `/api/data-sources/${source}`)).body.id],
    });
    const keyed = await app.request(
      'POST',
      '/api/query/jobs',
      { ...daily(), limit: 2 },
      { token: key.body.key },
    );
    expect(keyed.status).toBe(202);
    expect(await finished(keyed.body.id, key.body.key)).toMatchObject({ status: 'success', totalRows: 0 });
  });

  it('cancels a long query: the job ends cancelled, and a finished job cannot be', async () => {
    const connections = await app.request('GET', '/api/connections');
    const embedded = connections.body.items.find((c: { builtin: boolean }) => c.builtin).id;
    const model = await app.request('POST', '/api/models', {
      name: 'pairs',
      connectionId: embedded,
      baseTable: 'pairs',
      tables: [{ name: 'pairs', sql: 'SELECT a.range AS x FROM range(100000000) a, range(1000000) b' }],
      dimensions: [{ name: 'x', table: 'pairs', column: 'x', type: 'integer' }],
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
    const { body } = await app.request('POST', '/api/query/jobs', {
      source: 'pairs',
      metrics: [{ field: 'x', aggregation: 'sum' }],
    });
    while ((await app.request('GET', `/api/query/jobs/${body.id}`)).body.status !== 'running')
      await new Promise((resolve) => setTimeout(resolve, 25));
    const started = Date.now();
    const cancelled = await app.request('POST', `/api/query/jobs/${body.id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { id: body.id, status: 'cancelled' } });
    expect(await finished(body.id)).toMatchObject({ status: 'cancelled', error: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(3000);
    // The warehouse answers at once again.
    const after = await app.request('POST', '/api/query', { source, metrics: [{ aggregation: 'count' }] });
    expect(after.status).toBe(200);

    const done = await app.request('POST', '/api/query/jobs', { ...daily(), limit: 1 });
    await finished(done.body.id);
    const late = await app.request('POST', `/api/query/jobs/${done.body.id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/already ended \(success\)/);
  });
});
