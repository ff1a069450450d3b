import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { ld as request } from './support.ts';

/**
 * Project access on the Lightdash face (spec §2.3, §2.5, §3.9, Appendix A): explicit project
 * roles of users and groups, the `member` organization role, and what they open, on a live app.
 */
let app: TestApp;
let projectUuid: string;
let growthUuid: string;
const users: Record<string, { uuid: string; key: string }> = {};

const ld = (method: string, path: string, body?: unknown, key = ADMIN_KEY) =>
  request(app, method, path, body, { key });

async function userWithKey(name: string, role: string) {
  const created = await app.request('POST', '/api/users', {
    email: `${name}@example.com`,
    role,
    password: 'longEnoughPassword',
    name: `${name} person`,
  });
  expect(created.status).toBe(201);
  const key = (await app.request('POST', '/api/api-keys', { name, userId: created.body.id })).body.key;
  users[name] = { uuid: created.body.uuid, key };
}

beforeAll(async () => {
  app = await startTestApp();
  projectUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  const growth = await ld('POST', '/v1/org/projects', { name: 'Growth' });
  growthUuid = growth.body.results.project.projectUuid;
  await userWithKey('vera', 'viewer');
  await userWithKey('mona', 'editor');
  await userWithKey('gus', 'viewer');
}, 120_000);
afterAll(() => app?.close());

describe('user access to a project', () => {
  it('grants, lists, reads, changes and revokes explicit roles', async () => {
    const access = `/v1/projects/${growthUuid}/access`;
    expect(await ld('GET', access)).toMatchObject({ status: 200, body: { status: 'ok', results: [] } });
    const granted = await ld('POST', access, { email: 'vera@example.com', role: 'editor', sendEmail: false });
    expect(granted.status).toBe(200);
    expect(granted.body).toEqual({ status: 'ok' });
    expect((await ld('GET', access)).body.results).toEqual([
      {
        userUuid: users.vera.uuid,
        projectUuid: growthUuid,
        role: 'editor',
        email: 'vera@example.com',
        firstName: 'vera',
        lastName: 'person',
      },
    ]);
    const again = await ld('POST', access, { email: 'vera@example.com', role: 'admin', sendEmail: false });
    expect(again).toMatchObject({
      status: 409,
      body: { status: 'error', error: { name: 'AlreadyExistsError' } },
    });

    const one = await ld('GET', `/v1/projects/${growthUuid}/user/${users.vera.uuid}`);
    expect(one.body.results).toMatchObject({ userUuid: users.vera.uuid, role: 'editor' });
    const changed = await ld('PATCH', `${access}/${users.vera.uuid}`, { role: 'developer' });
    expect(changed).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await ld('GET', access)).body.results[0].role).toBe('developer');

    expect((await ld('PATCH', `${access}/${users.mona.uuid}`, { role: 'viewer' })).status).toBe(404);
    expect((await ld('DELETE', `${access}/${users.vera.uuid}`)).status).toBe(200);
    expect((await ld('DELETE', `${access}/${users.vera.uuid}`)).status).toBe(404);
    expect((await ld('GET', access)).body.results).toEqual([]);
  });

  it('refuses bad input with 4xx naming it, and non-admins with 403', async () => {
    const access = `/v1/projects/${growthUuid}/access`;
    const badRole = await ld('POST', access, { email: 'vera@example.com', role: 'owner', sendEmail: false });
    expect(badRole).toMatchObject({ status: 400, body: { error: { name: 'ParameterError' } } });
    const unknown = await ld('POST', access, {
      email: 'nobody@example.com',
      role: 'viewer',
      sendEmail: false,
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: { name: 'NotExistsError' } } });
    expect((await ld('GET', `/v1/projects/00000000-0000-4000-8000-000000000000/access`)).status).toBe(404);
    expect((await ld('GET', access, undefined, users.mona.key)).status).toBe(403);
  });

  it('lets a grant raise the role in its project only', async () => {
    const access = `/v1/projects/${growthUuid}/access`;
    await ld('POST', access, { email: 'vera@example.com', role: 'editor', sendEmail: false });
    const growthSpace = await ld(
      'POST',
      `/v1/projects/${growthUuid}/spaces`,
      { name: 'Vera space' },
      users.vera.key,
    );
    expect(growthSpace.status).toBe(200);
    const homeSpace = await ld(
      'POST',
      `/v1/projects/${projectUuid}/spaces`,
      { name: 'Vera home' },
      users.vera.key,
    );
    expect(homeSpace.status).toBe(403);
    // A project admin by grant manages that project's access, not the others'.
    await ld('PATCH', `${access}/${users.vera.uuid}`, { role: 'admin' });
    expect((await ld('GET', access, undefined, users.vera.key)).status).toBe(200);
    expect((await ld('GET', `/v1/projects/${projectUuid}/access`, undefined, users.vera.key)).status).toBe(
      403,
    );
    await ld('DELETE', `${access}/${users.vera.uuid}`);
  });
});

