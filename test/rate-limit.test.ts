import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { Principal } from '../src/core/auth/index.ts';
import { faceRequestLimits } from '../src/http/kit/request-limits.ts';
import { type App, createServer } from '../src/http/server.ts';
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

/** The headers every answer of a limited face carries (IETF RateLimit draft, as Holistics documents). */
function expectRemaining(headers: Record<string, unknown>, limit: number, remaining: number) {
  expect(headers['ratelimit-limit']).toBe(String(limit));
  expect(headers['ratelimit-remaining']).toBe(String(remaining));
  const reset = Number(headers['ratelimit-reset']);
  expect(reset).toBeGreaterThan(0);
  expect(reset).toBeLessThanOrEqual(60);
}

describe('request limits of a face, per caller and route', () => {
  let app: TestApp;
  let call: ReturnType<typeof caller>;
  let otherUserToken: string;
  const serenytics = (url: string, key: string, from?: string): Call => ({
    url: `/serenytics/api${url}`,
    headers: { 'x-api-key': key },
    from,
  });

  beforeAll(async () => {
    app = await startTestApp({ demo: false, env: { ROSETTA_SERENYTICS_RATE_LIMIT_PER_MINUTE: '3' } });
    call = caller(app);
    const created = await app.request('POST', '/api/users', {
      email: 'dee@example.com',
      role: 'editor',
      password: 'right password',
    });
    expect(created.status).toBe(201);
    otherUserToken = (await call(login('dee@example.com', 'right password'))).body.token;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('says on every answer how many calls are left, then answers 429 in the face’s envelope', async () => {
    for (const remaining of [2, 1, 0]) {
      const answer = await call(serenytics('/data_source', ADMIN_KEY));
      expect(answer.status).toBe(200);
      expectRemaining(answer.headers, 3, remaining);
    }
    const refused = await call(serenytics('/data_source', ADMIN_KEY));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ status: 'error', errors: [expect.stringMatching(/too many requests/)] });
    expectLimitHeaders(refused.headers, 3, 60);
    // From another address the same key is the same caller: still refused.
    expect((await call(serenytics('/data_source', ADMIN_KEY, '192.0.2.200'))).status).toBe(429);
  });

  it('counts each user and each route on its own', async () => {
    for (let i = 0; i < 4; i++) await call(serenytics('/folder', ADMIN_KEY));
    expect((await call(serenytics('/folder', ADMIN_KEY))).status).toBe(429);
    // The caller is the user, not the key: a fresh key of the same user is refused too.
    const secondKey = (await app.request('POST', '/api/api-keys', { name: 'second' })).body.key;
    expect((await call(serenytics('/folder', secondKey))).status).toBe(429);
    // Another user on the same route, from the same address, has its own count.
    const other = await call(serenytics('/folder', otherUserToken));
    expect(other.status).toBe(200);
    expectRemaining(other.headers, 3, 2);
    // Another route for the refused caller; one route whatever the id in its path.
    const missing = '00000000-0000-4000-8000-000000000000';
    const first = await call(serenytics(`/data_source/${missing}`, ADMIN_KEY));
    expect(first.status).toBe(404);
    expectRemaining(first.headers, 3, 2);
    const second = await call(serenytics(`/data_source/${missing.replace(/0$/, '1')}`, ADMIN_KEY));
    expectRemaining(second.headers, 3, 1);
  });

  it('starts a fresh count once the minute is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      for (let i = 0; i < 3; i++) await call(serenytics('/user', otherUserToken));
      expect((await call(serenytics('/user', otherUserToken))).status).toBe(429);
      vi.setSystemTime(Date.now() + 61_000);
      const again = await call(serenytics('/user', otherUserToken));
      expect(again.status).toBe(200);
      expectRemaining(again.headers, 3, 2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves the faces without a limit unlimited, with no RateLimit headers', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await call({ url: '/api/me', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(answer.status).toBe(200);
      expect(answer.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('request limits are off by default', () => {
  it('answers every face without counting', async () => {
    const app = await startTestApp({ demo: false });
    try {
      const call = caller(app);
      for (let i = 0; i < 130; i++) {
        const answer = await call({
          url: '/serenytics/api/data_source',
          headers: { 'x-api-key': ADMIN_KEY },
        });
        expect(answer.status).toBe(200);
        expect(answer.headers['ratelimit-limit']).toBeUndefined();
      }
      const native = await call({ url: '/api/me', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(native.headers['ratelimit-limit']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('request limits of the native face', () => {
  it('count sign-ins per address and answer 429 in the native envelope', async () => {
    const app = await startTestApp({ demo: false, env: { ROSETTA_NATIVE_RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const call = caller(app);
      const from = '203.0.113.90';
      expectRemaining((await call(login(ADMIN_EMAIL, ADMIN_PASSWORD, from))).headers, 2, 1);
      expectRemaining((await call(login(ADMIN_EMAIL, ADMIN_PASSWORD, from))).headers, 2, 0);
      const refused = await call(login(ADMIN_EMAIL, ADMIN_PASSWORD, from));
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ code: 'ERR_QUOTA', reason: 'quota' });
      expectLimitHeaders(refused.headers, 2, 60);
      // The signed-in routes count per user, apart from the address's sign-ins.
      const me = await call({ url: '/api/me', headers: { authorization: `Bearer ${ADMIN_KEY}` }, from });
      expect(me.status).toBe(200);
      expectRemaining(me.headers, 2, 1);
    } finally {
      await app.close();
    }
  });
});

describe('request limit levels', () => {
  /** A face of its own: the caller named by `X-User` (none: anonymous), Holistics' three levels. */
  async function levelledFace() {
    const server = createServer({ logLevel: 'silent' });
    await server.register(
      async (scope) => {
        const face = scope as unknown as App;
        face.addHook('onRequest', async (request) => {
          const user = request.headers['x-user'];
          if (typeof user === 'string') request.principal = { userId: Number(user) } as Principal;
        });
        await faceRequestLimits(face, { perMinute: 4, levels: { 1: 120, 2: 2, 3: 0 } });
        face.get('/plain', async () => ({ ok: true }));
        face.get('/heavy', { config: { rateLevel: 2 } }, async () => ({ ok: true }));
        face.get('/unlimited', { config: { rateLevel: 3 } }, async () => ({ ok: true }));
      },
      { prefix: '/face' },
    );
    await server.ready();
    return server;
  }

  it('gives each route the limit of its level, the face’s own without one, none at 0', async () => {
    const server = await levelledFace();
    try {
      const get = (url: string, user = '1') =>
        server.inject({ url: `/face${url}`, headers: { 'x-user': user }, remoteAddress: '198.51.100.9' });
      expectRemaining((await get('/heavy')).headers, 2, 1);
      expectRemaining((await get('/heavy')).headers, 2, 0);
      const refused = await get('/heavy');
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error).toMatchObject({ code: 'ERR_QUOTA' });
      expectLimitHeaders(refused.headers, 2, 60);
      expectRemaining((await get('/plain')).headers, 4, 3);
      for (let i = 0; i < 10; i++) {
        const free = await get('/unlimited');
        expect(free.statusCode).toBe(200);
        expect(free.headers['ratelimit-limit']).toBeUndefined();
      }
      // Without a principal the caller is its address: two anonymous calls share one count.
      const anonymous = () => server.inject({ url: '/face/heavy', remoteAddress: '198.51.100.10' });
      expectRemaining((await anonymous()).headers, 2, 1);
      expectRemaining((await anonymous()).headers, 2, 0);
      expect((await get('/heavy', '2')).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses to start when a route names a level its face does not have', async () => {
    const server = createServer({ logLevel: 'silent' });
    await expect(
      server.register(async (scope) => {
        const face = scope as unknown as App;
        await faceRequestLimits(face, { perMinute: 4, levels: { 1: 120 } });
        face.get('/odd', { config: { rateLevel: 7 } }, async () => ({ ok: true }));
      }),
    ).rejects.toThrow(/rate level 7/);
    await server.close().catch(() => {});
  });
});
