import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { RosettaError } from '../src/core/errors.ts';
import { createServer } from '../src/http/server.ts';

/**
 * The request log: one `info` line per request, written when it is answered, with method,
 * redacted URL, status, duration and request id — and nothing secret, whatever the request
 * carried in its URL, headers or body.
 */
const SECRET = 'sekret_4f3e2d1c0b9a88776655443322110ffe';

describe('request log lines', async () => {
  const lines: string[] = [];
  const app = createServer({ logLevel: 'info', logStream: { write: (line) => lines.push(line) } });
  app.get('/api/ok', async () => ({ ok: true }));
  app.post('/api/auth/login', async () => {
    throw new RosettaError('ERR_UNAUTHENTICATED', 'wrong email or password');
  });
  app.get('/api/broken', async () => {
    throw new Error('a bug');
  });
  app.get('/api/stream', async (_request, reply) =>
    reply.type('text/csv').send(Readable.from(['a,b\n', '1,2\n'])),
  );
  await app.ready();
  afterAll(() => app.close());

  const requests = [
    { method: 'GET', url: '/api/ok', headers: { authorization: `Bearer ${SECRET}`, cookie: `s=${SECRET}` } },
    {
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@example.com', password: SECRET }),
    },
    { method: 'GET', url: '/api/broken', headers: { 'x-api-key': SECRET } },
    { method: 'GET', url: `/api/stream?token=${SECRET}&page=2`, headers: {} },
    { method: 'GET', url: `/embed/${SECRET}`, headers: { 'x-holistics-key': SECRET } },
    { method: 'POST', url: '/api/ok', headers: { 'content-type': 'application/json' }, payload: '{' },
  ] as const;

  it('writes exactly one line per request, with its id, method, redacted URL, status and duration', async () => {
    for (const request of requests) await app.inject(request);
    const entries = lines.map((line) => JSON.parse(line));
    const requestLines = entries.filter((entry) => entry.msg === 'request');
    expect(requestLines).toHaveLength(requests.length);
    expect(new Set(requestLines.map((entry) => entry.reqId)).size).toBe(requests.length);
    expect(requestLines.map(({ level, method, url, status }) => ({ level, method, url, status }))).toEqual([
      { level: 30, method: 'GET', url: '/api/ok', status: 200 },
      { level: 30, method: 'POST', url: '/api/auth/login', status: 401 },
      { level: 30, method: 'GET', url: '/api/broken', status: 500 },
      { level: 30, method: 'GET', url: '/api/stream?token=[redacted]&page=2', status: 200 },
      { level: 30, method: 'GET', url: '/embed/[redacted]', status: 404 },
      { level: 30, method: 'POST', url: '/api/ok', status: 400 },
    ]);
    for (const entry of requestLines) expect(entry.ms).toBeGreaterThanOrEqual(0);
    // Besides them, only the server error's own line (with its stack, at error level).
    const others = entries.filter((entry) => entry.msg !== 'request');
    expect(others.map(({ level, msg }) => ({ level, msg }))).toEqual([{ level: 50, msg: 'request failed' }]);
  });

  it('carries no secret from URLs, headers or bodies', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
