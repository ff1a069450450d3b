import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * Content management over HTTP: a share list restricts a dashboard to the listed (and every
 * viewer path follows), personal space, and the trash (restore, purge, expiry) of dashboards,
 * data sources and connections. Numbers after a restore are checked against the warehouse.
 */
let app: TestApp;
let inGroup: { id: number; token: string };
let outside: { id: number; token: string };
let developer: { id: number; token: string };
let groupId: number;
let source: { id: number; uuid: string };

async function user(email: string, role: string) {
  const password = `${role} password 123`;
  const created = await app.request('POST', '/api/users', { email, role, password });
  const login = await app.request('POST', '/api/auth/login', { email, password }, { token: '' });
  return { id: created.body.id as number, token: login.body.token as string };
}

const totals = { source: '', metrics: [{ field: 'amount', aggregation: 'sum' }] };
const dashboardBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  widgets: [
    {
      id: 'total',
      title: 'Total',
      query: { ...totals, source: source.uuid },
      visualization: { type: 'kpi' },
    },
  ],
  filters: [{ id: 'country', field: 'country', type: 'values' }],
  ...extra,
});
const as = (token: string) => ({ token });

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  inGroup = await user('in-group@example.com', 'viewer');
  outside = await user('outside@example.com', 'viewer');
  developer = await user('developer@example.com', 'developer');
  groupId = (await app.request('POST', '/api/groups', { name: 'Team A' })).body.id;
  await app.request('POST', `/api/groups/${groupId}/members`, { userId: inGroup.id });
  source = (
    await app.request('POST', '/api/data-sources', {
      name: 'orders',
      type: 'storage',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'country', type: 'string' },
        { name: 'amount', type: 'integer' },
      ],
      primaryKey: ['id'],
    })
  ).body;
  await app.request('POST', `/api/data-sources/${source.id}/rows`, {
    mode: 'insert',
    rows: [
      { id: 1, country: 'France', amount: 10 },
      { id: 2, country: 'Spain', amount: 32 },
    ],
  });
}, 120_000);
afterAll(() => app?.close());

describe('sharing with a group restricts', () => {
  it('shows a dashboard shared with group A to its members only, on every viewer path', async () => {
    const dashboard = (await app.request('POST', '/api/dashboards', dashboardBody('Team A only'))).body;
    expect(
      (await app.request('GET', `/api/dashboards/${dashboard.id}`, undefined, as(outside.token))).status,
    ).toBe(200);
    const shared = await app.request('PUT', `/api/dashboards/${dashboard.id}/shares`, {
      shares: [{ subject: 'group', id: groupId, level: 'view' }],
    });
    expect(shared.status).toBe(200);

    const listed = await app.request('GET', '/api/dashboards', undefined, as(inGroup.token));
    expect(listed.body.items.map((d: { id: number }) => d.id)).toContain(dashboard.id);
    const result = await app.request(
      'POST',
      `/api/dashboards/${dashboard.id}/widgets/total/results`,
      {},
      as(inGroup.token),
    );
    expect(result.status).toBe(200);
    expect(Number(result.body.rows[0][0])).toBe(42);

    const hidden = await app.request('GET', '/api/dashboards', undefined, as(outside.token));
    expect(hidden.body.items.map((d: { id: number }) => d.id)).not.toContain(dashboard.id);
    for (const [method, url, body] of [
      ['GET', `/api/dashboards/${dashboard.id}`, undefined],
      ['POST', `/api/dashboards/${dashboard.id}/widgets/total/results`, {}],
      ['GET', `/api/dashboards/${dashboard.id}/filters/country/values`, undefined],
    ] as const) {
      const answer = await app.request(method, url, body, as(outside.token));
      expect([url, answer.status]).toEqual([url, 404]);
    }
    const exported = await app.request(
      'POST',
      '/api/exports',
      { dashboard: dashboard.id, format: 'xlsx' },
      as(outside.token),
    );
    expect(exported.status).toBe(404);
  });
});

