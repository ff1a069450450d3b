import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren, waitTask } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 120_000);
afterAll(() => app?.close());

describe('email', () => {
  it('sends the doc example with the dashboard as a PDF (task), then answers 429 once the quota is spent', async () => {
    const dashboard = (await seren(app, 'GET', '/api/web_app')).body.objects.find(
      (o: { name: string }) => o.name === DEMO_DASHBOARD_NAME,
    );
    const answer = await seren(app, 'POST', '/api/email', {
      subject: 'Weekly report',
      recipients: ['john@doe.com'],
      html: '<h1>Hello</h1>',
      web_app_uuid: dashboard.uuid,
      pdf_file_name: 'report.pdf',
      from_address: null,
      file_to_attach_uuid: null,
      file_to_attach_name: null,
      dashboard_payload: null,
    });
    expect(answer.body).toMatchObject({ status: 'ok', task_id: expect.any(String) });
    expect((await waitTask(app, answer.body.task_id)).body.status).toBe('ok');
    const outbox = await app.request('GET', '/api/outbox');
    expect(JSON.stringify(outbox.body)).toContain('report.pdf');

    expect(
      (await seren(app, 'POST', '/api/email', { subject: 'x', recipients: ['not an address'] })).status,
    ).toBe(400);

    // Spend the rest of the day's quota (50 by default), then one more is refused with 429.
    const { db } = app.rosetta.store;
    const organization = await db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    for (let i = 0; i < 49; i++) {
      await db
        .insertInto('outbox_messages')
        .values({
          uuid: randomUUID(),
          organization_id: organization.id,
          schedule_id: null,
          job_id: null,
          recipients: '[]',
          subject: 'filler',
          text: '',
          status: 'held',
          error: null,
          attachments: '[]',
          created_at: now,
          sent_at: null,
        })
        .execute();
    }
    const refused = await seren(app, 'POST', '/api/email', {
      subject: 'one more',
      recipients: ['a@b.c'],
      html: '',
    });
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0]).toContain('quota');
  }, 60_000);
});
