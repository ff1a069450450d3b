import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { keyOfNewUser } from './dashboard-support.ts';
import { hx, NO_RATE_LIMITS, waitForJob } from './support.ts';

let app: TestApp;
let viewerKey: string;

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  viewerKey = await keyOfNewUser(app, 'viewer', 'viewer@tags.test');
}, 60_000);
afterAll(() => app?.close());

const created = async (name: string, tags: string[] = []) => {
  const answer = await app.request('POST', '/api/dashboards', { name, tags });
  expect(answer.status).toBe(201);
  return answer.body as { id: number; uuid: string };
};
const tagsOf = async (id: number) => (await app.request('GET', `/api/dashboards/${id}`)).body.tags;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describe('Holistics tags', () => {
  it("lists the dashboards' tags and the project's, with their colours", async () => {
    await created('Tagged', ['finance', 'weekly']);
    const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
    await app.rosetta.services.content.tags.create(admin, admin.projectId, {
      name: 'finance',
      color: '#00ff00',
    });
    const answer = await hx(app, 'GET', '/tags');
    expect(answer.status).toBe(200);
    const names = answer.body.tags.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['demo', 'finance', 'weekly']));
    expect(answer.body.tags.find((t: { name: string }) => t.name === 'finance').color).toBe('#00ff00');
    expect(answer.body.tags.find((t: { name: string }) => t.name === 'weekly')).toEqual({
      name: 'weekly',
      description: null,
      color: null,
    });
    expect((await hx(app, 'GET', '/tags', undefined, { key: viewerKey })).status).toBe(200);
  });

  it('adds and removes tags of a dashboard named by uname (uuid) or id, as jobs', async () => {
    const dashboard = await created('To tag', ['old']);
    const add = await hx(app, 'POST', '/tags/submit_add_object_tags', {
      object_params: { uname: dashboard.uuid, type: 'dashboard' },
      tags: ['new', 'old', 'other'],
    });
    expect(add.status).toBe(200);
    expect((await waitForJob(app, add.body.job.id)).status).toBe('success');
    expect(await tagsOf(dashboard.id)).toEqual(['old', 'new', 'other']);
    const remove = await hx(app, 'POST', '/tags/submit_remove_object_tags', {
      object_params: { uname: String(dashboard.id), type: 'dashboard' },
      tags: ['old'],
    });
    await waitForJob(app, remove.body.job.id);
    expect(await tagsOf(dashboard.id)).toEqual(['new', 'other']);
    const clear = await hx(app, 'POST', '/tags/submit_remove_object_tags', {
      object_params: { uname: dashboard.uuid, type: 'dashboard' },
      tags: [],
    });
    await waitForJob(app, clear.body.job.id);
    expect(await tagsOf(dashboard.id)).toEqual([]);
  });

  it('refuses datasets, unknown dashboards, bad bodies and viewers', async () => {
    const dashboard = await created('Untouchable');
    const dataset = await hx(app, 'POST', '/tags/submit_add_object_tags', {
      object_params: { uname: 'orders', type: 'dataset' },
      tags: ['x'],
    });
    expect(dataset.status).toBe(422);
    expect(dataset.body.details.field).toBe('object_params.type');
    const unknown = await hx(app, 'POST', '/tags/submit_add_object_tags', {
      object_params: { uname: '999999', type: 'dashboard' },
      tags: ['x'],
    });
    expect(unknown.status).toBe(404);
    const noTags = await hx(app, 'POST', '/tags/submit_add_object_tags', {
      object_params: { uname: dashboard.uuid, type: 'dashboard' },
    });
    expect(noTags.status).toBe(422);
    const tooLong = await hx(app, 'POST', '/tags/submit_add_object_tags', {
      object_params: { uname: dashboard.uuid, type: 'dashboard' },
      tags: ['x'.repeat(65)],
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.details.field).toBe('tags[0]');
    const viewer = await hx(
      app,
      'POST',
      '/tags/submit_add_object_tags',
      { object_params: { uname: dashboard.uuid, type: 'dashboard' }, tags: ['x'] },
      { key: viewerKey },
    );
    expect(viewer.status).toBe(403);
  });

  it('recommends archiving the dashboards nobody opened for more than 30 days', async () => {
    const { db } = app.rosetta.store;
    const stale = await created('Stale', ['old']);
    const lastOpened = await created('Opened long ago');
    const fresh = await created('Fresh');
    const recent = await created('Opened lately');
    for (const { id } of [stale, lastOpened, recent])
      await db
        .updateTable('dashboards')
        .set({ created_at: daysAgo(90) })
        .where('id', '=', id)
        .execute();
    await hx(app, 'GET', `/dashboards/${lastOpened.id}`);
    await hx(app, 'GET', `/dashboards/${recent.id}`);
    await db
      .updateTable('content_views')
      .set({ last_viewed_at: daysAgo(40) })
      .where('kind', '=', 'dashboard')
      .where('object_id', '=', lastOpened.id)
      .execute();
    const answer = await hx(app, 'GET', '/tags/recommend_archivable_objects');
    expect(answer.status).toBe(200);
    const ids = answer.body.archivable_objects.map((o: { id: number }) => o.id);
    expect(ids).toEqual(expect.arrayContaining([stale.id, lastOpened.id]));
    expect(ids).not.toContain(fresh.id);
    expect(ids).not.toContain(recent.id);
    const staleOne = answer.body.archivable_objects.find((o: { id: number }) => o.id === stale.id);
    expect(staleOne).toMatchObject({
      title: 'Stale',
      type: 'Dashboard',
      tags: ['old'],
      uname: stale.uuid,
      last_viewed_at: null,
      permissions: { can_edit: true },
    });
    expect(staleOne.owner_name.length).toBeGreaterThan(0);
    const opened = answer.body.archivable_objects.find((o: { id: number }) => o.id === lastOpened.id);
    expect(opened.last_viewed_at).toBe(daysAgo(40).slice(0, 10) + opened.last_viewed_at.slice(10));
  });
});