describe('personal space', () => {
  it('keeps personal content to its owner and admins until it is shared or filed', async () => {
    const editor = await user('editor@example.com', 'editor');
    const created = await app.request(
      'POST',
      '/api/dashboards',
      { name: 'Draft', personal: true },
      as(editor.token),
    );
    expect(created.body).toMatchObject({ personal: true, folderId: null });
    expect(
      (await app.request('GET', `/api/dashboards/${created.body.id}`, undefined, as(outside.token))).status,
    ).toBe(404);
    expect((await app.request('GET', `/api/dashboards/${created.body.id}`)).status).toBe(200);
    const folder = (await app.request('POST', '/api/folders', { name: 'Shared' })).body;
    const bad = await app.request(
      'POST',
      '/api/dashboards',
      { name: 'x', personal: true, folderId: folder.id },
      as(editor.token),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('personal');
    const moved = await app.request(
      'PATCH',
      `/api/dashboards/${created.body.id}`,
      { folderId: folder.id },
      as(editor.token),
    );
    expect(moved.body).toMatchObject({ personal: false, folderId: folder.id });
    expect(
      (await app.request('GET', `/api/dashboards/${created.body.id}`, undefined, as(outside.token))).status,
    ).toBe(200);
    const back = await app.request(
      'PATCH',
      `/api/dashboards/${created.body.id}`,
      { personal: true },
      as(editor.token),
    );
    expect(back.body).toMatchObject({ personal: true, folderId: null });
    expect(
      (await app.request('GET', `/api/dashboards/${created.body.id}`, undefined, as(outside.token))).status,
    ).toBe(404);
    // Without `personal`, the API's default stays: shared at the top level.
    const open = await app.request('POST', '/api/dashboards', { name: 'Open' }, as(editor.token));
    expect(open.body.personal).toBe(false);
  });
});

describe('the trash', () => {
  it('trashes, lists, restores and purges a dashboard, with audit entries', async () => {
    const dashboard = (await app.request('POST', '/api/dashboards', dashboardBody('Old report'))).body;
    expect((await app.request('DELETE', `/api/dashboards/${dashboard.id}`)).status).toBe(204);
    expect((await app.request('GET', `/api/dashboards/${dashboard.id}`)).status).toBe(404);
    expect(
      (await app.request('POST', `/api/dashboards/${dashboard.id}/widgets/total/results`, {})).status,
    ).toBe(404);
    const listed = (await app.request('GET', '/api/dashboards')).body.items;
    expect(listed.map((d: { id: number }) => d.id)).not.toContain(dashboard.id);
    const trash = (await app.request('GET', '/api/trash')).body.items;
    expect(trash[0]).toMatchObject({ kind: 'dashboard', id: dashboard.id, name: 'Old report' });
    // Another editor did not delete it and does not own it.
    const editor = await user('other-editor@example.com', 'editor');
    expect((await app.request('GET', '/api/trash', undefined, as(editor.token))).body.items).toEqual([]);
    expect(
      (await app.request('POST', `/api/trash/dashboard/${dashboard.id}/restore`, undefined, as(editor.token)))
        .status,
    ).toBe(404);
    expect((await app.request('GET', '/api/trash', undefined, as(outside.token))).status).toBe(403);

    expect((await app.request('POST', `/api/trash/dashboard/${dashboard.id}/restore`)).status).toBe(204);
    const back = await app.request('POST', `/api/dashboards/${dashboard.id}/widgets/total/results`, {});
    expect(Number(back.body.rows[0][0])).toBe(42);

    await app.request('DELETE', `/api/dashboards/${dashboard.id}`);
    expect((await app.request('DELETE', `/api/trash/dashboard/${dashboard.id}`)).status).toBe(204);
    expect(
      (await app.request('GET', '/api/trash')).body.items.map((i: { id: number }) => i.id),
    ).not.toContain(dashboard.id);
    expect((await app.request('POST', `/api/trash/dashboard/${dashboard.id}/restore`)).status).toBe(404);
    const audit = (await app.request('GET', '/api/audit?limit=20')).body.items.map(
      (e: { action: string }) => e.action,
    );
    expect(audit).toEqual(
      expect.arrayContaining(['dashboard.trash', 'dashboard.restore', 'dashboard.purge']),
    );
  });

  it('answers 400 naming the field for an unknown kind or a bad id', async () => {
    const kind = await app.request('POST', '/api/trash/folder/1/restore');
    expect([kind.status, kind.body.error.field]).toEqual([400, 'kind']);
    const id = await app.request('DELETE', '/api/trash/dashboard/abc');
    expect([id.status, id.body.error.field]).toEqual([400, 'id']);
  });

  it('keeps a trashed data source’s table until purged; queries on it are 404 meanwhile', async () => {
    const table = `storage.ds_${source.id}`;
    const count = async () =>
      (await app.request('POST', '/api/connections/1/sql', { sql: `SELECT count(*) FROM ${table}` })).body;
    expect(
      (await app.request('DELETE', `/api/data-sources/${source.id}`, undefined, as(developer.token))).status,
    ).toBe(204);
    expect((await app.request('GET', `/api/data-sources/${source.id}`)).status).toBe(404);
    expect((await app.request('POST', '/api/query', { ...totals, source: source.uuid })).status).toBe(404);
    expect(Number((await count()).rows[0][0])).toBe(2);
    const mine = (await app.request('GET', '/api/trash', undefined, as(developer.token))).body.items;
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'data_source', id: source.id, deletedBy: developer.id }),
    ]);
    await app.request('POST', `/api/trash/data_source/${source.id}/restore`, undefined, as(developer.token));
    const rerun = await app.request('POST', '/api/query', { ...totals, source: source.uuid });
    expect(Number(rerun.body.rows[0][0])).toBe(42);

    const doomed = (
      await app.request('POST', '/api/data-sources', {
        name: 'doomed',
        type: 'storage',
        columns: [{ name: 'id', type: 'integer' }],
      })
    ).body;
    await app.request('DELETE', `/api/data-sources/${doomed.id}`);
    expect((await app.request('DELETE', `/api/trash/data_source/${doomed.id}`)).status).toBe(204);
    const gone = await app.request('POST', '/api/connections/1/sql', {
      sql: `SELECT * FROM storage.ds_${doomed.id}`,
    });
    expect(gone.status).toBe(400);
  });

  it('renames and moves a data source between data-source folders', async () => {
    const folder = (await app.request('POST', '/api/folders', { name: 'Sales data', kind: 'data_source' }))
      .body;
    const moved = await app.request('PATCH', `/api/data-sources/${source.id}`, {
      name: 'orders 2027',
      folderId: folder.id,
    });
    expect(moved.body.name).toBe('orders 2027');
    const filed = (await app.request('GET', `/api/folders/${folder.id}`)).body;
    expect(filed.id).toBe(folder.id);
    const placements = await app.rosetta.services.content.folders.placements(
      await app.rosetta.services.auth.authenticate(developer.token),
      'data_source',
    );
    expect(placements.get(source.uuid)).toBe(folder.uuid);
    const wrongKind = (await app.request('POST', '/api/folders', { name: 'Boards' })).body;
    const refused = await app.request('PATCH', `/api/data-sources/${source.id}`, { folderId: wrongKind.id });
    expect([refused.status, refused.body.error.field]).toEqual([400, 'folderId']);
  });

  it('trashes and restores a connection; a source cannot come back before its connection', async () => {
    const connection = (
      await app.request('POST', '/api/connections', { name: 'Side', type: 'duckdb', file: 'side.duckdb' })
    ).body;
    await app.request('POST', `/api/connections/${connection.id}/sql`, { sql: 'SELECT 1' });
    expect((await app.request('DELETE', `/api/connections/${connection.id}`)).status).toBe(204);
    expect((await app.request('GET', `/api/connections/${connection.id}`)).status).toBe(404);
    expect(
      (await app.request('POST', `/api/connections/${connection.id}/sql`, { sql: 'SELECT 1' })).status,
    ).toBe(404);
    const trash = (await app.request('GET', '/api/trash')).body.items;
    expect(trash).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'connection', id: connection.id })]),
    );
    expect((await app.request('POST', `/api/trash/connection/${connection.id}/restore`)).status).toBe(204);
    expect((await app.request('GET', `/api/connections/${connection.id}`)).status).toBe(200);
  });

  it('purges what has been in the trash for more than 30 days', async () => {
    const old = (await app.request('POST', '/api/dashboards', { name: 'Ancient' })).body;
    const recent = (await app.request('POST', '/api/dashboards', { name: 'Recent' })).body;
    await app.request('DELETE', `/api/dashboards/${old.id}`);
    await app.request('DELETE', `/api/dashboards/${recent.id}`);
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString();
    await app.rosetta.store.db
      .updateTable('dashboards')
      .set({ deleted_at: longAgo })
      .where('id', '=', old.id)
      .execute();
    expect(await app.rosetta.services.trash.purgeExpired()).toBe(1);
    const ids = (await app.request('GET', '/api/trash')).body.items.map((i: { id: number }) => i.id);
    expect(ids).toContain(recent.id);
    expect(ids).not.toContain(old.id);
  });
});
