import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { demoDashboard, demoSource, exportFile } from './support/exports.ts';

/** The data dir's modes, and schedule destinations (outbound rule, sealed secrets) over HTTP. */

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every file and directory under `dir`, with its permission bits. */
function modesUnder(dir: string): Array<[string, number]> {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((entry) => {
    const path = join(entry.parentPath, entry.name);
    return [path.slice(dir.length + 1), modeOf(path)];
  });
}

describe('a Rosetta data dir', () => {
  let app: TestApp;
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-modes-'));

  beforeAll(async () => {
    // As an earlier version left it: a readable dir with a readable secret and upload.
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'secret'), 'an-old-secret-of-enough-length\n', { mode: 0o644 });
    mkdirSync(join(dataDir, 'attachments'), { mode: 0o755 });
    app = await startTestApp({ dataDir });
  });
  afterAll(() => app?.close());

  it('is private to the server user, with everything in it 0600 or 0700', async () => {
    const source = await demoSource(app);
    await exportFile(app, { query: { source, dimensions: ['country'] }, format: 'csv' });

    expect(modeOf(dataDir)).toBe(0o700);
    const modes = modesUnder(dataDir);
    const names = modes.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['secret', 'rosetta.sqlite', 'attachments', 'exports']));
    expect(names.some((name) => name.endsWith('.duckdb'))).toBe(true);
    expect(names.some((name) => name.startsWith('exports/') && name.endsWith('.csv'))).toBe(true);
    for (const [name, mode] of modes) {
      const expected = statSync(join(dataDir, name)).isDirectory() ? 0o700 : 0o600;
      expect([name, mode.toString(8)]).toEqual([name, expected.toString(8)]);
    }
  });
});

describe('schedule destinations over HTTP without an allow-list', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const schedule = (dashboardId: number, destination: unknown) => ({
    name: 'Hook',
    cron: '0 8 * * *',
    target: { dashboard: dashboardId },
    format: 'csv',
    destination,
  });

  it('answers 400 naming destination.url for loopback, private and metadata addresses', async () => {
    const dashboard = await demoDashboard(app);
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://0x7f000001/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://10.0.0.8/hook',
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const answer = await app.request(
        'POST',
        '/api/schedules',
        schedule(dashboard.id, { type: 'webhook', url }),
      );
      expect([url, answer.status, answer.body.error?.field]).toEqual([url, 400, 'destination.url']);
    }
    const alert = await app.request('POST', '/api/alerts', {
      name: 'Alert',
      cron: '0 * * * *',
      target: {
        query: { source: await demoSource(app), metrics: [{ field: 'quantity', aggregation: 'sum' }] },
      },
      destination: { type: 'slack', url: 'http://192.168.0.10/services/x' },
      conditions: [{ field: 'sum_quantity', aggregation: 'first', operator: 'greater_than', values: [0] }],
    });
    expect([alert.status, alert.body.error?.field]).toEqual([400, 'destination.url']);
  });

  it('never answers the webhook secret or the Slack URL', async () => {
    const dashboard = await demoDashboard(app);
    const slackUrl = 'https://hooks.slack.com/services/T0000000/B0000000/SECRETSECRETSECRET1234';
    const created = await app.request(
      'POST',
      '/api/schedules',
      schedule(dashboard.id, { type: 'slack', url: slackUrl }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.schedule.destination).toEqual({
      type: 'slack',
      maskedUrl: 'https://hooks.slack.com/…1234',
    });
    const webhook = await app.request(
      'POST',
      '/api/schedules',
      schedule(dashboard.id, {
        type: 'webhook',
        url: 'https://hooks.example.com/in',
        secret: 'sign-me-please',
      }),
    );
    expect(webhook.body.schedule.destination).toEqual({
      type: 'webhook',
      url: 'https://hooks.example.com/in',
      hasSecret: true,
    });
    const listed = JSON.stringify((await app.request('GET', '/api/schedules')).body);
    expect(listed).not.toContain('SECRETSECRETSECRET');
    expect(listed).not.toContain('sign-me-please');
    const rows = await app.rosetta.store.db.selectFrom('schedules').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('SECRETSECRETSECRET');
    expect(JSON.stringify(rows)).not.toContain('sign-me-please');
  });

  it('stops at start on a bad ROSETTA_OUTBOUND_ALLOW, naming it', () => {
    const attempt = () =>
      loadConfig({ ROSETTA_DATA_DIR: app.dataDir, ROSETTA_OUTBOUND_ALLOW: 'hooks.internal,10.0.0.0/40' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('ROSETTA_OUTBOUND_ALLOW: "10.0.0.0/40": the prefix length must be 0 to 32');
    expect(
      loadConfig({ ROSETTA_DATA_DIR: app.dataDir, ROSETTA_OUTBOUND_ALLOW: ' hooks.internal , 10.0.0.0/8' })
        .outboundAllow,
    ).toEqual(['hooks.internal', '10.0.0.0/8']);
  });
});
