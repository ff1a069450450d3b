import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_item_ids'));
afterAll(cleanup);

describe.each(backends)('dashboard item ids on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)(
    'gives each item one integer id, the same on every use, and resolves it',
    async () => {
      const { editor } = organization();
      const a = await content.dashboards.create(editor, { name: 'A' });
      const b = await content.dashboards.create(editor, { name: 'B' });
      const first = await content.itemIds.idsOf(a, 'widget', ['w1', 'w2', 'w1']);
      expect(first.size).toBe(2);
      expect(await content.itemIds.idsOf(a, 'widget', ['w2', 'w1'])).toEqual(first);
      // The same key in another dashboard, or of another kind, is another item.
      const other = await content.itemIds.idsOf(b, 'widget', ['w1']);
      const filter = await content.itemIds.idsOf(a, 'filter', ['w1']);
      const ids = new Set([...first.values(), other.get('w1'), filter.get('w1')]);
      expect(ids.size).toBe(4);
      expect(await content.itemIds.find(editor.organizationId, 'widget', first.get('w2')!)).toEqual({
        dashboardId: a.id,
        key: 'w2',
      });
      expect(await content.itemIds.find(editor.organizationId, 'filter', first.get('w2')!)).toBeUndefined();
      expect(
        await content.itemIds.find(editor.organizationId + 1, 'widget', first.get('w2')!),
      ).toBeUndefined();
      expect(await content.itemIds.find(editor.organizationId, 'widget', 0)).toBeUndefined();
    },
  );

  it.skipIf(!available)('hands concurrent first uses the same id', async () => {
    const { editor } = organization();
    const dashboard = await content.dashboards.create(editor, { name: 'Raced' });
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => content.itemIds.idsOf(dashboard, 'widget', keys)),
    );
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(new Set(answers[0].values()).size).toBe(20);
  });
});
