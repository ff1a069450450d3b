import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoDashboardId, holisticsDashboard, keyOfNewUser, widgetIdOf } from './dashboard-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let demoId: number;
let viewerKey: string;

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  demoId = await demoDashboardId(app);
  viewerKey = await keyOfNewUser(app, 'viewer', 'viewer@widgets.test');
}, 60_000);
afterAll(() => app?.close());

describe('Holistics dashboard widgets and query reports', () => {
  it('shows a widget, with its dashboard, report and URL on request', async () => {
    const id = await widgetIdOf(app, demoId, 'Revenue by country');
    const bare = await hx(app, 'GET', `/dashboard_widgets/${id}`);
    expect(bare.status).toBe(200);
    expect(bare.body.dashboard_widget).toEqual({
      id,
      source_id: id,
      source_type: 'QueryReport',
      source_title: 'Revenue by country',
      permissions: { can_explore: true, can_export: true, can_export_data: true },
    });
    const full = await hx(
      app,
      'GET',
      `/dashboard_widgets/${id}?include_dashboard=true&include_report=true&include_url=true`,
    );
    const widget = full.body.dashboard_widget;
    expect(widget.dashboard.id).toBe(demoId);
    expect(widget.url).toMatch(new RegExp(`/dashboards/${demoId}\\?_e=${id}$`));
    expect(widget.query_report).toMatchObject({ id, title: 'Revenue by country', is_adhoc: false });
    expect(widget.query_report.viz_setting.viz_type).toBe('bar_chart');
    expect(widget.query_report.viz_setting.fields.dimensions).toEqual(['country']);
    // The demo widgets read the demo data source: its dataset id, and its connection as data source.
    const sources = (await app.request('GET', '/api/data-sources')).body;
    const demo = (sources.items ?? sources)[0];
    expect(widget.query_report.data_set_id).toBe(2 ** 30 + demo.id);
    expect(widget.query_report.data_source_id).toBe(demo.connectionId);
  });

  it('answers the viewer with what a viewer may do', async () => {
    const id = await widgetIdOf(app, demoId, 'Units sold');
    const answer = await hx(app, 'GET', `/dashboard_widgets/${id}`, undefined, { key: viewerKey });
    expect(answer.body.dashboard_widget.permissions).toEqual({
      can_explore: false,
      can_export: true,
      can_export_data: true,
    });
  });

  it('reads a query report by the widget id, with its dataset on request', async () => {
    const id = await widgetIdOf(app, demoId, 'Sales by category');
    const answer = await hx(app, 'GET', `/query_reports/${id}?include_data_set=true`);
    expect(answer.status).toBe(200);
    expect(answer.body.query_report).toMatchObject({ id, title: 'Sales by category' });
    expect(answer.body.query_report.viz_setting.viz_type).toBe('data_table');
    expect(answer.body.query_report.data_set.id).toBe(answer.body.query_report.data_set_id);
    expect((await hx(app, 'GET', '/query_reports/999999')).status).toBe(404);
  });

  it('shows a text widget as Text, which has no query report', async () => {
    const created = await app.request('POST', '/api/dashboards', {
      name: 'With text',
      widgets: [{ id: 'note', title: 'A note', visualization: { type: 'text', options: { text: 'Hello' } } }],
    });
    expect(created.status).toBe(201);
    const dashboard = await holisticsDashboard(app, created.body.id);
    const [widget] = dashboard.widgets;
    expect(widget).toMatchObject({ source_type: 'Text', source_title: 'A note' });
    expect((await hx(app, 'GET', `/query_reports/${widget.id}`)).status).toBe(404);
    const exported = await hx(app, 'POST', `/dashboard_widgets/${widget.id}/submit_export`, {
      output: 'csv',
    });
    expect(exported.status).toBe(422);
    expect(exported.body.details.field).toBe('id');
  });

  it('deletes a widget from its dashboard, for editors only; its id then names nothing', async () => {
    const created = await app.request('POST', '/api/dashboards', {
      name: 'Two widgets',
      widgets: [
        { id: 'a', title: 'A', visualization: { type: 'text', options: {} } },
        { id: 'b', title: 'B', visualization: { type: 'text', options: {} } },
      ],
    });
    const dashboard = await holisticsDashboard(app, created.body.id);
    const id = dashboard.widgets[0].id;
    const refused = await hx(app, 'DELETE', `/dashboard_widgets/${id}`, undefined, { key: viewerKey });
    expect(refused.status).toBe(403);
    const deleted = await hx(app, 'DELETE', `/dashboard_widgets/${id}`);
    expect(deleted.status).toBe(200);
    const native = await app.request('GET', `/api/dashboards/${created.body.id}`);
    expect(native.body.widgets.map((w: { id: string }) => w.id)).toEqual(['b']);
    expect((await hx(app, 'GET', `/dashboard_widgets/${id}`)).status).toBe(404);
    expect((await hx(app, 'DELETE', `/dashboard_widgets/${id}`)).status).toBe(404);
    expect((await hx(app, 'GET', '/dashboard_widgets/not-a-widget')).status).toBe(404);
  });
});
