import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_favourites'));
afterAll(cleanup);

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );

describe.each(backends)('favourite dashboards on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('stars and unstars idempotently, per user, newest first', async () => {
    const { editor, viewer } = organization();
    const first = await content.dashboards.create(editor, { name: 'First' });
    const second = await content.dashboards.create(editor, { name: 'Second' });
    await content.favourites.mark(viewer, first.id);
    await content.favourites.mark(viewer, second.uuid);
    await content.favourites.mark(viewer, first.id);
    expect((await content.favourites.list(viewer)).map((d) => d.name)).toEqual(['Second', 'First']);
    expect(await content.favourites.list(editor)).toEqual([]);

    await content.favourites.unmark(viewer, second.id);
    await content.favourites.unmark(viewer, second.id);
    expect(await content.favourites.list(viewer)).toMatchObject([{ id: first.id, name: 'First' }]);
  });

  it.skipIf(!available)('only stars visible dashboards and lists only what is still visible', async () => {
    const { admin, editor, viewer } = organization();
    const folder = await content.folders.create(admin, {
      name: 'Board',
      access: [{ subject: 'user', id: editor.userId, level: 'edit' }],
    });
    const hidden = await content.dashboards.create(editor, { name: 'Board pack', folderId: folder.id });
    expect(await codeOf(content.favourites.mark(viewer, hidden.id))).toBe('ERR_NOT_FOUND');
    expect(await codeOf(content.favourites.mark(viewer, 999_999))).toBe('ERR_NOT_FOUND');

    await content.dashboards.setShares(editor, hidden.id, [
      { subject: 'user', id: viewer.userId, level: 'view' },
    ]);
    await content.favourites.mark(viewer, hidden.id);
    expect((await content.favourites.list(viewer)).map((d) => d.id)).toEqual([hidden.id]);

    await content.dashboards.setShares(editor, hidden.id, []);
    expect(await content.favourites.list(viewer)).toEqual([]);
    // A share given again brings the star back: it was kept, only hidden.
    await content.dashboards.setShares(editor, hidden.id, [
      { subject: 'user', id: viewer.userId, level: 'view' },
    ]);
    expect((await content.favourites.list(viewer)).map((d) => d.id)).toEqual([hidden.id]);
  });

  it.skipIf(!available)('hides the stars of a trashed dashboard and forgets them on purge', async () => {
    const { editor } = organization();
    const doomed = await content.dashboards.create(editor, { name: 'Doomed' });
    await content.favourites.mark(editor, doomed.id);
    await content.dashboards.delete(editor, doomed.id);
    expect(await content.favourites.list(editor)).toEqual([]);
    await content.trash.restore(editor, 'dashboard', doomed.id);
    expect((await content.favourites.list(editor)).map((d) => d.id)).toEqual([doomed.id]);
    await content.dashboards.delete(editor, doomed.id);
    await content.trash.purge(editor, 'dashboard', doomed.id);
    const rows = await store.db
      .selectFrom('dashboard_favourites')
      .select('user_id')
      .where('dashboard_id', '=', doomed.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it.skipIf(!available)('refuses credentials that are not a person', async () => {
    const { editor } = organization();
    const dashboard = await content.dashboards.create(editor, { name: 'Embedded' });
    const embed = { ...editor, kind: 'embed' as const, embedDashboardId: dashboard.id };
    expect(await codeOf(content.favourites.mark(embed, dashboard.id))).toBe('ERR_FORBIDDEN');
    expect(await codeOf(content.favourites.list(embed))).toBe('ERR_FORBIDDEN');
  });
});
