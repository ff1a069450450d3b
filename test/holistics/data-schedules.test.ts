import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { waitForJob } from '../support/exports.ts';
import { userKey } from './dataset-support.ts';
import { type DemoDashboard, demoDashboard, itemId, outbox } from './delivery-support.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let dashboard: DemoDashboard;
beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  dashboard = await demoDashboard(app);
}, 60_000);
afterAll(() => app?.close());

/**
 * The seed's "Create Email Schedules using API" request body (holistics-api-v2.txt, lines
 * 725–737, Ruby hash literal as JSON), with its placeholders substituted: `source_id` is the
 * demo dashboard, the obfuscated recipient a test address.
 */
const tutorialSchedule = (sourceId: number) => ({
  data_schedule: {
    source_type: 'Dashboard',
    source_id: sourceId,
    schedule: { repeat: '* * * * *', paused: false },
    dest: { type: 'EmailDest', title: 'Sale report for {{$today}}', recipients: ['customer@example.test'] },
  },
});

const emailSchedule = (overrides: Record<string, unknown> = {}) => ({
  data_schedule: {
    source_type: 'Dashboard',
    source_id: dashboard.id,
    schedule: { repeat: '0 8 * * 1', paused: false },
    dest: { type: 'EmailDest', title: 'Weekly sales', recipients: ['team@example.test'] },
    ...overrides,
  },
});

async function create(body: unknown, key?: string) {
  const created = await hx(app, 'POST', '/data_schedules', body, { key });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data_schedule;
}

