import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestResponse } from '../../../test/support/app.ts';

// The native embed API over the whole app: real auth, content, row policies and DuckDB.
let app: TestApp;
let dashboardId: number;
let sourceId: number;
let sourceUuid: string;
// biome-ignore lint/suspicious/noExplicitAny: widget queries are sent back as the API gave them
let widgets: { id: string; query: any }[];

beforeAll(async () => {
  app = await startTestApp();
  const list = await app.request('GET', '/api/dashboards');
  dashboardId = list.body.items.find((d: { name: string }) => d.name === 'Demo sales').id;
  widgets = (await app.request('GET', `/api/dashboards/${dashboardId}`)).body.widgets;
  const sources = await app.request('GET', '/api/data-sources');
  ({ id: sourceId, uuid: sourceUuid } = sources.body.items.find(
    (s: { name: string }) => s.name === 'demo_sales',
  ));
  // Non-admin callers (embeds are viewers) see the rows of the countries they are given.
  await app.request('PATCH', `/api/data-sources/${sourceId}`, {
    policies: [{ field: 'country', attribute: 'country' }],
  });
}, 120_000);
afterAll(() => app?.close());

const createEmbed = (body: unknown, id: number | string = dashboardId) =>
  app.request('POST', `/api/dashboards/${id}/embeds`, body);
const open = (token: string) => app.request('POST', '/api/embed/open', { token }, { token: '' });

/** A request as the embedded page sends it: `Authorization: Embed <token>`. */
async function asEmbed(
  token: string,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<TestResponse> {
  const response = await app.rosetta.server.inject({
    method,
    url,
    headers: {
      authorization: `Embed ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() };
}

const kpiQuery = () => widgets.find((w) => w.id === 'units-sold')?.query;

describe('native embeds', () => {
  it('creates an embed URL for the web page and opens it maxUses times', async () => {
    const created = await createEmbed({
      expiresInSeconds: 600,
      maxUses: 2,
      variables: { country: 'France' },
    });
    expect(created.status).toBe(201);
    const { token, url, expiresAt } = created.body;
    expect(new URL(url).pathname).toBe(`/embed/${token}`);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(590_000);

    const first = await open(token);
    expect(first.status).toBe(200);
    expect(first.body.dashboard).toMatchObject({ id: dashboardId, name: 'Demo sales' });
    expect(first.body.expiresAt).toBe(expiresAt);
    expect((await open(token)).status).toBe(200);
    const third = await open(token);
    expect(third.status).toBe(403);
    expect(third.body.error.message).toBe('this embed URL was already opened as many times as allowed');
    // Used up for opening, the page already open keeps its data.
    expect((await asEmbed(token, 'POST', '/api/query', kpiQuery())).status).toBe(200);

    const unknown = await open('not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe('unknown embed token');
  });

  it('filters the data by the token variables through the row policies', async () => {
    const { token } = (
      await createEmbed({ expiresInSeconds: 600, variables: { country: ['France', 'Spain'] } })
    ).body;
    const byCountry = await asEmbed(token, 'POST', '/api/query', {
      source: sourceUuid,
      dimensions: ['country'],
      sorts: [{ field: 'country' }],
    });
    expect(byCountry.status).toBe(200);
    expect(byCountry.body.rows).toEqual([['France'], ['Spain']]);

    const restricted = await asEmbed(token, 'POST', '/api/query', kpiQuery());
    const expected = await app.request('POST', '/api/query', {
      ...kpiQuery(),
      filters: { field: 'country', operator: 'in', values: ['France', 'Spain'] },
    });
    const everything = await app.request('POST', '/api/query', kpiQuery());
    expect(restricted.body.rows).toEqual(expected.body.rows);
    expect(restricted.body.rows[0][0]).toBeLessThan(everything.body.rows[0][0]);

    // No variables: the policy's attribute is missing, so no rows at all.
    const bare = (await createEmbed({ expiresInSeconds: 600 })).body.token;
    const none = await asEmbed(bare, 'POST', '/api/query', { source: sourceUuid, dimensions: ['country'] });
    expect(none.body.rows).toEqual([]);
  });

  it('reaches only its dashboard and its data', async () => {
    const { token } = (await createEmbed({ expiresInSeconds: 600, variables: { country: 'Italy' } })).body;
    expect((await asEmbed(token, 'GET', `/api/dashboards/${dashboardId}`)).status).toBe(200);
    expect(
      (await asEmbed(token, 'GET', '/api/data-sources')).body.items.map((s: { id: number }) => s.id),
    ).toEqual([sourceId]);

    const other = await app.request('POST', '/api/dashboards', { name: 'Not embedded' });
    expect(other.status).toBe(201);
    expect((await asEmbed(token, 'GET', `/api/dashboards/${other.body.id}`)).status).toBe(404);
    const elsewhere = await app.request('POST', '/api/data-sources', {
      name: 'elsewhere',
      type: 'storage',
      columns: [{ name: 'x', type: 'integer' }],
    });
    expect(elsewhere.status).toBe(201);
    const outside = await asEmbed(token, 'POST', '/api/query', {
      source: elsewhere.body.uuid,
      dimensions: ['x'],
    });
    expect(outside.status).toBe(403);

    for (const [method, url] of [
      ['GET', '/api/me'],
      ['GET', '/api/dashboards'],
      ['GET', '/api/users'],
      ['POST', `/api/dashboards/${dashboardId}/embeds`],
      ['POST', '/api/query/sql'],
    ] as const) {
      const refused = await asEmbed(token, method, url, method === 'POST' ? kpiQuery() : undefined);
      expect(refused.status, `${method} ${url}`).toBe(403);
    }
  });

  it('stops answering once expired: data is 401, opening is 403', async () => {
    // Long enough for the first query on a busy machine, short enough to wait for.
    const { token } = (await createEmbed({ expiresInSeconds: 2, variables: { country: 'Italy' } })).body;
    expect((await asEmbed(token, 'POST', '/api/query', kpiQuery())).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await asEmbed(token, 'POST', '/api/query', kpiQuery());
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe('this embed URL has expired');
    const reopened = await open(token);
    expect(reopened.status).toBe(403);
    expect(reopened.body.error.message).toBe('this embed URL has expired');
  });

  it('validates the request and who may embed', async () => {
    for (const [body, field] of [
      [{}, 'expiresInSeconds'],
      [{ expiresInSeconds: 0 }, 'expiresInSeconds'],
      [{ expiresInSeconds: 5 * 86400 + 1 }, 'expiresInSeconds'],
      [{ expiresInSeconds: 60, maxUses: 0 }, 'maxUses'],
      [{ expiresInSeconds: 60, variables: { country: { nested: 1 } } }, 'variables.country'],
      [{ expiresInSeconds: 60, other: 1 }, 'other'],
    ] as const) {
      const answer = await createEmbed(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.message).toContain(field);
    }
    expect((await createEmbed({ expiresInSeconds: 60 }, 999_999)).status).toBe(404);
    expect((await open('')).status).toBe(400);

    // A viewer who does not own the dashboard cannot hand out access to it.
    const password = 'a viewer password 123';
    await app.request('POST', '/api/users', { email: 'viewer@example.com', role: 'viewer', password });
    const login = await app.request('POST', '/api/auth/login', { email: 'viewer@example.com', password });
    const byViewer = await app.request(
      'POST',
      `/api/dashboards/${dashboardId}/embeds`,
      { expiresInSeconds: 60 },
      { token: login.body.token },
    );
    expect(byViewer.status).toBe(403);
  });
});
