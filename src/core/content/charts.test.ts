import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { RosettaError } from '../errors.ts';
import { type ChartInput, type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_charts'));
afterAll(cleanup);

const byCountry = {
  source: 'ds-1',
  dimensions: ['country'],
  metrics: [{ field: 'price', aggregation: 'sum' }],
};
const byCity = { source: 'ds-1', dimensions: ['city'], metrics: [{ aggregation: 'count' }] };
const chartInput = (extra: Partial<ChartInput> = {}): ChartInput => ({
  name: 'Revenue by country',
  query: byCountry,
  visualization: { type: 'bar', options: { stacked: false } },
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<RosettaError> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RosettaError);
  return error as RosettaError;
}

describe.each(backends)('saved charts on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('creates, reads by id or uuid, lists and validates every field', async () => {
    const { editor, viewer } = organization();
    const chart = await content.charts.create(editor, chartInput({ description: 'All of it' }));
    expect(chart).toMatchObject({
      name: 'Revenue by country',
      description: 'All of it',
      query: byCountry,
      visualization: { type: 'bar', options: { stacked: false } },
      visualizationType: 'bar',
      folderId: null,
      createdBy: editor.userId,
      version: 1,
      usedBy: [],
      canEdit: true,
    });
    expect(await content.charts.get(viewer, chart.uuid)).toEqual({ ...chart, canEdit: false });
    expect(await content.charts.get(editor, String(chart.id))).toEqual(chart);
    expect((await content.charts.list(viewer)).map((c) => [c.uuid, c.visualizationType])).toEqual([
      [chart.uuid, 'bar'],
    ]);
    const bad: Array<[unknown, string]> = [
      [{ visualization: { type: 'bar' }, name: 'x' }, 'query'],
      [{ query: byCountry, name: 'x' }, 'visualization'],
      [{ query: byCountry, visualization: { type: 'bar' } }, 'name'],
      [{ ...chartInput(), query: { dimensions: [] } }, 'query.source'],
      [{ ...chartInput(), visualization: { type: 'radar' } }, 'visualization.type'],
      [{ ...chartInput(), visualization: { type: 'text' } }, 'visualization.type'],
      [{ ...chartInput(), folderId: 999_999 }, 'folderId'],
      [{ ...chartInput(), colour: 'red' }, 'colour'],
    ];
    for (const [input, field] of bad) {
      expect(await refusal(content.charts.create(editor, input as never))).toMatchObject({
        code: 'ERR_VALIDATION',
        field,
      });
    }
    expect(await refusal(content.charts.create(viewer, chartInput()))).toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
  });

  it.skipIf(!available)('stores a version per change, restores one as a new version', async () => {
    const { editor, otherEditor, viewer } = organization();
    const chart = await content.charts.create(editor, chartInput());
    await content.charts.update(otherEditor, chart.id, { name: 'By city', query: byCity, version: 1 });
    const third = await content.charts.update(editor, chart.uuid, { visualization: { type: 'pie' } });
    expect(third).toMatchObject({
      name: 'By city',
      query: byCity,
      visualization: { type: 'pie' },
      version: 3,
    });
    expect(third.updatedBy).toBe(editor.userId);
    const versions = await content.charts.listVersions(viewer, chart.id);
    expect(versions.map((v) => [v.version, v.name, v.authorId])).toEqual([
      [3, 'By city', editor.userId],
      [2, 'By city', otherEditor.userId],
      [1, 'Revenue by country', editor.userId],
    ]);
    expect(await refusal(content.charts.restoreVersion(viewer, chart.id, 1))).toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    const restored = await content.charts.restoreVersion(editor, chart.id, 1);
    expect(restored).toMatchObject({
      name: 'Revenue by country',
      query: byCountry,
      visualization: { type: 'bar', options: { stacked: false } },
      version: 4,
    });
    expect((await content.charts.listVersions(editor, chart.id))[0]).toMatchObject({ version: 4 });
    const first = versions.at(-1)!;
    expect(first.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await content.charts.getVersion(viewer, chart.id, 1)).toMatchObject({
      uuid: first.uuid,
      snapshot: { name: 'Revenue by country' },
    });
    expect(await refusal(content.charts.getVersion(editor, chart.id, 9))).toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    expect(await refusal(content.charts.restoreVersion(editor, chart.id, 9))).toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });

  it.skipIf(!available)(
    'refuses an edit made on a stale version with a 409, and concurrent edits',
    async () => {
      const { editor, otherEditor } = organization();
      const chart = await content.charts.create(editor, chartInput());
      await content.charts.update(editor, chart.id, { name: 'Mine', version: 1 });
      const stale = await refusal(
        content.charts.update(otherEditor, chart.id, { name: 'Theirs', version: 1 }),
      );
      expect(stale).toMatchObject({ code: 'ERR_CONFLICT', field: 'version' });
      expect((await content.charts.get(editor, chart.id)).name).toBe('Mine');

      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => content.charts.update(editor, chart.id, { name: `Edit ${i}` })),
      );
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      for (const failure of failures) expect(failure).toMatchObject({ code: 'ERR_CONFLICT' });
      const versions = await content.charts.listVersions(editor, chart.id);
      expect(versions).toHaveLength(8 - failures.length);
    },
  );

  it.skipIf(!available)('hides charts of restricted folders: 404 and absent from lists', async () => {
    const org = organization();
    const folder = await content.folders.create(org.editor, {
      name: 'Private',
      access: [{ subject: 'group', id: 50, level: 'view' }],
    });
    const chart = await content.charts.create(org.editor, chartInput({ folderId: folder.uuid }));
    expect(chart).toMatchObject({ folderId: folder.id, folderUuid: folder.uuid });
    for (const p of [org.viewer, org.otherEditor]) {
      expect(await refusal(content.charts.get(p, chart.id))).toMatchObject({ code: 'ERR_NOT_FOUND' });
      expect(await refusal(content.charts.listVersions(p, chart.id))).toMatchObject({
        code: 'ERR_NOT_FOUND',
      });
      expect(await refusal(content.charts.delete(p, chart.id))).toMatchObject({
        code: p === org.viewer ? 'ERR_FORBIDDEN' : 'ERR_NOT_FOUND',
      });
      expect(await content.charts.list(p)).toEqual([]);
    }
    // Listed by group: view only; admins and the owner (the folder's creator) edit.
    expect((await content.charts.get(org.groupViewer, chart.uuid)).canEdit).toBe(false);
    expect(await content.charts.list(org.groupViewer, { folderId: folder.id })).toHaveLength(1);
    expect(await content.charts.list(org.groupViewer, { folderId: null })).toEqual([]);
    await content.charts.update(org.admin, chart.id, { description: 'checked' });
    const other = organization();
    expect(await refusal(content.charts.get(other.admin, chart.id))).toMatchObject({ code: 'ERR_NOT_FOUND' });
    // The owner keeps access to a chart moved into a folder they may not open.
    const closed = await content.folders.create(org.admin, {
      name: 'Admins only',
      access: [{ subject: 'user', id: org.admin.userId, level: 'edit' }],
    });
    const own = await content.charts.create(org.otherEditor, chartInput({ name: 'Own' }));
    expect(
      await refusal(content.charts.update(org.otherEditor, own.id, { folderId: closed.id })),
    ).toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'folderId',
    });
    await content.charts.update(org.admin, own.id, { folderId: closed.id });
    expect((await content.charts.get(org.otherEditor, own.id)).folderId).toBe(closed.id);
    // An embed sees its one dashboard, never a chart.
    const embed = { ...org.viewer, kind: 'embed' as const, embedDashboardId: own.id };
    expect(await refusal(content.charts.get(embed, own.id))).toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it.skipIf(!available)('dashboard tiles show the chart as it is now, with their own title', async () => {
    const { editor, viewer } = organization();
    const chart = await content.charts.create(editor, chartInput());
    const dashboard = await content.dashboards.create(editor, {
      name: 'Sales',
      widgets: [
        { id: 'ref', chartId: chart.uuid },
        { id: 'named', chartId: chart.id, title: 'My title' },
      ],
    });
    expect(dashboard.widgets).toEqual([
      {
        id: 'ref',
        chartId: chart.uuid,
        title: chart.name,
        query: byCountry,
        visualization: chart.visualization,
      },
      {
        id: 'named',
        chartId: chart.uuid,
        title: 'My title',
        query: byCountry,
        visualization: chart.visualization,
      },
    ]);
    // The bar's default cell, not a table's: the tile knows its chart's type when placed.
    expect(dashboard.layout[0]).toMatchObject({ w: 6, h: 4 });
    await content.charts.update(editor, chart.id, { query: byCity, visualization: { type: 'line' } });
    const after = await content.dashboards.get(viewer, dashboard.id);
    expect(after.widgets.map((w) => [w.title, w.query, w.visualization.type])).toEqual([
      [chart.name, byCity, 'line'],
      ['My title', byCity, 'line'],
    ]);
    expect(after.version).toBe(1);
    expect((await content.charts.get(viewer, chart.id)).usedBy).toEqual([
      { id: dashboard.id, uuid: dashboard.uuid, name: 'Sales' },
    ]);
    // What a dashboard read says can be written back: the chart's content is not the tile's.
    const written = await content.dashboards.replace(editor, dashboard.id, {
      name: after.name,
      widgets: after.widgets.map((w) => ({ ...w, query: byCountry })),
      layout: after.layout,
    });
    expect(written.widgets.map((w) => w.query)).toEqual([byCity, byCity]);
    // A tile can leave its chart (keeping the content) or start showing one.
    const left = await content.dashboards.updateWidget(editor, dashboard.id, 'named', { chartId: null });
    expect(left).not.toHaveProperty('chartId');
    expect(left.query).toEqual(byCity);
    await content.charts.update(editor, chart.id, { query: byCountry });
    const now = await content.dashboards.get(editor, dashboard.id);
    expect(now.widgets.map((w) => w.query)).toEqual([byCountry, byCity]);
    const added = await content.dashboards.addWidget(editor, dashboard.id, { chartId: chart.uuid });
    expect(added).toMatchObject({ chartId: chart.uuid, query: byCountry, title: chart.name });
    expect(
      await refusal(content.dashboards.addWidget(editor, dashboard.id, { chartId: 'no-such-chart' })),
    ).toMatchObject({ code: 'ERR_VALIDATION', field: 'chartId' });
    expect(
      await refusal(content.dashboards.update(editor, dashboard.id, { widgets: [{ chartId: 999_999 }] })),
    ).toMatchObject({ code: 'ERR_VALIDATION', field: 'widgets[0].chartId' });
  });

  it.skipIf(!available)(
    'a dashboard shows a chart its readers cannot open; its editors keep it but add only charts they see',
    async () => {
      const org = organization();
      const folder = await content.folders.create(org.admin, {
        name: 'Admins only',
        access: [{ subject: 'user', id: org.admin.userId, level: 'edit' }],
      });
      const hidden = await content.charts.create(org.admin, chartInput({ folderId: folder.id }));
      const dashboard = await content.dashboards.create(org.admin, {
        name: 'Open dashboard',
        widgets: [{ id: 'tile', chartId: hidden.uuid }],
      });
      expect(await refusal(content.charts.get(org.viewer, hidden.id))).toMatchObject({
        code: 'ERR_NOT_FOUND',
      });
      const seen = await content.dashboards.get(org.viewer, dashboard.id);
      expect(seen.widgets[0]).toMatchObject({ chartId: hidden.uuid, query: byCountry });
      // The editor may rewrite the dashboard as read, and clone it, but not point a new tile at the chart.
      const read = await content.dashboards.get(org.editor, dashboard.id);
      await content.dashboards.update(org.editor, dashboard.id, { name: 'Renamed', widgets: read.widgets });
      const copy = await content.dashboards.clone(org.editor, dashboard.id);
      expect(copy.widgets[0]).toMatchObject({ chartId: hidden.uuid });
      const own = await content.dashboards.create(org.editor, { name: 'Own' });
      expect(
        await refusal(content.dashboards.addWidget(org.editor, own.id, { chartId: hidden.uuid })),
      ).toMatchObject({ code: 'ERR_VALIDATION', field: 'chartId' });
      expect(
        await refusal(
          content.dashboards.create(org.editor, { name: 'x', widgets: [{ chartId: hidden.uuid }] }),
        ),
      ).toMatchObject({ code: 'ERR_VALIDATION', field: 'widgets[0].chartId' });
      // The admin's chart page lists both dashboards.
      expect((await content.charts.get(org.admin, hidden.id)).usedBy.map((d) => d.name)).toEqual([
        'Copy of Renamed',
        'Renamed',
      ]);
    },
  );

  it.skipIf(!available)('deletes a chart in use only with force, leaving plain copies', async () => {
    const org = organization();
    const chart = await content.charts.create(org.editor, chartInput());
    const shown = await content.dashboards.create(org.editor, {
      name: 'Shows it',
      widgets: [{ id: 'tile', chartId: chart.id }],
    });
    const closed = await content.folders.create(org.admin, {
      name: 'Closed',
      access: [{ subject: 'user', id: org.admin.userId, level: 'edit' }],
    });
    await content.dashboards.create(org.admin, {
      name: 'Hidden',
      folderId: closed.id,
      widgets: [{ id: 'tile', chartId: chart.id }],
    });
    await content.charts.update(org.editor, chart.id, { query: byCity });
    const inUse = await refusal(content.charts.delete(org.editor, chart.id));
    expect(inUse.code).toBe('ERR_CONFLICT');
    expect(inUse.message).toContain('shown on 2 dashboards: "Shows it" and 1 you cannot see');
    expect(inUse.message).not.toContain('Hidden');
    expect((await content.charts.get(org.editor, chart.id)).version).toBe(2);

    await content.charts.delete(org.editor, chart.id, { force: true });
    expect(await refusal(content.charts.get(org.editor, chart.id))).toMatchObject({ code: 'ERR_NOT_FOUND' });
    const after = await content.dashboards.get(org.viewer, shown.id);
    expect(after.version).toBe(2);
    expect(after.widgets).toEqual([
      { id: 'tile', title: chart.name, query: byCity, visualization: chart.visualization },
    ]);
    // Restoring the version that showed the chart brings the tile back as a plain widget.
    const restored = await content.dashboards.restoreVersion(org.editor, shown.id, 1);
    expect(restored.widgets[0]).not.toHaveProperty('chartId');
    expect(restored.widgets[0].query).toEqual(byCountry);
  });

  it.skipIf(!available)(
    'a folder holding charts is not empty; deleting it recursively detaches them',
    async () => {
      const org = organization();
      const folder = await content.folders.create(org.editor, { name: 'Charts' });
      const chart = await content.charts.create(org.editor, chartInput({ folderId: folder.id }));
      const dashboard = await content.dashboards.create(org.editor, {
        name: 'Elsewhere',
        widgets: [{ id: 'tile', chartId: chart.uuid }],
      });
      expect(await refusal(content.folders.delete(org.editor, folder.id))).toMatchObject({
        code: 'ERR_CONFLICT',
      });
      await content.folders.delete(org.admin, folder.id, { recursive: true });
      expect(await content.charts.list(org.admin)).toEqual([]);
      const after = await content.dashboards.get(org.editor, dashboard.id);
      expect(after.widgets).toEqual([
        { id: 'tile', title: chart.name, query: byCountry, visualization: chart.visualization },
      ]);
    },
  );
});
