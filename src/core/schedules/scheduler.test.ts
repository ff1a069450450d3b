import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { systemOwner } from '../jobs/index.ts';
import { nextFireTime } from './cron.ts';
import { editor, openScheduleHarness } from './test-support.ts';

const email = { type: 'email', recipients: ['team@example.test'] };

describe('cron with timezones', () => {
  it('fires 0 8 * * * at 08:00 Paris time, winter and summer', () => {
    const paris = (after: string) =>
      nextFireTime('0 8 * * *', 'Europe/Paris', new Date(after))?.toISOString();
    expect(paris('2025-01-15T12:00:00Z')).toBe('2025-01-16T07:00:00.000Z');
    expect(paris('2025-07-15T12:00:00Z')).toBe('2025-07-16T06:00:00.000Z');
    // Strictly after: a run at its own fire time schedules the next day.
    expect(paris('2025-01-16T07:00:00Z')).toBe('2025-01-17T07:00:00.000Z');
    // The DST switch day (2025-03-30, 02:00 → 03:00) keeps 08:00 local.
    expect(paris('2025-03-29T12:00:00Z')).toBe('2025-03-30T06:00:00.000Z');
  });
});

describe('scheduler on PostgreSQL', async () => {
  const db = await createTempPostgres('rosetta_schedules');
  const harness = db.available ? await openScheduleHarness('postgres', db.url) : undefined;
  afterAll(async () => {
    await harness?.close();
    await db.drop();
  });
  // Each test counts only its own fire times.
  afterEach(async () => {
    await harness?.store.db.deleteFrom('schedules').execute();
  });
  const h = harness!;
  let clock = new Date('2025-01-15T10:00:30Z');
  const now = () => clock;

  const jobsOf = (scheduleId: number) =>
    h.store.db
      .selectFrom('jobs')
      .select(['id', 'idempotency_key'])
      .where('idempotency_key', 'like', `schedule:${scheduleId}:%`)
      .orderBy('id')
      .execute();
  const rowOf = (id: number) =>
    h.store.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it.skipIf(!db.available)('two processes ticking at once fire each due time exactly once', async () => {
    const a = h.process({ now, jobClock: now });
    const b = h.process({ now, jobClock: now });
    const created = [];
    for (let i = 0; i < 10; i++) {
      created.push(
        await a.schedules.create(editor, 'delivery', {
          name: `every minute ${i}`,
          cron: '* * * * *',
          timezone: 'UTC',
          target: { dashboard: h.dashboard.id },
          format: 'csv',
          destination: email,
        }),
      );
    }
    expect(created[0].nextRunAt).toBe('2025-01-15T10:01:00.000Z');
    let claimed = 0;
    for (let minute = 1; minute <= 3; minute++) {
      clock = new Date(Date.UTC(2025, 0, 15, 10, minute, 5));
      const counts = await Promise.all([
        a.schedules.tick(),
        b.schedules.tick(),
        a.schedules.tick(),
        b.schedules.tick(),
      ]);
      claimed += counts.reduce((x, y) => x + y, 0);
    }
    expect(claimed).toBe(30);
    for (const schedule of created) {
      const jobs = await jobsOf(schedule.id);
      expect(jobs.map((j) => j.idempotency_key)).toEqual([
        `schedule:${schedule.id}:2025-01-15T10:01:00.000Z`,
        `schedule:${schedule.id}:2025-01-15T10:02:00.000Z`,
        `schedule:${schedule.id}:2025-01-15T10:03:00.000Z`,
      ]);
      const runs = (await a.schedules.history(editor, 'delivery', schedule.id)).items;
      expect(runs.map((r) => [r.fireTime, r.trigger, r.status])).toEqual([
        ['2025-01-15T10:03:00.000Z', 'cron', 'queued'],
        ['2025-01-15T10:02:00.000Z', 'cron', 'queued'],
        ['2025-01-15T10:01:00.000Z', 'cron', 'queued'],
      ]);
      expect((await rowOf(schedule.id)).next_run_at).toBe('2025-01-15T10:04:00.000Z');
    }
  });

  it.skipIf(!db.available)(
    'runs a schedule missed during downtime once at start, then from now',
    async () => {
      clock = new Date('2025-01-15T09:30:00Z');
      const before = h.process({ now, jobClock: now });
      const hourly = await before.schedules.create(editor, 'delivery', {
        name: 'hourly',
        cron: '0 * * * *',
        target: { dashboard: h.dashboard.id },
        format: 'csv',
        destination: email,
      });
      expect(hourly.nextRunAt).toBe('2025-01-15T10:00:00.000Z');
      // The server is down from 09:30 to 15:20: five fire times pass.
      clock = new Date('2025-01-15T15:20:00Z');
      const after = [h.process({ now, jobClock: now }), h.process({ now, jobClock: now })];
      await Promise.all(after.map((p) => p.schedules.start()));
      await after[0].schedules.tick();
      const jobs = await jobsOf(hourly.id);
      expect(jobs.map((j) => j.idempotency_key)).toEqual([`schedule:${hourly.id}:2025-01-15T10:00:00.000Z`]);
      expect(await rowOf(hourly.id)).toMatchObject({
        next_run_at: '2025-01-15T16:00:00.000Z',
        last_run_at: '2025-01-15T10:00:00.000Z',
      });
      for (const p of after) await p.schedules.stop();
    },
  );

  it.skipIf(!db.available)(
    'a crash between enqueue and advance does not run the fire time twice',
    async () => {
      clock = new Date('2025-01-15T15:30:00Z');
      const p = h.process({ now, jobClock: now });
      const daily = await p.schedules.create(editor, 'delivery', {
        name: 'daily',
        cron: '0 16 * * *',
        target: { dashboard: h.dashboard.id },
        format: 'csv',
        destination: email,
      });
      clock = new Date('2025-01-15T16:00:10Z');
      // What the crashed process managed to do: the job exists, next_run_at was not moved.
      const orphan = await p.jobs.enqueue(
        systemOwner(1),
        'schedule.delivery',
        {
          scheduleId: daily.id,
          fireTime: '2025-01-15T16:00:00.000Z',
        },
        { idempotencyKey: `schedule:${daily.id}:2025-01-15T16:00:00.000Z` },
      );
      expect(await p.schedules.tick()).toBe(1);
      expect((await jobsOf(daily.id)).map((j) => j.id)).toEqual([orphan.id]);
      const [run] = (await p.schedules.history(editor, 'delivery', daily.id)).items;
      expect(run).toMatchObject({ jobId: orphan.id, fireTime: '2025-01-15T16:00:00.000Z' });
    },
  );

  it.skipIf(!db.available)('pause stops firing; resume continues from now', async () => {
    clock = new Date('2025-01-16T07:59:00Z');
    const p = h.process({ now, jobClock: now });
    const morning = await p.schedules.create(editor, 'delivery', {
      name: 'morning',
      cron: '0 8 * * *',
      timezone: 'Europe/Paris',
      target: { dashboard: h.dashboard.id },
      format: 'csv',
      destination: email,
    });
    expect(morning.nextRunAt).toBe('2025-01-17T07:00:00.000Z');
    expect((await p.schedules.pause(editor, 'delivery', morning.id)).paused).toBe(true);
    clock = new Date('2025-01-19T08:00:00Z');
    expect(await p.schedules.tick()).toBe(0);
    expect(await jobsOf(morning.id)).toEqual([]);
    const resumed = await p.schedules.resume(editor, 'delivery', morning.id);
    expect(resumed).toMatchObject({ paused: false, nextRunAt: '2025-01-20T07:00:00.000Z' });
    clock = new Date('2025-01-20T07:00:01Z');
    expect(await p.schedules.tick()).toBe(1);
    expect((await jobsOf(morning.id)).length).toBe(1);
  });
});
