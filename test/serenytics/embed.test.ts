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

const embed = (data: unknown) => seren(app, 'POST', `/api/web_app/${dashboard}/embed`, data);
/** What the embed page does first: open the token (counts one use). */
const openEmbed = (token: string) => app.request('POST', '/api/embed/open', { token }, { token: '' });
const byCountry = (token: string, uuid = demo) =>
  seren(
    app,
    'POST',
    `/api/formatted_data/${uuid}?embeddedPayload=${token}`,
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

    // Data requests of the open dashboard keep working, filtered by the payload.
    const data = await byCountry(token);
    expect(data.body).toMatchObject({ status: 'ok', data: [['France']] });
  });

  it('opens through the web_app route as well, counting the same uses', async () => {
    const { body } = await embed({ expire_in: 600, payload: { country: 'France' }, nb_max_embed: 1 });
    const opened = await seren(
      app,
      'GET',
      `/api/web_app/${dashboard}?embeddedPayload=${body.embeddedPayload}`,
      undefined,
      { key: null },
    );
    expect(opened.body.uuid).toBe(dashboard);
    expect((await openEmbed(body.embeddedPayload)).status).toBe(403);
  });

  it('limits the embed to its dashboard data and refuses writes', async () => {
    const { body } = await embed({ expire_in: 600, payload: { country: 'Spain' } });
    const other = await seren(app, 'POST', '/api/data_source', {
      name: 'other',
      type: 'Storage',
      jsonContent: {},
    });
    expect((await byCountry(body.embeddedPayload, other.body.uuid)).status).toBe(404);
    const write = await seren(
      app,
      'POST',
      `/api/data_source/${demo}/reload?embeddedPayload=${body.embeddedPayload}`,
      [{ country: 'x' }],
      { key: null },
    );
    expect(write.status).toBe(403);
  });

  it('refuses data queries once expire_in has passed', async () => {
    // Long enough for the first query on a busy machine, short enough to wait for.
    const { body } = await embed({ expire_in: 3, payload: { country: 'Italy' } });
    expect((await byCountry(body.embeddedPayload)).body.data).toEqual([['Italy']]);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const refused = await byCountry(body.embeddedPayload);
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0]).toContain('expired');
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
});
