import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { ld } from './support.ts';

let app: TestApp;
let projectUuid: string;
let chartUuid: string;
let dashboardUuid: string;
let viewerKey: string;

const chartBody = (spaceUuid: string) => ({
  name: 'Quantity by country',
  tableName: 'demo_sales',
  metricQuery: {
    exploreName: 'demo_sales',
    dimensions: ['demo_sales_country'],
    metrics: ['demo_sales_total_quantity'],
    filters: {},
    sorts: [{ fieldId: 'demo_sales_country', descending: false }],
    limit: 500,
    tableCalculations: [],
    additionalMetrics: [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Lightdash SQL's own placeholder
      { name: 'total_quantity', table: 'demo_sales', type: 'sum', sql: '${TABLE}.quantity' },
    ],
  },
  chartConfig: { type: 'table' },
  tableConfig: { columnOrder: ['demo_sales_country', 'demo_sales_total_quantity'] },
  spaceUuid,
});

/** A scheduler body as the Lightdash scheduler form sends it. */
const scheduler = (extra: Record<string, unknown> = {}) => ({
  name: 'Daily quantities',
  message: 'Good morning',
  cron: '0 9 * * *',
  timezone: 'Europe/Paris',
  format: 'csv',
  options: { formatted: true, limit: 'table' },
  includeLinks: true,
  targets: [{ recipient: 'ops@example.test' }, { recipient: 'ceo@example.test' }],
  ...extra,
});

