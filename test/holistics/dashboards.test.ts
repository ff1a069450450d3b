import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoDashboardId, holisticsDashboard, keyOfNewUser } from './dashboard-support.ts';
import { hx, NO_RATE_LIMITS, waitForJob } from './support.ts';

let app: TestApp;
let demoId: number;
let viewerKey: string;

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  demoId = await demoDashboardId(app);
  viewerKey = await keyOfNewUser(app, 'viewer', 'viewer@dashboards.test');
}, 60_000);
afterAll(() => app?.close());

const created = async (name: string, tags: string[] = []) => {
  const answer = await app.request('POST', '/api/dashboards', { name, tags });
  expect(answer.status).toBe(201);
  return answer.body.id as number;
};

describe('Holistics dashboards', () => {
  it('shows a dashboard with its name as title, its tags, its URL, widgets and dynamic filters', async () => {
    const dashboard = await holisticsDashboard(app, demoId);
    expect(dashboard).toMatchObject({ id: demoId, title: 'Demo sales', tags: ['demo'], version: 3 });
    expect(dashboard.url).toMatch(new RegExp(`/dashboards/${demoId}$`));
    expect(dashboard.widgets.length).toBe(6);
    expect(dashboard.widgets[0]).toMatchObject({ source_type: 'QueryReport', source_title: 'Units sold' });
    const filters = dashboard.dynamic_filters.map((f: { uname: string; id: number }) => f.uname);
    expect(filters).toContain('country');
    // Integer ids stay the same from one read to the next.
    const again = await holisticsDashboard(app, demoId);
    expect(again.widgets.map((w: { id: number }) => w.id)).toEqual(
      dashboard.widgets.map((w: { id: number }) => w.id),
    );
    expect(again.dynamic_filters).toEqual(dashboard.dynamic_filters);
  });

  it('answers a missing dashboard with 404 and a malformed id with 422', async () => {
    expect((await hx(app, 'GET', '/dashboards/999999')).status).toBe(404);
    const malformed = await hx(app, 'GET', '/dashboards/abc');
    expect(malformed.status).toBe(422);
    expect(malformed.body.type).toBe('InvalidParameterError');
  });

  it('pages through the list with cursors, in both orders', async () => {
    for (const name of ['Paged A', 'Paged B', 'Paged C']) await created(name);
    const all = (await hx(app, 'GET', '/dashboards?limit=100')).body.dashboards.map(
      (d: { id: number }) => d.id,
    );
    expect(all.length).toBeGreaterThanOrEqual(4);
    const first = await hx(app, 'GET', '/dashboards?limit=2');
    expect(first.body.dashboards.map((d: { id: number }) => d.id)).toEqual(all.slice(0, 2));
    expect(first.body.cursors.previous).toBeNull();
    const second = await hx(app, 'GET', `/dashboards?limit=2&after=${first.body.cursors.next}`);
    expect(second.body.dashboards.map((d: { id: number }) => d.id)).toEqual(all.slice(2, 4));
    const back = await hx(app, 'GET', `/dashboards?limit=2&before=${second.body.cursors.previous}`);
    expect(back.body.dashboards.map((d: { id: number }) => d.id)).toEqual(all.slice(0, 2));
    const descending = await hx(app, 'GET', '/dashboards?limit=100&sort=id_desc');
    expect(descending.body.dashboards.map((d: { id: number }) => d.id)).toEqual([...all].reverse());
    expect((await hx(app, 'GET', '/dashboards?limit=0')).status).toBe(422);
    const withEmbed = await hx(app, 'GET', '/dashboards?include_embed_info=true&limit=1');
    expect(withEmbed.body.dashboards[0].embed_info).toBeNull();
  });

  it('deletes a dashboard into the trash, for editors only', async () => {
    const id = await created('Doomed');
    const refused = await hx(app, 'DELETE', `/dashboards/${id}`, undefined, { key: viewerKey });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('PermissionDeniedError');
    const deleted = await hx(app, 'DELETE', `/dashboards/${id}`);
    expect(deleted.status).toBe(200);
    expect((await app.request('GET', `/api/dashboards/${id}`)).status).toBe(404);
    expect((await hx(app, 'GET', `/dashboards/${id}`)).status).toBe(404);
  });

  it('builds a URL the web app opens with the filter states preset', async () => {
    const dashboard = await holisticsDashboard(app, demoId);
    const byName = (uname: string) =>
      dashboard.dynamic_filters.find((f: { uname: string }) => f.uname === uname).id as number;
    const plain = await hx(app, 'POST', `/dashboards/${demoId}/build_url`, {});
    expect(plain.body).toEqual({ dashboard_url: dashboard.url, fstate_hash: null });
    const states = [
      { dynamic_filter_id: byName('country'), condition: { operator: 'is', values: ['France', 'Spain'] } },
      {
        dynamic_filter_id: byName('date'),
        condition: { operator: 'between', values: ['2024-01-01', '2024-03-31'] },
      },
    ];
    const built = await hx(app, 'POST', `/dashboards/${demoId}/build_url`, { filter_states: states });
    expect(built.status).toBe(200);
    const url = new URL(built.body.dashboard_url);
    expect(url.pathname).toBe(`/dashboards/${demoId}`);
    expect(url.searchParams.getAll('f.country')).toEqual(['France', 'Spain']);
    expect(url.searchParams.get('f.date')).toBe('2024-01-01..2024-03-31');
    expect(url.searchParams.get('_fstate')).toBe(built.body.fstate_hash);
    const same = await hx(app, 'POST', `/dashboards/${demoId}/build_url`, { filter_states: states });
    expect(same.body.fstate_hash).toBe(built.body.fstate_hash);
    const unknown = await hx(app, 'POST', `/dashboards/${demoId}/build_url`, {
      filter_states: [{ dynamic_filter_id: 999999, condition: { operator: 'is', values: ['x'] } }],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.details.field).toBe('filter_states[0].dynamic_filter_id');
  });

  it('preloads the widgets as a job, from the cache the second time, bust_cache running them again', async () => {
    const body = {
      dashboard_filter_conditions: [
        { dynamic_filter_id: 'country', condition: { operator: 'is', values: ['France'] } },
      ],
    };
    const first = await hx(app, 'POST', `/dashboards/${demoId}/submit_preload`, body);
    expect(first.status).toBe(200);
    expect((await waitForJob(app, first.body.job.id)).status).toBe('success');
    const result = async (id: number) => (await app.request('GET', `/api/jobs/${id}`)).body.job.result;
    expect(await result(first.body.job.id)).toMatchObject({ widgets: 6, failed: 0 });
    const second = await hx(app, 'POST', `/dashboards/${demoId}/submit_preload`, body);
    await waitForJob(app, second.body.job.id);
    expect(await result(second.body.job.id)).toMatchObject({ widgets: 6, cached: 6, executed: 0 });
    const busted = await hx(app, 'POST', `/dashboards/${demoId}/submit_preload`, {
      ...body,
      bust_cache: true,
    });
    await waitForJob(app, busted.body.job.id);
    expect(await result(busted.body.job.id)).toMatchObject({ cached: 0, executed: 6 });
    const bad = await hx(app, 'POST', `/dashboards/${demoId}/submit_preload`, {
      dashboard_filter_conditions: [
        { dynamic_filter_id: 'country', condition: { operator: 'between', values: [1, 2] } },
      ],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.details.field).toBe('dashboard_filter_conditions[0].condition.operator');
    expect((await hx(app, 'POST', '/dashboards/999999/submit_preload', {})).status).toBe(404);
  });

  it('lists dashboards metadata by version and by what the caller may do', async () => {
    const all = await hx(app, 'GET', '/dashboards/list_metadata');
    expect(all.status).toBe(200);
    expect(all.body.dashboards_metadata).toContainEqual(
      expect.objectContaining({ id: demoId, title: 'Demo sales', version: 3 }),
    );
    // Versions 1 and 4 are Holistics' others: Rosetta's dashboards are all version 3.
    const others = await hx(app, 'GET', '/dashboards/list_metadata?version=1&version=4');
    expect(others.body.dashboards_metadata).toEqual([]);
    const viewerReads = await hx(app, 'GET', '/dashboards/list_metadata', undefined, { key: viewerKey });
    expect(viewerReads.body.dashboards_metadata.length).toBeGreaterThan(0);
    const viewerEdits = await hx(
      app,
      'GET',
      '/dashboards/list_metadata?permission_action=update',
      undefined,
      {
        key: viewerKey,
      },
    );
    expect(viewerEdits.body.dashboards_metadata).toEqual([]);
  });

  it('clones a dashboard as a job, under the new title', async () => {
    const answer = await hx(app, 'POST', `/dashboards/${demoId}/clone_canvas_dashboard`, {
      category_type: 'ReportCategory',
      new_uname: 'demo_copy',
      new_title: 'Demo copy',
    });
    expect(answer.status).toBe(200);
    expect((await waitForJob(app, answer.body.job.id)).status).toBe('success');
    const { dashboardId } = (await app.request('GET', `/api/jobs/${answer.body.job.id}`)).body.job.result;
    const copy = await holisticsDashboard(app, dashboardId);
    expect(copy.title).toBe('Demo copy');
    expect(copy.widgets.length).toBe(6);
    const original = await holisticsDashboard(app, demoId);
    // The copy's widgets are its own, with ids of their own.
    expect(copy.widgets[0].id).not.toBe(original.widgets[0].id);
    const missing = await hx(app, 'POST', `/dashboards/${demoId}/clone_canvas_dashboard`, {
      category_type: 'ReportCategory',
    });
    expect(missing.status).toBe(422);
    const noFolder = await hx(app, 'POST', `/dashboards/${demoId}/clone_canvas_dashboard`, {
      category_type: 'ReportCategory',
      category_id: 999999,
      new_uname: 'nowhere',
    });
    expect(noFolder.status).toBe(422);
    expect(noFolder.body.details.field).toBe('category_id');
    const refused = await hx(
      app,
      'POST',
      `/dashboards/${demoId}/clone_canvas_dashboard`,
      { category_type: 'ReportCategory', new_uname: 'x' },
      { key: viewerKey },
    );
    expect(refused.status).toBe(403);
  });
});
