import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_KEY, ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { ld, sessionCookie } from './support.ts';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Lightdash's error envelope with its name and status. */
const lightdashError = (statusCode: number, name: string) => ({
  status: 'error',
  error: { statusCode, name, message: expect.any(String) },
});

describe('the Lightdash face: account, organization, members, groups, attributes, projects', () => {
  let app: TestApp;
  let viewer: { uuid: string; key: string; cookie: string };

  beforeAll(async () => {
    app = await startTestApp({
      env: { ROSETTA_LIGHTDASH_MAX_LIMIT: '1234', ROSETTA_LIGHTDASH_MAX_PAGE_SIZE: '321' },
    });
    const email = 'viewer@lightdash.test';
    const password = 'viewer password 123';
    const created = await app.request('POST', '/api/users', {
      email,
      password,
      role: 'viewer',
      name: 'Vera Lynn Viewer',
    });
    const login = await ld(app, 'POST', '/v1/login', { email, password }, { key: null });
    const cookie = sessionCookie(login);
    const token = await ld(
      app,
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: 'viewer', expiresAt: null },
      { cookie },
    );
    viewer = { uuid: created.body.uuid, key: token.body.results.token, cookie };
  }, 60_000);
  afterAll(() => app?.close());

  it('answers health without credentials, with the real query caps', async () => {
    const anonymous = await ld(app, 'GET', '/v1/health', undefined, { key: null });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toMatchObject({
      status: 'ok',
      results: {
        version: expect.any(String),
        mode: 'default',
        isAuthenticated: false,
        query: { maxLimit: 1234, maxPageSize: 321 },
      },
    });
    expect((await ld(app, 'GET', '/v1/health')).body.results.isAuthenticated).toBe(true);
    expect(
      (await ld(app, 'GET', '/v1/health', undefined, { key: 'nope' })).body.results.isAuthenticated,
    ).toBe(false);
  });

  it('refuses a request without credentials with a 401 AuthorizationError envelope', async () => {
    const answer = await ld(app, 'GET', '/v1/user', undefined, { key: null });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(lightdashError(401, 'AuthorizationError'));
    expect((await ld(app, 'GET', '/v1/user', undefined, { key: 'not-a-key' })).status).toBe(401);
  });

  it('answers an unknown route with a 404 NotExistsError', async () => {
    const answer = await ld(app, 'GET', '/v1/no-such-thing');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(lightdashError(404, 'NotExistsError'));
  });

  it('tells the caller who and where they are, with an ApiKey, a Bearer token or the session cookie', async () => {
    const answer = await ld(app, 'GET', '/v1/user');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      results: expect.objectContaining({
        userUuid: expect.any(String),
        email: ADMIN_EMAIL,
        firstName: expect.any(String),
        lastName: expect.any(String),
        organizationUuid: expect.any(String),
        organizationName: expect.any(String),
        role: 'admin',
        isActive: true,
        isSetupComplete: true,
      }),
    });
    const bearer = await app.rosetta.server.inject({
      method: 'GET',
      url: '/lightdash/api/v1/user',
      headers: { authorization: `Bearer ${viewer.key}` },
    });
    expect(bearer.json().results).toMatchObject({ userUuid: viewer.uuid, role: 'viewer' });
    const byCookie = await ld(app, 'GET', '/v1/user', undefined, { cookie: viewer.cookie });
    // Clients join their base URL (`…/lightdash`) and `/api/…`, sometimes doubling the slash.
    const doubled = await app.rosetta.server.inject({
      method: 'GET',
      url: '/lightdash//api/v1/user',
      headers: { authorization: `ApiKey ${viewer.key}` },
    });
    expect(doubled.json().results.userUuid).toBe(viewer.uuid);
    expect(byCookie.body.results).toMatchObject({
      userUuid: viewer.uuid,
      firstName: 'Vera',
      lastName: 'Lynn Viewer',
    });
  });

  it('signs in with a cookie and signs out', async () => {
    const refused = await ld(
      app,
      'POST',
      '/v1/login',
      { email: ADMIN_EMAIL, password: 'wrong' },
      { key: null },
    );
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(lightdashError(401, 'AuthorizationError'));
    const missing = await ld(app, 'POST', '/v1/login', { email: ADMIN_EMAIL }, { key: null });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      name: 'ParameterError',
      data: { password: expect.anything() },
    });

    const login = await ld(
      app,
      'POST',
      '/v1/login',
      { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      { key: null },
    );
    expect(login.status).toBe(200);
    expect(login.body.results).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });
    expect(String(login.headers['set-cookie'])).toMatch(
      /^connect\.sid=.+; Path=\/lightdash; HttpOnly; SameSite=Lax/,
    );
    const cookie = sessionCookie(login);
    expect((await ld(app, 'GET', '/v1/user', undefined, { cookie })).status).toBe(200);
    // Only a session rides in the cookie: an API key or garbage there is no credential.
    for (const other of ['connect.sid=%E0%A4%A', `connect.sid=${viewer.key}`])
      expect((await ld(app, 'GET', '/v1/user', undefined, { cookie: other })).status).toBe(401);
    expect((await ld(app, 'GET', '/v1/logout', undefined, { cookie })).body).toEqual({ status: 'ok' });
    expect((await ld(app, 'GET', '/v1/user', undefined, { cookie })).status).toBe(401);
  });

  it('registers an invited user with the invitation code, and no one without', async () => {
    const invited = await app.request('POST', '/api/invitations', {
      email: 'invited@lightdash.test',
      role: 'editor',
    });
    const body = {
      inviteCode: invited.body.link.token,
      firstName: 'Ina',
      lastName: 'Vited',
      password: 'invited password 123',
    };
    const shortPassword = await ld(app, 'POST', '/v1/user', { ...body, password: 'x' }, { key: null });
    expect(shortPassword.status).toBe(400);
    expect(shortPassword.body.error).toMatchObject({
      name: 'ParameterError',
      data: { password: expect.anything() },
    });
    const registered = await ld(app, 'POST', '/v1/user', body, { key: null });
    expect(registered.status).toBe(200);
    expect(registered.body.results).toMatchObject({
      email: 'invited@lightdash.test',
      firstName: 'Ina',
      lastName: 'Vited',
      role: 'editor',
      isActive: true,
    });
    expect((await ld(app, 'GET', '/v1/user', undefined, { cookie: sessionCookie(registered) })).status).toBe(
      200,
    );
    // A used invitation is refused; a password-reset link is no invitation.
    expect((await ld(app, 'POST', '/v1/user', body, { key: null })).body).toMatchObject(
      lightdashError(403, 'ForbiddenError'),
    );

    const reset = await app.request(
      'POST',
      `/api/users/${(await app.request('GET', '/api/users?search=invited')).body.items[0].id}/password-link`,
    );
    expect(
      (await ld(app, 'POST', '/v1/user', { ...body, inviteCode: reset.body.token }, { key: null })).status,
    ).toBe(404);
    const openSignUp = await ld(
      app,
      'POST',
      '/v1/user',
      { email: 'me@else.test', firstName: 'A', lastName: 'B', password: 'password 1234' },
      { key: null },
    );
    expect(openSignUp.status).toBe(403);
    expect(openSignUp.body).toEqual(lightdashError(403, 'ForbiddenError'));
  });

  it('removes a member from the organization (admins only)', async () => {
    const created = await app.request('POST', '/api/users', {
      email: 'leaving@lightdash.test',
      role: 'viewer',
    });
    expect(
      (await ld(app, 'DELETE', `/v1/org/user/${created.body.uuid}`, undefined, { key: viewer.key })).status,
    ).toBe(403);
    expect((await ld(app, 'DELETE', `/v1/org/user/${created.body.uuid}`)).body).toEqual({ status: 'ok' });
    expect((await ld(app, 'GET', '/v1/org/users?searchQuery=leaving')).body.results.data).toEqual([]);
  });

  it('edits the caller profile and refuses what it cannot change, naming the field', async () => {
    const renamed = await ld(app, 'PATCH', '/v1/user/me', { firstName: 'Vee' }, { key: viewer.key });
    expect(renamed.status).toBe(200);
    expect(renamed.body.results).toMatchObject({ firstName: 'Vee', lastName: 'Lynn Viewer' });
    const email = await ld(
      app,
      'PATCH',
      '/v1/user/me',
      { email: 'else@lightdash.test' },
      { key: viewer.key },
    );
    expect(email.status).toBe(400);
    expect(email.body.error).toMatchObject({ name: 'ParameterError', data: { email: expect.anything() } });
    const wrongType = await ld(app, 'PATCH', '/v1/user/me', { firstName: 42 }, { key: viewer.key });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain('firstName');
  });

  it('mints, lists, rotates and deletes personal access tokens from a session only', async () => {
    const { cookie } = viewer;
    const minted = await ld(
      app,
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: 'ci', expiresAt: inDays(2), autoGenerated: false },
      { cookie },
    );
    expect(minted.status).toBe(200);
    const token = minted.body.results;
    expect(token).toEqual({
      uuid: expect.any(String),
      description: 'ci',
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      rotatedAt: null,
      lastUsedAt: null,
      token: expect.any(String),
    });
    expect((await ld(app, 'GET', '/v1/user', undefined, { key: token.token })).body.results.userUuid).toBe(
      viewer.uuid,
    );

    // A token cannot mint, list or delete tokens: a leaked one cannot make itself successors.
    const byToken = await ld(
      app,
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: 'x', expiresAt: null },
      { key: token.token },
    );
    expect(byToken.status).toBe(403);
    expect(byToken.body).toEqual(lightdashError(403, 'ForbiddenError'));
    expect(
      (await ld(app, 'GET', '/v1/user/me/personal-access-tokens', undefined, { key: token.token })).status,
    ).toBe(403);

    const listed = await ld(app, 'GET', '/v1/user/me/personal-access-tokens', undefined, { cookie });
    expect(listed.body.results.map((t: { uuid: string }) => t.uuid)).toContain(token.uuid);
    expect(listed.body.results.every((t: object) => !('token' in t))).toBe(true);

    const past = await ld(
      app,
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: 'old', expiresAt: '2001-01-01T00:00:00Z' },
      { cookie },
    );
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ name: 'ParameterError', data: { expiresAt: expect.anything() } });
    const blank = await ld(
      app,
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: '', expiresAt: null },
      { cookie },
    );
    expect(blank.status).toBe(400);
    expect(blank.body.error.data).toHaveProperty('description');

    const rotated = await ld(
      app,
      'PATCH',
      `/v1/user/me/personal-access-tokens/${token.uuid}/rotate`,
      { expiresAt: inDays(30) },
      { key: token.token },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.results).toMatchObject({
      uuid: token.uuid,
      rotatedAt: expect.any(String),
      token: expect.any(String),
    });
    expect((await ld(app, 'GET', '/v1/user', undefined, { key: token.token })).status).toBe(401);
    const fresh = rotated.body.results.token;
    expect((await ld(app, 'GET', '/v1/user', undefined, { key: fresh })).status).toBe(200);
    const again = await ld(
      app,
      'PATCH',
      `/v1/user/me/personal-access-tokens/${token.uuid}/rotate`,
      { expiresAt: inDays(30) },
      { key: fresh },
    );
    expect(again.status).toBe(400);
    expect(again.body.error.name).toBe('ParameterError');
    const badDate = await ld(
      app,
      'PATCH',
      `/v1/user/me/personal-access-tokens/${token.uuid}/rotate`,
      { expiresAt: 'soon' },
      { key: fresh },
    );
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.message).toContain('expiresAt');

    expect(
      (await ld(app, 'DELETE', `/v1/user/me/personal-access-tokens/${token.uuid}`, undefined, { cookie }))
        .body,
    ).toEqual({ status: 'ok' });
    expect((await ld(app, 'GET', '/v1/user', undefined, { key: fresh })).status).toBe(401);
    const gone = await ld(app, 'DELETE', `/v1/user/me/personal-access-tokens/${token.uuid}`, undefined, {
      cookie,
    });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(lightdashError(404, 'NotExistsError'));
  });

  it('shows the organization and its projects, the default one first', async () => {
    const org = await ld(app, 'GET', '/v1/org', undefined, { key: viewer.key });
    expect(org.body).toEqual({
      status: 'ok',
      results: expect.objectContaining({
        organizationUuid: expect.any(String),
        name: expect.any(String),
        defaultProjectUuid: expect.any(String),
      }),
    });
    const created = await ld(app, 'POST', '/v1/org/projects', {
      name: 'Lightdash second',
      type: 'DEFAULT',
      dbtVersion: 'v1.7',
      dbtConnection: { type: 'none' },
      warehouseConnection: { type: 'postgres' },
    });
    expect(created.status).toBe(200);
    const project = created.body.results.project;
    expect(project).toMatchObject({
      name: 'Lightdash second',
      type: 'DEFAULT',
      organizationUuid: org.body.results.organizationUuid,
    });

    const projects = (await ld(app, 'GET', '/v1/org/projects', undefined, { key: viewer.key })).body.results;
    expect(projects[0]).toMatchObject({ projectUuid: org.body.results.defaultProjectUuid, type: 'DEFAULT' });
    expect(projects.map((p: { projectUuid: string }) => p.projectUuid)).toContain(project.projectUuid);
    expect(projects[0]).toEqual({
      projectUuid: expect.any(String),
      name: expect.any(String),
      type: 'DEFAULT',
      createdByUserUuid: null,
      upstreamProjectUuid: null,
      warehouseType: expect.any(String),
      requireUserCredentials: false,
    });

    const read = await ld(app, 'GET', `/v1/projects/${project.projectUuid}`, undefined, { key: viewer.key });
    expect(read.body.results).toMatchObject({
      projectUuid: project.projectUuid,
      name: 'Lightdash second',
      organizationUuid: expect.any(String),
    });
    const unknown = await ld(app, 'GET', '/v1/projects/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(lightdashError(404, 'NotExistsError'));

    expect((await ld(app, 'POST', '/v1/org/projects', { name: 'Mine' }, { key: viewer.key })).status).toBe(
      403,
    );
    expect((await ld(app, 'POST', '/v1/org/projects', { name: 'Lightdash second' })).body).toMatchObject(
      lightdashError(409, 'AlreadyExistsError'),
    );
    expect((await ld(app, 'POST', '/v1/org/projects', {})).body.error).toMatchObject({
      name: 'ParameterError',
      data: { name: expect.anything() },
    });
    expect((await ld(app, 'DELETE', `/v1/org/projects/${project.projectUuid}`)).body).toEqual({
      status: 'ok',
    });
    expect((await ld(app, 'GET', `/v1/projects/${project.projectUuid}`)).status).toBe(404);
    const defaultOne = await ld(app, 'DELETE', `/v1/org/projects/${org.body.results.defaultProjectUuid}`);
    expect(defaultOne.status).toBe(400);
  });

  it('lists members page by page and changes their role', async () => {
    const all = await ld(app, 'GET', '/v1/org/users');
    expect(all.body.results.pagination).toBeUndefined();
    expect(all.body.results.data.length).toBeGreaterThanOrEqual(2);
    const page = await ld(app, 'GET', '/v1/org/users?page=2&pageSize=1');
    expect(page.body.results).toEqual({
      data: [
        expect.objectContaining({
          userUuid: expect.any(String),
          email: expect.any(String),
          role: expect.any(String),
        }),
      ],
      pagination: {
        page: 2,
        pageSize: 1,
        totalResults: all.body.results.data.length,
        totalPageCount: all.body.results.data.length,
      },
    });
    const searched = await ld(app, 'GET', '/v1/org/users?searchQuery=lynn');
    expect(searched.body.results.data.map((u: { userUuid: string }) => u.userUuid)).toEqual([viewer.uuid]);
    expect((await ld(app, 'GET', '/v1/org/users?pageSize=0')).body.error).toMatchObject({
      name: 'ParameterError',
      statusCode: 400,
    });

    const member = await ld(app, 'GET', `/v1/org/users/${viewer.uuid}`);
    expect(member.body.results).toMatchObject({
      userUuid: viewer.uuid,
      email: 'viewer@lightdash.test',
      role: 'viewer',
      isActive: true,
      organizationUuid: expect.any(String),
    });
    expect((await ld(app, 'GET', '/v1/org/users/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    const promoted = await ld(app, 'PATCH', `/v1/org/users/${viewer.uuid}`, { role: 'editor' });
    expect(promoted.body.results).toMatchObject({ userUuid: viewer.uuid, role: 'editor' });
    expect((await ld(app, 'GET', '/v1/user', undefined, { key: viewer.key })).body.results.role).toBe(
      'editor',
    );
    const bad = await ld(app, 'PATCH', `/v1/org/users/${viewer.uuid}`, { role: 'owner' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.data).toHaveProperty('role');
    await ld(app, 'PATCH', `/v1/org/users/${viewer.uuid}`, { role: 'viewer' });
    const refused = await ld(
      app,
      'PATCH',
      `/v1/org/users/${viewer.uuid}`,
      { role: 'admin' },
      { key: viewer.key },
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(lightdashError(403, 'ForbiddenError'));
  });

  it('manages groups and their members with the documented status codes', async () => {
    const admin = (await ld(app, 'GET', '/v1/user')).body.results;
    const created = await ld(app, 'POST', '/v1/org/groups', {
      name: 'Analysts',
      members: [{ userUuid: viewer.uuid }],
    });
    expect(created.status).toBe(201);
    const group = created.body.results;
    expect(group).toMatchObject({
      uuid: expect.any(String),
      name: 'Analysts',
      organizationUuid: admin.organizationUuid,
      memberUuids: [viewer.uuid],
      members: [
        { userUuid: viewer.uuid, email: 'viewer@lightdash.test', firstName: 'Vee', lastName: 'Lynn Viewer' },
      ],
    });
    const unknownMember = await ld(app, 'POST', '/v1/org/groups', {
      name: 'Ghosts',
      members: [{ userUuid: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(unknownMember.status).toBe(404);
    expect(
      (await ld(app, 'GET', '/v1/org/groups')).body.results.data.map((g: { name: string }) => g.name),
    ).not.toContain('Ghosts');

    const listed = await ld(app, 'GET', '/v1/org/groups?includeMembers=10', undefined, { key: viewer.key });
    expect(listed.body.results.data).toContainEqual(
      expect.objectContaining({ uuid: group.uuid, memberUuids: [viewer.uuid] }),
    );
    const paged = await ld(app, 'GET', '/v1/org/groups?page=1&pageSize=1');
    expect(paged.body.results.pagination).toMatchObject({ page: 1, pageSize: 1 });
    const read = await ld(app, 'GET', `/v1/groups/${group.uuid}`);
    expect(read.body.results).not.toHaveProperty('members');
    expect(read.body.results).toMatchObject({ uuid: group.uuid, name: 'Analysts', createdByUserUuid: null });

    const patched = await ld(app, 'PATCH', `/v1/groups/${group.uuid}`, {
      name: 'Senior analysts',
      members: [{ userUuid: admin.userUuid }],
    });
    expect(patched.body.results).toMatchObject({ name: 'Senior analysts', memberUuids: [admin.userUuid] });
    const members = await ld(app, 'GET', `/v1/groups/${group.uuid}/members`);
    expect(members.body.results).toEqual([
      {
        userUuid: admin.userUuid,
        email: ADMIN_EMAIL,
        firstName: expect.any(String),
        lastName: expect.any(String),
      },
    ]);

    const memberPath = `/v1/groups/${group.uuid}/members/${viewer.uuid}`;
    expect((await ld(app, 'PUT', memberPath)).status).toBe(201);
    expect((await ld(app, 'PUT', memberPath)).status).toBe(204);
    expect((await ld(app, 'DELETE', memberPath)).status).toBe(200);
    expect((await ld(app, 'DELETE', memberPath)).status).toBe(204);
    expect((await ld(app, 'DELETE', memberPath, undefined, { key: viewer.key })).status).toBe(403);
    expect((await ld(app, 'POST', '/v1/org/groups', { name: 'Mine' }, { key: viewer.key })).status).toBe(403);
    expect((await ld(app, 'POST', '/v1/org/groups', { members: [] })).body.error.data).toHaveProperty('name');

    expect((await ld(app, 'DELETE', `/v1/groups/${group.uuid}`)).body).toEqual({ status: 'ok' });
    expect((await ld(app, 'GET', `/v1/groups/${group.uuid}`)).status).toBe(404);
  });

  it('defines user attributes with their users and groups (201s)', async () => {
    const group = (await ld(app, 'POST', '/v1/org/groups', { name: 'Regional' })).body.results;
    const body = {
      name: 'region',
      description: 'Sales region',
      attributeDefault: null,
      users: [{ userUuid: viewer.uuid, value: 'EMEA' }],
      groups: [{ groupUuid: group.uuid, value: 'APAC' }],
    };
    const created = await ld(app, 'POST', '/v1/org/attributes', body);
    expect(created.status).toBe(201);
    const attribute = created.body.results;
    expect(attribute).toEqual({
      uuid: expect.any(String),
      name: 'region',
      description: 'Sales region',
      organizationUuid: expect.any(String),
      createdAt: expect.any(String),
      attributeDefault: null,
      users: [{ userUuid: viewer.uuid, email: 'viewer@lightdash.test', value: 'EMEA' }],
      groups: [{ groupUuid: group.uuid, value: 'APAC' }],
    });
    // The values are the ones row policies see.
    const viewerPrincipal = await app.rosetta.services.auth.authenticate(viewer.key);
    expect(viewerPrincipal.attributes.region).toEqual(['EMEA']);

    const replaced = await ld(app, 'PUT', `/v1/org/attributes/${attribute.uuid}`, {
      ...body,
      description: 'Region',
      users: [],
    });
    expect(replaced.status).toBe(201);
    expect(replaced.body.results).toMatchObject({
      description: 'Region',
      users: [],
      groups: [{ groupUuid: group.uuid, value: 'APAC' }],
    });
    const listed = await ld(app, 'GET', '/v1/org/attributes');
    expect(listed.body.results).toContainEqual(
      expect.objectContaining({ uuid: attribute.uuid, name: 'region' }),
    );

    const withDefault = await ld(app, 'POST', '/v1/org/attributes', {
      ...body,
      name: 'country',
      attributeDefault: 'FR',
    });
    expect(withDefault.status).toBe(201);
    expect(withDefault.body.results).toMatchObject({
      attributeDefault: 'FR',
      users: [{ userUuid: viewer.uuid, value: 'EMEA' }],
    });
    // Who holds no value, themselves or through a group, holds the default.
    expect((await app.rosetta.services.auth.authenticate(viewer.key)).attributes.country).toEqual(['EMEA']);
    expect((await app.rosetta.services.auth.authenticate(ADMIN_KEY)).attributes.country).toEqual(['FR']);
    const cleared = await ld(app, 'PUT', `/v1/org/attributes/${withDefault.body.results.uuid}`, {
      ...body,
      name: 'country',
      attributeDefault: null,
    });
    expect(cleared.body.results.attributeDefault).toBeNull();
    expect((await app.rosetta.services.auth.authenticate(ADMIN_KEY)).attributes).not.toHaveProperty(
      'country',
    );
    const controlChar = await ld(app, 'POST', '/v1/org/attributes', {
      ...body,
      name: 'other',
      attributeDefault: 'a\u0001b',
    });
    expect(controlChar.status).toBe(400);
    expect(controlChar.body.error.data).toHaveProperty('attributeDefault');
    const badName = await ld(app, 'POST', '/v1/org/attributes', { ...body, name: 'has space' });
    expect(badName.body.error).toMatchObject({
      statusCode: 400,
      name: 'ParameterError',
      data: { name: expect.anything() },
    });
    expect((await ld(app, 'POST', '/v1/org/attributes', body)).status).toBe(409);
    expect((await ld(app, 'GET', '/v1/org/attributes', undefined, { key: viewer.key })).status).toBe(403);
    expect((await ld(app, 'DELETE', `/v1/org/attributes/${attribute.uuid}`)).body).toEqual({ status: 'ok' });
    expect((await ld(app, 'PUT', `/v1/org/attributes/${attribute.uuid}`, body)).status).toBe(404);
  });

  it('renames the organization and refuses what Rosetta does not keep, naming the field', async () => {
    const org = (await ld(app, 'GET', '/v1/org')).body.results;
    expect(
      (await ld(app, 'PATCH', '/v1/org', { name: 'Renamed org', defaultProjectUuid: org.defaultProjectUuid }))
        .body,
    ).toEqual({ status: 'ok' });
    expect((await ld(app, 'GET', '/v1/org')).body.results.name).toBe('Renamed org');
    const colours = await ld(app, 'PATCH', '/v1/org', { chartColors: ['#000000'] });
    expect(colours.status).toBe(400);
    expect(colours.body.error.data).toHaveProperty('chartColors');
    const other = await ld(app, 'PATCH', '/v1/org', {
      defaultProjectUuid: '00000000-0000-4000-8000-000000000000',
    });
    expect(other.body.error.data).toHaveProperty('defaultProjectUuid');
    expect((await ld(app, 'PATCH', '/v1/org', { name: 'Mine' }, { key: viewer.key })).status).toBe(403);
  });

  it('answers the integrations Rosetta lacks as Lightdash does when they are not configured', async () => {
    const org = (await ld(app, 'GET', '/v1/org')).body.results;
    expect((await ld(app, 'GET', '/v1/livez', undefined, { key: null })).body).toEqual({ status: 'ok' });
    expect((await ld(app, 'GET', '/v1/org/allowedEmailDomains')).body.results).toEqual({
      organizationUuid: org.organizationUuid,
      emailDomains: [],
      role: 'viewer',
      projects: [],
    });
    expect((await ld(app, 'GET', '/v1/user/warehouseCredentials')).body).toEqual({
      status: 'ok',
      results: [],
    });
    expect((await ld(app, 'GET', '/v1/user/me/allowedOrganizations')).body).toEqual({
      status: 'ok',
      results: [],
    });
    expect((await ld(app, 'GET', `/v1/projects/${org.defaultProjectUuid}/user-credentials`)).body).toEqual({
      status: 'ok',
    });
    expect(
      (await ld(app, 'GET', '/v1/projects/00000000-0000-4000-8000-000000000000/user-credentials')).status,
    ).toBe(404);
  });

  it('reads gzip-compressed and blank JSON bodies', async () => {
    const gzipped = await ld(
      app,
      'PATCH',
      '/v1/user/me',
      { lastName: 'Zipped' },
      { key: viewer.key, gzip: true },
    );
    expect(gzipped.status).toBe(200);
    expect(gzipped.body.results.lastName).toBe('Zipped');
    const blank = await ld(app, 'PATCH', '/v1/user/me', undefined, { key: viewer.key, raw: ' ' });
    expect(blank.status).toBe(400);
    const malformed = await ld(app, 'PATCH', '/v1/user/me', undefined, {
      key: viewer.key,
      raw: '{"firstName":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.name).toBe('ParameterError');
  });
});
