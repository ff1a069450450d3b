import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../core/auth/index.ts';
import { createDirectoryService } from '../../core/directory/index.ts';
import { HARNESS_ADMIN_KEY, openScheduleHarness } from '../../core/schedules/test-support.ts';
import { type App, createServer } from '../server.ts';
import { registerAlertRoutes } from './alerts.ts';
import { nativeApi } from './index.ts';
import { registerOutboxRoutes } from './outbox.ts';
import { registerScheduleRoutes } from './schedules.ts';

describe('schedule, alert and outbox routes', async () => {
  const h = await openScheduleHarness('sqlite');
  const auth = createAuthService({ store: h.store });
  const directory = createDirectoryService(h.store);
  // The alert's webhook is a loopback address, refused when saved unless allowed.
  const { jobs, schedules } = h.process({ outboundAllow: ['127.0.0.1'] });
  let app: App;
  let adminKey: string;
  let editorToken: string;
  let viewerToken: string;

  beforeAll(async () => {
    adminKey = HARNESS_ADMIN_KEY;
    const admin = await auth.authenticate(adminKey);
    await directory.createUser(admin, { email: 'e@example.com', password: 'editor-pass', role: 'editor' });
    await directory.createUser(admin, { email: 'v@example.com', password: 'viewer-pass', role: 'viewer' });
    editorToken = (await auth.login('e@example.com', 'editor-pass')).token;
    viewerToken = (await auth.login('v@example.com', 'viewer-pass')).token;
    app = createServer({ logLevel: 'silent' });
    await nativeApi.register(app, {
      auth: { auth },
      routes(api) {
        registerScheduleRoutes(api, { schedules });
        registerAlertRoutes(api, { schedules });
        registerOutboxRoutes(api, { schedules });
      },
    });
    await app.ready();
    await jobs.start();
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });

  const delivery = () => ({
    name: 'Morning sales',
    cron: '0 8 * * *',
    timezone: 'Europe/Paris',
    target: { dashboard: h.dashboard.id },
    format: 'csv',
    filters: [{ field: 'country', operator: '=', values: ['FR'] }],
    destination: { type: 'email', recipients: ['team@example.test'], subject: 'Sales {{$today}}' },
  });

  it('creates, reads, updates, runs and deletes a schedule', async () => {
    const created = await call('POST', '/api/schedules', editorToken, delivery());
    expect(created.statusCode).toBe(201);
    const { schedule } = created.json();
    expect(schedule).toMatchObject({
      name: 'Morning sales',
      kind: 'delivery',
      paused: false,
      target: { dashboard: h.dashboard.id },
      destination: { type: 'email', recipients: ['team@example.test'] },
    });
    expect(schedule.nextRunAt).toMatch(/T0[67]:00:00.000Z$/);
    expect(schedule).not.toHaveProperty('conditions');
    expect((await call('GET', '/api/schedules', editorToken)).json().items).toHaveLength(1);
    expect((await call('GET', `/api/schedules/${schedule.uuid}`, editorToken)).json().schedule.id).toBe(
      schedule.id,
    );

    const paused = await call('PATCH', `/api/schedules/${schedule.id}`, editorToken, {
      paused: true,
      name: 'Renamed',
    });
    expect(paused.json().schedule).toMatchObject({ paused: true, name: 'Renamed', cron: '0 8 * * *' });
    expect(
      (await call('POST', `/api/schedules/${schedule.id}/resume`, editorToken)).json().schedule.paused,
    ).toBe(false);

    const run = await call('POST', `/api/schedules/${schedule.id}/run`, editorToken);
    expect(run.statusCode).toBe(202);
    expect(run.json().job).toMatchObject({ type: 'schedule.delivery', status: 'queued' });
    expect((await jobs.wait(run.json().job.id, { timeoutMs: 10_000 })).status).toBe('success');
    const runs = (await call('GET', `/api/schedules/${schedule.id}/runs?limit=5`, editorToken)).json().items;
    expect(runs).toMatchObject([{ trigger: 'manual', status: 'success', jobId: run.json().job.id }]);

    const outbox = await call('GET', '/api/outbox', adminKey);
    expect(outbox.statusCode).toBe(200);
    const [message] = outbox.json().items;
    expect(message).toMatchObject({
      to: ['team@example.test'],
      status: 'held',
      subject: expect.stringMatching(/^Sales \d{4}-\d{2}-\d{2}$/),
      attachments: [{ filename: 'Sales.csv', contentType: 'text/csv', size: expect.any(Number) }],
    });
    expect(message.createdAt).toMatch(/Z$/);
    expect((await call('GET', '/api/outbox', editorToken)).statusCode).toBe(403);

    expect((await call('DELETE', `/api/schedules/${schedule.id}`, editorToken)).statusCode).toBe(204);
    expect((await call('GET', `/api/schedules/${schedule.id}`, editorToken)).statusCode).toBe(404);
  });

  it('answers 400 naming the field, 403 to viewers, 401 without credentials', async () => {
    const fieldOf = async (body: unknown, method: 'POST' | 'PATCH' = 'POST', url = '/api/schedules') => {
      const response = await call(method, url, editorToken, body);
      expect(response.statusCode).toBe(400);
      return response.json().error.field;
    };
    expect(await fieldOf({ ...delivery(), cron: 'every day' })).toBe('cron');
    expect(await fieldOf({ ...delivery(), timezone: 'Europe/Atlantis' })).toBe('timezone');
    expect(await fieldOf({ ...delivery(), format: 'docx' })).toBe('format');
    expect(await fieldOf({ ...delivery(), name: undefined })).toBe('name');
    expect(await fieldOf({ ...delivery(), colour: 'red' })).toBe('colour');
    expect(await fieldOf({ ...delivery(), destination: { type: 'email', recipients: ['x'] } })).toBe(
      'destination.recipients[0]',
    );
    expect(
      await fieldOf({ ...delivery(), target: { dashboard: 1, widget: { dashboard: 1, widget: 'units' } } }),
    ).toBe('target');
    const id = (await call('POST', '/api/schedules', editorToken, delivery())).json().schedule.id;
    expect(await fieldOf({ cron: '0 25 * * *' }, 'PATCH', `/api/schedules/${id}`)).toBe('cron');
    expect((await call('GET', `/api/schedules/${id}/runs?limit=0`, editorToken)).statusCode).toBe(400);
    expect((await call('POST', '/api/schedules', viewerToken, delivery())).statusCode).toBe(403);
    expect((await call('GET', `/api/schedules/${id}`, viewerToken)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/schedules' })).statusCode).toBe(401);
  });

  it('keeps alerts apart, hides webhook secrets, and runs alerts', async () => {
    const source = (h.dashboard.widgets[0].query as { source: string }).source;
    const created = await call('POST', '/api/alerts', editorToken, {
      name: 'Low sales',
      cron: '*/15 * * * *',
      target: { query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] } },
      destination: { type: 'webhook', url: 'http://127.0.0.1:9/never', secret: 'top-secret' },
      conditions: [{ field: 'sum_quantity', aggregation: 'sum', operator: 'less_than', values: [1] }],
    });
    expect(created.statusCode).toBe(201);
    const { alert } = created.json();
    expect(alert).toMatchObject({ kind: 'alert', destination: { type: 'webhook', hasSecret: true } });
    expect(JSON.stringify(alert)).not.toContain('top-secret');
    expect(alert.conditions).toHaveLength(1);
    expect(
      (await call('GET', '/api/alerts', editorToken)).json().items.map((a: { id: number }) => a.id),
    ).toEqual([alert.id]);
    expect((await call('GET', `/api/schedules/${alert.id}`, editorToken)).statusCode).toBe(404);

    const run = await call('POST', `/api/alerts/${alert.id}/run`, editorToken);
    expect(run.statusCode).toBe(202);
    const job = await jobs.wait(run.json().job.id, { timeoutMs: 10_000 });
    // 26 units in all: the condition does not hold, so nothing is posted to the dead address.
    expect(job.status).toBe('success');
    const [evaluation] = (await call('GET', `/api/alerts/${alert.id}/runs`, editorToken)).json().items;
    expect(evaluation).toMatchObject({
      triggered: false,
      result: { conditions: [{ value: 26, holds: false }] },
    });

    const missing = await call('POST', '/api/alerts', editorToken, {
      name: 'x',
      cron: '0 * * * *',
      target: { query: { source } },
      destination: { type: 'slack', url: 'https://hooks.slack.test/x' },
    });
    expect(missing.json().error.field).toBe('conditions');
  });
});
