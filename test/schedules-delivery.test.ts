import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signBody } from '../src/core/schedules/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { decodePng, demoDashboard, demoSource, pdfFirstPage, waitForJob } from './support/exports.ts';

/** Scheduled dashboard deliveries through the whole app: real renderer, outbox, real SMTP. */

const schedule = (dashboardId: number, recipients: string[]) => ({
  name: 'Weekly sales',
  cron: '0 8 * * 1',
  timezone: 'Europe/Paris',
  target: { dashboard: dashboardId },
  format: 'pdf',
  filters: [{ field: 'country', operator: 'in', values: ['France', 'Spain'] }],
  destination: { type: 'email', recipients, subject: '{{$dashboard}} on {{$today}}' },
});

async function runNow(app: TestApp, body: unknown) {
  const created = await app.request('POST', '/api/schedules', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const run = await app.request('POST', `/api/schedules/${created.body.schedule.id}/run`);
  expect(run.status).toBe(202);
  const job = await waitForJob(app, run.body.job.id);
  expect(job.status, job.error).toBe('success');
  return job;
}

describe('scheduled deliveries without SMTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The receiver listens on loopback, which deliveries may reach only when allowed.
    app = await startTestApp({ env: { ROSETTA_OUTBOUND_ALLOW: '127.0.0.1' } });
  });
  afterAll(() => app.close());

  it('keeps the email with its PDF attachment in the outbox', async () => {
    const dashboard = await demoDashboard(app);
    await runNow(app, schedule(dashboard.id, ['team@example.test']));
    const outbox = await app.request('GET', '/api/outbox');
    expect(outbox.status).toBe(200);
    expect(outbox.body.items).toHaveLength(1);
    const [message] = outbox.body.items;
    expect(message).toMatchObject({ to: ['team@example.test'], status: 'held' });
    expect(message.subject).toMatch(/^Demo sales on \d{4}-\d\d-\d\d$/);
    // The PDF, and the picture of the dashboard that the email's HTML part shows inline.
    expect(message.attachments).toEqual([
      { filename: expect.stringMatching(/\.pdf$/), contentType: 'application/pdf', size: expect.any(Number) },
      {
        filename: expect.stringMatching(/\.png$/),
        contentType: 'image/png',
        size: expect.any(Number),
        inline: true,
      },
    ]);
    expect(message.attachments[0].size).toBeGreaterThan(5000);
  });

  it('posts a widget as signed XLSX to a webhook with the schedule filters applied', async () => {
    const calls: { headers: Record<string, unknown>; body: string }[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        calls.push({ headers: request.headers, body });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const dashboard = await demoDashboard(app);
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      await runNow(app, {
        ...schedule(dashboard.id, []),
        target: { widget: { dashboard: dashboard.id, widget: 'revenue-by-country' } },
        format: 'xlsx',
        destination: { type: 'webhook', url, secret: 'webhook secret 123' },
      });
      expect(calls).toHaveLength(1);
      expect(calls[0].headers[SIGNATURE_HEADER]).toBe(signBody(calls[0].body, 'webhook secret 123'));
      const payload = JSON.parse(calls[0].body);
      expect(payload.file.contentType).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(payload.file.content, 'base64') as unknown as ArrayBuffer);
      const countries: unknown[] = [];
      workbook.worksheets[0].eachRow((row, n) => {
        if (n > 1) countries.push(row.getCell(1).value);
      });
      expect(countries.sort()).toEqual(['France', 'Spain']);
    } finally {
      receiver.close();
    }
  });

  it('sends an alert on a query only when its conditions hold', async () => {
    const source = await demoSource(app);
    const alert = (operator: string) => ({
      name: `Units ${operator}`,
      cron: '0 * * * *',
      target: { query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] } },
      format: 'csv',
      conditions: [{ field: 'sum_quantity', aggregation: 'first', operator, values: [1000] }],
      destination: { type: 'email', recipients: ['alerts@example.test'] },
    });
    const before = (await app.request('GET', '/api/outbox')).body.items.length;
    for (const operator of ['greater_than', 'less_than']) {
      const created = await app.request('POST', '/api/alerts', alert(operator));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const run = await app.request('POST', `/api/alerts/${created.body.alert.id}/run`);
      expect((await waitForJob(app, run.body.job.id)).status).toBe('success');
    }
    const items = (await app.request('GET', '/api/outbox')).body.items;
    expect(items).toHaveLength(before + 1);
    expect(items[0]).toMatchObject({ subject: 'Alert: Units greater_than', to: ['alerts@example.test'] });
    expect(items[0].attachments[0]).toMatchObject({ contentType: 'text/csv; charset=utf-8' });
  });
});

describe('scheduled deliveries over SMTP', () => {
  const received: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      envelopes.push(session.envelope.rcptTo.map((r) => r.address));
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  let app: TestApp;
  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    app = await startTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Reports <reports@rosetta.test>' },
    });
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => smtp.close(resolve));
  });

  it('sends the dashboard PDF to every recipient', async () => {
    const dashboard = await demoDashboard(app);
    await runNow(app, schedule(dashboard.id, ['a@example.test', 'b@example.test']));
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(envelopes[0]).toEqual(['a@example.test', 'b@example.test']);
    expect(mail.subject).toMatch(/^Demo sales on \d{4}-\d\d-\d\d$/);
    expect(mail.from?.text).toBe('"Reports" <reports@rosetta.test>');
    expect(mail.attachments.map((a) => a.contentType).sort()).toEqual(['application/pdf', 'image/png']);
    const pdf = mail.attachments.find((a) => a.contentType === 'application/pdf');
    if (!pdf) throw new Error('no PDF attached');
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.filename).toMatch(/^Demo sales \d{4}-\d\d-\d\d\.pdf$/);
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(decodePng(pdfFirstPage(pdf.content)).width).toBeGreaterThan(500);

    const outbox = await app.request('GET', '/api/outbox');
    expect(outbox.body.items[0]).toMatchObject({ status: 'sent', to: ['a@example.test', 'b@example.test'] });
  });
});
