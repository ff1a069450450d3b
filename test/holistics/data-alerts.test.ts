import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { waitForJob } from '../support/exports.ts';
import { userKey } from './dataset-support.ts';
import { type DemoDashboard, demoDashboard, itemId, outbox } from './delivery-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
/** The demo dashboard again, with a second values filter (category), as the tutorial has two. */
let dashboard: DemoDashboard;
let widgetId: number;
beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  const demo = await demoDashboard(app);
  const { body } = await app.request('GET', `/api/dashboards/${demo.id}`);
  const copy = await app.request('POST', '/api/dashboards', {
    name: 'Alerts demo',
    widgets: body.widgets.map(({ id, title, query, visualization }: Record<string, unknown>) => ({
      id,
      title,
      query,
      visualization,
    })),
    filters: [...body.filters, { id: 'category', field: 'category', label: 'Category', type: 'values' }],
    layout: body.layout,
  });
  expect(copy.status, JSON.stringify(copy.body)).toBe(201);
  dashboard = { ...demo, id: copy.body.id, name: 'Alerts demo' };
  widgetId = await itemId(app, dashboard, 'widget', 'revenue-by-country');
}, 60_000);
afterAll(() => app?.close());

/**
 * The seed's "Create Data Alerts using API" request body (holistics-api-v2.txt, lines 493–548,
 * Ruby hash literal as JSON), its placeholders substituted: the widget, the field (a column of
 * that widget), the two dashboard filters and the obfuscated recipient.
 */
const tutorialAlert = (filters: { country: number; category: number }) => ({
  data_alert: {
    title: 'Tracking number of orders',
    source_id: widgetId,
    source_type: 'DashboardWidget',
    viz_conditions: [
      {
        field_path: { field_name: 'revenue', model_id: 12 },
        aggregation: 'count',
        transformation: null,
        condition: { operator: 'greater_than', modifier: null, values: [35000] },
      },
    ],
    dest: {
      type: 'EmailDest',
      title: 'The number of orders has just exceeded than 35000',
      recipients: ['ops@example.test'],
      options: { body_text: null },
    },
    schedule: { repeat: '0 7 * * *', paused: false },
    dynamic_filter_presets: [
      {
        preset_condition: { operator: 'is', modifier: null, values: ['VN', 'SG'] },
        dynamic_filter_id: filters.country,
      },
      {
        preset_condition: { operator: 'is', modifier: null, values: ['Male'] },
        dynamic_filter_id: filters.category,
      },
    ],
  },
});

const alertBody = (threshold: number, overrides: Record<string, unknown> = {}) => ({
  data_alert: {
    title: `Revenue above ${threshold}`,
    source_id: widgetId,
    source_type: 'DashboardWidget',
    viz_conditions: [
      {
        field_path: { field_name: 'revenue' },
        condition: { operator: 'greater_than', values: [threshold] },
      },
    ],
    dest: { type: 'EmailDest', title: `Revenue above ${threshold}`, recipients: ['alerts@example.test'] },
    // Yearly: the scheduler's own runs stay out of the outbox counts.
    schedule: { repeat: '0 0 1 1 *', paused: false },
    dynamic_filter_presets: [],
    ...overrides,
  },
});

async function create(body: unknown, key?: string) {
  const created = await hx(app, 'POST', '/data_alerts', body, { key });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data_alert;
}

/** Runs an alert now; answers whether it emailed. */
async function fires(alertId: number): Promise<boolean> {
  const before = (await outbox(app)).length;
  const submitted = await hx(app, 'POST', `/data_alerts/${alertId}/submit_execute`);
  expect(submitted.status).toBe(200);
  const job = await waitForJob(app, submitted.body.job.id);
  expect(job.status, job.error).toBe('success');
  return (await outbox(app)).length > before;
}