describe('Holistics data schedules', () => {
  it("creates the tutorial's email schedule as a core delivery of the dashboard", async () => {
    const schedule = await create(tutorialSchedule(dashboard.id));
    expect(schedule).toMatchObject({
      id: expect.any(Number),
      source_type: 'Dashboard',
      source_id: dashboard.id,
      schedule: { repeat: '* * * * *', paused: false },
      dynamic_filter_presets: [],
      dest: { type: 'EmailDest', title: 'Sale report for {{$today}}', recipients: ['customer@example.test'] },
    });
    const native = await app.request('GET', `/api/schedules/${schedule.id}`);
    expect(native.body.schedule).toMatchObject({
      cron: '* * * * *',
      paused: false,
      target: { dashboard: dashboard.id },
      destination: {
        type: 'email',
        recipients: ['customer@example.test'],
        subject: 'Sale report for {{$today}}',
      },
    });
  });

  it('runs a schedule now as a job whose email, subject variables filled, lands in the outbox', async () => {
    // Yearly, so the scheduler's own runs stay out of the count (the tutorial's runs every minute).
    const schedule = await create(
      emailSchedule({
        schedule: { repeat: '0 0 1 1 *', paused: false },
        dest: { type: 'EmailDest', title: 'Sale report for {{$today}}', recipients: ['now@example.test'] },
      }),
    );
    const submitted = await hx(app, 'POST', `/data_schedules/${schedule.id}/submit_execute`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.job).toMatchObject({ id: expect.any(Number), status: expect.any(String) });
    const job = await waitForJob(app, submitted.body.job.id);
    expect(job.status, job.error).toBe('success');
    const sent = (await outbox(app)).filter((message) => message.to.includes('now@example.test'));
    expect(sent).toHaveLength(1);
    expect(sent[0].subject).toMatch(/^Sale report for \d{4}-\d\d-\d\d$/);
  });

  it('test-executes an unsaved schedule: an email goes out, no schedule is kept', async () => {
    const count = (await app.request('GET', '/api/schedules')).body.items.length;
    const { data_schedule } = emailSchedule({
      dest: { type: 'EmailDest', title: 'Try', recipients: ['try@example.test'] },
    });
    const submitted = await hx(app, 'POST', '/data_schedules/submit_execute', {
      test_data_schedule: data_schedule,
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect((await waitForJob(app, submitted.body.job.id)).status).toBe('success');
    const sent = (await outbox(app)).filter((message) => message.to.includes('try@example.test'));
    expect(sent).toEqual([expect.objectContaining({ subject: 'Try' })]);
    expect((await app.request('GET', '/api/schedules')).body.items.length).toBe(count);
  });

  it('keeps dynamic filter presets as the dashboard filters values, and answers them back', async () => {
    const country = await itemId(app, dashboard, 'filter', 'country');
    const date = await itemId(app, dashboard, 'filter', 'date');
    const schedule = await create(
      emailSchedule({
        dynamic_filter_presets: [
          { dynamic_filter_id: country, preset_condition: { operator: 'is', values: ['France', 'Spain'] } },
          { dynamic_filter_id: date, preset_condition: { operator: 'is', values: ['last 7 days'] } },
        ],
      }),
    );
    const native = await app.request('GET', `/api/schedules/${schedule.id}`);
    expect(native.body.schedule.filterValues).toEqual({
      country: ['France', 'Spain'],
      date: { relative: ['last', 7, 'day'] },
    });
    expect(schedule.dynamic_filter_presets).toEqual([
      { dynamic_filter_id: date, preset_condition: { operator: 'last', values: [7], modifier: 'day' } },
      {
        dynamic_filter_id: country,
        preset_condition: { operator: 'is', values: ['France', 'Spain'], modifier: null },
      },
    ]);
  });

  it('schedules a QueryReport (a dashboard widget) as a delivery of that widget, in one format', async () => {
    const widget = await itemId(app, dashboard, 'widget', 'revenue-by-country');
    const schedule = await create(
      emailSchedule({
        source_type: 'QueryReport',
        source_id: widget,
        dest: {
          type: 'EmailDest',
          recipients: ['a@example.test'],
          options: { attachment_formats: ['csv'], body_text: 'Hello', include_header: true },
        },
      }),
    );
    expect(schedule).toMatchObject({ source_type: 'QueryReport', source_id: widget });
    expect(schedule.dest.options).toMatchObject({ attachment_formats: ['csv'], body_text: 'Hello' });
    const native = await app.request('GET', `/api/schedules/${schedule.id}`);
    expect(native.body.schedule).toMatchObject({
      target: { widget: { dashboard: dashboard.id, widget: 'revenue-by-country' } },
      format: 'csv',
      destination: { message: 'Hello', subject: null },
    });
  });

  it('updates the cron and pauses a schedule, and deletes it', async () => {
    const schedule = await create(emailSchedule());
    const updated = await hx(
      app,
      'PUT',
      `/data_schedules/${schedule.id}`,
      emailSchedule({ schedule: { repeat: '30 6 * * *', paused: true } }),
    );
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.data_schedule.schedule).toEqual({ repeat: '30 6 * * *', paused: true });
    expect((await app.request('GET', `/api/schedules/${schedule.id}`)).body.schedule).toMatchObject({
      cron: '30 6 * * *',
      paused: true,
    });
    const deleted = await hx(app, 'DELETE', `/data_schedules/${schedule.id}`);
    expect(deleted.status).toBe(200);
    expect((await app.request('GET', `/api/schedules/${schedule.id}`)).status).toBe(404);
    const gone = await hx(app, 'GET', `/data_schedules/${schedule.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.type).toBe('BaseError');
  });

  it('lists schedules by cursor, filtered and sorted, with the total count', async () => {
    await create(emailSchedule({ title: 'Zulu nightly' }));
    await create(emailSchedule({ title: 'Alpha nightly' }));
    const all = await hx(app, 'GET', '/data_schedules?limit=100');
    expect(all.status).toBe(200);
    const total = all.body.total_count;
    expect(all.body.data_schedules).toHaveLength(total);
    const first = await hx(app, 'GET', '/data_schedules?limit=2');
    expect(first.body.data_schedules.map((s: { id: number }) => s.id)).toEqual(
      all.body.data_schedules.slice(0, 2).map((s: { id: number }) => s.id),
    );
    expect(first.body.cursors.previous).toBeNull();
    const next = await hx(app, 'GET', `/data_schedules?limit=2&after=${first.body.cursors.next}`);
    expect(next.body.data_schedules[0].id).toBe(all.body.data_schedules[2].id);
    const byTitle = await hx(app, 'GET', '/data_schedules?sort=title_asc&search_term=NIGHTLY&limit=100');
    expect(byTitle.body.data_schedules.map((s: { title: string }) => s.title)).toEqual([
      'Alpha nightly',
      'Zulu nightly',
    ]);
    const reports = await hx(app, 'GET', '/data_schedules?source_type=QueryReport');
    expect(
      reports.body.data_schedules.every((s: { source_type: string }) => s.source_type === 'QueryReport'),
    ).toBe(true);
    expect((await hx(app, 'GET', '/data_schedules?limit=0')).status).toBe(422);
  });

  it('refuses destinations and options the server cannot deliver, naming the field', async () => {
    const slack = await hx(
      app,
      'POST',
      '/data_schedules',
      emailSchedule({ dest: { type: 'SlackDest', slack_channels: [{}] } }),
    );
    expect(slack.status).toBe(422);
    expect(slack.body).toMatchObject({
      type: 'InvalidOperationError',
      details: { field: 'data_schedule.dest.type' },
    });
    const sftp = await hx(
      app,
      'POST',
      '/data_schedules',
      emailSchedule({ dest: { type: 'SftpDest', data_source_id: 1, file_path: '/x' } }),
    );
    expect(sftp.body).toMatchObject({
      type: 'InvalidOperationError',
      details: { field: 'data_schedule.dest.type' },
    });
    const formats = await hx(
      app,
      'POST',
      '/data_schedules',
      emailSchedule({
        dest: {
          type: 'EmailDest',
          recipients: ['a@example.test'],
          options: { attachment_formats: ['pdf', 'csv'] },
        },
      }),
    );
    expect(formats.status).toBe(422);
    expect(formats.body.details.field).toBe('data_schedule.dest.options.attachment_formats');
  });

  it('answers bad input with a 422 naming the field, never a 500', async () => {
    const cases: Array<[unknown, string]> = [
      [emailSchedule({ source_id: 999_999 }), 'data_schedule.source_id'],
      [emailSchedule({ schedule: { repeat: 'every day', paused: false } }), 'data_schedule.schedule.repeat'],
      [
        emailSchedule({ dest: { type: 'EmailDest', recipients: ['not an email'] } }),
        'data_schedule.dest.recipients[0]',
      ],
      [emailSchedule({ dest: { type: 'EmailDest', recipients: [] } }), 'data_schedule.dest.recipients'],
      [emailSchedule({ source_type: 'Report' }), 'data_schedule.source_type'],
      [{ data_schedule: { source_type: 'Dashboard', source_id: 1 } }, 'data_schedule'],
      [
        emailSchedule({
          dynamic_filter_presets: [
            { dynamic_filter_id: 999_999, preset_condition: { operator: 'is', values: ['x'] } },
          ],
        }),
        'data_schedule.dynamic_filter_presets[0].dynamic_filter_id',
      ],
    ];
    for (const [body, field] of cases) {
      const answer = await hx(app, 'POST', '/data_schedules', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(422);
      expect(answer.body.details?.field, JSON.stringify(answer.body)).toContain(field);
    }
    const country = await itemId(app, dashboard, 'filter', 'country');
    const operator = await hx(
      app,
      'POST',
      '/data_schedules',
      emailSchedule({
        dynamic_filter_presets: [
          { dynamic_filter_id: country, preset_condition: { operator: 'contains', values: ['x'] } },
        ],
      }),
    );
    expect(operator.body.details.field).toBe(
      'data_schedule.dynamic_filter_presets[0].preset_condition.operator',
    );
    expect((await hx(app, 'GET', '/data_schedules/999999')).status).toBe(404);
    expect((await hx(app, 'POST', '/data_schedules/999999/submit_execute')).status).toBe(404);
  });

  it('lets an editor keep their own schedules, hides them from other editors, refuses viewers', async () => {
    const editor = await userKey(app, 'sched-editor@example.test', 'editor');
    const other = await userKey(app, 'sched-other@example.test', 'editor');
    const viewer = await userKey(app, 'sched-viewer@example.test', 'viewer');
    const mine = await create(emailSchedule({ title: 'Editor schedule' }), editor.key);
    expect((await hx(app, 'GET', `/data_schedules/${mine.id}`, undefined, { key: editor.key })).status).toBe(
      200,
    );
    expect((await hx(app, 'GET', `/data_schedules/${mine.id}`, undefined, { key: other.key })).status).toBe(
      404,
    );
    const listed = await hx(app, 'GET', '/data_schedules?limit=100', undefined, { key: other.key });
    expect(listed.body.data_schedules.map((s: { id: number }) => s.id)).not.toContain(mine.id);
    // The admin sees everyone's.
    const all = await hx(app, 'GET', '/data_schedules?limit=100');
    expect(all.body.data_schedules.map((s: { id: number }) => s.id)).toContain(mine.id);
    // By their creators' roles: an editor shows as an explorer.
    const ids = async (query: string) =>
      (await hx(app, 'GET', `/data_schedules?limit=100&${query}`)).body.data_schedules.map(
        (s: { id: number }) => s.id,
      );
    const byExplorers = await ids('creator_roles[]=explorer');
    expect(byExplorers).toContain(mine.id);
    expect(byExplorers).toHaveLength(1);
    expect(await ids('creator_roles[]=admin')).not.toContain(mine.id);
    expect((await ids('creator_roles[]=admin&creator_roles[]=explorer')).length).toBe(all.body.total_count);
    const refused = await hx(app, 'POST', '/data_schedules', emailSchedule(), { key: viewer.key });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('PermissionDeniedError');
    expect((await hx(app, 'GET', '/data_schedules', undefined, { key: viewer.key })).status).toBe(403);
  });
});
