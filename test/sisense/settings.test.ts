import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { waitForJob } from '../support/exports.ts';
import { authenticatedSmtp } from '../support/smtp.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

/**
 * Email server settings through the Sisense face: the organization's own SMTP server, stored by
 * the core (password sealed, never shown) and used for the mail the server sends, alerts included.
 */

let app: TestApp;
let editorToken: string;
let smtp: Awaited<ReturnType<typeof authenticatedSmtp>>;
const path = '/api/v1/settings/email_server';

beforeAll(async () => {
  smtp = await authenticatedSmtp('mailer', 'smtp-pass');
  app = await startTestApp({ env: { ROSETTA_OUTBOUND_ALLOW: '127.0.0.1' } });
  const created = await app.request('POST', '/api/users', {
    email: 'editor@example.test',
    role: 'editor',
    password: 'a-long-password-1',
  });
  expect(created.status).toBe(201);
  editorToken = await sisenseLogin(app, 'editor@example.test', 'a-long-password-1');
}, 120_000);
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

describe('Sisense email server settings', () => {
  it('has none until one is set (mail is held)', async () => {
    const answer = await sx(app, 'GET', path);
    expect(answer.status).toBe(404);
    expect(sisenseError(answer)).toMatchObject({ status: 404, message: 'Email server does not exist' });
  });

  it('sets the server, never shows its password, and refuses a second one with 7501', async () => {
    const body = {
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      auth: { user: 'mailer', pass: 'wrong' },
      from: 'bi@example.test',
    };
    const created = await sx(app, 'POST', path, body);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      auth: { user: 'mailer' },
      source: 'organization',
    });
    expect(created.text).not.toContain('wrong');
    const again = await sx(app, 'POST', path, body);
    expect(again.status).toBe(400);
    expect(sisenseError(again)).toMatchObject({
      code: 7501,
      message: 'Email server settings already exists',
    });
    const fixed = await sx(app, 'PATCH', path, { auth: { pass: 'smtp-pass' } });
    expect(fixed.status, fixed.text).toBe(200);
    expect((await sx(app, 'GET', path)).body).toEqual(fixed.body);
  });

  it('sends an alert created through the face over that server', async () => {
    const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
    const { services } = app.rosetta;
    const list = await app.request('GET', '/api/dashboards');
    const { id } = list.body.items.find((item: { name: string }) => item.name === 'Demo sales');
    const dashboard = { id, organizationId: admin.organizationId };
    const itemId = (await services.content.itemIds.idsOf(dashboard, 'widget', ['units-sold'])).get(
      'units-sold',
    );
    const context = {
      dashboardid: await services.externalIds.idOf(admin.organizationId, 'dashboard', id, 'hex24'),
      widgetid: await services.externalIds.idOf(admin.organizationId, 'widget', itemId as number, 'hex24'),
    };
    const alert = await sx(app, 'POST', '/api/v1/alerts', {
      name: 'Any units',
      cron: '0 0 1 1 *',
      context,
      conditions: [{ operator: '>', value: 0 }],
      parties: [{ type: 'email', party: 'ops@example.test' }],
    });
    expect(alert.status, alert.text).toBe(201);
    const native = (await app.request('GET', '/api/alerts')).body.items.find(
      (a: { name: string }) => a.name === 'Any units',
    );
    const run = await app.request('POST', `/api/alerts/${native.id}/run`);
    const job = await waitForJob(app, run.body.job?.id ?? run.body.id);
    expect(job.status, job.error).toBe('success');
    expect(smtp.received).toContainEqual(['ops@example.test']);
  });

  it('checks the body naming Sisense fields, and refuses non-admins', async () => {
    const cases: [unknown, string][] = [
      [{ port: 0 }, 'port'],
      [{ auth: 'x' }, 'auth'],
      [{ auth: { user: 5 } }, 'auth.user'],
      [{ host: 'bad host' }, 'host'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const answer = await sx(app, 'PATCH', path, body);
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body.error.field ?? answer.body.error.message).toContain(field);
    }
    expect((await sx(app, 'GET', path, undefined, { token: editorToken })).status).toBe(403);
    expect((await sx(app, 'DELETE', path, undefined, { token: editorToken })).status).toBe(403);
  });

  it('removes the server', async () => {
    expect((await sx(app, 'DELETE', path)).status).toBe(204);
    expect((await sx(app, 'GET', path)).status).toBe(404);
    expect((await sx(app, 'DELETE', path)).status).toBe(404);
    expect((await sx(app, 'PATCH', path, { port: 25 })).status).toBe(404);
  });
});
