import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { RosettaError } from '../errors.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_change_owner'));
afterAll(cleanup);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RosettaError);
  return (error as RosettaError).code;
}

describe.each(backends)('dashboard ownership on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  // Each backend's own store has organization 1 (test-support creates it): the principals are
  // moved there, beside the user rows they name.
  const people = Object.fromEntries(
    Object.entries(organization()).map(([name, value]) => [
      name,
      typeof value === 'object' ? { ...value, organizationId: 1 } : value,
    ]),
  ) as ReturnType<typeof organization>;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
    const now = new Date().toISOString();
    for (const [id, role, status] of [
      [1, 'admin', 'active'],
      [2, 'editor', 'active'],
      [3, 'editor', 'active'],
      [4, 'viewer', 'deleted'],
    ] as const)
      await store.db
        .insertInto('users')
        .values({
          id,
          uuid: `owner-test-${id}`,
          organization_id: 1,
          email: `owner${id}@example.com`,
          name: `User ${id}`,
          password_hash: null,
          role,
          status,
          timezone: 'UTC',
          created_at: now,
          updated_at: now,
          last_login_at: null,
        })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('hands a dashboard over, keeping the previous owner a share if asked', async () => {
    const { editor, otherEditor } = people;
    const dashboard = await content.dashboards.create(editor, { name: 'Handed over', personal: true });
    const changed = await content.dashboards.changeOwner(editor, dashboard.id, otherEditor.userId, 'view');
    expect(changed).toMatchObject({ ownerId: 3, shares: [{ subject: 'user', id: 2, level: 'view' }] });
    const read = await content.dashboards.lookup(otherEditor, dashboard.id);
    expect(read.ownerId).toBe(3);
    // The previous owner now only views it.
    expect(await codeOf(content.dashboards.update(editor, dashboard.id, { name: 'x' }))).toBe(
      'ERR_FORBIDDEN',
    );
  });

  it.skipIf(!available)('lets only the owner or an admin hand it over, to an active user', async () => {
    const { admin, editor, otherEditor } = people;
    const dashboard = await content.dashboards.create(editor, { name: 'Kept', personal: true });
    await content.dashboards.grant(editor, dashboard.id, { subject: 'user', id: 3, level: 'edit' });
    expect(await codeOf(content.dashboards.changeOwner(otherEditor, dashboard.id, 3))).toBe('ERR_FORBIDDEN');
    expect(await codeOf(content.dashboards.changeOwner(editor, dashboard.id, 4))).toBe('ERR_VALIDATION');
    expect(await codeOf(content.dashboards.changeOwner(editor, dashboard.id, 999))).toBe('ERR_VALIDATION');
    // An admin may; the new owner's own share goes, and without a rule the previous owner keeps none.
    const changed = await content.dashboards.changeOwner(admin, dashboard.id, 3);
    expect(changed).toMatchObject({ ownerId: 3, shares: [] });
  });
});
