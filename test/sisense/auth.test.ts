import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('Sisense face: login', () => {
  it('signs in form-encoded and answers a token and the profile', async () => {
    const answer = await sx(
      app,
      'POST',
      '/api/v1/authentication/login',
      { username: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      { token: null, form: true },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      success: true,
      access_token: expect.any(String),
      profile: { email: ADMIN_EMAIL, userName: ADMIN_EMAIL, roleName: 'admin', active: true },
    });
    expect(answer.body.profile._id).toMatch(/^[0-9a-f]{24}$/);
    const roles = await sx(app, 'GET', '/api/roles', undefined, { token: answer.body.access_token });
    expect(roles.status).toBe(200);
  });

  it('signs in with JSON too', async () => {
    const token = await sx(
      app,
      'POST',
      '/api/v1/authentication/login',
      {
        username: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      },
      { token: null },
    );
    expect(token.status).toBe(200);
  });

  it('refuses bad credentials with 401 and Sisense words', async () => {
    const answer = await sx(
      app,
      'POST',
      '/api/v1/authentication/login',
      { username: ADMIN_EMAIL, password: 'wrong' },
      { token: null, form: true },
    );
    expect(answer.status).toBe(401);
    expect(sisenseError(answer).message).toBe('Invalid credentials. Wrong username or password.');
  });

  it('refuses a login without username naming the field', async () => {
    const answer = await sx(
      app,
      'POST',
      '/api/v1/authentication/login',
      { password: 'x' },
      { token: null, form: true },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.field ?? answer.body.error.message).toMatch(/username/);
  });

  it('sisenseLogin works', async () => {
    expect(await sisenseLogin(app, ADMIN_EMAIL, ADMIN_PASSWORD)).toEqual(expect.any(String));
  });
});

describe('Sisense face: logout and tokens', () => {
  const login = (email: string, password: string) => sisenseLogin(app, email, password);
  const roleOf = async (token: string) => (await sx(app, 'GET', '/api/roles', undefined, { token })).status;

  beforeAll(async () => {
    for (const email of ['tom@example.com', 'una@example.com'])
      await app.request('POST', '/api/users', { email, password: 'a password 123', role: 'viewer' });
  });

  it('logout revokes only that token', async () => {
    const first = await login('tom@example.com', 'a password 123');
    const second = await login('tom@example.com', 'a password 123');
    const out = await sx(app, 'GET', '/api/v1/authentication/logout', undefined, { token: first });
    expect(out.status).toBe(204);
    expect(await roleOf(first)).toBe(401);
    expect(await roleOf(second)).toBe(200);
    const again = await sx(app, 'GET', '/api/v1/authentication/logout', undefined, { token: first });
    expect(again.status).toBe(401);
  });

  it('an API token from tokens/api works, and logout with it revokes it', async () => {
    const session = await login('tom@example.com', 'a password 123');
    const minted = await sx(app, 'GET', '/api/v1/authentication/tokens/api', undefined, { token: session });
    expect(minted.status).toBe(200);
    const { token } = minted.body;
    expect(await roleOf(token)).toBe(200);
    expect((await sx(app, 'GET', '/api/v1/authentication/logout', undefined, { token })).status).toBe(204);
    expect(await roleOf(token)).toBe(401);
    expect(await roleOf(session)).toBe(200);
  });

  it('logout_all ends every session and API token of the caller only', async () => {
    const a = await login('tom@example.com', 'a password 123');
    const b = await login('tom@example.com', 'a password 123');
    const key = (await sx(app, 'GET', '/api/v1/authentication/tokens/api', undefined, { token: a })).body
      .token;
    const other = await login('una@example.com', 'a password 123');
    expect((await sx(app, 'GET', '/api/v1/authentication/logout_all', undefined, { token: a })).status).toBe(
      204,
    );
    for (const token of [a, b, key]) expect(await roleOf(token)).toBe(401);
    expect(await roleOf(other)).toBe(200);
  });

  it('admins revoke users’ tokens; API tokens only through admin/tokens/api', async () => {
    const session = await login('una@example.com', 'a password 123');
    const key = (await sx(app, 'GET', '/api/v1/authentication/tokens/api', undefined, { token: session }))
      .body.token;
    const una = (await sx(app, 'GET', '/api/v1/users?email=una@example.com')).body[0]._id;
    const tom = (await sx(app, 'GET', '/api/v1/users?email=tom@example.com')).body[0]._id;

    // A viewer may not name another user.
    const viewer = await sx(
      app,
      'DELETE',
      `/api/v1/authentication/admin/tokens/api?users=${tom}`,
      undefined,
      {
        token: session,
      },
    );
    expect(viewer.status).toBe(403);
    const viewerLogout = await sx(
      app,
      'GET',
      `/api/v1/authentication/admin/logout?users=${una},${tom}`,
      undefined,
      {
        token: session,
      },
    );
    expect(viewerLogout.status).toBe(403);
    // Refused for one user, nothing happened for the other.
    expect(await roleOf(session)).toBe(200);
    expect(await roleOf(key)).toBe(200);
    expect(
      (await sx(app, 'DELETE', `/api/v1/authentication/admin/tokens/device?users=${una}`)).body.error.field,
    ).toBe('tokenType');
    expect((await sx(app, 'DELETE', '/api/v1/authentication/admin/tokens/api')).body.error.field).toBe(
      'users',
    );
    expect((await sx(app, 'DELETE', `/api/v1/authentication/admin/tokens/api?users=${una}`)).status).toBe(
      204,
    );
    expect(await roleOf(key)).toBe(401);
    expect(await roleOf(session)).toBe(200);

    expect((await sx(app, 'GET', '/api/v1/authentication/admin/logout?users=zz')).status).toBe(400);
    expect((await sx(app, 'GET', `/api/v1/authentication/admin/logout?users=${una}`)).status).toBe(204);
    expect(await roleOf(session)).toBe(401);
  });

  it('answers trusted servers and SAML as not available', async () => {
    expect((await sx(app, 'GET', '/api/v1/authentication/server_access')).body).toEqual([]);
    const add = await sx(app, 'POST', '/api/v1/authentication/server_access', { host: 'x' });
    expect(add.status).toBe(400);
    expect(sisenseError(add).message).toMatch(/Trusted server/);
    const saml = await sx(
      app,
      'POST',
      '/api/v1/authentication/login_saml_callback',
      { SAMLResponse: 'x' },
      {
        token: null,
        form: true,
      },
    );
    expect(saml.status).toBe(400);
    expect(sisenseError(saml).message).toMatch(/SAML/);
  });

  it('answers the application status without a token', async () => {
    const status = await sx(app, 'GET', '/api/v1/application/status', undefined, { token: null });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'ok', version: expect.any(String) });
  });
});
