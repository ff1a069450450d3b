import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 120_000);
afterAll(() => app?.close());

describe('user', () => {
  it('creates (201, then 400 when it exists), lists, gets by uuid and by name, updates and deletes (204)', async () => {
    const data = { username: 'john@doe.com', password: 'myStrongPassword', category: 'viewer' };
    const created = await seren(app, 'POST', '/api/user', data);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'john@doe.com',
      category: 'viewer',
      uuid: expect.any(String),
    });
    expect((await seren(app, 'POST', '/api/user', data)).status).toBe(400);

    const list = await seren(app, 'GET', '/api/user');
    expect(list.body.objects.map((u: { username: string }) => u.username)).toContain('john@doe.com');
    const route = `/api/user/${created.body.uuid}`;
    expect((await seren(app, 'GET', route)).body.username).toBe('john@doe.com');
    const r1 = await seren(app, 'GET', `/api/user/byname?username=${encodeURIComponent('john@doe.com')}`);
    expect(r1.status).toBe(200);
    expect(r1.body.uuid).toBe(created.body.uuid);

    const r2 = await seren(app, 'PUT', `/api/user/${r1.body.uuid}`, {
      category: 'studio',
      login_metadata: { business_unit: 'france' },
    });
    expect(r2.status).toBe(200);
    expect(r2.body).toMatchObject({ category: 'studio', login_metadata: { business_unit: 'france' } });
    expect((await seren(app, 'PUT', route, { category: 'wizard' })).status).toBe(400);

    expect((await seren(app, 'DELETE', route)).status).toBe(204);
  });

  it('answers 403 to a viewer creating users', async () => {
    const viewer = await seren(app, 'POST', '/api/user', {
      username: 'v@x.com',
      password: 'longEnoughPassword',
      category: 'viewer',
    });
    const key = await app.request('POST', '/api/api-keys', {
      name: 'v',
      userId: await userId(viewer.body.uuid),
    });
    const answer = await seren(
      app,
      'POST',
      '/api/user',
      { username: 'w@x.com', category: 'admin' },
      { key: key.body.key },
    );
    expect(answer.status).toBe(403);
    expect(answer.body.status).toBe('error');
  });
});

async function userId(uuid: string): Promise<number> {
  const users = await app.request('GET', '/api/users');
  return users.body.items.find((u: { uuid: string }) => u.uuid === uuid).id;
}

describe('usersgroup', () => {
  it('creates, finds by name, adds (201, then 400) and removes (204, then 400) members, deletes (204)', async () => {
    await seren(app, 'POST', '/api/user', {
      username: 'ann@doe.com',
      password: 'myStrongPassword',
      category: 'viewer',
    });
    const created = await seren(app, 'POST', '/api/usersgroup', { name: 'marketing team' });
    expect(created.status).toBe(201);
    const list = await seren(app, 'GET', '/api/usersgroup');
    expect(list.body.objects.map((g: { name: string }) => g.name)).toContain('marketing team');

    const r1 = await seren(app, 'GET', `/api/usersgroup/byname?name=${encodeURIComponent('marketing team')}`);
    expect(r1.status).toBe(200);
    const groupUuid = r1.body.uuid;
    const add = `/api/usersgroup/${groupUuid}/adduser`;
    expect((await seren(app, 'POST', add, { username_to_add: 'ann@doe.com' })).status).toBe(201);
    const again = await seren(app, 'POST', add, { username_to_add: 'ann@doe.com' });
    expect(again.status).toBe(400);
    expect(again.body.errors[0]).toMatch(/already/);

    const members = await seren(app, 'GET', `/api/usersgroup/${groupUuid}/list_of_users`);
    expect(members.body.objects.map((u: { username: string }) => u.username)).toEqual(['ann@doe.com']);
    const group = await seren(app, 'GET', `/api/usersgroup/${groupUuid}`);
    expect(group.body.objects.map((u: { username: string }) => u.username)).toEqual(['ann@doe.com']);

    const remove = `/api/usersgroup/${groupUuid}/removeuser`;
    expect((await seren(app, 'POST', remove, { username_to_remove: 'ann@doe.com' })).status).toBe(204);
    expect((await seren(app, 'POST', remove, { username_to_remove: 'ann@doe.com' })).status).toBe(400);
    expect((await seren(app, 'DELETE', `/api/usersgroup/${groupUuid}`)).status).toBe(204);
  });
});

