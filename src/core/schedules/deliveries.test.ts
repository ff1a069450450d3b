import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosettaError } from '../errors.ts';
import { localDateTime } from './cron.ts';
import { createMailer } from './mail.ts';
import { createOutboxStore } from './outbox-store.ts';
import { admin, editor, openScheduleHarness, viewer } from './test-support.ts';

/** A loopback HTTP receiver that answers with the queued statuses (then 200) and records each call. */
async function receiver() {
  const calls: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const statuses: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, calls, statuses, close: () => server.close() };
}

/** A loopback SMTP server (no TLS, no auth) that parses every message it accepts. */
async function smtpServer() {
  const messages: Array<{ envelope: string[]; mail: ParsedMail }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        messages.push({ envelope: session.envelope.rcptTo.map((r) => r.address), mail });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((r) => server.close(r)),
  };
}

describe('scheduled deliveries', async () => {
  // Two stores, as two installations: every job worker on a store runs that store's jobs.
  const h = await openScheduleHarness('sqlite');
  const withSmtp = await openScheduleHarness('sqlite');
  const smtp = await smtpServer();
  const hook = await receiver();
  const mailing = withSmtp.process({ mail: { smtpUrl: smtp.url, from: 'Rosetta <reports@example.test>' } });
  // The receiver listens on loopback, which deliveries may reach only when allowed.
  const holding = h.process({ mail: { dailyQuota: 2 }, outboundAllow: ['127.0.0.1'] });
  beforeAll(async () => {
    await mailing.jobs.start();
    await holding.jobs.start();
  });
  afterAll(async () => {
    await h.close();
    await withSmtp.close();
    await smtp.close();
    hook.close();
  });

  const widget = { widget: { dashboard: h.dashboard.id, widget: 'by-country' } };

  it('emails a widget as CSV over SMTP with the filter preset and subject variables', async () => {
    const schedule = await mailing.schedules.create(editor, 'delivery', {
      name: 'Weekly countries',
      cron: '0 8 * * 1',
      timezone: 'Pacific/Kiritimati',
      target: { widget: { dashboard: withSmtp.dashboard.id, widget: 'by-country' } },
      format: 'csv',
      filters: [{ field: 'country', operator: 'in', values: ['FR', 'DE'] }],
      destination: {
        type: 'email',
        recipients: ['ops@example.test', 'ceo@example.test'],
        subject: '{{$dashboard}} on {{$today}}',
        message: 'Sent by {{$name}}',
      },
    });
    const job = await mailing.schedules.runNow(editor, 'delivery', schedule.id);
    expect((await mailing.jobs.wait(job.id, { timeoutMs: 10_000 })).status).toBe('success');
    const [{ envelope, mail }] = smtp.messages;
    const today = localDateTime(new Date(job.createdAt), 'Pacific/Kiritimati').date;
    expect(mail.subject).toBe(`Sales on ${today}`);
    expect(envelope).toEqual(['ops@example.test', 'ceo@example.test']);
    expect(mail.from?.text).toContain('reports@example.test');
    expect(mail.text).toContain('Sent by Weekly countries');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: 'by-country.csv', contentType: 'text/csv' });
    expect(mail.attachments[0].content.toString('utf8')).toBe('country,sum_quantity\nDE,7\nFR,8\n');

    const [run] = (await mailing.schedules.history(editor, 'delivery', schedule.id)).items;
    expect(run).toMatchObject({ trigger: 'manual', status: 'success', jobId: job.id });
    const [sent] = (await mailing.schedules.outbox(admin)).items;
    expect(sent).toMatchObject({ status: 'sent', to: ['ops@example.test', 'ceo@example.test'] });
    expect(sent.attachments).toEqual([{ filename: 'by-country.csv', contentType: 'text/csv', size: 31 }]);
  });

  it('holds messages in the outbox without SMTP, and stops at the daily quota', async () => {
    const schedule = await holding.schedules.create(editor, 'delivery', {
      name: 'Dashboard',
      cron: '0 8 * * *',
      target: { dashboard: h.dashboard.id },
      format: 'csv',
      destination: { type: 'email', recipients: ['a@example.test'] },
    });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const job = await holding.schedules.runNow(editor, 'delivery', schedule.id);
      outcomes.push(await holding.jobs.wait(job.id, { timeoutMs: 10_000 }));
    }
    expect(outcomes.map((j) => j.status)).toEqual(['success', 'success', 'failure']);
    expect(outcomes[2].error).toMatch(/daily email quota of 2/);
    const outbox = (await holding.schedules.outbox(admin)).items;
    expect(outbox.map((m) => m.status)).toEqual(['failed', 'held', 'held']);
    expect(outbox[1]).toMatchObject({ subject: expect.stringMatching(/^Sales – \d{4}-\d{2}-\d{2}$/) });
    await expect(holding.schedules.outbox(editor)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const runs = (await holding.schedules.history(editor, 'delivery', schedule.id)).items;
    expect(runs.map((r) => r.status)).toEqual(['failure', 'success', 'success']);
  });

  it('reports ERR_QUOTA from the mailer once the quota is used', async () => {
    const now = () => new Date();
    const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-outbox-'));
    const outbox = createOutboxStore({ db: h.store.db, now, filesDir: dataDir });
    const mailer = createMailer({ db: h.store.db, now, outbox, dailyQuota: 1 });
    const message = { to: ['x@example.test'], subject: 's', text: 't', attachments: [] };
    const error = await mailer
      .send(99, message)
      .then(
        () => mailer.send(99, message),
        (e) => e,
      )
      .then(
        () => undefined,
        (e) => e,
      );
    expect(isRosettaError(error) && error.code).toBe('ERR_QUOTA');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('posts signed webhooks, retries a 500, and posts Slack summaries', async () => {
    const webhook = await holding.schedules.create(editor, 'delivery', {
      name: 'To the warehouse',
      cron: '*/5 * * * *',
      target: widget,
      format: 'csv',
      destination: { type: 'webhook', url: hook.url, secret: 's3cret' },
    });
    hook.statuses.push(500);
    const job = await holding.schedules.runNow(editor, 'delivery', webhook.id);
    const done = await holding.jobs.wait(job.id, { timeoutMs: 10_000 });
    expect(done).toMatchObject({ status: 'success', attempts: 2 });
    expect(hook.calls).toHaveLength(2);
    const { headers, body } = hook.calls[1];
    const expected = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
    expect(headers['x-rosetta-signature']).toBe(expected);
    expect(Math.abs(Number(headers['x-rosetta-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(headers['x-rosetta-delivery']).toBe(job.uuid);
    expect(hook.calls[0].headers['x-rosetta-delivery']).toBe(job.uuid);
    const payload = JSON.parse(body);
    expect(payload).toMatchObject({
      event: 'schedule.delivery',
      schedule: { id: webhook.id, name: 'To the warehouse', kind: 'delivery' },
      file: { filename: 'by-country.csv', contentType: 'text/csv' },
    });
    expect(Buffer.from(payload.file.content, 'base64').toString()).toContain('US,11');

    const slack = await holding.schedules.create(editor, 'delivery', {
      name: 'Channel',
      cron: '0 9 * * *',
      target: widget,
      format: 'csv',
      destination: { type: 'slack', url: hook.url },
    });
    const slackJob = await holding.schedules.runNow(editor, 'delivery', slack.id);
    expect((await holding.jobs.wait(slackJob.id, { timeoutMs: 10_000 })).status).toBe('success');
    const slackBody = JSON.parse(hook.calls[2].body);
    expect(Object.keys(slackBody)).toEqual(['text']);
    expect(slackBody.text).toMatch(
      /^\*Channel: by-country\.csv\*\nFilters: none \(all data\)\nby-country\.csv \(\d+ bytes\)$/,
    );
    expect(hook.calls[2].headers['x-rosetta-signature']).toBeUndefined();
  });

  it('fails a 4xx webhook at once, and gives up on 5xx after the last attempt', async () => {
    const webhook = await holding.schedules.create(editor, 'delivery', {
      name: 'Broken receiver',
      cron: '0 9 * * *',
      target: widget,
      format: 'csv',
      destination: { type: 'webhook', url: hook.url },
    });
    hook.statuses.push(404);
    const first = await holding.schedules.runNow(editor, 'delivery', webhook.id);
    expect(await holding.jobs.wait(first.id, { timeoutMs: 10_000 })).toMatchObject({
      status: 'failure',
      attempts: 1,
    });
    hook.statuses.push(503, 503, 503);
    const second = await holding.schedules.runNow(editor, 'delivery', webhook.id);
    const done = await holding.jobs.wait(second.id, { timeoutMs: 10_000 });
    expect(done).toMatchObject({ status: 'failure', attempts: 3 });
    expect(done.error).toMatch(/answered 503 \(after 3 attempts\)/);
    const runs = (await holding.schedules.history(editor, 'delivery', webhook.id)).items;
    expect(runs.map((r) => r.status)).toEqual(['failure', 'failure']);
  });

  it('checks who may manage schedules and names bad fields', async () => {
    await expect(holding.schedules.create(viewer, 'delivery', { name: 'x' })).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    const base = {
      name: 'x',
      cron: '0 8 * * *',
      target: { dashboard: h.dashboard.id },
      destination: { type: 'email', recipients: ['a@example.test'] },
    };
    const fieldOf = (body: unknown) =>
      holding.schedules.create(editor, 'delivery', body).then(
        () => 'created',
        (e) => (isRosettaError(e) ? `${e.code} ${e.field}` : String(e)),
      );
    expect(await fieldOf({ ...base, cron: '61 * * * *' })).toBe('ERR_VALIDATION cron');
    expect(await fieldOf({ ...base, cron: '* * * * * * *' })).toBe('ERR_VALIDATION cron');
    expect(await fieldOf({ ...base, timezone: 'Mars/Olympus' })).toBe('ERR_VALIDATION timezone');
    expect(await fieldOf({ ...base, destination: { type: 'email', recipients: ['nope'] } })).toBe(
      'ERR_VALIDATION destination.recipients[0]',
    );
    expect(await fieldOf({ ...base, destination: { type: 'webhook', url: 'ftp://x' } })).toBe(
      'ERR_VALIDATION destination.url',
    );
    expect(await fieldOf({ ...base, target: { dashboard: 999_999 } })).toMatch(/^ERR_NOT_FOUND/);
    expect(await fieldOf({ ...base, target: { query: { source: 'x' } } })).toBe(
      'ERR_VALIDATION target.query',
    );
    expect(await fieldOf({ ...base, colour: 'red' })).toBe('ERR_VALIDATION colour');
    const other = await holding.schedules.create(admin, 'delivery', base);
    await expect(holding.schedules.get(editor, 'delivery', other.id)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    await expect(holding.schedules.get(admin, 'alert', other.id)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    const moved = await holding.schedules.update(admin, 'delivery', other.id, {
      cron: '30 6 * * *',
      timezone: 'Asia/Tokyo',
    });
    expect(moved).toMatchObject({ cron: '30 6 * * *', timezone: 'Asia/Tokyo', name: 'x', format: 'pdf' });
    expect(new Date(moved.nextRunAt as string).getUTCHours()).toBe(21);
  });
});
