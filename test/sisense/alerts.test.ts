import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { waitForJob } from '../support/exports.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

/** Alerts through the Sisense face: persisted as the core's data alerts, evaluated as they are. */

let app: TestApp;
let context: { dashboardid: string; widgetid: string };
let editorToken: string;
let viewerToken: string;
let editorOid: string;

async function createUser(email: string, role: string): Promise<number> {
  const created = await app.request('POST', '/api/users', { email, role, password: 'a-long-password-1' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  app = await startTestApp();
  const { services } = app.rosetta;
  const admin = await services.auth.authenticate(ADMIN_KEY);
  const list = await app.request('GET', '/api/dashboards');
  const { id } = list.body.items.find((item: { name: string }) => item.name === 'Demo sales');
  const itemId = (
    await services.content.itemIds.idsOf({ id, organizationId: admin.organizationId }, 'widget', [
      'units-sold',
    ])
  ).get('units-sold') as number;
  context = {
    dashboardid: await services.externalIds.idOf(admin.organizationId, 'dashboard', id, 'hex24'),
    widgetid: await services.externalIds.idOf(admin.organizationId, 'widget', itemId, 'hex24'),
  };
  const editorId = await createUser('editor@example.test', 'editor');
  await createUser('viewer@example.test', 'viewer');
  editorOid = await services.externalIds.idOf(admin.organizationId, 'user', editorId, 'hex24');
  editorToken = await sisenseLogin(app, 'editor@example.test', 'a-long-password-1');
  viewerToken = await sisenseLogin(app, 'viewer@example.test', 'a-long-password-1');
}, 120_000);
afterAll(() => app?.close());

const kpiAlert = (name: string, value: number, extra: Record<string, unknown> = {}) => ({
  name,
  enabled: true,
  message: `Units sold passed ${value}`,
  // Yearly: the scheduler's own runs stay out of the outbox counts.
  cron: '0 0 1 1 *',
  context,
  conditions: [{ operator: 'above', value }],
  ...extra,
});

async function create(body: unknown, token?: string) {
  const created = await sx(app, 'POST', '/api/v1/alerts', body, { token });
  expect(created.status, created.text).toBe(201);
  return created.body;
}

/** The core alert's integer id (the native API's), by name. */
async function nativeAlert(name: string) {
  const { body } = await app.request('GET', '/api/alerts');
  return (body.items ?? body).find((alert: { name: string }) => alert.name === name);
}

const outboxSize = async () => (await app.request('GET', '/api/outbox')).body.items.length;

/** Runs the alert now (natively: Sisense has no such route); answers whether it emailed. */
async function fires(name: string): Promise<boolean> {
  const before = await outboxSize();
  const run = await app.request('POST', `/api/alerts/${(await nativeAlert(name)).id}/run`);
  expect(run.status, JSON.stringify(run.body)).toBeLessThan(300);
  const job = await waitForJob(app, run.body.job?.id ?? run.body.id);
  expect(job.status, job.error).toBe('success');
  return (await outboxSize()) > before;
}

describe('Sisense alerts', () => {
  it('creates a KPI alert on a widget, persisted as a core alert on that widget', async () => {
    const alert = await create(kpiAlert('Units above one', 1));
    expect(alert).toMatchObject({
      name: 'Units above one',
      type: 'kpi',
      enabled: true,
      message: 'Units sold passed 1',
      context,
      action: { type: 'email' },
      parties: [{ type: 'user' }],
      conditions: [{ field: expect.any(String), aggregation: 'sum', operator: '>', value: 1 }],
    });
    expect(alert._id).toMatch(/^[0-9a-f]{24}$/);
    const read = await sx(app, 'GET', `/api/v1/alerts/${alert._id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(alert);
    const native = await nativeAlert('Units above one');
    expect(native.target).toEqual({ widget: { dashboard: expect.any(Number), widget: 'units-sold' } });
    expect(native.destination).toMatchObject({ type: 'email', recipients: ['admin@example.com'] });
  });

  it('fires when its condition holds over the widget query, and not otherwise', async () => {
    await create(kpiAlert('Units above a billion', 1e9));
    expect(await fires('Units above one')).toBe(true);
    expect(await fires('Units above a billion')).toBe(false);
  });

  it('takes the documented body without conditions: it notifies whenever the widget has data', async () => {
    const { conditions: _none, cron: _yearly, ...documented } = kpiAlert('Units whenever', 0);
    const alert = await create({ ...documented, action: 'email', cron: '0 0 1 1 *' });
    expect(alert.conditions).toEqual([
      { field: expect.any(String), aggregation: 'count', operator: '>', value: 0 },
    ]);
    expect(await fires('Units whenever')).toBe(true);
  });

  it('lists with the common options and counts the caller own alerts', async () => {
    const all = await sx(app, 'GET', '/api/v1/alerts?sort=-name');
    expect(all.status).toBe(200);
    const names = all.body.map((a: { name: string }) => a.name);
    expect(names).toEqual([...names].sort().reverse());
    const paged = await sx(app, 'GET', '/api/v1/alerts?sort=name&skip=1&limit=1&fields=name');
    expect(paged.body).toEqual([{ _id: expect.any(String), name: [...names].sort()[1] }]);
    const byId = await sx(app, 'GET', `/api/v1/alerts?ids=${all.body[0]._id}`);
    expect(byId.body.map((a: { _id: string }) => a._id)).toEqual([all.body[0]._id]);
    expect((await sx(app, 'GET', '/api/v1/alerts/count')).body).toEqual({ count: names.length });
    expect((await sx(app, 'GET', '/api/v1/alerts/count', undefined, { token: editorToken })).body).toEqual({
      count: 0,
    });
  });

  it('updates name, enabled, conditions and parties; opt-outs leave the parties', async () => {
    const alert = await create(kpiAlert('To change', 5));
    const changed = await sx(app, 'PATCH', `/api/v1/alerts/${alert._id}`, {
      name: 'Changed',
      enabled: false,
      conditions: [{ operator: 'between', values: [1, 10] }],
      parties: [
        { type: 'user', party: editorOid },
        { type: 'email', party: 'ops@example.test' },
      ],
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Changed',
      enabled: false,
      conditions: [{ operator: 'between', values: [1, 10] }],
      parties: [
        { type: 'user', party: editorOid },
        { type: 'email', party: 'ops@example.test' },
      ],
    });
    expect((await nativeAlert('Changed')).paused).toBe(true);
    const optOut = await sx(app, 'PATCH', `/api/v1/alerts/${alert._id}/setReceiveNotification`, {
      user: editorOid,
      receiveNotification: false,
    });
    expect(optOut.status, optOut.text).toBe(200);
    expect(optOut.body.parties).toEqual([{ type: 'email', party: 'ops@example.test' }]);
    const optIn = await sx(app, 'PATCH', `/api/v1/alerts/${alert._id}/setReceiveNotification`, {
      user: editorOid,
      receiveNotification: true,
    });
    expect(optIn.body.parties).toContainEqual({ type: 'user', party: editorOid });
  });

  it('posts to a webhook as its action; an email-only change keeps the webhook', async () => {
    const action = { type: 'webhook', url: 'https://hooks.example.test/alerts' };
    const alert = await create(kpiAlert('Webhook alert', 5, { action }));
    expect(alert).toMatchObject({ action, parties: [], message: null });
    const changed = await sx(app, 'PATCH', `/api/v1/alerts/${alert._id}`, { message: 'ignored' });
    expect(changed.body.action).toEqual(action);
    const local = await sx(app, 'PATCH', `/api/v1/alerts/${alert._id}`, {
      action: { type: 'webhook', url: 'http://127.0.0.1/x' },
    });
    expect(local.status).toBe(400);
    expect(local.body.error.field).toBe('action.url');
  });

  it('deletes an alert', async () => {
    const alert = await create(kpiAlert('To delete', 5));
    expect((await sx(app, 'DELETE', `/api/v1/alerts/${alert._id}`)).status).toBe(204);
    expect((await sx(app, 'GET', `/api/v1/alerts/${alert._id}`)).status).toBe(404);
    expect(await nativeAlert('To delete')).toBeUndefined();
  });

  it('an editor manages their own alerts only; a viewer is refused', async () => {
    const own = await create(kpiAlert('Editor alert', 5), editorToken);
    expect(own.owner).toBe(editorOid);
    const admins = (await sx(app, 'GET', '/api/v1/alerts')).body[0]._id;
    expect((await sx(app, 'GET', `/api/v1/alerts/${admins}`, undefined, { token: editorToken })).status).toBe(
      404,
    );
    const refused = await sx(app, 'GET', '/api/v1/alerts', undefined, { token: viewerToken });
    expect(refused.status).toBe(403);
    expect(sisenseError(refused).status).toBe(403);
    expect((await sx(app, 'POST', '/api/v1/alerts', kpiAlert('No', 1), { token: viewerToken })).status).toBe(
      403,
    );
  });

  it.each<[() => unknown, string]>([
    [() => ({ ...kpiAlert('x', 1), context: undefined }), 'context'],
    [() => ({ ...kpiAlert('x', 1), context: { dashboardid: context.dashboardid } }), 'context.widgetid'],
    [() => ({ ...kpiAlert('x', 1), context: { ...context, widgetid: 'nope' } }), 'context.widgetid'],
    [() => kpiAlert('x', 1, { conditions: [{ operator: 'like', value: 1 }] }), 'conditions[0].operator'],
    [() => kpiAlert('x', 1, { conditions: [{ operator: '>' }] }), 'conditions[0].value'],
    [
      () => kpiAlert('x', 1, { conditions: [{ field: 'nothing', operator: '>', value: 1 }] }),
      'conditions[0].field',
    ],
    [() => kpiAlert('x', 1, { parties: [{ type: 'user', party: 'f'.repeat(24) }] }), 'parties[0].party'],
    [() => kpiAlert('x', 1, { parties: [{ type: 'robot', party: 'x' }] }), 'parties[0].type'],
    [() => kpiAlert('x', 1, { action: { type: 'sms' } }), 'action.type'],
    [() => kpiAlert('x', 1, { type: 'build' }), 'type'],
    [() => kpiAlert('x', 1, { enabled: 'yes' }), 'enabled'],
    [() => kpiAlert('x', 1, { cron: 'never' }), 'cron'],
    [() => kpiAlert('x', 1, { color: 'red' }), 'color'],
    [() => ({ ...kpiAlert('x', 1), name: undefined }), 'name'],
  ])('refuses a bad body naming the field (%#)', async (body, field) => {
    const answer = await sx(app, 'POST', '/api/v1/alerts', body());
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.error.field ?? answer.body.error.message).toContain(field);
  });

  it('answers 404 for an unknown alert and 400 for a malformed id', async () => {
    expect((await sx(app, 'GET', `/api/v1/alerts/${'0'.repeat(24)}`)).status).toBe(404);
    expect((await sx(app, 'PATCH', `/api/v1/alerts/${'0'.repeat(24)}`, { name: 'x' })).status).toBe(404);
    expect((await sx(app, 'DELETE', '/api/v1/alerts/xyz')).status).toBe(400);
    expect((await sx(app, 'GET', '/api/v1/alerts?skip=-1')).status).toBe(400);
    expect((await sx(app, 'GET', '/api/v1/alerts?ids=zz')).status).toBe(400);
  });
});
