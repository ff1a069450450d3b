import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoDashboardId, keyOfNewUser } from './dashboard-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let demoId: number;
let viewerKey: string;

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  demoId = await demoDashboardId(app);
  viewerKey = await keyOfNewUser(app, 'viewer', 'viewer@links.test');
}, 60_000);
afterAll(() => app?.close());

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const create = (link: Record<string, unknown>, key?: string) =>
  hx(
    app,
    'POST',
    '/shareable_links',
    { shareable_link: { resource_type: 'Dashboard', resource_id: demoId, ...link } },
    { key },
  );

describe('Holistics shareable links', () => {
  it('creates a link (an embed link of the dashboard) that opens the dashboard', async () => {
    const answer = await create({ expired_at: inDays(2) });
    expect(answer.status).toBe(201);
    const link = answer.body.shareable_link;
    expect(link).toMatchObject({ resource_type: 'Dashboard', resource_id: demoId, password_enabled: false });
    expect(Date.parse(link.expired_at)).toBeCloseTo(Date.parse(inDays(2)), -4);
    const embeds = await app.request('GET', `/api/dashboards/${demoId}/embeds`);
    expect(embeds.body.items.map((e: { id: number }) => e.id)).toContain(link.id);
    const token = new URL(link.url).pathname.split('/').pop();
    const opened = await app.request('POST', '/api/embed/open', { token }, { token: '' });
    expect(opened.status).toBe(200);
    expect(opened.body.dashboard.id).toBe(demoId);
  });

  it('lives the longest a Rosetta link may (5 days) when it has no expiry', async () => {
    const answer = await create({});
    expect(Date.parse(answer.body.shareable_link.expired_at)).toBeCloseTo(Date.parse(inDays(5)), -4);
    const tooLate = await create({ expired_at: inDays(30) });
    expect(tooLate.status).toBe(422);
    expect(tooLate.body.details.field).toBe('shareable_link.expired_at');
  });

  it('refuses what Rosetta links cannot hold, naming the field', async () => {
    for (const [link, field] of [
      [{ password_enabled: true, password: 'secret' }, 'shareable_link.password_enabled'],
      [{ title: 'Board' }, 'shareable_link.title'],
      [
        {
          dynamic_filter_presets: [
            { dynamic_filter_id: 1, preset_condition: { operator: 'is', values: ['x'] } },
          ],
        },
        'shareable_link.dynamic_filter_presets',
      ],
    ] as const) {
      const answer = await create(link);
      expect(answer.status, JSON.stringify(link)).toBe(422);
      expect(answer.body.details.field).toBe(field);
    }
    expect((await create({ resource_id: 999999 })).status).toBe(404);
    const missing = await hx(app, 'POST', '/shareable_links', {});
    expect(missing.status).toBe(422);
  });

  it('lists, reads, restates and deletes links; editors only', async () => {
    const other = await app.request('POST', '/api/dashboards', { name: 'Other linked' });
    const mine = (await create({ expired_at: inDays(1) })).body.shareable_link;
    const elsewhere = (
      await hx(app, 'POST', '/shareable_links', {
        shareable_link: { resource_type: 'Dashboard', resource_id: other.body.id },
      })
    ).body.shareable_link;
    const all = await hx(app, 'GET', '/shareable_links?limit=100');
    expect(all.status).toBe(200);
    const ids = all.body.shareable_links.map((l: { id: number }) => l.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, elsewhere.id]));
    const filtered = await hx(
      app,
      'GET',
      `/shareable_links?resource_type=Dashboard&resource_id=${other.body.id}`,
    );
    expect(filtered.body.shareable_links.map((l: { id: number }) => l.id)).toEqual([elsewhere.id]);
    const paged = await hx(app, 'GET', '/shareable_links?limit=1&sort=id_desc');
    expect(paged.body.shareable_links[0].id).toBe(Math.max(...ids));
    expect(paged.body.cursors.next).not.toBeNull();

    const got = await hx(app, 'GET', `/shareable_links/${mine.id}`);
    expect(got.body.shareable_link.expired_at).toBe(mine.expired_at);
    const restated = await hx(app, 'PUT', `/shareable_links/${mine.id}`, {
      shareable_link: { resource_type: 'Dashboard', resource_id: demoId, expired_at: mine.expired_at },
    });
    expect(restated.status).toBe(200);
    const changed = await hx(app, 'PUT', `/shareable_links/${mine.id}`, {
      shareable_link: { resource_type: 'Dashboard', resource_id: demoId, expired_at: inDays(3) },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.details.field).toBe('shareable_link.expired_at');

    expect((await hx(app, 'GET', '/shareable_links', undefined, { key: viewerKey })).status).toBe(403);
    expect((await create({}, viewerKey)).status).toBe(403);
    expect(
      (await hx(app, 'DELETE', `/shareable_links/${mine.id}`, undefined, { key: viewerKey })).status,
    ).toBe(403);

    const deleted = await hx(app, 'DELETE', `/shareable_links/${mine.id}`);
    expect(deleted.status).toBe(200);
    expect((await hx(app, 'GET', `/shareable_links/${mine.id}`)).status).toBe(404);
    expect((await hx(app, 'DELETE', `/shareable_links/${mine.id}`)).status).toBe(404);
    const embeds = await app.request('GET', `/api/dashboards/${demoId}/embeds`);
    expect(embeds.body.items.find((e: { id: number }) => e.id === mine.id).status).toBe('revoked');
  });

  it('shortens an embed token without a key: the token of the link its hash code names', async () => {
    const link = (await create({})).body.shareable_link;
    const token = new URL(link.url).pathname.split('/').pop() as string;
    const shortened = await hx(
      app,
      'POST',
      `/embed/${link.hash_code}/shorten_token`,
      { token },
      { key: null },
    );
    expect(shortened.status).toBe(201);
    expect(shortened.body.shortened_token).toBe(token);
    const other = (await create({})).body.shareable_link;
    expect(
      (await hx(app, 'POST', `/embed/${other.hash_code}/shorten_token`, { token }, { key: null })).status,
    ).toBe(404);
    const unknown = await hx(
      app,
      'POST',
      `/embed/${link.hash_code}/shorten_token`,
      { token: 'nope' },
      { key: null },
    );
    expect(unknown.status).toBe(401);
    expect((await hx(app, 'POST', `/embed/${link.hash_code}/shorten_token`, {}, { key: null })).status).toBe(
      422,
    );
  });
});
