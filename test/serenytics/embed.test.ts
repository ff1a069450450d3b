import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

let app: TestApp;
let dashboard: string;
let demo: string;
beforeAll(async () => {
  app = await startTestApp();
  dashboard = (await seren(app, 'GET', '/api/web_app')).body.objects.find(
    (o: { name: string }) => o.name === DEMO_DASHBOARD_NAME,
  ).uuid;
  demo = (await seren(app, 'GET', '/api/data_source')).body.objects.find(
    (o: { name: string }) => o.name === 'demo_sales',
  ).uuid;
  // Embedded viewers see the rows whose country is their payload's.
  const sources = await app.request('GET', '/api/data-sources');
  const id = sources.body.items.find((s: { uuid: string }) => s.uuid === demo).id;
  await app.request('PATCH', `/api/data-sources/${id}`, {
    policies: [{ field: 'country', attribute: 'country' }],
  });
}, 120_000);
afterAll(() => app?.close());

const embed = (data: unknown, key?: string | null) =>
  seren(app, 'POST', `/api/web_app/${dashboard}/embed`, data, key === undefined ? {} : { key });
/** What the embed page does first: open the link (counts one use) and take its session. */
const openEmbed = (token: string) => app.request('POST', '/api/embed/open', { token }, { token: '' });
/** The embedded page's data: the dashboard's widget, as its session. */
const byCountry = async (session: string) => {
  const id = (await app.request('GET', `/api/dashboards/${dashboard}`)).body.id;
  const response = await app.rosetta.server.inject({
    method: 'POST',
    url: `/api/dashboards/${id}/widgets/revenue-by-country/results`,
    headers: { authorization: `Embed ${session}` },
  });
  const body = response.json();
  return { status: response.statusCode, body, countries: body.rows?.map((row: unknown[]) => row[0]) };
};
const formattedData = (embeddedPayload: string) =>
  seren(
    app,
    'POST',
    `/api/formatted_data/${demo}?embeddedPayload=${embeddedPayload}`,
    {
      order: 'row_by_row',
      data_processing_pipeline: [{ group_by: ['country'], select: [{ name: 'country' }] }],
    },
    { key: null },
  );

describe('embed', () => {
  it('returns the doc shape; the URL is the embed page; it opens nb_max_embed times; payload variables filter the data', async () => {
    const answer = await embed({ expire_in: 86400, payload: { country: 'France' }, nb_max_embed: 1 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'ok', embeddedPayload: expect.any(String) });
    const token = answer.body.embeddedPayload;
    const url = new URL(answer.body.embeddedUrl);
    expect(url.pathname).toBe(`/embed/${token}`);

    const page = await app.rosetta.server.inject({ method: 'GET', url: url.pathname });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);

    const opened = await openEmbed(token);
    expect(opened.status).toBe(200);
    expect(opened.body.dashboard.uuid).toBe(dashboard);
    const again = await openEmbed(token);
    expect(again.status).toBe(403);
    expect(again.body.error.message).toContain('opened as many times as allowed');

    // The open page keeps working, filtered by the payload.
    expect((await byCountry(opened.body.session)).countries).toEqual(['France']);
  });

  it('opens through the web_app route as well, counting the same uses', async () => {
    const { body } = await embed({ expire_in: 600, payload: { country: 'France' }, nb_max_embed: 1 });
    const opened = await seren(
      app,
      'GET',
      `/api/web_app/${dashboard}?embeddedPayload=${body.embeddedPayload}`,
      undefined,
      {
        key: null,
      },
    );
    expect(opened.body.uuid).toBe(dashboard);
    expect((await openEmbed(body.embeddedPayload)).status).toBe(403);
  });

  it('never queries ad hoc, writes, or mints another embed (its payload would widen the row filter)', async () => {
    const { body } = await embed({ expire_in: 600, payload: { country: 'Spain' } });
    const { session } = (await openEmbed(body.embeddedPayload)).body;
    for (const credential of [body.embeddedPayload, session]) {
      expect((await formattedData(credential)).status).not.toBe(200);
      const minted = await seren(
        app,
        'POST',
        `/api/web_app/${dashboard}/embed?embeddedPayload=${credential}`,
        { expire_in: 432000, payload: { country: ['Spain', 'France', 'Germany'] } },
        { key: null },
      );
      expect(minted.status, 'an embed minting an embed').not.toBe(200);
      const write = await seren(
        app,
        'POST',
        `/api/data_source/${demo}/reload?embeddedPayload=${credential}`,
        [{ country: 'x' }],
        {
          key: null,
        },
      );
      expect(write.status).not.toBe(200);
    }
    expect((await formattedData(session)).status).toBe(403);
  });

  it('refuses data once expire_in has passed', async () => {
    // Long enough for the first query on a busy machine, short enough to wait for.
    const { body } = await embed({ expire_in: 3, payload: { country: 'Italy' } });
    const { session } = (await openEmbed(body.embeddedPayload)).body;
    expect((await byCountry(session)).countries).toEqual(['Italy']);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const refused = await byCountry(session);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toContain('expired');
    expect((await openEmbed(body.embeddedPayload)).status).toBe(403);
  });

  it('validates expire_in (> 0 and <= 5 days) and nb_max_embed (>= 1)', async () => {
    expect((await embed({ expire_in: 0, payload: {} })).status).toBe(400);
    expect((await embed({ expire_in: 3600 * 24 * 5 + 1, payload: {} })).status).toBe(400);
    expect((await embed({ expire_in: 3600 * 24 * 5, payload: {} })).status).toBe(200);
    const bad = await embed({ expire_in: 60, payload: {}, nb_max_embed: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toContain('nb_max_embed');
    const variable = await embed({ expire_in: 60, payload: { country: { nested: true } } });
    expect(variable.status).toBe(400);
    expect(variable.body.errors[0]).toContain('payload.country');
  });

  it('is refused to a data-API key', async () => {
    const id = (await app.request('GET', '/api/data-sources')).body.items.find(
      (s: { uuid: string }) => s.uuid === demo,
    ).id;
    const key = (await app.request('POST', '/api/api-keys', { name: 'partner', dataSourceIds: [id] })).body
      .key;
    expect((await embed({ expire_in: 60, payload: {} }, key)).status).toBe(403);
  });
});
