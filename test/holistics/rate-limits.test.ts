import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { userKey } from './dataset-support.ts';
import { type HolisticsResponse, hx } from './support.ts';

/**
 * The seed's rate limits ("Rate-Limiting"), bounded: quotas of 6, 4 and 2 a minute for levels 1,
 * 2 and 3 instead of 120, 60 and 20, so a burst reaches them in a few requests.
 */
const LIMITS = { 1: 6, 2: 4, 3: 2 } as const;

let app: TestApp;
let editor: { key: string };
beforeAll(async () => {
  app = await startTestApp({
    env: { ROSETTA_HOLISTICS_RATE_LIMITS: `${LIMITS[1]},${LIMITS[2]},${LIMITS[3]}` },
  });
  editor = await userKey(app, 'burst-editor@example.test', 'editor');
}, 60_000);
afterAll(() => app?.close());

const header = (answer: HolisticsResponse, name: string) => Number(answer.headers[name]);

/** Calls until the quota is spent: every answer carries the headers, `Remaining` counts down. */
async function spend(call: () => Promise<HolisticsResponse>, quota: number) {
  for (let used = 1; used <= quota; used++) {
    const answer = await call();
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(429);
    expect(header(answer, 'ratelimit-limit')).toBe(quota);
    expect(header(answer, 'ratelimit-remaining')).toBe(quota - used);
    expect(header(answer, 'ratelimit-reset')).toBeGreaterThan(0);
    expect(header(answer, 'ratelimit-reset')).toBeLessThanOrEqual(60);
  }
  const refused = await call();
  expect(refused.status).toBe(429);
  expect(refused.body).toEqual({ type: 'RateLimitExceedError', message: expect.any(String) });
  expect(header(refused, 'retry-after')).toBeGreaterThan(0);
  expect(header(refused, 'retry-after')).toBeLessThanOrEqual(60);
  expect(header(refused, 'ratelimit-remaining')).toBe(0);
  return refused;
}

describe('Holistics rate limits, per user and endpoint, by level', () => {
  it('gives a read the level-1 quota, then a 429 RateLimitExceedError with Retry-After', async () => {
    await spend(() => hx(app, 'GET', '/data_schedules'), LIMITS[1]);
    // Another endpoint of the same user, and the same endpoint for another user, still pass.
    const otherEndpoint = await hx(app, 'GET', '/data_alerts');
    expect(otherEndpoint.status).toBe(200);
    expect(header(otherEndpoint, 'ratelimit-remaining')).toBe(LIMITS[1] - 1);
    const otherUser = await hx(app, 'GET', '/data_schedules', undefined, { key: editor.key });
    expect(otherUser.status).toBe(200);
    expect(header(otherUser, 'ratelimit-remaining')).toBe(LIMITS[1] - 1);
  });

  it('gives a write the level-2 quota, whatever its answer', async () => {
    await spend(() => hx(app, 'DELETE', '/data_schedules/999999'), LIMITS[2]);
  });

  it('gives a submit_* operation the level-3 quota', async () => {
    await spend(() => hx(app, 'POST', '/data_alerts/999999/submit_execute'), LIMITS[3]);
    // The test execution is its own endpoint, with its own level-3 quota.
    const test = await hx(app, 'POST', '/data_schedules/submit_execute', { test_data_schedule: {} });
    expect(header(test, 'ratelimit-limit')).toBe(LIMITS[3]);
  });

  it('counts calls without a key (git webhooks) by the caller’s address', async () => {
    const call = async () => {
      const response = await app.rosetta.server.inject({
        method: 'POST',
        url: '/holistics/api/v2/git_webhooks/github_app_event',
        headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': 'x' },
        payload: '{}',
        remoteAddress: '203.0.113.7',
      });
      return {
        status: response.statusCode,
        body: response.json(),
        headers: response.headers,
        text: response.body,
      };
    };
    await spend(call, LIMITS[2]);
  });
});

describe('the default Holistics rate limits', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-holistics-limits-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are the seed’s 120, 60 and 20 a minute, and are settings', () => {
    expect(loadConfig({ ROSETTA_DATA_DIR: dataDir }).faces.holistics.rateLimits).toEqual({
      1: 120,
      2: 60,
      3: 20,
    });
    expect(
      loadConfig({ ROSETTA_DATA_DIR: dataDir, ROSETTA_HOLISTICS_RATE_LIMITS: '10,5,1' }).faces.holistics
        .rateLimits,
    ).toEqual({ 1: 10, 2: 5, 3: 1 });
    expect(() => loadConfig({ ROSETTA_DATA_DIR: dataDir, ROSETTA_HOLISTICS_RATE_LIMITS: '10,5' })).toThrow(
      /ROSETTA_HOLISTICS_RATE_LIMITS/,
    );
  });
});