describe('Holistics data alerts', () => {
  it("creates the tutorial's alert as a core alert on the widget, filters preset", async () => {
    const country = await itemId(app, dashboard, 'filter', 'country');
    const category = await itemId(app, dashboard, 'filter', 'category');
    const alert = await create(tutorialAlert({ country, category }));
    expect(alert).toMatchObject({
      title: 'Tracking number of orders',
      source_id: widgetId,
      source_type: 'DashboardWidget',
      schedule: { repeat: '0 7 * * *', paused: false },
      dest: { type: 'EmailDest', title: 'The number of orders has just exceeded than 35000' },
      viz_conditions: [
        { field_path: { field_name: 'revenue' }, condition: { operator: 'greater_than', values: [35000] } },
      ],
    });
    expect(alert.dynamic_filter_presets).toHaveLength(2);
    const native = await app.request('GET', `/api/alerts/${alert.id}`);
    expect(native.body.alert).toMatchObject({
      cron: '0 7 * * *',
      target: { widget: { dashboard: dashboard.id, widget: 'revenue-by-country' } },
      filterValues: { country: ['VN', 'SG'], category: ['Male'] },
      conditions: [{ field: 'revenue', aggregation: 'max', operator: '>', values: [35000] }],
      destination: { type: 'email', recipients: ['ops@example.test'] },
    });
  });

  it('fires when any row of the widget meets the condition, and only then', async () => {
    const never = await create(alertBody(1e15));
    expect(await fires(never.id)).toBe(false);
    const always = await create(alertBody(1));
    const before = (await outbox(app)).length;
    expect(await fires(always.id)).toBe(true);
    expect((await outbox(app))[before]).toMatchObject({
      to: ['alerts@example.test'],
      subject: 'Revenue above 1',
    });
    // The largest country's revenue: just below it the alert fires, at it (not above) it does not.
    const rows = await app.request('GET', `/api/dashboards/${dashboard.id}`);
    const widget = rows.body.widgets.find((w: { id: string }) => w.id === 'revenue-by-country');
    const result = await app.request('POST', '/api/query', widget.query);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const revenues: number[] = result.body.rows.map((row: Record<string, number> | number[]) =>
      Array.isArray(row) ? Number(row[1]) : Number(row.revenue),
    );
    const top = Math.max(...revenues);
    const second = [...revenues].sort((a, b) => b - a)[1];
    // Above every row but the first: one row meets it, which is enough.
    expect(await fires((await create(alertBody(Math.floor(second) + 1))).id)).toBe(true);
    expect(await fires((await create(alertBody(Math.ceil(top)))).id)).toBe(false);
  });

  it('finds the column of a model field with its aggregation, and compares below with less_than', async () => {
    const units = await itemId(app, dashboard, 'widget', 'units-sold');
    const alert = await create(
      alertBody(1e15, {
        source_id: units,
        viz_conditions: [
          {
            field_path: { field_name: 'quantity' },
            aggregation: 'sum',
            condition: { operator: 'less_than', values: [1e15] },
          },
        ],
      }),
    );
    const native = await app.request('GET', `/api/alerts/${alert.id}`);
    expect(native.body.alert.conditions).toEqual([
      { field: 'sum_quantity', aggregation: 'min', operator: '<', values: [1e15] },
    ]);
    expect(await fires(alert.id)).toBe(true);
  });

  it('delivers to a webhook endpoint, and refuses Slack, which is not connected', async () => {
    const hook = await create(
      alertBody(1, { dest: { type: 'WebhookDest', endpoint: 'https://hooks.example.com/alerts' } }),
    );
    expect(hook.dest).toEqual({ type: 'WebhookDest', endpoint: 'https://hooks.example.com/alerts' });
    const native = await app.request('GET', `/api/alerts/${hook.id}`);
    expect(native.body.alert.destination).toMatchObject({
      type: 'webhook',
      url: 'https://hooks.example.com/alerts',
    });
    const slack = await hx(
      app,
      'POST',
      '/data_alerts',
      alertBody(1, { dest: { type: 'SlackDest', slack_channels: [{ id: 'C1' }] } }),
    );
    expect(slack.status).toBe(422);
    expect(slack.body).toMatchObject({
      type: 'InvalidOperationError',
      details: { field: 'data_alert.dest.type' },
    });
  });

  it('lists, reads, updates, test-executes and deletes alerts', async () => {
    const alert = await create(alertBody(5, { title: 'Listed alert' }));
    const listed = await hx(app, 'GET', `/data_alerts?source_id=${widgetId}&limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.body.data_alerts.map((a: { id: number }) => a.id)).toContain(alert.id);
    const page = await hx(app, 'GET', '/data_alerts?limit=1');
    expect(page.body.data_alerts).toHaveLength(1);
    expect(page.body.cursors.next).toEqual(expect.any(String));
    expect((await hx(app, 'GET', `/data_alerts/${alert.id}`)).body.data_alert.title).toBe('Listed alert');
    const updated = await hx(
      app,
      'PUT',
      `/data_alerts/${alert.id}`,
      alertBody(7, { title: 'Renamed alert', schedule: { repeat: '0 9 * * *', paused: true } }),
    );
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect((await app.request('GET', `/api/alerts/${alert.id}`)).body.alert).toMatchObject({
      name: 'Renamed alert',
      cron: '0 9 * * *',
      paused: true,
      conditions: [{ values: [7] }],
    });
    const before = (await outbox(app)).length;
    const test = await hx(app, 'POST', '/data_alerts/submit_execute', {
      test_data_alert: alertBody(1).data_alert,
    });
    expect(test.status, JSON.stringify(test.body)).toBe(200);
    expect((await waitForJob(app, test.body.job.id)).status).toBe('success');
    expect((await outbox(app)).length).toBe(before + 1);
    expect((await hx(app, 'DELETE', `/data_alerts/${alert.id}`)).status).toBe(200);
    expect((await hx(app, 'GET', `/data_alerts/${alert.id}`)).status).toBe(404);
    expect((await app.request('GET', `/api/alerts/${alert.id}`)).status).toBe(404);
  });

  it('answers bad input with a 422 naming the field, never a 500', async () => {
    const condition = (extra: Record<string, unknown>) => ({
      viz_conditions: [
        {
          field_path: { field_name: 'revenue' },
          condition: { operator: 'greater_than', values: [1] },
          ...extra,
        },
      ],
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        condition({ condition: { operator: 'is', values: [1] } }),
        'data_alert.viz_conditions[0].condition.operator',
      ],
      [
        condition({ field_path: { field_name: 'no_such_column' } }),
        'data_alert.viz_conditions[0].field_path.field_name',
      ],
      [{ viz_conditions: [] }, 'data_alert.viz_conditions'],
      [{ source_type: 'VizBlock', source_id: 'v1' }, 'data_alert.source_type'],
      [{ source_id: 999_999 }, 'data_alert.source_id'],
      [{ schedule: { repeat: 'nope', paused: false } }, 'data_alert.schedule.repeat'],
      [{ dest: { type: 'EmailDest', recipients: ['x'] } }, 'data_alert.dest.recipients[0]'],
      [{ dest: { type: 'WebhookDest', endpoint: 'ftp://example.com' } }, 'data_alert.dest.endpoint'],
    ];
    for (const [overrides, field] of cases) {
      const answer = await hx(app, 'POST', '/data_alerts', alertBody(1, overrides));
      expect(answer.status, JSON.stringify(answer.body)).toBe(422);
      expect(answer.body.details?.field, JSON.stringify(answer.body)).toContain(field);
    }
    expect((await hx(app, 'POST', '/data_alerts', { data_alert: { title: 'x' } })).status).toBe(422);
    expect((await hx(app, 'POST', '/data_alerts/999999/submit_execute')).status).toBe(404);
  });

  it('refuses viewers and hides one editor’s alerts from another', async () => {
    const viewer = await userKey(app, 'alert-viewer@example.test', 'viewer');
    const editor = await userKey(app, 'alert-editor@example.test', 'editor');
    const other = await userKey(app, 'alert-other@example.test', 'editor');
    const refused = await hx(app, 'POST', '/data_alerts', alertBody(1), { key: viewer.key });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('PermissionDeniedError');
    const mine = await create(alertBody(1), editor.key);
    expect((await hx(app, 'GET', `/data_alerts/${mine.id}`, undefined, { key: other.key })).status).toBe(404);
    expect((await hx(app, 'GET', `/data_alerts/${mine.id}`, undefined, { key: editor.key })).status).toBe(
      200,
    );
  });
});
