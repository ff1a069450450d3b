import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The real server as a child process, killed with SIGKILL while an export job runs and while a
 * schedule is due: after the restart the job is not left `running`, and the missed fire time
 * runs exactly once.
 */

const KEY = 'restart-test-admin-key-0123456789abcdefghijklmnop';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('a server killed during a running export and a due schedule', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-kill-'));
  let child: ChildProcess | undefined;
  let port = 0;
  afterAll(() => {
    // A child killed by a signal has a null exit code: its signal code tells it is gone.
    if (child && child.exitCode === null && child.signalCode === null)
      process.kill(-(child.pid as number), 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start() {
    port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        ROSETTA_DATA_DIR: dataDir,
        ROSETTA_BOOTSTRAP_API_KEY: KEY,
        ROSETTA_MAX_QUERY_ROWS: '100000000',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
      detached: true,
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok) return;
      await sleep(100);
    }
    throw new Error('the server did not start');
  }

  async function kill() {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    process.kill(-(child?.pid as number), 'SIGKILL');
    await exited;
  }

  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  async function call(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${port}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json();
    expect(response.ok, JSON.stringify(answer)).toBe(true);
    return answer;
  }

  it('requeues the export and runs the missed fire time once', { timeout: 240_000 }, async () => {
    await start();
    const connections = await call('GET', '/connections');
    const source = await call('POST', '/data-sources', {
      name: 'big',
      type: 'sql',
      connectionId: connections.items[0].id,
      sql: 'SELECT range AS n, range * 7 AS m FROM range(12000000)',
    });
    // The fire time must fall inside the downtime: start with 20 s or more left in the minute.
    if (new Date().getSeconds() > 40) await sleep((61 - new Date().getSeconds()) * 1000);
    const dashboards = await call('GET', '/dashboards');
    const { schedule } = await call('POST', '/schedules', {
      name: 'Every minute',
      cron: '* * * * *',
      target: { widget: { dashboard: dashboards.items[0].id, widget: 'units-sold' } },
      format: 'csv',
      destination: { type: 'email', recipients: ['ops@example.test'] },
    });
    const fireTime = schedule.nextRunAt as string;

    const { job } = await call('POST', '/exports', {
      query: { source: source.uuid, aggregate: false, sorts: [{ field: 'n' }] },
      format: 'csv',
    });
    for (
      let status = job.status;
      status !== 'running';
      status = (await call('GET', `/jobs/${job.id}`)).job.status
    ) {
      expect(status).toBe('queued');
      await sleep(20);
    }
    await sleep(300);
    expect((await call('GET', `/jobs/${job.id}`)).job.status).toBe('running');
    expect(Date.now()).toBeLessThan(Date.parse(fireTime));
    await kill();

    await sleep(Math.max(0, Date.parse(fireTime) - Date.now() + 1000));
    await start();
    const deadline = Date.now() + 120_000;
    let after = (await call('GET', `/jobs/${job.id}`)).job;
    while (['queued', 'running'].includes(after.status) && Date.now() < deadline) {
      await sleep(250);
      after = (await call('GET', `/jobs/${job.id}`)).job;
    }
    expect(after.status, after.error).toBe('success');
    expect(after.result.rows).toBe(12_000_000);
    const logs = await call('GET', `/jobs/${job.id}/logs`);
    expect(JSON.stringify(logs.items)).toMatch(/requeue|interrupt/i);

    let runs = (await call('GET', `/schedules/${schedule.id}/runs`)).items;
    for (let i = 0; i < 100 && !runs.some((r: { status: string }) => r.status === 'success'); i++) {
      await sleep(200);
      runs = (await call('GET', `/schedules/${schedule.id}/runs`)).items;
    }
    const missed = runs.filter((r: { fireTime: string }) => r.fireTime === fireTime);
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ trigger: 'cron', status: 'success' });
    await kill();
  });
});
