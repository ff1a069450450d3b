import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_content_views'));
afterAll(cleanup);

const chartInput = {
  name: 'Counted',
  query: { source: 'ds-1', dimensions: ['region'], metrics: [{ aggregation: 'count' }] },
  visualization: { type: 'table' as const, options: {} },
};

describe.each(backends)('view counts on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('counts get per object and per user, never lookup, create or edit', async () => {
    const { editor, viewer } = organization();
    const dashboard = await content.dashboards.create(editor, { name: 'Board' });
    await content.dashboards.update(editor, dashboard.id, { name: 'Board 2' });
    await content.dashboards.lookup(viewer, dashboard.uuid);
    expect(await content.dashboards.viewStats(viewer, dashboard.id)).toEqual({
      views: 0,
      viewers: 0,
      firstViewedAt: null,
      lastViewedAt: null,
    });

    await content.dashboards.get(viewer, dashboard.uuid);
    await content.dashboards.get(viewer, dashboard.id);
    await content.dashboards.get(editor, dashboard.id);
    const stats = await content.dashboards.viewStats(editor, dashboard.uuid);
    expect(stats).toMatchObject({ views: 3, viewers: 2 });
    expect(Date.parse(stats.firstViewedAt ?? '')).toBeLessThanOrEqual(Date.parse(stats.lastViewedAt ?? ''));

    const chart = await content.charts.create(editor, chartInput);
    await content.charts.get(viewer, chart.id);
    expect((await content.charts.viewStats(viewer, chart.uuid)).views).toBe(1);
    // Kinds are counted apart, even where a chart and a dashboard share an id.
    const byKind = await content.views.statsOf(editor, 'chart');
    expect(byKind.get(chart.id)?.views).toBe(1);
    expect((await content.views.statsOf(editor, 'dashboard', [dashboard.id])).get(dashboard.id)?.views).toBe(
      3,
    );
  });

  it.skipIf(!available)(
    'counts nothing for programs, and shows counts only in their organization',
    async () => {
      const { editor } = organization();
      const other = organization();
      const dashboard = await content.dashboards.create(editor, { name: 'Scripted' });
      await content.dashboards.get({ ...editor, kind: 'script' }, dashboard.id);
      expect((await content.dashboards.viewStats(editor, dashboard.id)).views).toBe(0);
      await content.dashboards.get(editor, dashboard.id);
      expect((await content.views.statsOf(other.editor, 'dashboard', [dashboard.id])).size).toBe(0);
      // An unseen or unknown object is not found rather than counted as zero.
      await expect(content.dashboards.viewStats(other.editor, dashboard.id)).rejects.toMatchObject({
        code: 'ERR_NOT_FOUND',
      });
    },
  );
});
