import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { createTempPostgres } from './support/databases.ts';

/**
 * Access lists on data sources and models (who may query them), over HTTP on the real app: a
 * source or model with a list is a 404 to whoever is not on it (directly, through a group, or as an
 * admin), on every reading path; a dashboard still grants its widgets' data to its readers.
 */

const count = { metrics: [{ aggregation: 'count' }] };

async function signIn(app: TestApp, email: string, role: string): Promise<{ id: number; token: string }> {
  const password = `${email} password 1`;
  const user = await app.request('POST', '/api/users', { email, role, password });
  expect(user.status).toBe(201);
  const login = await app.request('POST', '/api/auth/login', { email, password }, { token: '' });
  return { id: user.body.id, token: login.body.token };
}

async function checkAccessLists(app: TestApp): Promise<void> {
  const source = (
    await app.request('POST', '/api/data-sources', {
      name: 'salaries',
      type: 'storage',
      columns: [
        { name: 'name', type: 'string' },
        { name: 'pay', type: 'integer' },
      ],
    })
  ).body;
  await app.request('POST', `/api/data-sources/${source.id}/rows`, {
    mode: 'insert',
    rows: [
      { name: 'a', pay: 1 },
      { name: 'b', pay: 2 },
    ],
  });
  const model = (
    await app.request('POST', '/api/models', {
      name: 'payroll',
      connectionId: source.connectionId,
      baseTable: 's',
      tables: [{ name: 's', dataSource: source.uuid }],
      dimensions: [{ name: 'name', table: 's', column: 'name' }],
      metrics: [{ name: 'total', table: 's', aggregation: 'sum', column: 'pay' }],
    })
  ).body;
  expect(model.access).toEqual([]);
  const dashboard = (
    await app.request('POST', '/api/dashboards', {
      name: 'Pay',
      widgets: [{ id: 'n', query: { source: source.uuid, ...count }, visualization: { type: 'kpi' } }],
    })
  ).body;

  const listed = await signIn(app, 'listed@access.test', 'interactive_viewer');
  const grouped = await signIn(app, 'grouped@access.test', 'interactive_viewer');
  const outsider = await signIn(app, 'outsider@access.test', 'interactive_viewer');
  const developer = await signIn(app, 'developer@access.test', 'developer');
  const group = (await app.request('POST', '/api/groups', { name: 'Payroll' })).body;
  await app.request('POST', `/api/groups/${group.id}/members`, { userId: grouped.id });

  const query = (who: { token: string } | undefined, on: string) =>
    app.request('POST', '/api/query', { source: on, ...count }, who && { token: who.token });

  // Without a list, everyone of the organization queries it, as before lists existed.
  expect((await query(outsider, source.uuid)).status).toBe(200);

  const set = await app.request('PUT', `/api/data-sources/${source.id}/access`, {
    access: [
      { subject: 'user', id: listed.id, level: 'query' },
      { subject: 'group', id: group.id, level: 'query' },
      { subject: 'user', id: developer.id, level: 'query' },
    ],
  });
  expect(set.status).toBe(200);
  expect(set.body.access).toHaveLength(3);
  expect((await app.request('GET', `/api/data-sources/${source.id}`)).body.access).toEqual(set.body.access);

  // Off the list: not found everywhere, and absent from the lists.
  for (const url of [
    `/api/data-sources/${source.id}`,
    `/api/data-sources/${source.uuid}/columns`,
    `/api/data-sources/${source.id}/preview`,
    `/api/models/${model.id}`,
  ]) {
    const answer = await app.request('GET', url, undefined, { token: outsider.token });
    expect([url, answer.status]).toEqual([url, 404]);
  }
  expect((await query(outsider, source.uuid)).status).toBe(404);
  // A model reading a restricted source is refused too.
  expect((await query(outsider, 'payroll')).status).toBe(404);
  const sources = await app.request('GET', '/api/data-sources', undefined, { token: outsider.token });
  expect(sources.body.items.map((s: { id: number }) => s.id)).not.toContain(source.id);
  const models = await app.request('GET', '/api/models', undefined, { token: outsider.token });
  expect(models.body.items.map((m: { id: number }) => m.id)).not.toContain(model.id);

  // On the list directly, through a group, or an admin: queries as before.
  for (const who of [listed, grouped, undefined]) {
    expect((await query(who, source.uuid)).body.rows).toEqual([[2]]);
    expect((await query(who, 'payroll')).status).toBe(200);
    const preview = await app.request('GET', `/api/data-sources/${source.id}/preview`, undefined, who);
    expect(preview.status).toBe(200);
    const list = await app.request('GET', '/api/data-sources', undefined, who);
    expect(list.body.items.map((s: { id: number }) => s.id)).toContain(source.id);
  }

  // A data-API key is judged as its owner, as the owner is now: an admin's key reads a listed
  // source in its scope although the key's own role is capped, and stops when the admin is demoted.
  const keyOf = async (who: { token: string }) =>
    (
      await app.request(
        'POST',
        '/api/api-keys',
        { name: 'partner', dataSourceIds: [source.id] },
        { token: who.token },
      )
    ).body.key as string;
  expect((await query({ token: await keyOf(listed) }, source.uuid)).status).toBe(200);
  expect((await query({ token: await keyOf(outsider) }, source.uuid)).status).toBe(404);
  const boss = await signIn(app, 'boss@access.test', 'admin');
  const bossKey = { token: await keyOf(boss) };
  expect((await query(bossKey, source.uuid)).body.rows).toEqual([[2]]);
  const bossList = await app.request('GET', '/api/data-sources', undefined, bossKey);
  expect(bossList.body.items.map((s: { id: number }) => s.id)).toEqual([source.id]);
  expect(
    (await app.request('GET', `/api/data-sources/${source.id}/preview`, undefined, bossKey)).status,
  ).toBe(200);
  // A job the key queues runs as the owner now, within the key: judged alike.
  const job = await app.request('POST', '/api/query/jobs', { source: source.uuid, ...count }, bossKey);
  expect(job.status, JSON.stringify(job.body)).toBe(202);
  let ran = await app.request('GET', `/api/query/jobs/${job.body.id}`, undefined, bossKey);
  for (let tries = 0; ['queued', 'running'].includes(ran.body.status) && tries < 200; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    ran = await app.request('GET', `/api/query/jobs/${job.body.id}`, undefined, bossKey);
  }
  expect([ran.body.status, ran.body.rows]).toEqual(['success', [[2]]]);
  expect((await app.request('PATCH', `/api/users/${boss.id}`, { role: 'editor' })).status).toBe(200);
  expect((await query(bossKey, source.uuid)).status).toBe(404);

  // The dashboard grants its widget's data to its readers, whatever the source's list.
  const widget = await app.request(
    'POST',
    `/api/dashboards/${dashboard.id}/widgets/n/results`,
    {},
    { token: outsider.token },
  );
  expect(widget.status).toBe(200);
  expect(widget.body.rows).toEqual([[2]]);

  // A model's own list narrows it further; `query` on a list is no right to change it.
  const narrowed = await app.request('PUT', `/api/models/${model.id}/access`, {
    access: [{ subject: 'user', id: listed.id, level: 'query' }],
  });
  expect(narrowed.body.access).toEqual([{ subject: 'user', id: listed.id, level: 'query' }]);
  expect((await query(grouped, 'payroll')).status).toBe(404);
  expect((await query(listed, 'payroll')).status).toBe(200);
  const rename = () =>
    app.request('PATCH', `/api/data-sources/${source.id}`, { name: 'pay' }, { token: developer.token });
  expect((await rename()).status).toBe(403);
  expect(
    (
      await app.request(
        'PUT',
        `/api/data-sources/${source.id}/access`,
        { access: [] },
        { token: developer.token },
      )
    ).status,
  ).toBe(403);
  await app.request('PUT', `/api/data-sources/${source.id}/access`, {
    access: [{ subject: 'user', id: developer.id, level: 'edit' }],
  });
  expect((await rename()).status).toBe(200);
  // A developer cannot build a model over a source kept from them.
  const cleared = await app.request(
    'PUT',
    `/api/data-sources/${source.id}/access`,
    { access: [{ subject: 'user', id: listed.id, level: 'query' }] },
    { token: developer.token },
  );
  expect(cleared.status).toBe(200);
  const sneaky = await app.request(
    'POST',
    '/api/models',
    {
      name: 'sneaky',
      connectionId: source.connectionId,
      baseTable: 's',
      tables: [{ name: 's', dataSource: source.uuid }],
    },
    { token: developer.token },
  );
  expect(sneaky.status).toBe(400);
  expect(sneaky.body.error.message).toBe(`tables[0].dataSource: unknown data source "${source.uuid}"`);

  // Unknown subjects are refused; an empty list opens it to the organization again.
  const unknown = await app.request('PUT', `/api/data-sources/${source.id}/access`, {
    access: [{ subject: 'group', id: 999_999, level: 'query' }],
  });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.message).toBe('access[0].id: no group 999999 in the organization');
  await app.request('PUT', `/api/data-sources/${source.id}/access`, { access: [] });
  expect((await query(outsider, source.uuid)).status).toBe(200);
}

describe('access lists on data sources and models', () => {
  let app: TestApp | undefined;
  afterAll(() => app?.close());

  it('keeps a listed source and the models over it to the listed (SQLite metadata)', async () => {
    app = await startTestApp({ demo: false });
    await checkAccessLists(app);
  }, 120_000);
});

describe('access lists with PostgreSQL metadata', async () => {
  const database = await createTempPostgres('rosetta_access');
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it.skipIf(!database.available)(
    'behave the same',
    async () => {
      app = await startTestApp({ databaseUrl: database.url, demo: false });
      await checkAccessLists(app);
    },
    120_000,
  );
});
