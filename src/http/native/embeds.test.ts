import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestResponse } from '../../../test/support/app.ts';

// The native embed API over the whole app: real auth, content, row policies and DuckDB.
let app: TestApp;
let dashboardId: number;
let sourceId: number;
let sourceUuid: string;

beforeAll(async () => {
  app = await startTestApp();
  const list = await app.request('GET', '/api/dashboards');
  dashboardId = list.body.items.find((d: { name: string }) => d.name === 'Demo sales').id;
  const sources = await app.request('GET', '/api/data-sources');
  ({ id: sourceId, uuid: sourceUuid } = sources.body.items.find(
    (s: { name: string }) => s.name === 'demo_sales',
  ));
  // Non-admin callers (embeds included) see the rows of the countries they are given.
  await app.request('PATCH', `/api/data-sources/${sourceId}`, {
    policies: [{ field: 'country', attribute: 'country' }],
  });
  await app.request('POST', '/api/attributes', { key: 'country', type: 'string' });
}, 120_000);
afterAll(() => app?.close());

const createEmbed = (body: unknown, id: number | string = dashboardId, token?: string) =>
  app.request('POST', `/api/dashboards/${id}/embeds`, body, token === undefined ? {} : { token });
const open = (token: string) => app.request('POST', '/api/embed/open', { token }, { token: '' });

