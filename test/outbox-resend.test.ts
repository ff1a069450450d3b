import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { demoDashboard, getFile, waitForJob } from './support/exports.ts';
import { smtpCatcher } from './support/smtp.ts';

/**
 * The outbox holds what it cannot send: a message held without SMTP keeps its attachments, which
 * an admin can download, and resends once the server is restarted with `SMTP_URL`.
 */
describe('resending a held email once SMTP is configured', () => {
  const smtp = smtpCatcher();
  const { received } = smtp;
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.close();
    await smtp.close();
  });

  it('holds, keeps the files, refuses to resend without SMTP, then sends after a restart', async () => {
    app = await startTestApp();
    const dashboard = await demoDashboard(app);
    const created = await app.request('POST', '/api/schedules', {
      name: 'Countries',
      cron: '0 8 * * 1',
      target: { widget: { dashboard: dashboard.id, widget: 'revenue-by-country' } },
      format: 'xlsx',
      destination: { type: 'email', recipients: ['held@example.test'], subject: 'Countries' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const run = await app.request('POST', `/api/schedules/${created.body.schedule.id}/run`);
    expect((await waitForJob(app, run.body.job.id)).status).toBe('success');

    const [held] = (await app.request('GET', '/api/outbox')).body.items;
    expect(held).toMatchObject({ status: 'held', to: ['held@example.test'], subject: 'Countries' });
    expect(held.html).toBeUndefined(); // the list leaves it out
    expect(held.attachments.map((a: { contentType: string }) => a.contentType)).toEqual([
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'image/png',
    ]);
    expect(held.attachments[1].inline).toBe(true);
    expect(Date.parse(held.filesKeptUntil)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const one = await app.request('GET', `/api/outbox/${held.id}`);
    expect(one.body.message.html).toContain('cid:');
    expect(one.body.message.text).toContain('Filters: none (all data)');
    const file = await getFile(app, `/api/outbox/${held.id}/attachments/0`);
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename=".+\.xlsx"/);
    expect(file.data.length).toBe(held.attachments[0].size);
    expect((await getFile(app, `/api/outbox/${held.id}/attachments/7`)).status).toBe(404);

    const early = await app.request('POST', `/api/outbox/${held.id}/resend`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/SMTP is not configured: set SMTP_URL/);

    // The same data dir, now with SMTP.
    await app.stop();
    app = await startTestApp({ dataDir: app.dataDir, env: { SMTP_URL: await smtp.listen() } });
    const resent = await app.request('POST', `/api/outbox/${held.id}/resend`);
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body.message).toMatchObject({ id: held.id, status: 'sent', filesKeptUntil: null });
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail.subject).toBe('Countries');
    const xlsx = mail.attachments.find((a) => a.filename?.endsWith('.xlsx'));
    expect(xlsx?.content.equals(file.data)).toBe(true);
    expect(mail.attachments.find((a) => a.related)?.contentType).toBe('image/png');

    const again = await app.request('POST', `/api/outbox/${held.id}/resend`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/only a held or failed message can be resent; this one is sent/);
    expect((await getFile(app, `/api/outbox/${held.id}/attachments/0`)).status).toBe(404);
    expect((await app.request('POST', '/api/outbox/424242/resend')).status).toBe(404);
  }, 120_000);
});
