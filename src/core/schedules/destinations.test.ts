import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { createSecretBox } from '../data/index.ts';
import { isRosettaError } from '../errors.ts';
import { DESTINATION_SECRETS_PURPOSE, deliveryDestination, storedDestination } from './destinations.ts';
import type { ResolveHost } from './outbound.ts';
import { editor, openScheduleHarness, type ScheduleHarness } from './test-support.ts';
import { signBody } from './webhooks.ts';

/**
 * Where deliveries may go (loopback and private addresses refused, names resolved once and
 * pinned, no redirects, no answer bodies in the run history) and how their secrets are stored.
 */

interface Call {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback receiver that records each call and answers the queued replies (then 200). */
async function receiver() {
  const calls: Call[] = [];
  const replies: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      calls.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = replies.shift() ?? { status: 200 };
      response.writeHead(reply.status, reply.headers);
      response.end(reply.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, calls, replies, close: () => server.close() };
}

/** `receiver.example.test` is not in any DNS: it resolves to loopback only through this resolver. */
const RECEIVER_HOST = 'receiver.example.test';
const resolveHost: ResolveHost = async (host) =>
  host === RECEIVER_HOST
    ? [{ address: '127.0.0.1', family: 4 }]
    : (await lookup(host, { all: true })).map((a) => ({ address: a.address, family: a.family as 4 | 6 }));

const SLACK_PATH = '/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX';

const widgetOf = (h: ScheduleHarness) => ({ widget: { dashboard: h.dashboard.id, widget: 'by-country' } });
const delivery = (h: ScheduleHarness, destination: Record<string, unknown>) => ({
  name: 'Countries',
  cron: '0 8 * * *',
  target: widgetOf(h),
  format: 'csv',
  destination,
});

/** Stores a row as versions before sealed destinations did: the whole destination in plain text. */
async function insertPlainRow(h: ScheduleHarness, destination: Record<string, unknown>) {
  const at = new Date().toISOString();
  return h.store.db
    .insertInto('schedules')
    .values({
      uuid: randomUUID(),
      organization_id: 1,
      project_id: h.dashboard.projectId,
      owner_id: editor.userId,
      kind: 'delivery',
      name: 'Stored before sealing',
      cron: '0 8 * * *',
      timezone: 'UTC',
      paused: 0,
      target: JSON.stringify(widgetOf(h)),
      format: 'csv',
      filters: '[]',
      variables: '{}',
      destination: JSON.stringify(destination),
      conditions: '[]',
      next_run_at: null,
      created_at: at,
      updated_at: at,
    })
    .returning(['id', 'uuid'])
    .executeTakeFirstOrThrow();
}

describe('sealed destinations', () => {
  it('name the likely cause when the server secret changed', () => {
    const boxOf = (serverSecret: string) => createSecretBox(serverSecret, DESTINATION_SECRETS_PURPOSE);
    const destination = { type: 'webhook' as const, url: 'https://hooks.example.test/in', secret: 'hmac' };
    const uuid = randomUUID();
    const row = { uuid, ...storedDestination(destination, uuid, boxOf('first-secret-0123456789')) };
    expect(deliveryDestination(row, boxOf('first-secret-0123456789'))).toEqual(destination);
    expect(() => deliveryDestination(row, boxOf('second-secret-0123456789'))).toThrow(
      'the sealed destination of this schedule does not open: was the server secret changed?',
    );
  });
});

describe('deliveries without an allow-list', async () => {
  const h = await openScheduleHarness('sqlite');
  const hook = await receiver();
  const { jobs, schedules } = h.process({ resolveHost });
  beforeAll(() => jobs.start());
  afterAll(async () => {
    await h.close();
    hook.close();
  });

  const fieldOf = (body: unknown) =>
    schedules.create(editor, 'delivery', body).then(
      () => 'created',
      (e) => (isRosettaError(e) ? `${e.code} ${e.field} ${e.message}` : String(e)),
    );

  it('refuses a loopback or private literal and localhost when saved, naming destination.url', async () => {
    for (const url of [
      `http://127.0.0.1:${hook.port}/hook`,
      `http://2130706433:${hook.port}/hook`,
      `http://[::ffff:127.0.0.1]:${hook.port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://192.168.1.10/hook',
    ]) {
      expect(await fieldOf(delivery(h, { type: 'webhook', url }))).toMatch(
        /^ERR_VALIDATION destination\.url destination\.url: \S+ is a loopback, private, link-local or reserved address/,
      );
    }
    expect(await fieldOf(delivery(h, { type: 'slack', url: `http://localhost:${hook.port}/x` }))).toMatch(
      /^ERR_VALIDATION destination\.url destination\.url: localhost is a loopback/,
    );
    const saved = await schedules.create(
      editor,
      'delivery',
      delivery(h, { type: 'webhook', url: 'https://hooks.example.test/in' }),
    );
    await expect(
      schedules.update(editor, 'delivery', saved.id, {
        destination: { type: 'webhook', url: `http://127.0.0.1:${hook.port}/hook` },
      }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'destination.url' });
    expect(hook.calls).toHaveLength(0);
  });

  it('fails a run at once when the name resolves to loopback, saying why, and sends nothing', async () => {
    const url = `http://${RECEIVER_HOST}:${hook.port}/hook`;
    const schedule = await schedules.create(editor, 'delivery', delivery(h, { type: 'webhook', url }));
    const job = await jobs.wait((await schedules.runNow(editor, 'delivery', schedule.id)).id, {
      timeoutMs: 10_000,
    });
    expect(job).toMatchObject({ status: 'failure', attempts: 1 });
    const [run] = (await schedules.history(editor, 'delivery', schedule.id)).items;
    expect(run.status).toBe('failure');
    expect(run.error).toBe(
      `POST ${RECEIVER_HOST}:${hook.port}: refused: ${RECEIVER_HOST} resolves to a loopback, private, link-local or reserved address, which deliveries may not reach`,
    );
    expect(hook.calls).toHaveLength(0);
  });

  it('refuses localhost through the system resolver for a row saved before the rule', async () => {
    const row = await insertPlainRow(h, { type: 'slack', url: `http://localhost:${hook.port}/x` });
    const job = await jobs.wait((await schedules.runNow(editor, 'delivery', row.id)).id, {
      timeoutMs: 10_000,
    });
    expect(job.status).toBe('failure');
    expect(job.error).toMatch(/refused: localhost resolves to a loopback, private/);
    expect(hook.calls).toHaveLength(0);
  });
});

describe('deliveries with 127.0.0.1 allowed', async () => {
  const h = await openScheduleHarness('sqlite');
  const hook = await receiver();
  const { jobs, schedules } = h.process({ resolveHost, outboundAllow: ['127.0.0.1'] });
  beforeAll(() => jobs.start());
  afterAll(async () => {
    await h.close();
    hook.close();
  });
  const runOnce = async (id: number) =>
    jobs.wait((await schedules.runNow(editor, 'delivery', id)).id, { timeoutMs: 10_000 });

  it('connects to the address it checked, with the URL host in the Host header', async () => {
    const url = `http://${RECEIVER_HOST}:${hook.port}/pinned`;
    const schedule = await schedules.create(editor, 'delivery', delivery(h, { type: 'webhook', url }));
    expect((await runOnce(schedule.id)).status).toBe('success');
    const call = hook.calls.at(-1) as Call;
    expect(call.path).toBe('/pinned');
    expect(call.headers.host).toBe(`${RECEIVER_HOST}:${hook.port}`);
  });

  it('does not follow redirects and keeps answer bodies out of the run history', async () => {
    const url = `http://127.0.0.1:${hook.port}/hook`;
    const schedule = await schedules.create(editor, 'delivery', delivery(h, { type: 'webhook', url }));
    const before = hook.calls.length;
    hook.replies.push({ status: 302, headers: { location: `http://127.0.0.1:${hook.port}/elsewhere` } });
    const redirected = await runOnce(schedule.id);
    expect(redirected).toMatchObject({ status: 'failure', attempts: 1 });
    expect(redirected.error).toBe(`POST 127.0.0.1:${hook.port} answered 302 (redirects are not followed)`);
    expect(hook.calls.slice(before).map((c) => c.path)).toEqual(['/hook']);

    hook.replies.push({ status: 400, body: 'internal: db password is hunter2' });
    await runOnce(schedule.id);
    const runs = (await schedules.history(editor, 'delivery', schedule.id)).items;
    expect(runs[0].error).toBe(`POST 127.0.0.1:${hook.port} answered 400`);
    expect(JSON.stringify(runs)).not.toContain('hunter2');
  });
});

describe.each(['sqlite', 'postgres'] as const)('destination secrets at rest (%s)', async (kind) => {
  const db = kind === 'postgres' ? await createTempPostgres('rosetta_destinations') : undefined;
  const skip = db !== undefined && !db.available;
  const h = skip ? undefined : await openScheduleHarness(kind, db?.url);
  const hook = await receiver();
  const started = h?.process({ resolveHost, outboundAllow: ['127.0.0.1'] });
  beforeAll(async () => {
    await started?.jobs.start();
  });
  afterAll(async () => {
    await h?.close();
    await db?.drop();
    hook.close();
  });
  const rawRow = (id: number) =>
    (h as ScheduleHarness).store.db
      .selectFrom('schedules')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it.skipIf(skip)(
    'stores the webhook secret and the Slack URL sealed, and still signs and posts',
    async () => {
      const { jobs, schedules } = started as NonNullable<typeof started>;
      const harness = h as ScheduleHarness;
      const slackUrl = `http://${RECEIVER_HOST}:${hook.port}${SLACK_PATH}`;
      const webhook = await schedules.create(
        editor,
        'delivery',
        delivery(harness, {
          type: 'webhook',
          url: `http://127.0.0.1:${hook.port}/signed`,
          secret: 'hmac s3cret',
        }),
      );
      const slack = await schedules.create(
        editor,
        'delivery',
        delivery(harness, { type: 'slack', url: slackUrl }),
      );
      expect(webhook.destination).toEqual({
        type: 'webhook',
        url: `http://127.0.0.1:${hook.port}/signed`,
        hasSecret: true,
      });
      expect(slack.destination).toEqual({
        type: 'slack',
        maskedUrl: `http://${RECEIVER_HOST}:${hook.port}/…XXXX`,
      });
      const listed = JSON.stringify(await schedules.list(editor, 'delivery'));
      expect(listed).not.toContain('hmac s3cret');
      expect(listed).not.toContain(SLACK_PATH);

      for (const id of [webhook.id, slack.id]) {
        const row = await rawRow(id);
        expect(row.destination_secret).toMatch(/^v1\./);
        expect(JSON.stringify(row)).not.toContain('hmac s3cret');
        expect(JSON.stringify(row)).not.toContain('B0000000');
      }

      for (const id of [webhook.id, slack.id]) {
        const job = await jobs.wait((await schedules.runNow(editor, 'delivery', id)).id, {
          timeoutMs: 10_000,
        });
        expect(job.status, job.error ?? '').toBe('success');
      }
      const [signed, posted] = hook.calls.slice(-2);
      expect(signed.path).toBe('/signed');
      expect(signed.headers['x-rosetta-signature']).toBe(signBody(signed.body, 'hmac s3cret'));
      expect(posted.path).toBe(SLACK_PATH);

      // An update that leaves the destination alone keeps it; one that replaces it re-seals it.
      const sealed = (await rawRow(webhook.id)).destination_secret;
      await schedules.update(editor, 'delivery', webhook.id, { name: 'Renamed' });
      expect((await rawRow(webhook.id)).destination_secret).toBe(sealed);
      const cleared = await schedules.update(editor, 'delivery', webhook.id, {
        destination: { type: 'webhook', url: `http://127.0.0.1:${hook.port}/signed` },
      });
      expect(cleared.destination).toMatchObject({ hasSecret: false });
      expect((await rawRow(webhook.id)).destination_secret).toBeNull();
    },
  );

  it.skipIf(skip)('seals rows stored in plain text when the service starts', async () => {
    const { jobs, schedules } = started as NonNullable<typeof started>;
    const harness = h as ScheduleHarness;
    const url = `http://127.0.0.1:${hook.port}/legacy`;
    const plain = await insertPlainRow(harness, { type: 'webhook', url, secret: 'legacy secret' });
    const plainSlack = await insertPlainRow(harness, {
      type: 'slack',
      url: `http://127.0.0.1:${hook.port}${SLACK_PATH}`,
    });
    const plainEmail = await insertPlainRow(harness, { type: 'email', recipients: ['a@example.test'] });
    // Read before sealing, the answer already hides the secret.
    expect((await schedules.get(editor, 'delivery', plain.id)).destination).toEqual({
      type: 'webhook',
      url,
      hasSecret: true,
    });

    await schedules.start();
    const row = await rawRow(plain.id);
    expect(JSON.stringify(row)).not.toContain('legacy secret');
    expect(JSON.parse(row.destination)).toEqual({ type: 'webhook', url, hasSecret: true });
    expect(JSON.stringify(await rawRow(plainSlack.id))).not.toContain('B0000000');
    expect((await rawRow(plainEmail.id)).destination_secret).toBeNull();
    // Another process starting finds nothing left to seal and changes nothing.
    await harness.process({ outboundAllow: ['127.0.0.1'] }).schedules.start();
    expect((await rawRow(plain.id)).destination_secret).toBe(row.destination_secret);

    const job = await jobs.wait((await schedules.runNow(editor, 'delivery', plain.id)).id, {
      timeoutMs: 10_000,
    });
    expect(job.status, job.error ?? '').toBe('success');
    const call = hook.calls.at(-1) as Call;
    expect(call.path).toBe('/legacy');
    expect(call.headers['x-rosetta-signature']).toBe(signBody(call.body, 'legacy secret'));
  });
});
