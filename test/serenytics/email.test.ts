import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { seren, waitTask } from './support.ts';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await startTestApp();
  // The doc's Python examples call the API over HTTP.
  const address = await app.rosetta.server.listen({ port: 0, host: '127.0.0.1' });
  base = `${address}/serenytics`;
}, 120_000);
afterAll(() => app?.close());

const demoUuid = async (on: TestApp) =>
  (await seren(on, 'GET', '/api/web_app')).body.objects.find(
    (o: { name: string }) => o.name === DEMO_DASHBOARD_NAME,
  ).uuid;

/**
 * The doc's two send_email examples. The CSV one builds its frame with pandas and numpy, which
 * this machine lacks: the same file is written with the csv module, the rest is the doc's.
 */
const docExamples = (webAppUuid: string, dir: string) => `
import csv
import random
import serenytics
from subprocess import check_call

client = serenytics.Client()

subject = "Here is your weekly report"
recipients= ['contact@serenytics.com']
html = "Hello,<br> please open the attachment to get your PDF report."
web_app_uuid = ${JSON.stringify(webAppUuid)}

client.send_email(subject=subject, recipients=recipients, html=html, web_app_uuid=web_app_uuid)

subject = "Your CSV file"
recipients= ['john.doe@serenytics.com']
html = "Hello,<br> Here is the data."

filepath = ${JSON.stringify(join(dir, 'filename.csv'))}
with open(filepath, 'w', newline='') as file:
    writer = csv.writer(file, delimiter=';')
    writer.writerow(list('ABCD'))
    for _ in range(6):
        writer.writerow([random.gauss(0, 1) for _ in range(4)])

# in this example, we compress the CSV file
check_call(['gzip', filepath])
zip_file = filepath + '.gz'

client.send_email(subject=subject, recipients=recipients, html=html,
                file_to_attach=zip_file)
print('sent')
`;