describe('group access to a project', () => {
  it('adds, lists, changes and removes a group role', async () => {
    const group = await ld('POST', '/v1/org/groups', {
      name: 'Growth team',
      members: [{ userUuid: users.gus.uuid }],
    });
    const groupUuid = group.body.results.uuid;
    const path = `/v1/groups/${groupUuid}/projects/${growthUuid}`;
    const added = await ld('POST', path, { role: 'editor' });
    expect(added).toMatchObject({
      status: 200,
      body: { status: 'ok', results: { groupUuid, projectUuid: growthUuid, role: 'editor' } },
    });
    expect((await ld('POST', path, { role: 'viewer' })).status).toBe(409);
    expect((await ld('PATCH', path, { role: 'developer' })).body.results.role).toBe('developer');
    expect((await ld('GET', `/v1/projects/${growthUuid}/groupAccesses`)).body.results).toEqual([
      { groupUuid, projectUuid: growthUuid, role: 'developer' },
    ]);
    // Group grants are not user grants: the access list stays empty of them.
    expect((await ld('GET', `/v1/projects/${growthUuid}/access`)).body.results).toEqual([]);
    const space = await ld('POST', `/v1/projects/${growthUuid}/spaces`, { name: 'Gus space' }, users.gus.key);
    expect(space.status).toBe(200);

    expect((await ld('DELETE', path)).status).toBe(200);
    expect((await ld('DELETE', path)).status).toBe(204);
    expect((await ld('PATCH', path, { role: 'viewer' })).status).toBe(404);
  });
});

describe('the member organization role', () => {
  it('shows as member, opens no project until a grant, then what the grant allows', async () => {
    await userWithKey('max', 'editor');
    const patched = await ld('PATCH', `/v1/org/users/${users.max.uuid}`, { role: 'member' });
    expect(patched).toMatchObject({ status: 200, body: { results: { role: 'member' } } });
    const listed = await ld('GET', '/v1/org/users');
    const entries = listed.body.results.data ?? listed.body.results;
    expect(entries.find((u: { userUuid: string }) => u.userUuid === users.max.uuid).role).toBe('member');

    const projects = async () =>
      (await ld('GET', '/v1/org/projects', undefined, users.max.key)).body.results.map(
        (p: { projectUuid: string }) => p.projectUuid,
      );
    expect(await projects()).toEqual([]);
    expect((await ld('GET', `/v1/projects/${growthUuid}/spaces`, undefined, users.max.key)).status).toBe(403);

    await ld('POST', `/v1/projects/${growthUuid}/access`, {
      email: 'max@example.com',
      role: 'viewer',
      sendEmail: false,
    });
    expect(await projects()).toEqual([growthUuid]);
    expect((await ld('GET', `/v1/projects/${growthUuid}/spaces`, undefined, users.max.key)).status).toBe(200);
    const create = await ld(
      'POST',
      `/v1/projects/${growthUuid}/spaces`,
      { name: 'Max space' },
      users.max.key,
    );
    expect(create.status).toBe(403);

    const back = await ld('PATCH', `/v1/org/users/${users.max.uuid}`, { role: 'editor' });
    expect(back.body.results.role).toBe('editor');
    expect(await projects()).toContain(projectUuid);
  });
});