/** A request as the embedded page sends it: `Authorization: Embed <session>`. */
async function asEmbed(
  session: string,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<TestResponse> {
  const response = await app.rosetta.server.inject({
    method,
    url,
    headers: {
      authorization: `Embed ${session}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() };
}

const kpi = (session: string, filters: object = {}) =>
  asEmbed(session, 'POST', `/api/dashboards/${dashboardId}/widgets/units-sold/results`, { filters });

/** The truth from the warehouse itself: the SQL console over the source's table, as an admin. */
async function unitsSold(where: string): Promise<number> {
  const answer = await app.request('POST', '/api/connections/1/sql', {
    sql: `SELECT SUM(quantity) FROM storage.ds_${sourceId} WHERE ${where}`,
  });
  expect(answer.status).toBe(200);
  return Number(answer.body.rows[0][0]);
}

async function signIn(email: string, role: string, attributes?: Record<string, string[]>): Promise<string> {
  const password = `${role} password 123`;
  const user = await app.request('POST', '/api/users', { email, role, password });
  if (attributes) await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes });
  return (await app.request('POST', '/api/auth/login', { email, password })).body.token;
}

describe('native embeds', () => {
  it('opens maxUses times; each opening gives the session its page queries with', async () => {
    const created = await createEmbed({
      expiresInSeconds: 600,
      maxUses: 2,
      variables: { country: 'France' },
    });
    expect(created.status).toBe(201);
    const { token, url, expiresAt, embed } = created.body;
    expect(new URL(url).pathname).toBe(`/embed/${token}`);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect(embed).toMatchObject({
      status: 'active',
      uses: 0,
      maxUses: 2,
      variables: { country: ['France'] },
    });

    const first = await open(token);
    expect(first.status).toBe(200);
    expect(first.body.dashboard).toMatchObject({ id: dashboardId, name: 'Demo sales' });
    expect(first.body.expiresAt).toBe(expiresAt);
    expect(first.body.session).toMatch(/^emb_/);
    expect((await open(token)).status).toBe(200);
    const third = await open(token);
    expect(third.status).toBe(403);
    expect(third.body.error.message).toBe('this embed URL was already opened as many times as allowed');
    // Used up for opening, the pages already open keep their data; the link alone opens nothing.
    expect((await kpi(first.body.session)).status).toBe(200);
    expect((await kpi(token)).status).toBe(401);

    const unknown = await open('not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe('unknown embed token');
  });

  it("filters the widgets by the link's values through the row policies, and by the dashboard's filters", async () => {
    const { token } = (
      await createEmbed({ expiresInSeconds: 600, variables: { country: ['France', 'Spain'] } })
    ).body;
    const { session } = (await open(token)).body;
    const restricted = await kpi(session);
    expect(restricted.status).toBe(200);
    expect(restricted.body.rows).toEqual([[await unitsSold("country IN ('France', 'Spain')")]]);
    // The dashboard's own filters narrow it further, never widen it.
    const spain = await kpi(session, { country: ['Spain', 'Germany'] });
    expect(spain.body.rows).toEqual([[await unitsSold("country = 'Spain'")]]);
    expect(spain.body.appliedFilters).toEqual(['date', 'country']);
    const byCountry = await asEmbed(
      session,
      'POST',
      `/api/dashboards/${dashboardId}/widgets/revenue-by-country/results`,
    );
    expect(byCountry.body.rows.map((row: unknown[]) => row[0]).sort()).toEqual(['France', 'Spain']);
    const choices = await asEmbed(session, 'GET', `/api/dashboards/${dashboardId}/filters/country/values`);
    expect(choices.body).toEqual({ values: ['France', 'Spain'], truncated: false });

    // An admin's link without values: the policy's attribute is missing, so no rows at all.
    const bare = (await open((await createEmbed({ expiresInSeconds: 600 })).body.token)).body.session;
    expect((await kpi(bare)).body.rows).toEqual([[null]]);
  });

  it('reaches only its dashboard, never an ad-hoc query', async () => {
    const { token } = (await createEmbed({ expiresInSeconds: 600, variables: { country: 'Italy' } })).body;
    const { session } = (await open(token)).body;
    expect((await asEmbed(session, 'GET', `/api/dashboards/${dashboardId}`)).status).toBe(200);
    const other = await app.request('POST', '/api/dashboards', {
      name: 'Not embedded',
      widgets: [
        {
          id: 'w',
          query: { source: sourceUuid, metrics: [{ aggregation: 'count' }] },
          visualization: { type: 'kpi' },
        },
      ],
    });
    expect(other.status).toBe(201);
    expect((await asEmbed(session, 'GET', `/api/dashboards/${other.body.id}`)).status).toBe(404);
    expect(
      (await asEmbed(session, 'POST', `/api/dashboards/${other.body.id}/widgets/w/results`)).status,
    ).toBe(404);
    for (const [method, url] of [
      ['POST', '/api/query'],
      ['POST', '/api/query/sql'],
      ['GET', '/api/data-sources'],
      ['GET', `/api/data-sources/${sourceId}/preview`],
      ['GET', '/api/me'],
      ['GET', '/api/users'],
      ['POST', `/api/dashboards/${dashboardId}/embeds`],
      ['GET', `/api/dashboards/${dashboardId}/embeds`],
      ['POST', '/api/exports'],
      ['GET', '/api/jobs'],
    ] as const) {
      const refused = await asEmbed(
        session,
        method,
        url,
        method === 'POST' ? { source: sourceUuid } : undefined,
      );
      expect(refused.status, `${method} ${url}`).toBe(403);
    }
  });

  it('stops answering once expired: data is 401, opening is 403', async () => {
    // Long enough for the first query on a busy machine, short enough to wait for.
    const { token } = (await createEmbed({ expiresInSeconds: 2, variables: { country: 'Italy' } })).body;
    const { session } = (await open(token)).body;
    expect((await kpi(session)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await kpi(session);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe('this embed URL has expired');
    const reopened = await open(token);
    expect(reopened.status).toBe(403);
    expect(reopened.body.error.message).toBe('this embed URL has expired');
  });

  it('is listed and revoked; deleting the dashboard or demoting the creator revokes it', async () => {
    const { token, embed } = (await createEmbed({ expiresInSeconds: 600, variables: { country: 'Italy' } }))
      .body;
    const { session } = (await open(token)).body;
    const listed = await app.request('GET', `/api/dashboards/${dashboardId}/embeds`);
    expect(listed.body.items.find((e: { id: number }) => e.id === embed.id)).toMatchObject({
      uses: 1,
      status: 'active',
    });
    const revoked = await app.request('DELETE', `/api/embeds/${embed.id}`);
    expect(revoked).toMatchObject({ status: 200, body: { status: 'revoked' } });
    expect((await kpi(session)).status).toBe(401);
    expect((await open(token)).body.error.message).toBe('this embed URL was revoked');
    expect((await app.request('DELETE', `/api/embeds/${embed.id}`)).status).toBe(409);

    // A copy of the dashboard with its own link: deleting the copy stops the link at once.
    const copy = (await app.request('POST', `/api/dashboards/${dashboardId}/clone`, { name: 'Copy' })).body;
    const copied = await createEmbed({ expiresInSeconds: 600 }, copy.id);
    const copySession = (await open(copied.body.token)).body.session;
    await app.request('DELETE', `/api/dashboards/${copy.id}`);
    expect((await asEmbed(copySession, 'GET', `/api/dashboards/${copy.id}`)).status).toBe(401);

    // An editor's link stops when the editor is made a viewer.
    const editor = await signIn('embedder@example.com', 'editor', { country: ['Italy'] });
    const byEditor = await createEmbed({ expiresInSeconds: 600 }, dashboardId, editor);
    expect(byEditor.status).toBe(201);
    const editorSession = (await open(byEditor.body.token)).body.session;
    expect((await kpi(editorSession)).body.rows).toEqual([[await unitsSold("country = 'Italy'")]]);
    const users = (await app.request('GET', '/api/users')).body.items;
    const editorId = users.find((u: { email: string }) => u.email === 'embedder@example.com').id;
    await app.request('PATCH', `/api/users/${editorId}`, { role: 'viewer' });
    expect((await kpi(editorSession)).status).toBe(401);
    const after = await app.request('GET', `/api/dashboards/${dashboardId}/embeds`);
    expect(after.body.items.find((e: { id: number }) => e.id === byEditor.body.embed.id)).toMatchObject({
      status: 'revoked',
      revokedReason: 'the creator may no longer edit the dashboard',
    });
  });

  it("bounds an editor's link by the editor's own values; admins choose any", async () => {
    const editor = await signIn('french.editor@example.com', 'editor', { country: ['France', 'Germany'] });
    const beyond = await createEmbed(
      { expiresInSeconds: 60, variables: { country: ['France', 'Spain'] } },
      dashboardId,
      editor,
    );
    expect(beyond.status).toBe(403);
    expect(beyond.body.error.field).toBe('variables.country');
    const within = await createEmbed(
      { expiresInSeconds: 60, variables: { country: 'Germany' } },
      dashboardId,
      editor,
    );
    const session = (await open(within.body.token)).body.session;
    expect((await kpi(session)).body.rows).toEqual([[await unitsSold("country = 'Germany'")]]);
    // No values: the editor's own.
    const own = (await open((await createEmbed({ expiresInSeconds: 60 }, dashboardId, editor)).body.token))
      .body;
    expect((await kpi(own.session)).body.rows).toEqual([
      [await unitsSold("country IN ('France', 'Germany')")],
    ]);
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

    // Viewers and data-API keys cannot hand out access.
    const viewer = await signIn('viewer@example.com', 'viewer');
    expect((await createEmbed({ expiresInSeconds: 60 }, dashboardId, viewer)).status).toBe(403);
    const dataKey = await app.request('POST', '/api/api-keys', {
      name: 'partner',
      dataSourceIds: [sourceId],
    });
    expect((await createEmbed({ expiresInSeconds: 60 }, dashboardId, dataKey.body.key)).status).toBe(403);
  });
});
