import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { demoDashboard } from './support/exports.ts';

/**
 * The paging contract of native lists (`limit`, `after` → `items`, `next`), route by route on the
 * real app: pages walk the whole list in id order, a cursor survives items added meanwhile, bad
 * input is a 400 naming the field, and a caller's pages hold only what they may see, full up to the
 * last one.
 */

interface Caller {
  id: number;
  token: string;
}

let app: TestApp;
const ids = (body: { items: { id: number }[] }) => body.items.map((item) => item.id);

async function signIn(email: string, role: string): Promise<Caller> {
  const password = `${email} password 1`;
  const user = await app.request('POST', '/api/users', { email, role, password });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const login = await app.request('POST', '/api/auth/login', { email, password }, { token: '' });
  return { id: user.body.id, token: login.body.token };
}

async function create(path: string, body: unknown, token?: string): Promise<number> {
  const created = await app.request('POST', path, body, token === undefined ? undefined : { token });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { id } = created.body.schedule ?? created.body.alert ?? created.body;
  return id;
}

/** Walks every page of `path` with `limit`, checking each but the last is full. */
async function walk(path: string, limit: number, token?: string, from?: string): Promise<number[]> {
  const seen: number[] = [];
  let after: string | null = from ?? null;
  do {
    const cursor: string = after === null ? '' : `&after=${after}`;
    const page = await app.request(
      'GET',
      `${path}?limit=${limit}${cursor}`,
      undefined,
      token ? { token } : {},
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    after = page.body.next;
    if (after !== null) expect(page.body.items).toHaveLength(limit);
    seen.push(...ids(page.body));
  } while (after !== null);
  return seen;
}

const whole = async (path: string, token?: string) => {
  const list = await app.request('GET', path, undefined, token ? { token } : {});
  expect(list.status).toBe(200);
  expect(list.body).not.toHaveProperty('next');
  return ids(list.body);
};
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

/**
 * The contract on one list: `hidden` are items the `viewer` may not see, `more` adds an item
 * between two pages.
 */
async function checkList(path: string, viewer: Caller, hidden: number[], more: () => Promise<number>) {
  const all = await whole(path);
  expect(all.length).toBeGreaterThanOrEqual(4);
  expect(await walk(path, 2)).toEqual(sorted(all));
  expect(await walk(path, 1000)).toEqual(sorted(all));

  const first = await app.request('GET', `${path}?limit=2`);
  expect(ids(first.body)).toEqual(sorted(all).slice(0, 2));
  const added = await more();
  const rest = await walk(path, 2, undefined, first.body.next);
  expect([...ids(first.body), ...rest]).toEqual(sorted([...all, added]));
  const byDefault = await app.request('GET', `${path}?after=${first.body.next}`);
  expect(byDefault.body).toEqual({ items: expect.any(Array), next: null });
  expect(ids(byDefault.body)).toEqual(rest);

  const visible = await whole(path, viewer.token);
  for (const id of hidden) expect(visible).not.toContain(id);
  expect(await walk(path, 1, viewer.token)).toEqual(sorted(visible));

  for (const query of [
    'limit=0',
    'limit=1001',
    'limit=x',
    'limit=2&after=bm90LWEtY3Vyc29y',
    'after=%21%21',
  ]) {
    const refused = await app.request('GET', `${path}?${query}`);
    expect(refused.status, query).toBe(400);
    expect(refused.body.error.field, query).toBe(query.includes('after') ? 'after' : 'limit');
  }
}

describe('paged native lists', () => {
  let viewer: Caller;
  let editor: Caller;
  let source: { id: number; uuid: string; connectionId: number };
  let dashboard: { id: number };
  let n = 0;
  const name = (what: string) => `${what} ${++n}`;

  beforeAll(async () => {
    app = await startTestApp();
    viewer = await signIn('viewer@paging.test', 'viewer');
    editor = await signIn('editor@paging.test', 'editor');
    source = (
      await app.request('POST', '/api/data-sources', {
        name: 'paged',
        type: 'storage',
        columns: [{ name: 'amount', type: 'integer' }],
      })
    ).body;
    dashboard = await demoDashboard(app);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('pages dashboards, hiding personal ones of others', async () => {
    const body = () => ({ name: name('board') });
    for (let i = 0; i < 4; i++) await create('/api/dashboards', body());
    const personal = await create('/api/dashboards', { ...body(), personal: true });
    await checkList('/api/dashboards', viewer, [personal], () => create('/api/dashboards', body()));
  });

  it('pages charts, hiding personal ones of others', async () => {
    const body = () => ({
      name: name('chart'),
      query: { source: source.uuid, metrics: [{ aggregation: 'count' }] },
      visualization: { type: 'kpi' },
    });
    for (let i = 0; i < 4; i++) await create('/api/charts', body());
    const personal = await create('/api/charts', { ...body(), personal: true });
    await checkList('/api/charts', viewer, [personal], () => create('/api/charts', body()));
  });

  it('pages flat folders, hiding restricted ones, and refuses to page the tree', async () => {
    const body = () => ({ name: name('folder') });
    for (let i = 0; i < 4; i++) await create('/api/folders', body());
    const restricted = await create('/api/folders', {
      ...body(),
      access: [{ subject: 'user', id: editor.id, level: 'view' }],
    });
    await checkList('/api/folders', viewer, [restricted], () => create('/api/folders', body()));
    const tree = await app.request('GET', '/api/folders?format=tree&limit=2');
    expect(tree.status).toBe(400);
    expect(tree.body.error.field).toBe('format');
  });

  it('pages data sources and models, hiding those whose access list leaves the caller out', async () => {
    const sourceBody = () => ({
      name: name('source'),
      type: 'storage',
      columns: [{ name: 'a', type: 'string' }],
    });
    for (let i = 0; i < 3; i++) await create('/api/data-sources', sourceBody());
    const closedSource = await create('/api/data-sources', sourceBody());
    const only = { access: [{ subject: 'user', id: editor.id, level: 'query' }] };
    expect((await app.request('PUT', `/api/data-sources/${closedSource}/access`, only)).status).toBe(200);
    await checkList('/api/data-sources', viewer, [closedSource], () =>
      create('/api/data-sources', sourceBody()),
    );

    const modelBody = () => ({
      name: name('model'),
      connectionId: source.connectionId,
      baseTable: 's',
      tables: [{ name: 's', dataSource: source.uuid }],
      dimensions: [{ name: 'amount', table: 's', column: 'amount' }],
    });
    for (let i = 0; i < 4; i++) await create('/api/models', modelBody());
    const closedModel = await create('/api/models', modelBody());
    expect((await app.request('PUT', `/api/models/${closedModel}/access`, only)).status).toBe(200);
    await checkList('/api/models', viewer, [closedModel], () => create('/api/models', modelBody()));
  });

  it('pages groups', async () => {
    const body = () => ({ name: name('group') });
    for (let i = 0; i < 4; i++) await create('/api/groups', body());
    await checkList('/api/groups', viewer, [], () => create('/api/groups', body()));
  });

  it("pages schedules and alerts, an editor's holding only their own", async () => {
    const target = { widget: { dashboard: dashboard.id, widget: 'revenue-by-country' } };
    const scheduleBody = () => ({
      name: name('schedule'),
      cron: '0 8 * * 1',
      target,
      format: 'csv',
      destination: { type: 'email', recipients: ['team@paging.test'] },
    });
    const alertBody = () => ({
      ...scheduleBody(),
      conditions: [{ field: 'revenue', aggregation: 'first', operator: 'greater_than', values: [1] }],
    });
    for (const [path, body] of [
      ['/api/schedules', scheduleBody],
      ['/api/alerts', alertBody],
    ] as const) {
      for (let i = 0; i < 3; i++) await create(path, body());
      const own = await create(path, body(), editor.token);
      const others = await create(path, body());
      await checkList(path, editor, [others], () => create(path, body()));
      expect(await whole(path, editor.token)).toEqual([own]);
    }
  });

  it("pages API keys, a caller's holding only their own", async () => {
    const body = () => ({ name: name('key') });
    for (let i = 0; i < 4; i++) await create('/api/api-keys', body());
    const own = await create('/api/api-keys', body(), viewer.token);
    const admins = await whole('/api/api-keys');
    await checkList('/api/api-keys', viewer, admins, () => create('/api/api-keys', body()));
    expect(await whole('/api/api-keys', viewer.token)).toContain(own);
  });
});