/** Polls `getSchedulerJobStatus` until the job is done. */
async function finished(jobId: string) {
  for (let i = 0; i < 400; i++) {
    const { body } = await ld(app, 'GET', `/v1/schedulers/job/${jobId}/status`);
    if (['completed', 'error'].includes(body.results.status)) return body.results;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

beforeAll(async () => {
  app = await startTestApp();
  projectUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  const space = await ld(app, 'POST', `/v1/projects/${projectUuid}/spaces`, {
    name: 'Reports',
    isPrivate: false,
  });
  const chart = await ld(
    app,
    'POST',
    `/v1/projects/${projectUuid}/saved`,
    chartBody(space.body.results.uuid),
  );
  expect(chart.status, JSON.stringify(chart.body)).toBe(200);
  chartUuid = chart.body.results.uuid;
  const dashboard = await ld(app, 'POST', `/v1/projects/${projectUuid}/dashboards`, {
    name: 'Sales',
    spaceUuid: space.body.results.uuid,
    tabs: [],
    tiles: [{ type: 'saved_chart', x: 0, y: 0, w: 12, h: 6, properties: { savedChartUuid: chartUuid } }],
  });
  expect(dashboard.status, JSON.stringify(dashboard.body)).toBe(201);
  dashboardUuid = dashboard.body.results.uuid;
  const viewer = await app.request('POST', '/api/users', {
    email: 'viewer@example.com',
    role: 'viewer',
    password: 'longEnoughPassword',
    name: 'Viewer Person',
  });
  viewerKey = (await app.request('POST', '/api/api-keys', { name: 'viewer', userId: viewer.body.id })).body
    .key;
}, 120_000);
afterAll(() => app?.close());

describe('schedulers', () => {
  let schedulerUuid: string;

  it('creates a chart scheduler, lists it and gets it back as SchedulerAndTargets', async () => {
    const created = await ld(app, 'POST', `/v1/saved/${chartUuid}/schedulers`, scheduler());
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const results = created.body.results;
    schedulerUuid = results.schedulerUuid;
    expect(results).toMatchObject({
      name: 'Daily quantities',
      message: 'Good morning',
      cron: '0 9 * * *',
      timezone: 'Europe/Paris',
      format: 'csv',
      savedChartUuid: chartUuid,
      dashboardUuid: null,
      enabled: true,
      includeLinks: true,
      targets: [
        { recipient: 'ops@example.test', schedulerUuid },
        { recipient: 'ceo@example.test', schedulerUuid },
      ],
    });
    expect(results.targets[0].schedulerEmailTargetUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof results.createdBy).toBe('string');

    const listed = await ld(app, 'GET', `/v1/saved/${chartUuid}/schedulers`);
    expect(listed.body.results.map((s: { schedulerUuid: string }) => s.schedulerUuid)).toEqual([
      schedulerUuid,
    ]);
    const got = await ld(app, 'GET', `/v1/schedulers/${schedulerUuid}`);
    expect(got.body).toEqual({ status: 'ok', results });
  });

  it('creates a dashboard scheduler as an image (PDF) delivery', async () => {
    const created = await ld(
      app,
      'POST',
      `/v1/dashboards/${dashboardUuid}/schedulers`,
      scheduler({ name: 'Sales PDF', format: 'image', options: { withPdf: true } }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.results).toMatchObject({
      format: 'image',
      options: { withPdf: true },
      dashboardUuid,
      savedChartUuid: null,
    });
    const listed = await ld(app, 'GET', `/v1/dashboards/${dashboardUuid}/schedulers`);
    expect(listed.body.results).toHaveLength(1);
  });

  it('updates a scheduler and its targets, and enables and disables it', async () => {
    const updated = await ld(
      app,
      'PATCH',
      `/v1/schedulers/${schedulerUuid}`,
      scheduler({ name: 'Renamed', cron: '0 7 * * 1', targets: [{ recipient: 'team@example.test' }] }),
    );
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.results).toMatchObject({ name: 'Renamed', cron: '0 7 * * 1' });
    expect(updated.body.results.targets.map((t: { recipient: string }) => t.recipient)).toEqual([
      'team@example.test',
    ]);
    const disabled = await ld(app, 'PATCH', `/v1/schedulers/${schedulerUuid}/enabled`, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body.results.enabled).toBe(false);
    expect((await ld(app, 'GET', `/v1/schedulers/${schedulerUuid}`)).body.results.enabled).toBe(false);
    const enabled = await ld(app, 'PATCH', `/v1/schedulers/${schedulerUuid}/enabled`, { enabled: true });
    expect(enabled.body.results.enabled).toBe(true);
  });

  it('sends a scheduler now: the email lands in the outbox with the chart as CSV', async () => {
    const before = (await app.request('GET', '/api/outbox')).body.items.length;
    const sent = await ld(
      app,
      'POST',
      '/v1/schedulers/send',
      scheduler({
        name: 'Test send',
        savedChartUuid: chartUuid,
        targets: [{ recipient: 'me@example.test' }],
      }),
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(await finished(sent.body.results.jobId)).toMatchObject({ status: 'completed' });
    const items = (await app.request('GET', '/api/outbox')).body.items;
    expect(items).toHaveLength(before + 1);
    expect(items[0]).toMatchObject({ to: ['me@example.test'], scheduleId: null });
    expect(items[0].attachments[0]).toMatchObject({ contentType: expect.stringContaining('text/csv') });
    expect(items[0].attachments[0].filename).toMatch(/\.csv$/);
    const file = await app.rosetta.server.inject({
      method: 'GET',
      url: `/api/outbox/${items[0].id}/attachments/0`,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(file.statusCode).toBe(200);
    const [header, ...rows] = file.body.trim().split(/\r?\n/);
    expect(header).toBe('demo_sales_country,demo_sales_total_quantity');
    expect(rows.length).toBeGreaterThan(1);
    // Sending saved nothing.
    expect((await ld(app, 'GET', `/v1/saved/${chartUuid}/schedulers`)).body.results).toHaveLength(1);
  });

  it('lists the logs of the project schedulers after a run', async () => {
    const run = await app.request('POST', `/api/schedules/${schedulerUuid}/run`);
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    await finished(run.body.job.uuid);
    const logs = await ld(app, 'GET', `/v1/schedulers/${projectUuid}/logs`);
    expect(logs.status).toBe(200);
    const { results } = logs.body;
    expect(results.schedulers.map((s: { name: string }) => s.name).sort()).toEqual(['Renamed', 'Sales PDF']);
    expect(results.charts).toEqual([{ savedChartUuid: chartUuid, name: 'Quantity by country' }]);
    expect(results.dashboards).toEqual([{ dashboardUuid, name: 'Sales' }]);
    expect(results.users).toHaveLength(1);
    expect(results.logs[0]).toMatchObject({
      task: 'handleScheduledDelivery',
      schedulerUuid,
      status: 'completed',
      target: 'team@example.test',
      targetType: 'email',
    });
  });

  it('keeps thresholds as an alert on the chart', async () => {
    const created = await ld(
      app,
      'POST',
      `/v1/saved/${chartUuid}/schedulers`,
      scheduler({
        name: 'Big numbers',
        thresholds: [{ fieldId: 'demo_sales_total_quantity', operator: 'greaterThan', value: 1 }],
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.results.thresholds).toEqual([
      { fieldId: 'demo_sales_total_quantity', operator: 'greaterThan', value: 1 },
    ]);
    const deleted = await ld(app, 'DELETE', `/v1/schedulers/${created.body.results.schedulerUuid}`);
    expect(deleted.body).toEqual({ status: 'ok' });
    expect((await ld(app, 'GET', `/v1/schedulers/${created.body.results.schedulerUuid}`)).status).toBe(404);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [scheduler({ targets: [{ channel: 'C123' }] }), 'targets[0].channel'],
      [scheduler({ targets: [{ recipient: 'not-an-address' }] }), 'targets[0].recipient'],
      [scheduler({ targets: [] }), 'targets'],
      [scheduler({ format: 'gsheets' }), 'format'],
      [scheduler({ cron: 'every day' }), 'cron'],
      [scheduler({ timezone: 'Mars/Olympus' }), 'timezone'],
      [
        scheduler({ thresholds: [{ fieldId: 'x', operator: 'increasedBy', value: 1 }] }),
        'thresholds[0].operator',
      ],
      [{ ...scheduler(), name: undefined }, 'name'],
    ];
    for (const [body, field] of cases) {
      const answer = await ld(app, 'POST', `/v1/saved/${chartUuid}/schedulers`, body);
      expect(answer.status, field).toBe(400);
      expect(answer.body.error.message, field).toContain(field);
    }
    const noSubject = await ld(app, 'POST', '/v1/schedulers/send', scheduler());
    expect(noSubject.status).toBe(400);
    expect(noSubject.body.error.message).toContain('savedChartUuid');
    expect((await ld(app, 'GET', '/v1/schedulers/5b8d1f3e-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses a viewer', async () => {
    const refused = await ld(app, 'POST', `/v1/saved/${chartUuid}/schedulers`, scheduler(), {
      key: viewerKey,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('ForbiddenError');
    const listing = await ld(app, 'GET', `/v1/schedulers/${schedulerUuid}`, undefined, { key: viewerKey });
    expect(listing.status).toBe(403);
  });
});

describe('project scheduler settings', () => {
  const settings = (body: unknown, key?: string) =>
    ld(app, 'PATCH', `/v1/projects/${projectUuid}/schedulerSettings`, body, key ? { key } : undefined);
  const timezoneOf = async (uuid: string) =>
    (await ld(app, 'GET', `/v1/schedulers/${uuid}`)).body.results.timezone;

  it('moves the schedulers in the old default zone with it, keeps the others, and gives new ones the zone', async () => {
    const defaulted = await ld(
      app,
      'POST',
      `/v1/saved/${chartUuid}/schedulers`,
      scheduler({ timezone: undefined }),
    );
    expect(defaulted.body.results.timezone).toBe('UTC');
    const chosen = await ld(
      app,
      'POST',
      `/v1/saved/${chartUuid}/schedulers`,
      scheduler({ timezone: 'Asia/Tokyo' }),
    );

    const answer = await settings({ schedulerTimezone: 'America/New_York' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
    const project = await ld(app, 'GET', `/v1/projects/${projectUuid}`);
    expect(project.body.results.schedulerTimezone).toBe('America/New_York');
    expect(await timezoneOf(defaulted.body.results.schedulerUuid)).toBe('America/New_York');
    expect(await timezoneOf(chosen.body.results.schedulerUuid)).toBe('Asia/Tokyo');

    const later = await ld(
      app,
      'POST',
      `/v1/saved/${chartUuid}/schedulers`,
      scheduler({ timezone: undefined }),
    );
    expect(later.body.results.timezone).toBe('America/New_York');
  });

  it('answers a bad zone with a 400 naming schedulerTimezone, and refuses a viewer', async () => {
    for (const body of [{ schedulerTimezone: 'Mars/Olympus' }, { schedulerTimezone: 7 }, {}]) {
      const answer = await settings(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.name).toBe('ParameterError');
      expect(answer.body.error.message).toContain('schedulerTimezone');
    }
    const refused = await settings({ schedulerTimezone: 'UTC' }, viewerKey);
    expect(refused.status).toBe(403);
    expect((await ld(app, 'GET', `/v1/projects/${projectUuid}`)).body.results.schedulerTimezone).toBe(
      'America/New_York',
    );
  });

  it('takes the zone on the native PATCH /api/projects/{id} too', async () => {
    const { id } = (await app.request('GET', '/api/projects')).body.items[0];
    const patched = await app.request('PATCH', `/api/projects/${id}`, { schedulerTimezone: 'Europe/Berlin' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.schedulerTimezone).toBe('Europe/Berlin');
    const bad = await app.request('PATCH', `/api/projects/${id}`, { schedulerTimezone: '+01:00' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('schedulerTimezone');
  });
});