describe('login_metadata filters rows', () => {
  it('lets a user read only the rows their metadata allows', async () => {
    const source = await seren(app, 'POST', '/api/data_source', {
      name: 'by_unit',
      type: 'Storage',
      jsonContent: {},
    });
    await seren(app, 'POST', `/api/data_source/${source.body.uuid}/reload`, [
      { business_unit: 'france', amount: 1 },
      { business_unit: 'uk', amount: 10 },
      { business_unit: 'france', amount: 100 },
    ]);
    const sources = await app.request('GET', '/api/data-sources');
    const id = sources.body.items.find((s: { uuid: string }) => s.uuid === source.body.uuid).id;
    const patched = await app.request('PATCH', `/api/data-sources/${id}`, {
      policies: [{ field: 'business_unit', attribute: 'business_unit' }],
    });
    expect(patched.status).toBe(200);

    const viewer = await seren(app, 'POST', '/api/user', {
      username: 'fr@doe.com',
      password: 'myStrongPassword',
      category: 'viewer',
    });
    await seren(app, 'PUT', `/api/user/${viewer.body.uuid}`, { login_metadata: { business_unit: 'france' } });
    const key = await app.request('POST', '/api/api-keys', {
      name: 'fr',
      userId: await userId(viewer.body.uuid),
    });
    const options = {
      order: 'row_by_row',
      data_processing_pipeline: [{ select: [{ name: 'amount', agg_function: 'sum' }] }],
    };
    const query = () =>
      seren(app, 'POST', `/api/formatted_data/${source.body.uuid}`, options, { key: key.body.key });
    // formatted_data is an ad-hoc query: a viewer sees dashboards, an interactive viewer queries.
    expect((await query()).status).toBe(403);
    await app.request('PATCH', `/api/users/${await userId(viewer.body.uuid)}`, {
      role: 'interactive_viewer',
    });
    expect((await query()).body.data).toEqual([[101]]);
    const raw = await seren(
      app,
      'POST',
      `/api/formatted_data/${source.body.uuid}`,
      {
        order: 'row_by_row',
        data_processing_pipeline: [{ select: ['business_unit', 'amount'] }],
      },
      { key: key.body.key },
    );
    expect(raw.body.data.every((row: unknown[]) => row[0] === 'france')).toBe(true);
    const asAdmin = await seren(app, 'POST', `/api/formatted_data/${source.body.uuid}`, options);
    expect(asAdmin.body.data).toEqual([[111]]);
    // Nor write rows.
    const write = await seren(
      app,
      'POST',
      `/api/data_source/${source.body.uuid}/reload`,
      [{ business_unit: 'uk', amount: 5 }],
      { key: key.body.key },
    );
    expect(write.status).toBe(403);
  });
});

describe('reload_users_metadata', () => {
  it('stores the columns of a login table as user metadata', async () => {
    await seren(app, 'POST', '/api/user', {
      username: 'meta@doe.com',
      password: 'myStrongPassword',
      category: 'viewer',
    });
    const source = await seren(app, 'POST', '/api/data_source', {
      name: 'users_meta',
      type: 'Storage',
      jsonContent: {},
    });
    await seren(app, 'POST', `/api/data_source/${source.body.uuid}/reload`, [
      { login: 'meta@doe.com', region: 'north', level: 3 },
    ]);
    const answer = await seren(app, 'POST', `/api/data_source/${source.body.uuid}/reload_users_metadata`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
    const user = await seren(app, 'GET', `/api/user/byname?username=${encodeURIComponent('meta@doe.com')}`);
    expect(user.body.login_metadata).toEqual({ region: 'north', level: '3' });

    const noLogin = await seren(app, 'POST', '/api/data_source', {
      name: 'no_login',
      type: 'Storage',
      jsonContent: {},
    });
    await seren(app, 'POST', `/api/data_source/${noLogin.body.uuid}/reload`, [{ user: 'x' }]);
    expect(
      (await seren(app, 'POST', `/api/data_source/${noLogin.body.uuid}/reload_users_metadata`)).status,
    ).toBe(400);
  });
});
