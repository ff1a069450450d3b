import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServerBuild } from './support/server-build.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';

/**
 * SIGTERM on the compiled server: a request in flight (a push of rows whose body is still
 * arriving) completes and its rows are kept, new connections are refused, the process exits 0.
 */
const KEY = 'shutdown-test-admin-key-0123456789abcdefghijklmnop';
const env = { ROSETTA_BOOTSTRAP_API_KEY: KEY, ROSETTA_DEMO: 'false' };
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a new TCP connection to the server's port is refused. */
const refused = (baseUrl: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() && false));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

describe('graceful shutdown', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-shutdown-'));
  let server: ServerProcess | undefined;

  beforeAll(() => ensureServerBuild(), 300_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${server?.baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  it('finishes the request in flight, refuses new connections and exits 0', async () => {
    server = await startServerProcess({ dataDir, env });
    const source = await call('/api/data-sources', {
      type: 'storage',
      name: 'drained',
      columns: [{ name: 'id', type: 'number' }],
    });
    expect(source.status).toBe(201);

    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1 }));
    const body = Buffer.from(JSON.stringify({ mode: 'insert', rows }));
    const { port } = new URL(server.baseUrl);
    let signalled = () => {};
    const stopping = new Promise<void>((resolve) => (signalled = resolve));
    const exitedAfter = new Promise<number | null>((resolve) => server?.child.once('exit', resolve));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const push = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/api/data-sources/${source.body.uuid}/rows`,
          headers: { ...auth, 'content-length': body.length },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      push.on('error', reject);
      // Half the body now, the rest once the server is stopping.
      push.write(body.subarray(0, body.length / 2));
      stopping.then(() => push.end(body.subarray(body.length / 2)));
    });

    await sleep(300);
    server.child.kill('SIGTERM');
    // The listening socket closes while the push is still in flight.
    const deadline = Date.now() + 10_000;
    while (!(await refused(server.baseUrl))) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(20);
    }
    expect(server.child.exitCode).toBeNull();
    signalled();

    const pushed = await answer;
    expect(pushed.status, pushed.text).toBe(200);
    expect(JSON.parse(pushed.text)).toMatchObject({ rows: 1000 });
    expect(await exitedAfter).toBe(0);

    // The acknowledged rows are there after a restart.
    server = await startServerProcess({ dataDir, env });
    const counted = await call('/api/query', {
      source: source.body.uuid,
      metrics: [
        { field: 'id', aggregation: 'count' },
        { field: 'id', aggregation: 'sum' },
      ],
    });
    expect(counted.status).toBe(200);
    expect(counted.body.rows[0].map(Number)).toEqual([1000, (1000 * 1001) / 2]);
  }, 120_000);
});
