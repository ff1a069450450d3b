import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/core/auth/principal.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * `directory.importAttributesFromSource` (Serenytics `reload_users_metadata`) on a real app whose
 * query row cap is 3: a source within the cap sets every listed user's attributes; a larger one
 * is refused whole, never imported up to the cap.
 */
const ROW_CAP = 3;
let app: TestApp;
let admin: Principal;

async function loginSource(name: string, logins: string[]): Promise<string> {
  const source = await app.request('POST', '/api/data-sources', {
    name,
    type: 'storage',
    columns: [
      { name: 'login', type: 'string' },
      { name: 'region', type: 'string' },
    ],
  });
  const rows = logins.map((login, i) => ({ login, region: `region ${i}` }));
  const pushed = await app.request('POST', `/api/data-sources/${source.body.id}/rows`, {
    mode: 'insert',
    rows,
  });
  expect(pushed.status).toBe(200);
  return source.body.uuid;
}

const regionOf = async (email: string) => {
  const { directory } = app.rosetta.services;
  const user = await directory.getUserByEmail(admin, email);
  return (await directory.getUserAttributes(admin, user.id)).region;
};

beforeAll(async () => {
  app = await startTestApp({ demo: false, env: { ROSETTA_MAX_QUERY_ROWS: String(ROW_CAP) } });
  const password = 'user password 123';
  for (const n of [1, 2, 3, 4])
    await app.request('POST', '/api/users', { email: `u${n}@example.com`, role: 'viewer', password });
  const email = 'boss@example.com';
  await app.request('POST', '/api/users', { email, role: 'admin', password });
  const token = (await app.request('POST', '/api/auth/login', { email, password }, { token: '' })).body.token;
  admin = await app.rosetta.services.auth.authenticate(token);
});
afterAll(async () => app?.close());

describe('importing user attributes from a source', () => {
  it('imports a source within the row cap', async () => {
    const source = await loginSource('small', ['u1@example.com', 'u2@example.com']);
    expect(await app.rosetta.services.directory.importAttributesFromSource(admin, source)).toEqual({
      users: 2,
    });
    expect(await regionOf('u2@example.com')).toEqual(['region 1']);
  });

  it('refuses a source larger than the row cap, naming the cap, and changes no user', async () => {
    const logins = [1, 2, 3, 4].map((n) => `u${n}@example.com`);
    const source = await loginSource('large', [...logins].reverse());
    const refused = app.rosetta.services.directory.importAttributesFromSource(admin, source);
    await expect(refused).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'source' });
    await expect(refused).rejects.toThrow(`more than ${ROW_CAP} rows`);
    expect(await regionOf('u1@example.com')).toEqual(['region 0']);
    expect(await regionOf('u4@example.com')).toBeUndefined();
  });
});
