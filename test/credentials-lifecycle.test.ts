import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/** A password change or a deactivation ends what the old credentials opened, at once. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ demo: false });
}, 120_000);
afterAll(() => app?.close());

async function user(email: string, password: string): Promise<number> {
  const created = await app.request('POST', '/api/users', { email, role: 'editor', password });
  expect(created.status).toBe(201);
  return created.body.id;
}
const login = async (email: string, password: string) =>
  (await app.request('POST', '/api/auth/login', { email, password }, { token: '' })).body.token as string;
const me = async (token: string) => (await app.request('GET', '/api/me', undefined, { token })).status;

describe('credentials after a change of the user', () => {
  it("ends the user's other sessions when they change their password, keeping the one that did it", async () => {
    const id = await user('own@example.com', 'first password 1');
    const here = await login('own@example.com', 'first password 1');
    const elsewhere = await login('own@example.com', 'first password 1');
    const changed = await app.request(
      'PATCH',
      `/api/users/${id}`,
      { password: 'second password 2', currentPassword: 'first password 1' },
      { token: here },
    );
    expect(changed.status).toBe(200);
    expect(await me(here)).toBe(200);
    expect(await me(elsewhere)).toBe(401);
    expect(await login('own@example.com', 'first password 1')).toBeUndefined();
  });

  it("ends every session when an admin resets the password; the user's keys stay", async () => {
    const id = await user('reset@example.com', 'first password 1');
    const session = await login('reset@example.com', 'first password 1');
    const key = (await app.request('POST', '/api/api-keys', { name: 'k' }, { token: session })).body.key;
    expect((await app.request('PATCH', `/api/users/${id}`, { password: 'by the admin 2' })).status).toBe(200);
    expect(await me(session)).toBe(401);
    expect(await me(key)).toBe(200);
  });

  it('stops sessions and keys at once on deactivation, and a restore brings none back', async () => {
    const id = await user('gone@example.com', 'first password 1');
    const session = await login('gone@example.com', 'first password 1');
    const key = (await app.request('POST', '/api/api-keys', { name: 'k' }, { token: session })).body.key;
    expect((await app.request('DELETE', `/api/users/${id}`)).status).toBe(200);
    expect(await me(session)).toBe(401);
    expect(await me(key)).toBe(401);
    expect((await app.request('POST', `/api/users/${id}/restore`)).status).toBe(200);
    expect(await me(session)).toBe(401);
    expect(await me(key)).toBe(401);
    const keys = (await app.request('GET', `/api/api-keys?userId=${id}`)).body.items;
    expect(keys.every((k: { revokedAt: string | null }) => k.revokedAt !== null)).toBe(true);
    // Signing in again works, with a new session.
    expect(await me(await login('gone@example.com', 'first password 1'))).toBe(200);
  });

  it('does the same when an admin sets the user back to pending', async () => {
    const id = await user('paused@example.com', 'first password 1');
    const session = await login('paused@example.com', 'first password 1');
    const key = (await app.request('POST', '/api/api-keys', { name: 'k' }, { token: session })).body.key;
    expect((await app.request('PATCH', `/api/users/${id}`, { status: 'pending' })).status).toBe(200);
    expect((await app.request('PATCH', `/api/users/${id}`, { status: 'active' })).status).toBe(200);
    expect(await me(session)).toBe(401);
    expect(await me(key)).toBe(401);
  });
});
