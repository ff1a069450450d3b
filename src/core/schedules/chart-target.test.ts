import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, editor, openScheduleHarness, viewer } from './test-support.ts';

describe('schedules of a saved chart', async () => {
  const h = await openScheduleHarness('sqlite');
  const { jobs, schedules } = h.process();
  const source = (h.dashboard.widgets[0].query as { source: string }).source;
  const chart = await h.content.charts.create(editor, {
    name: 'Units by country',
    query: {
      source,
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      sorts: [{ field: 'country' }],
    },
    visualization: { type: 'bar' },
  });
  beforeAll(() => jobs.start());
  afterAll(() => h.close());

  const delivery = {
    name: 'Countries',
    cron: '0 8 * * *',
    format: 'csv',
    destination: { type: 'email', recipients: ['ops@example.test'] },
  };

  it('keeps the chart by id in its project and emails its rows', async () => {
    const schedule = await schedules.create(editor, 'delivery', {
      ...delivery,
      target: { chart: chart.uuid },
    });
    expect(schedule).toMatchObject({ target: { chart: chart.id }, projectId: chart.projectId });
    const job = await schedules.runNow(editor, 'delivery', schedule.uuid);
    expect((await jobs.wait(job.id, { timeoutMs: 10_000 })).status).toBe('success');
    const [message] = (await schedules.outbox(admin)).items;
    expect(message).toMatchObject({ scheduleId: schedule.id, to: ['ops@example.test'] });
    const file = await schedules.outboxAttachment(admin, message.id, 0);
    expect(file.content.toString('utf8')).toBe('country,sum_quantity\nDE,7\nFR,8\nUS,11\n');
  });

  it('sends a body once without saving it', async () => {
    const before = await schedules.list(admin, 'delivery');
    const job = await schedules.sendNow(editor, 'delivery', {
      ...delivery,
      name: 'Test send',
      target: { chart: chart.uuid },
      destination: { type: 'email', recipients: ['test@example.test'] },
    });
    expect((await jobs.wait(job.id, { timeoutMs: 10_000 })).status).toBe('success');
    expect(await schedules.list(admin, 'delivery')).toEqual(before);
    const [message] = (await schedules.outbox(admin)).items;
    expect(message).toMatchObject({ scheduleId: null, jobId: job.id, to: ['test@example.test'] });
    await expect(
      schedules.sendNow(editor, 'delivery', { ...delivery, target: { chart: chart.id }, name: '' }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'name' });
  });

  it('rejects a chart the caller cannot see, dashboard filter values, and a bad reference', async () => {
    const hidden = await h.content.charts.create(admin, {
      name: 'Private',
      personal: true,
      query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] },
      visualization: { type: 'kpi' },
    });
    await expect(
      schedules.create(editor, 'delivery', { ...delivery, target: { chart: hidden.uuid } }),
    ).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(
      schedules.create(editor, 'delivery', {
        ...delivery,
        target: { chart: chart.id },
        filterValues: { country: ['FR'] },
      }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'filterValues' });
    await expect(
      schedules.create(editor, 'delivery', { ...delivery, target: { chart: true } }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'target.chart' });
    await expect(
      schedules.create(viewer, 'delivery', { ...delivery, target: { chart: chart.id } }),
    ).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it('alerts on a chart over its whole result', async () => {
    const alert = await schedules.create(editor, 'alert', {
      ...delivery,
      target: { chart: chart.id },
      conditions: [{ field: 'sum_quantity', aggregation: 'max', operator: '>', values: [10] }],
    });
    const job = await schedules.runNow(editor, 'alert', alert.id);
    const done = await jobs.wait(job.id, { timeoutMs: 10_000 });
    expect(done.result).toMatchObject({ triggered: true, evaluation: { conditions: [{ value: 11 }] } });
  });
});