describe('email', () => {
  it('runs the doc examples: a dashboard PDF and an uploaded gzip file, both in the outbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rosetta-email-'));
    try {
      const { stdout } = await promisify(execFile)('python3', ['-c', docExamples(await demoUuid(app), dir)], {
        env: {
          PATH: process.env.PATH,
          PYTHONPATH: new URL('../../python', import.meta.url).pathname,
          SERENYTICS_API_DOMAIN: base,
          SERENYTICS_API_KEY: ADMIN_KEY,
        },
      });
      expect(stdout.trim()).toBe('sent');
      const gzipped = readFileSync(join(dir, 'filename.csv.gz'));
      const outbox = (await app.request('GET', '/api/outbox')).body.items;
      expect(outbox[0]).toMatchObject({
        subject: 'Your CSV file',
        status: 'held',
        attachments: [{ filename: 'filename.csv.gz', contentType: 'application/gzip', size: gzipped.length }],
      });
      expect(outbox[1]).toMatchObject({
        subject: 'Here is your weekly report',
        attachments: [{ filename: `${DEMO_DASHBOARD_NAME}.pdf`, contentType: 'application/pdf' }],
      });
      expect(outbox[1].attachments[0].size).toBeGreaterThan(5000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('refuses unknown uploads, bad payloads and oversized files with the field named', async () => {
    const web_app_uuid = await demoUuid(app);
    const send = (body: Record<string, unknown>) =>
      seren(app, 'POST', '/api/email', { subject: 's', recipients: ['a@b.c'], html: '', ...body });
    const unknown = await send({ file_to_attach_uuid: randomUUID(), file_to_attach_name: 'x.csv' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatch(/^file_to_attach_uuid: /);
    const notUuid = await send({ file_to_attach_uuid: '../../etc/passwd' });
    expect(notUuid.body.errors[0]).toMatch(/^file_to_attach_uuid: /);

    const upload = randomUUID();
    const posted = await seren(app, 'POST', `/api/upload_file/${upload}`, undefined, { raw: 'a;b\n1;2\n' });
    expect(posted.status).toBe(201);
    const badName = await send({ file_to_attach_uuid: upload, file_to_attach_name: '../x.csv' });
    expect(badName.body.errors[0]).toMatch(/^file_to_attach_name: /);
    const badPayload = await send({ web_app_uuid, dashboard_payload: { planet: 'Mars' } });
    expect(badPayload.status).toBe(400);
    expect(badPayload.body.errors[0]).toMatch(/^dashboard_payload\.planet: /);
    const payloadAlone = await send({ dashboard_payload: { country: 'France' } });
    expect(payloadAlone.body.errors[0]).toMatch(/^dashboard_payload: /);
    expect((await seren(app, 'GET', '/api/sign_s3_file/?s3_object_type=csv')).body.status).toBe('error');

    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 1);
    const tooBig = await seren(app, 'POST', `/api/upload_file/${randomUUID()}`, undefined, { raw: big });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.errors[0]).toContain('file');
    const badUuid = await seren(app, 'POST', '/api/upload_file/abc', undefined, { raw: 'x' });
    expect(badUuid.status).toBe(400);
    const outbox = (await app.request('GET', '/api/outbox')).body.items;
    expect(outbox.some((m: { subject: string }) => m.subject === 's')).toBe(false);
  });

  it('stops reading an attachment at the attachment cap, not the upload cap, and keeps no file', async () => {
    const cap = app.rosetta.services.schedules.attachmentMaxBytes;
    const total = 8 * cap;
    const chunk = Buffer.alloc(64 * 1024, 1);
    const upload = randomUUID();
    let written = 0;
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${base}/api/upload_file/${upload}`,
        {
          method: 'POST',
          headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'text/csv', 'content-length': String(total) },
        },
        (response) => {
          let body = '';
          response.on('data', (part) => {
            body += part;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      // Written as the socket takes it: what the server stops reading, the client stops sending.
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
        request.end();
      };
      pump();
    });
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).errors[0]).toMatch(/^file: larger than the upload limit of 20 MB/);
    expect(written).toBeLessThan(2 * cap);
    expect(readdirSync(join(app.dataDir, 'uploads'))).toEqual([]);
    const attach = await seren(app, 'POST', '/api/email', {
      subject: 's',
      recipients: ['a@b.c'],
      file_to_attach_uuid: upload,
    });
    expect(attach.body.errors[0]).toMatch(/^file_to_attach_uuid: no file was uploaded/);
  });

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

describe('email attachments over SMTP', () => {
  const received: ParsedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  let mailing: TestApp;
  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    mailing = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  }, 120_000);
  afterAll(async () => {
    await mailing?.close();
    await new Promise<void>((resolve) => smtp.close(resolve));
  });

  it('sends the filtered dashboard PDF and the uploaded file, byte for byte', async () => {
    const upload = randomUUID();
    const bytes = Buffer.from('country;revenue\nFrance;12\n');
    expect(
      (await seren(mailing, 'POST', `/api/upload_file/${upload}`, undefined, { raw: bytes })).status,
    ).toBe(201);
    const answer = await seren(mailing, 'POST', '/api/email', {
      subject: 'France only',
      recipients: ['fr@doe.com'],
      html: 'Hello',
      web_app_uuid: await demoUuid(mailing),
      pdf_file_name: 'france.pdf',
      file_to_attach_uuid: upload,
      file_to_attach_name: 'revenue.csv',
      dashboard_payload: { country: 'France' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect((await waitTask(mailing, answer.body.task_id, 50_000)).body.status).toBe('ok');
    expect(received).toHaveLength(1);
    const [pdf, csv] = received[0].attachments;
    expect(pdf).toMatchObject({ filename: 'france.pdf', contentType: 'application/pdf' });
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-', '-'], { input: pdf.content }).toString();
    expect(text).toContain('France');
    expect(text).not.toContain('Belgium');
    expect(csv).toMatchObject({ filename: 'revenue.csv', contentType: 'text/csv' });
    expect(csv.content.equals(bytes)).toBe(true);
    const outbox = (await mailing.request('GET', '/api/outbox')).body.items;
    expect(outbox[0]).toMatchObject({
      status: 'sent',
      attachments: [{ size: pdf.content.length }, { size: bytes.length }],
    });
  }, 90_000);
});
