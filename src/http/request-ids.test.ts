import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from './server.ts';

/** Every request carries an id: the caller's when it is a sane token, else a fresh uuid. */
describe('request ids', async () => {
  const lines: string[] = [];
  const app = createServer({ logLevel: 'info', logStream: { write: (line) => lines.push(line) } });
  app.get('/api/work', async (request) => {
    request.log.info('working on it');
    return { ok: true };
  });
  await app.ready();
  afterAll(() => app.close());

  const logOf = (id: string) => lines.map((line) => JSON.parse(line)).filter((entry) => entry.reqId === id);

  it('keeps a sane X-Request-Id, echoes it and logs every line of the request under it', async () => {
    const id = 'lb-7f3a.9_c-01';
    const response = await app.inject({ method: 'GET', url: '/api/work', headers: { 'x-request-id': id } });
    expect(response.headers['x-request-id']).toBe(id);
    expect(logOf(id).map((entry) => entry.msg)).toEqual(['working on it', 'request']);
  });

  it('makes a uuid when the caller sent none, or one that is not a sane token', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const sent of [
      undefined,
      'has spaces',
      'x'.repeat(129),
      'line\\nbreak',
      'a"}{"msg":"forged',
      '',
    ] as const) {
      const headers = sent === undefined ? {} : { 'x-request-id': sent };
      const response = await app.inject({ method: 'GET', url: '/api/work', headers });
      const id = response.headers['x-request-id'] as string;
      expect(id, String(sent)).toMatch(uuid);
      expect(logOf(id)).toHaveLength(2);
    }
    expect(lines.join('')).not.toContain('forged');
  });

  it('answers unknown paths with an id too', async () => {
    const response = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'abc' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('abc');
    expect(logOf('abc')[0]).toMatchObject({ status: 404, url: '/nowhere' });
  });
});
