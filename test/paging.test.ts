import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { demoDashboard, waitForJob } from './support/exports.ts';

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
type Key = number | string;
type Item = Record<string, unknown>;

/**
 * How a list is keyed and ordered: ascending lists page by id; newest-first lists (logs, histories)
 * page in their own order, and those that always answered one page (`alwaysPaged`) keep a `next`.
 */
interface Shape {
  key: (item: Item) => Key;
  newestFirst?: boolean;
  alwaysPaged?: boolean;
}
const byId: Shape = { key: (item) => item.id as number };
const newestFirst: Shape = { ...byId, newestFirst: true };
const logOf: Shape = { ...newestFirst, alwaysPaged: true };
const keys = (body: { items: Item[] }, shape: Shape = byId) => body.items.map(shape.key);

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
  const { id } = created.body.schedule ?? created.body.alert ?? created.body.embed ?? created.body;
  return id;
}

const page = (path: string, query: string, token?: string) =>
  app.request('GET', `${path}${path.includes('?') ? '&' : '?'}${query}`, undefined, token ? { token } : {});

/** Walks every page of `path` with `limit`, checking each but the last is full. */
async function walk(
  path: string,
  limit: number,
  token?: string,
  from?: string,
  shape = byId,
): Promise<Key[]> {
  const seen: Key[] = [];
  let after: string | null = from ?? null;
  do {
    const cursor: string = after === null ? '' : `&after=${after}`;
    const answer = await page(path, `limit=${limit}${cursor}`, token);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    after = answer.body.next;
    if (after !== null) expect(answer.body.items).toHaveLength(limit);
    seen.push(...keys(answer.body, shape));
  } while (after !== null);
  return seen;
}

