import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/** The audit log keeps who did what to credentials, rights and content, and shows it to admins. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 120_000);
afterAll(() => app?.close());

interface Event {
  id: number;
  action: string;
  actor: { id: number | null; email: string | null; credential: string | null; address: string | null };
  target: { type: string; id: string } | null;
  details: Record<string, unknown>;
}
const audit = async (query = '', token?: string) =>
  app.request('GET', `/api/audit${query}`, undefined, token === undefined ? {} : { token });
const events = async (query = ''): Promise<Event[]> => (await audit(query)).body.items;

describe('the audit log', () => {
  it('records sign-ins, credentials, rights and deletions, and never a secret', async () => {
    const user = await app.request('POST', '/api/users', {
      email: 'watched@example.com',
      role: 'viewer',
      password: 'watched password 1',
    });
    const failed = await app.request(
      'POST',
      '/api/auth/login',
      { email: 'watched@example.com', password: 'wrong one' },
      { token: '' },
    );
    expect(failed.status).toBe(401);
    const session = (
      await app.request(
        'POST',
        '/api/auth/login',
        { email: 'watched@example.com', password: 'watched password 1' },
        { token: '' },
      )
    ).body.token;
    const key = (await app.request('POST', '/api/api-keys', { name: 'watched key' }, { token: session }))
      .body;
    await app.request('DELETE', `/api/api-keys/${key.id}`, undefined, { token: session });
    await app.request('PATCH', `/api/users/${user.body.id}`, { role: 'editor' });
    const dashboard = (await app.request('POST', '/api/dashboards', { name: 'Audited' })).body;
    await app.request('PUT', `/api/dashboards/${dashboard.id}/shares`, {
      shares: [{ subject: 'user', id: user.body.id, level: 'view' }],
    });
    const embed = (
      await app.request('POST', `/api/dashboards/${dashboard.id}/embeds`, { expiresInSeconds: 60 })
    ).body;
    await app.request('DELETE', `/api/embeds/${embed.embed.id}`);
    const source = (await app.request('GET', '/api/data-sources')).body.items[0];
    await app.request('PATCH', `/api/data-sources/${source.id}`, {
      policies: [{ field: 'country', attribute: 'country' }],
    });
    await app.request('DELETE', `/api/dashboards/${dashboard.id}`);

    const log = await events();
    const actions = log.map((e) => e.action);
    for (const action of [
      'user.create',
      'auth.login_failed',
      'auth.login',
      'apikey.create',
      'apikey.revoke',
      'user.update',
      'dashboard.shares',
      'embed.create',
      'embed.revoke',
      'source.policies',
      'dashboard.trash',
    ])
      expect(actions, action).toContain(action);
    const byAction = (action: string) => log.find((e) => e.action === action) as Event;
    expect(byAction('auth.login_failed')).toMatchObject({
      actor: { email: 'watched@example.com', address: '127.0.0.1' },
    });
    expect(byAction('apikey.create')).toMatchObject({
      actor: { id: user.body.id, credential: 'session' },
      target: { type: 'api_key', id: String(key.id) },
      details: { name: 'watched key' },
    });
    expect(byAction('user.update').details).toEqual({ role: { before: 'viewer', after: 'editor' } });
    expect(byAction('dashboard.trash')).toMatchObject({
      target: { type: 'dashboard', id: String(dashboard.id) },
    });
    expect(byAction('source.policies').details).toMatchObject({
      after: [{ field: 'country', attribute: 'country' }],
    });
    const text = JSON.stringify(log);
    expect(text).not.toContain(key.key);
    expect(text).not.toContain(embed.token);
    expect(text).not.toContain('watched password 1');
  });

  it('filters by action family, actor and time, and pages newest first', async () => {
    const keys = await events('?action=apikey.');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys.every((e) => e.action.startsWith('apikey.'))).toBe(true);
    const first = (await audit('?limit=2')).body;
    expect(first.items).toHaveLength(2);
    expect(first.items[0].id).toBeGreaterThan(first.items[1].id);
    const second = (await audit(`?limit=2&before=${first.next}`)).body;
    expect(second.items[0].id).toBeLessThan(first.items[1].id);
    const watched = keys[0].actor.id;
    expect((await events(`?actorId=${watched}`)).every((e) => e.actor.id === watched)).toBe(true);
    expect(await events('?since=2999-01-01')).toEqual([]);
    const bad = await audit('?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('since');
  });

  it('is for admins only', async () => {
    await app.request('POST', '/api/users', {
      email: 'dev@example.com',
      role: 'developer',
      password: 'dev password 12',
    });
    const token = (
      await app.request(
        'POST',
        '/api/auth/login',
        { email: 'dev@example.com', password: 'dev password 12' },
        { token: '' },
      )
    ).body.token;
    expect((await audit('', token)).status).toBe(403);
  });
});
