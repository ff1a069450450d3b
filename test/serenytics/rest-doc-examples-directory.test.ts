import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { type DocRunner, docRunner, SHOW_RESULT, serveFace } from './rest-doc-examples/run-example.ts';
import { seren } from './support.ts';

/*
 * The REST doc's folder, user and usersgroup examples, run as written against a listening
 * Rosetta (catalogue: rest-doc-examples.md). Tests run in order: later examples use earlier state.
 */

let app: TestApp;
let run: DocRunner;
beforeAll(async () => {
  app = await startTestApp();
  run = docRunner(await serveFace(app), { YOUR_API_KEY: ADMIN_KEY });
}, 120_000);
afterAll(() => app?.close());

// biome-ignore lint/suspicious/noExplicitAny: the native API's JSON
const nativeList = async (path: string): Promise<any[]> => (await app.request('GET', path)).body.items;
const nativeUser = async (email: string) => (await nativeList('/api/users')).find((u) => u.email === email);
const attributesOf = async (id: number) =>
  (await app.request('GET', `/api/users/${id}/attributes`)).body.attributes;

describe('folder examples', () => {
  it('26 creates a datasource folder (201, printed) and 25 lists it with its resource type', async () => {
    const created = await run('26-create-folder.py');
    expect(created.lines).toHaveLength(1);
    expect(created.lines[0]).toContain("'name': 'My new folder'");
    expect(created.lines[0]).toContain("'resource_type': 'datasource'");
    const stored = (await nativeList('/api/folders')).find((f) => f.name === 'My new folder');
    expect(stored).toMatchObject({ kind: 'data_source' });

    const { lines } = await run('25-list-folders.py');
    // Each resource type's home folder comes first: where unfiled items are shown.
    expect(lines).toEqual([
      'home -->  webapp',
      'home -->  datasource',
      'home -->  script',
      'My new folder -->  datasource',
    ]);
  });
});

let john: { uuid: string; id: number };

describe('user examples', () => {
  const DOC_USER_UUID = '93251f96-acbb-4bb7-b101-ca628c5c21b8';

  it('30 creates a viewer (201)', async () => {
    const { lines } = await run('30-create-user.py');
    expect(lines[0]).toBe('201');
    expect(lines[1]).toContain("'username': 'john@doe.com'");
    john = await nativeUser('john@doe.com');
    expect(john).toMatchObject({ role: 'viewer' });
    expect(lines[1]).toContain(`'uuid': '${john.uuid}'`);
    // The password is the doc's: it signs in.
    const login = await app.request(
      'POST',
      '/api/auth/login',
      { email: 'john@doe.com', password: 'myStrongPassword' },
      { token: '' },
    );
    expect(login.status).toBe(200);
  });

  it('27 lists the users with their category', async () => {
    const { lines } = await run('27-list-users.py');
    expect(lines.sort()).toEqual(['admin@example.com --> admin', 'john@doe.com --> viewer']);
  });

  it('28 gets a user by uuid and 29 by username', async () => {
    const byUuid = await run('28-get-user.py', { values: { [DOC_USER_UUID]: john.uuid } });
    const byName = await run('29-get-user-by-name.py');
    for (const { lines } of [byUuid, byName]) {
      expect(lines[0]).toBe('200');
      expect(lines[1]).toContain(`'uuid': '${john.uuid}'`);
      expect(lines[1]).toContain("'username': 'john@doe.com'");
    }
  });

  it('31 changes the category and the login metadata', async () => {
    const { lines } = await run('31-update-user.py', { values: { [DOC_USER_UUID]: john.uuid } });
    expect(lines[0]).toBe('200');
    expect(lines[1]).toContain("'category': 'studio'");
    expect(lines[1]).toContain("'login_metadata': {'business_unit': 'france'}");
    expect(await nativeUser('john@doe.com')).toMatchObject({ role: 'developer' });
    expect(await attributesOf(john.id)).toEqual({ business_unit: ['france'] });
  });

  it('32 finds a user by name and sets its metadata', async () => {
    await seren(app, 'PUT', `/api/user/${john.uuid}`, { login_metadata: { business_unit: 'uk' } });
    expect(await attributesOf(john.id)).toEqual({ business_unit: ['uk'] });
    const { lines } = await run('32-update-user-metadata.py');
    expect(lines[0]).toBe('200');
    expect(lines[1]).toBe('200');
    expect(lines[2]).toContain("'login_metadata': {'business_unit': 'france'}");
    expect(await attributesOf(john.id)).toEqual({ business_unit: ['france'] });
  });
});

describe('usersgroup examples', () => {
  const DOC_GROUP_UUID = '8dee7842-3596-494b-8fa6-c81c50e9574d';
  // The add/remove examples read `route`, which they never define (they define `route1`).
  const definesRoute = 'route = "https://api.serenytics.com/api/usersgroup/byname"';
  let group: { uuid: string; id: number };
  const members = async () =>
    (await nativeList(`/api/groups/${group.id}/members`)).map((u: { email: string }) => u.email);

  it('34 lists the groups and 36 gets one by name', async () => {
    await seren(app, 'POST', '/api/usersgroup', { name: 'marketing team' });
    group = (await nativeList('/api/groups')).find((g) => g.name === 'marketing team');
    expect((await run('34-list-groups.py')).lines).toEqual(['marketing team']);
    const { lines } = await run('36-get-group-by-name.py');
    expect(lines[0]).toBe('200');
    expect(lines[1]).toContain(`'uuid': '${group.uuid}'`);
  });

  it('37 adds a user to the group (201)', async () => {
    const { exitCode, lines } = await run('37-add-user-to-group.py', { before: definesRoute });
    expect(exitCode).toBe(0);
    expect(lines[0]).toBe('200');
    expect(lines[1]).toContain("'name': 'marketing team'");
    expect(lines.slice(2)).toEqual(['201', "{'status': 'ok'}"]);
    expect(await members()).toEqual(['john@doe.com']);
  });

  it('35 lists the users of the group', async () => {
    const { lines } = await run('35-list-group-users.py', { values: { [DOC_GROUP_UUID]: group.uuid } });
    expect(lines[0]).toBe('200');
    expect(lines[1]).toContain("'username': 'john@doe.com'");
    expect(lines[2]).toBe('john@doe.com');
  });

  it('38 removes the user from the group (204; the last line, r2.json() of a 204, fails)', async () => {
    const { exitCode, lines, stderr } = await run('38-remove-user-from-group.py', { before: definesRoute });
    expect(lines[0]).toBe('200');
    expect(lines.slice(2)).toEqual(['204']);
    // A 204 carries no body (HTTP says so): the doc's `print(r2.json())` has nothing to decode.
    expect(exitCode).toBe(1);
    expect(stderr).toContain('JSONDecodeError');
    expect(await members()).toEqual([]);
  });

  it('39 deletes the group (204)', async () => {
    const { lines } = await run('39-delete-group.py', {
      values: { USERSGROUP_UUID: group.uuid },
      after: SHOW_RESULT,
    });
    expect(lines[0]).toBe('204');
    expect((await nativeList('/api/groups')).map((g) => g.name)).not.toContain('marketing team');
  });

  it('33 deletes the user (204)', async () => {
    const { lines } = await run('33-delete-user.py', { values: { USER_UUID: john.uuid } });
    expect(lines).toEqual(['204']);
    expect(await nativeUser('john@doe.com')).toBeUndefined();
  });
});
