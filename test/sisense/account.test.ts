import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { sisenseLogin, sx } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

/** The link token of the newest message to `email` (no SMTP in tests: it is held in the outbox). */
async function tokenSentTo(email: string, subject: string): Promise<string> {
  const outbox = await app.request('GET', '/api/outbox');
  const message = outbox.body.items.find((item: { to: string[] }) => item.to.includes(email));
  expect(message).toMatchObject({ subject });
  return /\/(?:invite|reset-password)\/(rsl_[0-9A-Za-z]+)/.exec(message.text)?.[1] as string;
}

const pub = { token: null };

describe('Sisense face: account flows', () => {
  it('activates a user created without a password, end to end', async () => {
    const created = await sx(app, 'POST', '/api/v1/users', { email: 'ada@example.com', firstName: 'Ada' });
    expect(created.body.active).toBe(false);
    const begin = await sx(app, 'POST', '/api/v1/account/begin_activate', { email: 'ada@example.com' }, pub);
    expect(begin.status).toBe(204);
    const token = await tokenSentTo('ada@example.com', 'Activate your account');

    const valid = await sx(app, 'GET', `/api/v1/account/activate/${token}`, undefined, pub);
    expect(valid).toMatchObject({ status: 200, body: { userName: 'ada@example.com' } });
    // A reset route does not take an activation token.
    expect((await sx(app, 'GET', `/api/v1/account/reset_password/${token}`, undefined, pub)).status).toBe(
      404,
    );

    const short = await sx(app, 'POST', `/api/v1/account/activate/${token}`, { password: 'x' }, pub);
    expect(short.status).toBe(400);
    expect(short.body.error.field).toBe('password');
    const done = await sx(
      app,
      'POST',
      `/api/v1/account/activate/${token}`,
      { password: 'ada password 1' },
      pub,
    );
    expect(done.status).toBe(204);
    expect(await sisenseLogin(app, 'ada@example.com', 'ada password 1')).toEqual(expect.any(String));
    expect((await sx(app, 'GET', `/api/v1/users/${created.body._id}`)).body.active).toBe(true);

    // Single use.
    const reused = await sx(app, 'GET', `/api/v1/account/activate/${token}`, undefined, pub);
    expect(reused.status).toBe(404);
    expect(reused.body.error.message).toBe('Provided token is invalid');
  });

  it('resets a password, end to end', async () => {
    await app.request('POST', '/api/users', { email: 'bo@example.com', password: 'old password 1' });
    expect(
      (await sx(app, 'POST', '/api/v1/account/begin_reset_password', { email: 'bo@example.com' }, pub))
        .status,
    ).toBe(204);
    const token = await tokenSentTo('bo@example.com', 'Reset your password');
    expect((await sx(app, 'GET', `/api/v1/account/reset_password/${token}`, undefined, pub)).body).toEqual({
      userName: 'bo@example.com',
    });
    const done = await sx(
      app,
      'POST',
      `/api/v1/account/reset_password/${token}`,
      { password: 'new password 2' },
      pub,
    );
    expect(done.status).toBe(204);
    expect(await sisenseLogin(app, 'bo@example.com', 'new password 2')).toEqual(expect.any(String));
    const old = await sx(
      app,
      'POST',
      '/api/v1/authentication/login',
      { username: 'bo@example.com', password: 'old password 1' },
      { token: null, form: true },
    );
    expect(old.status).toBe(401);
  });

  it('answers alike for unknown emails, refuses bad bodies and tokens', async () => {
    expect(
      (await sx(app, 'POST', '/api/v1/account/begin_reset_password', { email: 'nobody@example.com' }, pub))
        .status,
    ).toBe(204);
    expect((await sx(app, 'POST', '/api/v1/account/begin_activate', {}, pub)).body.error.field).toBe('email');
    const bulk = await sx(
      app,
      'POST',
      '/api/v1/account/begin_activate_bulk',
      [{ email: 'nobody@example.com' }],
      pub,
    );
    expect(bulk.status).toBe(204);
    expect((await sx(app, 'POST', '/api/v1/account/begin_activate_bulk', [{}], pub)).status).toBe(400);
    expect((await sx(app, 'GET', '/api/v1/account/activate/not-a-token', undefined, pub)).status).toBe(404);
    const reset = await sx(
      app,
      'POST',
      '/api/v1/account/reset_password/rsl_unknown',
      { password: 'whatever 123' },
      pub,
    );
    expect(reset.status).toBe(404);
    expect(reset.body.error.message).toBe('Reset token is invalid');
  });

  it('bulk activation emails every pending user', async () => {
    await sx(app, 'POST', '/api/v1/users/bulk', [{ email: 'c1@example.com' }, { email: 'c2@example.com' }]);
    const bulk = await sx(
      app,
      'POST',
      '/api/v1/account/begin_activate_bulk',
      [{ email: 'c1@example.com' }, { email: 'c2@example.com' }],
      pub,
    );
    expect(bulk.status).toBe(204);
    expect(await tokenSentTo('c1@example.com', 'Activate your account')).toMatch(/^rsl_/);
    expect(await tokenSentTo('c2@example.com', 'Activate your account')).toMatch(/^rsl_/);
  });

  it('answers licensing as not available', async () => {
    expect((await sx(app, 'GET', '/api/v1/account/get_license_info')).status).toBe(400);
  });
});
