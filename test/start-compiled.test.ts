import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServerBuild } from './support/server-build.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';

/**
 * `npm start` runs the compiled server (dist/), not TypeScript through tsx. What it loads by
 * path at run time must work compiled: the render worker, the scripts' Python client, the web
 * app, the package version, the CLI and its migrations.
 */
const ROOT = join(import.meta.dirname, '..');
const KEY = 'compiled-test-admin-key-0123456789abcdefghijklmnop';
const MB = 1024 * 1024;
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
type Answer = any;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the compiled server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-compiled-'));
  const env = { ROSETTA_BOOTSTRAP_API_KEY: KEY, ROSETTA_ADMIN_PASSWORD: 'compiled-test-password' };
  let server: ServerProcess | undefined;
  let downloadToken = '';

  beforeAll(async () => {
    ensureServerBuild();
    // The first start creates the organization and the demo; the tests below see a restart.
    await (await startServerProcess({ dataDir, env })).stop();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    credential: Record<string, string> = { authorization: `Bearer ${KEY}` },
  ): Promise<Answer> {
    const response = await fetch(`${server?.baseUrl}${path}`, {
      method,
      headers: { ...credential, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    expect(response.ok, `${method} ${path}: ${JSON.stringify(answer)}`).toBe(true);
    return answer;
  }

  it('is what npm start runs', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(scripts.start).toMatch(/\bnode dist\/main\.js$/);
    expect(scripts.rosetta).toBe('node dist/cli/main.js');
    expect(scripts.prepare).toContain('npm run build');
  });

  it('restarts on a data dir with the demo quickly and idles in little memory', async () => {
    server = await startServerProcess({ dataDir, env: { ...env, LOG_LEVEL: 'info' } });
    await sleep(1000);
    const rss = server.rss();
    console.log(
      `compiled restart: /health 200 after ${server.startMs.toFixed(0)} ms (${server.startCpuMs} ms of CPU), idle RSS ${Math.round(rss / MB)} MB`,
    );
    // Start-up time is the benchmark's (`npm run bench`: bench/start.ts): beside the other test
    // files even CPU time grows by half, so here only a start far out of line fails.
    expect(server.startMs).toBeLessThan(10_000);
    expect(rss).toBeLessThan(200 * MB);
    const health = await call('GET', '/health');
    expect(health.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('serves the web app from web/dist', async () => {
    const page = await fetch(`${server?.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  });

  it('renders a PDF export in the compiled render worker', async () => {
    const { items } = await call('GET', '/api/dashboards');
    const demo = items.find((item: { name: string }) => item.name === 'Demo sales');
    let { job } = await call('POST', '/api/exports', { dashboard: demo.uuid, format: 'pdf' });
    while (!['success', 'failure', 'cancelled'].includes(job.status)) {
      await sleep(100);
      ({ job } = await call('GET', `/api/jobs/${job.id}`));
    }
    expect(job.status, job.error).toBe('success');
    // The signed link: its token must not reach the request log (checked below).
    downloadToken = new URL(job.result.downloadUrl, server?.baseUrl).searchParams.get('token') ?? '';
    expect(downloadToken).not.toBe('');
    const file = await fetch(new URL(job.result.downloadUrl, server?.baseUrl));
    expect(file.status).toBe(200);
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('runs a Python script with the Serenytics client from python/', async () => {
    const serenytics = { 'x-api-key': KEY };
    const code = 'import serenytics\nprint(serenytics.Client().script_args)';
    const { uuid } = await call(
      'POST',
      '/serenytics/api/script',
      { name: 'args', language: 'python', code },
      serenytics,
    );
    const answer = await call(
      'POST',
      `/serenytics/api/script/${uuid}/run?async_=false`,
      { n: 7 },
      serenytics,
    );
    expect(answer, JSON.stringify(answer)).toMatchObject({ status: 'ok', return_code: 0 });
    expect(answer.stdout).toBe("{'n': 7}\n");
  });

  it('logs one line per request', () => {
    const requests = (server?.output() ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.reqId !== undefined);
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.every((entry) => entry.msg === 'request')).toBe(true);
    expect(new Set(requests.map((entry) => entry.reqId)).size).toBe(requests.length);
    expect(requests.map((entry) => entry.url)).toContain('/api/exports/download?token=[redacted]');
    const output = server?.output() ?? '';
    expect(output).not.toContain(KEY);
    expect(output).not.toContain(downloadToken);
  });

  it('runs the command line compiled (npm run rosetta)', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      [
        'run',
        '--silent',
        'rosetta',
        '--',
        'create-organization',
        '--name',
        'Acme',
        '--admin-email',
        'admin@acme.example',
      ],
      { cwd: ROOT, env: { ...process.env, ROSETTA_DATA_DIR: dataDir } },
    );
    expect(stdout).toContain('Organization "Acme" created');
    expect(stdout).toMatch(/admin API key: +\S{32,}/);
  });
});
