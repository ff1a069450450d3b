import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ADMIN_EMAIL, ADMIN_KEY, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/app.ts';

const WRONG_KEY = 'rst_0000000000000000000000000000000000000000';

interface Call {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: object;
  /** The client's address as the server sees it. */
  from?: string;
}

function caller(app: TestApp) {
  return async ({ method = 'GET', url, headers = {}, payload, from = '198.51.100.1' }: Call) => {
    const response = await app.rosetta.server.inject({ method, url, headers, payload, remoteAddress: from });
    return { status: response.statusCode, headers: response.headers, body: response.json() };
  };
}

const login = (email: string, password: string, from?: string): Call => ({
  method: 'POST',
  url: '/api/auth/login',
  payload: { email, password },
  from,
});

/** The headers a 429 carries: when to retry, and the limit it hit (IETF RateLimit draft). */
function expectLimitHeaders(headers: Record<string, unknown>, limit: number, windowSeconds: number) {
  expect(headers['ratelimit-limit']).toBe(String(limit));
  expect(headers['ratelimit-remaining']).toBe('0');
  const retryAfter = Number(headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(headers['ratelimit-reset']).toBe(String(retryAfter));
}

describe('failed sign-ins are limited per account and per address', () => {
  let app: TestApp;
  let call: ReturnType<typeof caller>;

  beforeAll(async () => {
    app = await startTestApp({
      demo: false,
      env: { ROSETTA_LOGIN_FAILURES_PER_ACCOUNT: '3', ROSETTA_LOGIN_FAILURES_PER_ADDRESS: '5' },
    });
    call = caller(app);
    for (const email of ['ana@example.com', 'bob@example.com', 'cy@example.com']) {
      const user = await app.request('POST', '/api/users', {
        email,
        role: 'viewer',
        password: 'right password',
      });
      expect(user.status).toBe(201);
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses an account after its failures from any address, even with the right password', async () => {
    for (const from of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      expect((await call(login('ana@example.com', 'guess', from))).status).toBe(401);
    }
    // Even the right password from a fresh address: a 429 must not tell a guess from the password.
    const refused = await call(login('ANA@example.com ', 'right password', '203.0.113.4'));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'ERR_QUOTA', field: 'email' });
    expect(refused.body.error.message).toMatch(/failed sign-ins for this account/);
    expectLimitHeaders(refused.headers, 3, 15 * 60);
    // Other accounts are not affected, from the same addresses.
    expect((await call(login('bob@example.com', 'right password', '203.0.113.1'))).status).toBe(200);
  });

  it('refuses an address after its failures over many accounts; successes do not count', async () => {
    const from = '192.0.2.7';
    expect((await call(login('cy@example.com', 'right password', from))).status).toBe(200);
    expect((await call(login('cy@example.com', 'right password', from))).status).toBe(200);
    for (const email of [
      'x1@example.com',
      'x2@example.com',
      'x3@example.com',
      'bob@example.com',
      'cy@example.com',
    ]) {
      expect((await call(login(email, 'guess', from))).status).toBe(401);
    }
    const refused = await call(login('cy@example.com', 'right password', from));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('ERR_QUOTA');
    expect(refused.body.error.message).toMatch(/failed sign-ins from this address/);
    expectLimitHeaders(refused.headers, 5, 15 * 60);
    // Another address signs in to the same account.
    expect((await call(login('cy@example.com', 'right password', '192.0.2.8'))).status).toBe(200);
  });

  it('counts a burst of parallel guesses before any of them is answered', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(login(ADMIN_EMAIL, `guess ${i}`, `10.9.0.${i + 1}`))),
    );
    const statuses = guesses.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);
    expect((await call(login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.9.1.1'))).status).toBe(429);
  });
});

