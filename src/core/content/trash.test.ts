import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_content_trash'));
afterAll(cleanup);

const chart = {
  name: 'Units',
  query: { source: 'ds-1', metrics: [{ field: 'price', aggregation: 'sum' }] },
  visualization: { type: 'kpi' as const },
};

describe.each(backends)('trash and personal space on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('trashes, lists to the owner, deleter and admins, restores and purges', async () => {
    const org = organization();
    const dashboard = await content.dashboards.create(org.editor, { name: 'Board' });
    const saved = await content.charts.create(org.editor, chart);
    await content.dashboards.delete(org.otherEditor, dashboard.id);
    await content.charts.delete(org.editor, saved.id);
    await expect(content.dashboards.get(org.editor, dashboard.id)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    expect(await content.charts.list(org.editor)).toEqual([]);
    const kinds = (items: { kind: string; id: number }[]) => items.map((i) => `${i.kind}:${i.id}`).sort();
    expect(kinds(await content.trash.list(org.editor))).toEqual(
      [`chart:${saved.id}`, `dashboard:${dashboard.id}`].sort(),
    );
    expect(kinds(await content.trash.list(org.otherEditor))).toEqual([`dashboard:${dashboard.id}`]);
    expect(kinds(await content.trash.list(org.admin))).toHaveLength(2);
    await expect(content.trash.restore(org.viewer, 'dashboard', dashboard.id)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await expect(
      content.trash.restore(organization().admin, 'dashboard', dashboard.id),
    ).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await content.trash.restore(org.editor, 'dashboard', dashboard.id);
    expect((await content.dashboards.get(org.viewer, dashboard.id)).name).toBe('Board');
    await content.trash.purge(org.admin, 'chart', saved.id);
    expect(await content.trash.list(org.admin)).toEqual([]);
  });

  it.skipIf(!available)('purges only what is older than the cutoff', async () => {
    const org = organization();
    const old = await content.dashboards.create(org.editor, { name: 'Old' });
    await content.dashboards.delete(org.editor, old.id);
    expect(await content.trash.purgeBefore(new Date(Date.now() - 60_000))).toBe(0);
    expect(await content.trash.purgeBefore(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await content.trash.list(org.admin)).toEqual([]);
  });

  it.skipIf(!available)(
    'a recursive folder delete trashes its dashboards and charts; they come back at the top level',
    async () => {
      const org = organization();
      const folder = await content.folders.create(org.admin, { name: 'Doomed' });
      const inside = await content.dashboards.create(org.editor, { name: 'Inside', folderId: folder.id });
      const filed = await content.charts.create(org.editor, { ...chart, folderId: folder.id });
      await content.folders.delete(org.admin, folder.id, { recursive: true });
      expect(await content.charts.list(org.editor)).toEqual([]);
      const kinds = (await content.trash.list(org.editor)).map((i) => `${i.kind}:${i.id}`).sort();
      expect(kinds).toEqual([`chart:${filed.id}`, `dashboard:${inside.id}`].sort());
      await content.trash.restore(org.editor, 'dashboard', inside.id);
      expect((await content.dashboards.get(org.editor, inside.id)).folderId).toBeNull();
      await content.trash.restore(org.editor, 'chart', filed.id);
      const restored = await content.charts.get(org.editor, filed.id);
      expect(restored).toMatchObject({ name: 'Units', folderId: null, query: chart.query });
    },
  );

  it.skipIf(!available)('keeps personal content to its owner and admins until filed', async () => {
    const org = organization();
    const mine = await content.dashboards.create(org.editor, { name: 'Mine', personal: true });
    const myChart = await content.charts.create(org.editor, { ...chart, personal: true });
    for (const p of [org.viewer, org.otherEditor]) {
      expect(await content.dashboards.list(p)).toEqual([]);
      expect(await content.charts.list(p)).toEqual([]);
    }
    await content.dashboards.get(org.admin, mine.id);
    const folder = await content.folders.create(org.editor, { name: 'Team' });
    const moved = await content.charts.update(org.editor, myChart.id, { folderId: folder.id });
    expect(moved).toMatchObject({ personal: false, folderId: folder.id });
    expect((await content.charts.list(org.viewer)).map((c) => c.id)).toEqual([myChart.id]);
    // Someone else's personal dashboard cannot even be found, let alone moved out.
    await expect(
      content.dashboards.update(org.otherEditor, mine.id, { personal: false }),
    ).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });
});
