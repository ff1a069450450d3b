import { afterAll, describe, expect, it } from 'vitest';
import { redactUrl } from './log-redaction.ts';
import { createServer } from './server.ts';

const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('request log redaction', async () => {
  const lines: string[] = [];
  const app = createServer({ logLevel: 'info', logStream: { write: (line) => lines.push(line) } });
  // A careless route that logs every header must not leak credentials either.
  app.get('/api/echo', async (request) => {
    request.log.info({ headers: request.headers, req: request }, 'headers seen');
    return { ok: true };
  });
  await app.ready();
  afterAll(() => app.close());

  /** The URLs of the request lines (one per request, written by the server's onResponse hook). */
  const loggedUrls = () =>
    lines.flatMap((line) => {
      const entry = JSON.parse(line);
      return entry.msg === 'request' ? [entry.url] : [];
    });

  it('logs no token from any URL shape that carries one', async () => {
    const urls = [
      `/api/exports/download?token=${TOKEN}`,
      `/serenytics/api/script/0f0e/run?async_=true&token=${TOKEN}`,
      `/serenytics/api/web_app/0f0e?embeddedPayload=${TOKEN}`,
      `/embed/${TOKEN}`,
      `//embed/${TOKEN}?theme=dark`,
      `/serenytics/api/data_source/0f0e/push/${TOKEN}`,
      `/serenytics//api/data_source/0f0e/push//${TOKEN}`,
      `/api/dashboards?key=${TOKEN}`,
      `/api/dashboards?%74oken=${TOKEN}`,
      `/api/dashboards?API_KEY=${TOKEN}&page=2`,
    ];
    for (const url of urls) await app.inject({ method: 'GET', url });
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(loggedUrls()).toEqual([
      '/api/exports/download?token=[redacted]',
      '/serenytics/api/script/0f0e/run?async_=true&token=[redacted]',
      '/serenytics/api/web_app/0f0e?embeddedPayload=[redacted]',
      '/embed/[redacted]',
      '//embed/[redacted]?theme=dark',
      '/serenytics/api/data_source/0f0e/push/[redacted]',
      '/serenytics//api/data_source/0f0e/push//[redacted]',
      '/api/dashboards?key=[redacted]',
      '/api/dashboards?%74oken=[redacted]',
      '/api/dashboards?API_KEY=[redacted]&page=2',
    ]);
  });

  it('never logs credential headers', async () => {
    lines.length = 0;
    const response = await app.inject({
      method: 'GET',
      url: '/api/echo?page=1',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'x-api-key': TOKEN,
        'x-holistics-key': TOKEN,
        cookie: `session=${TOKEN}`,
        'user-agent': 'log-test',
      },
    });
    expect(response.statusCode).toBe(200);
    const text = lines.join('\n');
    expect(text).not.toContain(TOKEN);
    const seen = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'headers seen');
    expect(seen.headers).toMatchObject({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
      'user-agent': 'log-test',
    });
    expect(loggedUrls()).toContain('/api/echo?page=1');
  });

  it('leaves URLs without credentials alone', () => {
    for (const url of ['/api/embed/open', '/api/dashboards/3?tokenize=1&keys=a', '/health', '/?a=b&c']) {
      expect(redactUrl(url)).toBe(url);
    }
    expect(redactUrl('/x?token')).toBe('/x?token=[redacted]');
    expect(redactUrl('/x?token=%ZZ&%E0=1')).toBe('/x?token=[redacted]&%E0=1');
  });
});
