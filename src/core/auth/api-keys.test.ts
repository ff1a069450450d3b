import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_ADMIN_EMAIL, openHarness } from '../data/test-support.ts';
import { getDefaultOrganization, getDefaultProject } from '../directory/organizations.ts';
import { createDirectoryService } from '../directory/service.ts';
import { principalOf } from '../directory/test-support.ts';
import { getUserByEmail } from '../directory/users-read.ts';
import { RosettaError } from '../errors.ts';
import type { Principal } from './principal.ts';
import { type AuthService, createAuthService } from './service.ts';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof RosettaError ? `${error.code} ${error.message}` : error),
  );

describe.each(['sqlite', 'postgres'] as const)('data-API keys on %s', async (kind) => {
  const harness = await openHarness(kind);
  let auth: AuthService;
  let admin: Principal;
  let editor: Principal;
  const sources: number[] = [];

  beforeAll(async () => {
    if (!harness) return;
    const { store, data } = harness;
    auth = createAuthService({
      store,
      dataSources: async (organizationId, ids) => {
        const found = await Promise.all(ids.map((id) => data.sources.find(organizationId, id)));
        return found.flatMap((source) => (source ? [source.id] : []));
      },
    });
    const org = await getDefaultOrganization(store.db);
    const project = await getDefaultProject(store.db, org.id);
    admin = principalOf(await getUserByEmail(store.db, org.id, HARNESS_ADMIN_EMAIL), project.id);
    const user = await createDirectoryService(store).createUser(admin, {
      email: 'ed@example.com',
      password: 'password1',
      role: 'editor',
    });
    editor = principalOf(user, project.id);
    for (const name of ['a', 'b', 'c']) {
      sources.push((await data.sources.createStorage(org.id, { type: 'storage', name })).id);
    }
  });
  afterAll(() => harness?.close());

  it.skipIf(!harness)('creates data keys only on existing sources', async () => {
    const [a] = sources;
    expect(await failure(auth.createApiKey(editor, { name: 'p', dataSourceIds: [a, 999, 998] }))).toBe(
      'ERR_VALIDATION dataSourceIds: unknown data sources 999, 998',
    );
    const { key, apiKey } = await auth.createApiKey(editor, { name: 'p', dataSourceIds: [a] });
    expect(apiKey.dataSourceIds).toEqual([a]);
    // A data key acts as an interactive viewer of its sources at most, never as its editor owner.
    expect(await auth.authenticate(key)).toMatchObject({
      kind: 'dataKey',
      dataSourceIds: [a],
      role: 'interactive_viewer',
    });
  });

  it.skipIf(!harness)('renames a key and sets, adds and removes its sources', async () => {
    const [a, b, c] = sources;
    const { key, apiKey } = await auth.createApiKey(editor, { name: 'partner', dataSourceIds: [a] });
    expect(await auth.updateApiKey(editor, apiKey.id, { name: ' renamed ' })).toMatchObject({
      name: 'renamed',
      dataSourceIds: [a],
    });
    expect((await auth.updateApiKey(editor, apiKey.id, { dataSourceIds: [b, c, b] })).dataSourceIds).toEqual([
      b,
      c,
    ]);
    expect((await auth.updateApiKey(editor, apiKey.id, { addDataSourceId: a })).dataSourceIds).toEqual([
      b,
      c,
      a,
    ]);
    expect((await auth.updateApiKey(editor, apiKey.id, { addDataSourceId: a })).dataSourceIds).toEqual([
      b,
      c,
      a,
    ]);
    expect((await auth.updateApiKey(editor, apiKey.id, { removeDataSourceId: b })).dataSourceIds).toEqual([
      c,
      a,
    ]);
    // The key in use follows the change at once.
    expect((await auth.authenticate(key)).dataSourceIds).toEqual([c, a]);
    const listed = await auth.listApiKeys(editor);
    expect(listed.find((k) => k.id === apiKey.id)).toMatchObject({ name: 'renamed', dataSourceIds: [c, a] });
  });

  it.skipIf(!harness)('refuses changes that would change what kind of key it is', async () => {
    const [a, b] = sources;
    const full = await auth.createApiKey(editor, { name: 'mine' });
    const data = await auth.createApiKey(editor, { name: 'partner', dataSourceIds: [a] });
    const cases: [number, object, string][] = [
      [full.apiKey.id, { dataSourceIds: [a] }, 'dataSourceIds: a full API key cannot be restricted'],
      [full.apiKey.id, { addDataSourceId: a }, 'dataSourceIds: a full API key cannot be restricted'],
      [data.apiKey.id, { dataSourceIds: null }, 'dataSourceIds: a data-API key cannot become a full key'],
      [data.apiKey.id, { dataSourceIds: [] }, 'dataSourceIds: must be a non-empty list'],
      [data.apiKey.id, { dataSourceIds: [b, 999] }, 'dataSourceIds: unknown data sources 999'],
      [data.apiKey.id, { addDataSourceId: 999 }, 'addDataSourceId: unknown data sources 999'],
      [data.apiKey.id, { addDataSourceId: 'x' }, 'addDataSourceId: must be a positive integer'],
      [data.apiKey.id, { removeDataSourceId: a }, 'removeDataSourceId: is the last data source of the key'],
      [data.apiKey.id, { name: '' }, 'name: must not be empty'],
    ];
    for (const [id, patch, message] of cases) {
      const answer = await failure(auth.updateApiKey(editor, id, patch));
      expect(answer, JSON.stringify(patch)).toContain(`ERR_VALIDATION ${message}`);
    }
    expect((await auth.listApiKeys(editor)).find((k) => k.id === data.apiKey.id)?.dataSourceIds).toEqual([a]);
    expect((await auth.listApiKeys(editor)).find((k) => k.id === full.apiKey.id)?.dataSourceIds).toBeNull();
  });

  it.skipIf(!harness)('applies the revoke rule: owner or admin, never the data key itself', async () => {
    const [a] = sources;
    const data = await auth.createApiKey(editor, { name: 'partner', dataSourceIds: [a] });
    const own = await auth.createApiKey(admin, { name: 'admin key', dataSourceIds: [a] });
    expect(await failure(auth.updateApiKey(editor, own.apiKey.id, { name: 'x' }))).toBe(
      `ERR_NOT_FOUND API key ${own.apiKey.id} not found`,
    );
    expect((await auth.updateApiKey(admin, data.apiKey.id, { name: 'by admin' })).name).toBe('by admin');
    const itself = await auth.authenticate(data.key);
    expect(await failure(auth.updateApiKey(itself, data.apiKey.id, { name: 'x' }))).toContain(
      'ERR_NOT_FOUND',
    );

    await auth.revokeApiKey(editor, data.apiKey.id);
    expect(await failure(auth.updateApiKey(editor, data.apiKey.id, { name: 'x' }))).toBe(
      `ERR_CONFLICT API key ${data.apiKey.id} is revoked`,
    );
  });

  it.skipIf(!harness)('rotates an expiring key: a new secret, the old one dead, once an hour', async () => {
    const inADay = new Date(Date.now() + 86_400_000).toISOString();
    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const expiring = await auth.createApiKey(editor, { name: 'rotating', expiresAt: inADay });
    const rotated = await auth.rotateApiKey(editor, expiring.apiKey.id, inAWeek);
    expect(rotated.key).not.toBe(expiring.key);
    expect(rotated.apiKey).toMatchObject({ expiresAt: inAWeek, rotatedAt: expect.any(String) });
    expect(await failure(auth.authenticate(expiring.key))).toContain('ERR_UNAUTHENTICATED');
    expect((await auth.authenticate(rotated.key)).userId).toBe(editor.userId);
    expect(await failure(auth.rotateApiKey(editor, expiring.apiKey.id, inAWeek))).toContain(
      'ERR_VALIDATION id: the key was rotated less than an hour ago',
    );
    const forever = await auth.createApiKey(editor, { name: 'forever' });
    expect(await failure(auth.rotateApiKey(editor, forever.apiKey.id, inAWeek))).toContain(
      'ERR_VALIDATION id',
    );
    const other = await auth.createApiKey(editor, { name: 'other', expiresAt: inADay });
    expect(await failure(auth.rotateApiKey(editor, other.apiKey.id, '2000-01-01T00:00:00Z'))).toContain(
      'ERR_VALIDATION expiresAt: must lie in the future',
    );
    expect(await failure(auth.rotateApiKey(admin, other.apiKey.id, inAWeek))).toBe('ok');
  });
});