describe('failed credential lookups are limited per address on every face', () => {
  let app: TestApp;
  let call: ReturnType<typeof caller>;

  beforeAll(async () => {
    app = await startTestApp({ demo: false, env: { ROSETTA_CREDENTIAL_FAILURES_PER_ADDRESS: '4' } });
    call = caller(app);
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('answers 429 in each face’s envelope once an address has failed too often, never to a valid key', async () => {
    const from = '203.0.113.50';
    // Four failures over four kinds of credential and three faces…
    const failures = [
      await call({ url: '/api/me', headers: bearer(WRONG_KEY), from }),
      await call({ url: '/api/me', headers: bearer('rss_not-a-session'), from }),
      await call({ url: '/serenytics/api/data_source', headers: { 'x-api-key': WRONG_KEY }, from }),
      await call({ url: '/api/dashboards/1', headers: { authorization: 'Embed not-a-token' }, from }),
    ];
    expect(failures.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);

    // …then every face refuses the next one in its own envelope.
    const native = await call({ url: '/api/me', headers: bearer(WRONG_KEY), from });
    expect(native.status).toBe(429);
    expect(native.body.error.code).toBe('ERR_QUOTA');
    expect(native.body.error.message).toMatch(/failed credentials from this address/);
    expectLimitHeaders(native.headers, 4, 60);
    const serenytics = await call({
      url: '/serenytics/api/data_source',
      headers: { 'x-api-key': WRONG_KEY },
      from,
    });
    expect(serenytics.status).toBe(429);
    expect(serenytics.body).toEqual({
      status: 'error',
      errors: [expect.stringMatching(/failed credentials/)],
    });
    expectLimitHeaders(serenytics.headers, 4, 60);
    const dataApi = await call({
      url: '/serenytics/data-api/datasources_list',
      headers: { 'x-api-key': WRONG_KEY },
      from,
    });
    expect(dataApi.status).toBe(429);
    expect(dataApi.body.status).toBe('error');
    expectLimitHeaders(dataApi.headers, 4, 60);
    const embedOpen = await call({
      method: 'POST',
      url: '/api/embed/open',
      payload: { token: 'nope' },
      from,
    });
    expect(embedOpen.status).toBe(429);
    const serenyticsEmbed = await call({ url: '/serenytics/api/web_app/x?embeddedPayload=nope', from });
    expect(serenyticsEmbed.status).toBe(429);
    const webhook = await call({ method: 'POST', url: '/serenytics/api/script/x/run?token=nope', from });
    expect(webhook.status).toBe(429);

    // A valid key from the same address is never slowed, on any face.
    expect((await call({ url: '/api/me', headers: bearer(ADMIN_KEY), from })).status).toBe(200);
    expect(
      (await call({ url: '/serenytics/api/data_source', headers: { 'x-api-key': ADMIN_KEY }, from })).status,
    ).toBe(200);
    expect(
      (
        await call({
          url: '/serenytics/data-api/datasources_list',
          headers: { 'x-api-key': ADMIN_KEY },
          from,
        })
      ).status,
    ).toBe(200);
    // Another address still gets plain 401s.
    expect((await call({ url: '/api/me', headers: bearer(WRONG_KEY), from: '203.0.113.51' })).status).toBe(
      401,
    );
    // A request without any credential is no failed lookup: still a 401 that names the header.
    const missing = await call({ url: '/api/me', from });
    expect(missing.status).toBe(401);
  });

  it('forgets the failures once the minute is over', async () => {
    const from = '203.0.113.60';
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    for (let i = 0; i < 4; i++) {
      expect((await call({ url: '/api/me', headers: bearer(WRONG_KEY), from })).status).toBe(401);
    }
    expect((await call({ url: '/api/me', headers: bearer(WRONG_KEY), from })).status).toBe(429);
    vi.setSystemTime(Date.now() + 61_000);
    expect((await call({ url: '/api/me', headers: bearer(WRONG_KEY), from })).status).toBe(401);
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    // Not trusted here: a client cannot dodge the limit by inventing addresses.
    const from = '203.0.113.70';
    for (let i = 0; i < 4; i++) {
      const headers = { ...bearer(WRONG_KEY), 'x-forwarded-for': `192.0.2.${i}` };
      expect((await call({ url: '/api/me', headers, from })).status).toBe(401);
    }
    const spoofed = await call({
      url: '/api/me',
      headers: { ...bearer(WRONG_KEY), 'x-forwarded-for': '192.0.2.99' },
      from,
    });
    expect(spoofed.status).toBe(429);

    const proxied = await startTestApp({
      demo: false,
      env: { ROSETTA_CREDENTIAL_FAILURES_PER_ADDRESS: '2', ROSETTA_TRUST_PROXY: '127.0.0.1' },
    });
    try {
      const viaProxy = caller(proxied);
      const through = (client: string) =>
        viaProxy({
          url: '/api/me',
          headers: { ...bearer(WRONG_KEY), 'x-forwarded-for': client },
          from: '127.0.0.1',
        });
      expect((await through('192.0.2.1')).status).toBe(401);
      expect((await through('192.0.2.1')).status).toBe(401);
      expect((await through('192.0.2.1')).status).toBe(429);
      // Another client behind the same proxy is a different address.
      expect((await through('192.0.2.2')).status).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});

describe('limit settings', () => {
  it('turns a limit off with 0', async () => {
    const app = await startTestApp({ demo: false, env: { ROSETTA_CREDENTIAL_FAILURES_PER_ADDRESS: '0' } });
    try {
      const call = caller(app);
      for (let i = 0; i < 40; i++) {
        expect(
          (await call({ url: '/api/me', headers: { authorization: `Bearer ${WRONG_KEY}` } })).status,
        ).toBe(401);
      }
    } finally {
      await app.close();
    }
  });

  it('stops the server on a bad value, naming the variable', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-config-'));
    try {
      for (const [name, value] of [
        ['ROSETTA_LOGIN_FAILURES_PER_ACCOUNT', '-1'],
        ['ROSETTA_LOGIN_FAILURES_PER_ADDRESS', 'ten'],
        ['ROSETTA_CREDENTIAL_FAILURES_PER_ADDRESS', '1.5'],
        ['ROSETTA_TRUST_PROXY', 'everyone'],
        ['ROSETTA_TRUST_PROXY', '10.0.0.0/8, not-an-address'],
      ]) {
        expect(() => loadConfig({ ROSETTA_DATA_DIR: dataDir, [name]: value }), `${name}=${value}`).toThrow(
          new RegExp(`^${name}`),
        );
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