const whole = async (path: string, token?: string, shape = byId) => {
  const list = await app.request('GET', path, undefined, token ? { token } : {});
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  if (shape.alwaysPaged) expect(list.body.next).toBeNull();
  else expect(list.body).not.toHaveProperty('next');
  return keys(list.body, shape);
};
const sorted = (values: Key[]) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The contract on one list: `hidden` are items the `viewer` may not see (no viewer: a list only
 * its callers' role reads), `more` adds an item between two pages. An ascending list walks in key
 * order and finds the added item on a later page; a newest-first list walks in its own order and
 * the added item lands before the first page, so no page repeats or skips what was there.
 */
async function checkList(
  path: string,
  viewer: Caller | undefined,
  hidden: Key[],
  more: () => Promise<Key>,
  shape: Shape = byId,
) {
  const all = await whole(path, undefined, shape);
  expect(all.length).toBeGreaterThanOrEqual(4);
  const inOrder = shape.newestFirst ? all : sorted(all);
  expect(await walk(path, 2, undefined, undefined, shape)).toEqual(inOrder);
  expect(await walk(path, 1000, undefined, undefined, shape)).toEqual(inOrder);

  const first = await page(path, 'limit=2');
  expect(keys(first.body, shape)).toEqual(inOrder.slice(0, 2));
  const added = await more();
  const rest = await walk(path, 2, undefined, first.body.next, shape);
  if (shape.newestFirst) {
    expect([...keys(first.body, shape), ...rest]).toEqual(all);
    expect((await whole(path, undefined, shape))[0]).toEqual(added);
  } else {
    expect([...keys(first.body, shape), ...rest]).toEqual(sorted([...all, added]));
    const byDefault = await page(path, `after=${first.body.next}`);
    expect(byDefault.body).toEqual({ items: expect.any(Array), next: null });
    expect(keys(byDefault.body, shape)).toEqual(rest);
  }

  if (viewer) {
    const visible = await whole(path, viewer.token, shape);
    for (const id of hidden) expect(visible).not.toContain(id);
    const expected = shape.newestFirst ? visible : sorted(visible);
    expect(await walk(path, 1, viewer.token, undefined, shape)).toEqual(expected);
  }

  for (const query of [
    'limit=0',
    'limit=1001',
    'limit=x',
    'limit=2&after=bm90LWEtY3Vyc29y',
    'after=%21%21',
  ]) {
    const refused = await page(path, query);
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

  it('pages users by cursor, and by offset as before', async () => {
    const body = () => ({ email: `${name('user').replace(' ', '-')}@paging.test`, role: 'viewer' });
    for (let i = 0; i < 2; i++) await create('/api/users', body());
    const deleted = await create('/api/users', body());
    expect((await app.request('DELETE', `/api/users/${deleted}`)).status).toBe(200);
    await checkList('/api/users', viewer, [deleted], () => create('/api/users', body()));

    const all = await whole('/api/users');
    const byOffset = await page('/api/users', 'limit=2&offset=1');
    expect(byOffset.body).toEqual({ items: expect.any(Array) });
    expect(keys(byOffset.body)).toEqual(all.slice(1, 3));
    const first = await page('/api/users', 'limit=1');
    const mixed = await page('/api/users', `after=${first.body.next}&offset=1`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.field).toBe('offset');
  });

  it('pages connections, attributes and favourites', async () => {
    const connection = () => ({
      name: name('connection'),
      type: 'duckdb',
      file: `${name('c')}.duckdb`.replace(' ', ''),
    });
    for (let i = 0; i < 3; i++) await create('/api/connections', connection());
    await checkList('/api/connections', undefined, [], () => create('/api/connections', connection()));

    const attribute = () => ({ key: name('attr').replace(' ', '_'), type: 'string' });
    for (let i = 0; i < 4; i++) await create('/api/attributes', attribute());
    await checkList('/api/attributes', undefined, [], () => create('/api/attributes', attribute()));

    const star = async () => {
      const board = await create('/api/dashboards', { name: name('starred') });
      expect((await app.request('PUT', `/api/dashboards/${board}/favourite`)).status).toBe(204);
      return board;
    };
    for (let i = 0; i < 4; i++) await star();
    await checkList('/api/me/favourites', undefined, [], star);
  });

  it('pages group members', async () => {
    const group = await create('/api/groups', { name: name('members') });
    const join = async () => {
      const user = await create('/api/users', { email: `${name('member').replace(' ', '-')}@paging.test` });
      const added = await app.request('POST', `/api/groups/${group}/members`, { userId: user });
      expect(added.status).toBe(204);
      return user;
    };
    for (let i = 0; i < 4; i++) await join();
    await checkList(`/api/groups/${group}/members`, viewer, [], join);
  });

  it('pages embeds and version histories newest first', async () => {
    const embeds = `/api/dashboards/${dashboard.id}/embeds`;
    const embed = () => create(embeds, { expiresInSeconds: 600 });
    for (let i = 0; i < 4; i++) await embed();
    await checkList(embeds, undefined, [], embed, newestFirst);

    const byVersion: Shape = { key: (item) => item.version as number, newestFirst: true };
    const board = await create('/api/dashboards', { name: name('versioned') });
    const chart = await create('/api/charts', {
      name: name('versioned'),
      query: { source: source.uuid, metrics: [{ aggregation: 'count' }] },
      visualization: { type: 'kpi' },
    });
    for (const path of [`/api/dashboards/${board}`, `/api/charts/${chart}`]) {
      const edit = async () => {
        const changed = await app.request('PATCH', path, { description: name('edit') });
        expect(changed.status, JSON.stringify(changed.body)).toBe(200);
        return changed.body.version as number;
      };
      for (let i = 0; i < 4; i++) await edit();
      await checkList(`${path}/versions`, undefined, [], edit, byVersion);
    }
  });

  it('pages jobs, schedule runs, the outbox and the audit log newest first, in storage', async () => {
    const schedule = await create('/api/schedules', {
      name: name('runs'),
      cron: '0 8 * * 1',
      target: { widget: { dashboard: dashboard.id, widget: 'revenue-by-country' } },
      format: 'csv',
      destination: { type: 'email', recipients: ['team@paging.test'] },
    });
    let lastJob = 0;
    const run = async () => {
      const started = await app.request('POST', `/api/schedules/${schedule}/run`);
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      lastJob = started.body.job.id;
      expect((await waitForJob(app, lastJob)).status).toBe('success');
      return lastJob;
    };
    for (let i = 0; i < 4; i++) await run();
    await checkList('/api/jobs', editor, [lastJob], run, logOf);
    expect(await walk('/api/jobs?status=success', 3, undefined, undefined, logOf)).toEqual(
      await whole('/api/jobs?status=success', undefined, logOf),
    );
    await checkList(
      `/api/schedules/${schedule}/runs`,
      undefined,
      [],
      async () => {
        await run();
        return (await app.request('GET', `/api/schedules/${schedule}/runs?limit=1`)).body.items[0].id;
      },
      logOf,
    );
    const newestMessage = async () => (await app.request('GET', '/api/outbox?limit=1')).body.items[0].id;
    await checkList(
      '/api/outbox',
      undefined,
      [],
      async () => {
        await run();
        return newestMessage();
      },
      logOf,
    );
    const audited = '/api/audit?action=group.create';
    for (let i = 0; i < 4; i++) await create('/api/groups', { name: name('audited') });
    await checkList(
      audited,
      undefined,
      [],
      async () => {
        await create('/api/groups', { name: name('audited') });
        return (await page(audited, 'limit=1')).body.items[0].id;
      },
      logOf,
    );
  });

  it('pages the trash newest first across kinds, whose ids repeat', async () => {
    const trashed: Shape = { key: (item) => `${item.kind}:${item.id}`, newestFirst: true };
    const trash = async (path: string, body: unknown) => {
      const id = await create(path, body);
      expect((await app.request('DELETE', `${path}/${id}`)).status).toBe(204);
      return `${path === '/api/charts' ? 'chart' : 'dashboard'}:${id}`;
    };
    const chart = () => ({
      name: name('trashed'),
      query: { source: source.uuid, metrics: [{ aggregation: 'count' }] },
      visualization: { type: 'kpi' },
    });
    for (let i = 0; i < 3; i++) {
      await trash('/api/dashboards', { name: name('trashed') });
      await trash('/api/charts', chart());
    }
    await checkList('/api/trash', undefined, [], () => trash('/api/charts', chart()), trashed);
  });
});
