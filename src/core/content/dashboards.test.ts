import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { RosettaError } from '../errors.ts';
import {
  type ContentService,
  createContentService,
  createDemoDashboard,
  type DashboardInput,
} from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_content'));
afterAll(cleanup);

const query = { source: 'ds-1', dimensions: ['country'], metrics: [{ field: 'price', aggregation: 'sum' }] };
const sample = (): DashboardInput => ({
  name: 'Sales',
  description: 'All sales',
  tags: ['sales', 'sales', 'q1'],
  widgets: [
    { id: 'kpi', title: 'Units', query, visualization: { type: 'kpi' } },
    { id: 'bar', title: 'By country', query, visualization: { type: 'bar', options: { stacked: false } } },
  ],
  filters: [{ field: 'date', type: 'date_range', default: { from: '2024-01-01' } }],
  variables: [{ name: 'currency', type: 'string', default: 'EUR' }],
  layout: [{ widgetId: 'bar', x: 6, y: 0, w: 6, h: 4 }],
  customCss: '.title { color: red }',
});

async function fieldOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RosettaError);
  expect((error as RosettaError).code).toBe('ERR_VALIDATION');
  return (error as RosettaError).field;
}

describe.each(backends)('dashboards on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)(
    'creates, reads by id or uuid, completes the layout and lists summaries',
    async () => {
      const { editor, viewer } = organization();
      const created = await content.dashboards.create(editor, sample());
      expect(created).toMatchObject({
        name: 'Sales',
        version: 1,
        ownerId: 2,
        folderId: null,
        tags: ['sales', 'q1'],
      });
      expect(created.filters[0]).toMatchObject({
        field: 'date',
        label: 'date',
        default: { from: '2024-01-01' },
      });
      expect(created.layout).toEqual([
        { widgetId: 'kpi', x: 0, y: 0, w: 3, h: 2 },
        { widgetId: 'bar', x: 6, y: 0, w: 6, h: 4 },
      ]);
      expect(await content.dashboards.get(viewer, created.uuid)).toEqual(created);
      expect(await content.dashboards.get(viewer, String(created.id))).toEqual(created);
      const items = await content.dashboards.list(viewer);
      expect(items).toEqual([expect.objectContaining({ id: created.id, uuid: created.uuid, name: 'Sales' })]);
      expect(items[0]).not.toHaveProperty('widgets');
    },
  );

  it.skipIf(!available)('PATCH merges top-level keys; PUT replaces the content', async () => {
    const { editor } = organization();
    const created = await content.dashboards.create(editor, sample());
    const renamed = await content.dashboards.update(editor, created.id, { name: 'Renamed' });
    expect(renamed).toMatchObject({
      name: 'Renamed',
      description: 'All sales',
      widgets: created.widgets,
      version: 2,
    });
    const fewer = await content.dashboards.update(editor, created.id, { widgets: [created.widgets[1]] });
    expect(fewer.layout).toEqual([{ widgetId: 'bar', x: 6, y: 0, w: 6, h: 4 }]);
    expect(fewer.filters).toEqual(created.filters);
    const replaced = await content.dashboards.replace(editor, created.uuid, { name: 'Bare' });
    expect(replaced).toMatchObject({
      name: 'Bare',
      description: null,
      widgets: [],
      filters: [],
      customCss: null,
      version: 4,
    });
  });

  it.skipIf(!available)('validation errors name the field and leave the dashboard unchanged', async () => {
    const { editor } = organization();
    const created = await content.dashboards.create(editor, sample());
    const bad: Array<[unknown, string]> = [
      [{ widgets: [{ visualization: { type: 'radar' } }] }, 'widgets[0].visualization.type'],
      [{ widgets: [{ visualization: { type: 'bar' } }] }, 'widgets[0].query'],
      [
        { widgets: [{ query: { dimensions: [] }, visualization: { type: 'bar' } }] },
        'widgets[0].query.source',
      ],
      [{ layout: [{ widgetId: 'kpi', x: 8, y: 0, w: 6, h: 2 }] }, 'layout[0].w'],
      [{ layout: [{ widgetId: 'ghost', x: 0, y: 0, w: 6, h: 2 }] }, 'layout[0].widgetId'],
      [{ layout: [{ widgetId: 'kpi', x: 0, y: 0.5, w: 6, h: 2 }] }, 'layout[0].y'],
      [{ filters: [{ field: 'country', type: 'in' }] }, 'filters[0].type'],
      [
        { filters: [{ field: 'n', type: 'number_range', default: { min: 5, max: 1 } }] },
        'filters[0].default.min',
      ],
      [{ variables: [{ name: '1x', type: 'string' }] }, 'variables[0].name'],
      [{ name: '  ' }, 'name'],
      [{ colour: 'red' }, 'colour'],
      [{ folderId: 999_999 }, 'folderId'],
    ];
    for (const [patch, field] of bad) {
      expect(await fieldOf(content.dashboards.update(editor, created.id, patch as never))).toBe(field);
    }
    expect(await fieldOf(content.dashboards.create(editor, {} as never))).toBe('name');
    expect(await content.dashboards.get(editor, created.id)).toEqual(created);
  });

  it.skipIf(!available)('adds, updates and deletes single widgets, each a new version', async () => {
    const { editor } = organization();
    const created = await content.dashboards.create(editor, sample());
    const added = await content.dashboards.addWidget(editor, created.id, {
      title: 'Notes',
      visualization: { type: 'text', options: { markdown: '# Hi' } },
      layout: { x: 0, y: 10, w: 12, h: 1 },
    } as never);
    expect(added).toMatchObject({ title: 'Notes', query: null, layout: { x: 0, y: 10, w: 12, h: 1 } });
    const updated = await content.dashboards.updateWidget(editor, created.id, 'kpi', {
      title: 'Units sold',
      layout: { x: 0, y: 0, w: 3, h: 2 },
    });
    expect(updated).toMatchObject({
      id: 'kpi',
      title: 'Units sold',
      query,
      layout: { x: 0, y: 0, w: 3, h: 2 },
    });
    await content.dashboards.deleteWidget(editor, created.id, 'bar');
    const after = await content.dashboards.get(editor, created.id);
    expect(after.widgets.map((w) => w.id)).toEqual(['kpi', added.id]);
    expect(after.layout.map((l) => l.widgetId)).toEqual(['kpi', added.id]);
    expect(after.version).toBe(4);
    await expect(content.dashboards.deleteWidget(editor, created.id, 'bar')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    expect(
      await fieldOf(
        content.dashboards.addWidget(editor, created.id, {
          id: 'kpi',
          query,
          visualization: { type: 'kpi' },
        }),
      ),
    ).toBe('id');
  });

  it.skipIf(!available)('clones independently into a chosen folder', async () => {
    const { editor, otherEditor } = organization();
    const folder = await content.folders.create(editor, { name: 'Copies' });
    const original = await content.dashboards.create(editor, sample());
    const copy = await content.dashboards.clone(otherEditor, original.uuid, { folderId: folder.uuid });
    expect(copy).toMatchObject({ name: 'Copy of Sales', folderId: folder.id, ownerId: 3, version: 1 });
    expect(copy.uuid).not.toBe(original.uuid);
    expect(copy.widgets.map((w) => w.id)).not.toContain('kpi');
    expect(copy.layout.map((l) => l.widgetId)).toEqual(copy.widgets.map((w) => w.id));
    await content.dashboards.updateWidget(otherEditor, copy.id, copy.widgets[0].id, { title: 'Changed' });
    await content.dashboards.update(otherEditor, copy.id, { tags: ['copy'] });
    expect(await content.dashboards.get(editor, original.id)).toEqual(original);
    expect((await content.dashboards.clone(editor, original.id, { name: 'Named' })).name).toBe('Named');
  });

  it.skipIf(!available)("a clone's filters target the clone's own widgets", async () => {
    const { editor } = organization();
    const original = await content.dashboards.create(editor, {
      ...sample(),
      filters: [{ field: 'country', type: 'values', tileTargets: { kpi: false, bar: 'region' } }],
    });
    const copy = await content.dashboards.clone(editor, original.id);
    const [kpi, bar] = copy.widgets.map((widget) => widget.id);
    expect(copy.filters[0].tileTargets).toEqual({ [kpi]: false, [bar]: 'region' });
  });

  it.skipIf(!available)(
    "keeps each face's settings as given, versioned; a PATCH replaces only the faces it names",
    async () => {
      const { editor } = organization();
      const created = await content.dashboards.create(editor, {
        ...sample(),
        faceSettings: { one: { tiles: { kpi: { x: 3 } } }, two: { tabs: [] } },
      });
      expect(created.faceSettings).toEqual({ one: { tiles: { kpi: { x: 3 } } }, two: { tabs: [] } });
      const patched = await content.dashboards.update(editor, created.id, {
        faceSettings: { two: { tabs: [1] } },
      });
      expect(patched).toMatchObject({
        version: 2,
        faceSettings: { one: { tiles: { kpi: { x: 3 } } }, two: { tabs: [1] } },
      });
      expect((await content.dashboards.getVersion(editor, created.id, 1)).snapshot.faceSettings).toEqual(
        created.faceSettings,
      );
      expect(
        await fieldOf(content.dashboards.update(editor, created.id, { faceSettings: { one: [] } as never })),
      ).toBe('faceSettings.one');
    },
  );

  it.skipIf(!available)('keeps versions and restores one as a new version', async () => {
    const { editor, viewer } = organization();
    const created = await content.dashboards.create(editor, sample());
    await content.dashboards.update(editor, created.id, { name: 'Second', widgets: [] });
    await content.dashboards.update(editor, created.id, { description: 'Third' });
    const versions = await content.dashboards.listVersions(viewer, created.id);
    expect(versions.map((v) => [v.version, v.name, v.authorId])).toEqual([
      [3, 'Second', 2],
      [2, 'Second', 2],
      [1, 'Sales', 2],
    ]);
    expect((await content.dashboards.getVersion(viewer, created.id, 1)).snapshot.widgets).toHaveLength(2);
    await expect(content.dashboards.restoreVersion(viewer, created.id, 1)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    const restored = await content.dashboards.restoreVersion(editor, created.id, 1);
    expect(restored).toMatchObject({
      name: 'Sales',
      description: 'All sales',
      widgets: created.widgets,
      version: 4,
    });
    await expect(content.dashboards.getVersion(editor, created.id, 9)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });

  it.skipIf(!available)(
    'hides dashboards of restricted folders unless shared; shares give no more than the role',
    async () => {
      const org = organization();
      const folder = await content.folders.create(org.editor, {
        name: 'Private',
        access: [{ subject: 'user', id: 2, level: 'edit' }],
      });
      const dashboard = await content.dashboards.create(org.editor, { ...sample(), folderId: folder.id });
      for (const p of [org.viewer, org.otherEditor]) {
        await expect(content.dashboards.get(p, dashboard.id)).rejects.toMatchObject({
          code: 'ERR_NOT_FOUND',
        });
        expect(await content.dashboards.list(p)).toEqual([]);
      }
      await content.dashboards.setShares(org.editor, dashboard.id, [
        { subject: 'user', id: org.viewer.userId, level: 'edit' },
        { subject: 'user', id: org.otherEditor.userId, level: 'edit' },
      ]);
      await content.dashboards.get(org.viewer, dashboard.uuid);
      await expect(content.dashboards.update(org.viewer, dashboard.id, { name: 'x' })).rejects.toMatchObject({
        code: 'ERR_FORBIDDEN',
      });
      expect((await content.dashboards.update(org.otherEditor, dashboard.id, { name: 'Shared' })).name).toBe(
        'Shared',
      );
      // Moving out needs edit on the destination as well; the top level is open to editors.
      await expect(content.dashboards.create(org.viewer, { name: 'V' })).rejects.toMatchObject({
        code: 'ERR_FORBIDDEN',
      });
      const other = organization();
      await expect(content.dashboards.get(other.admin, dashboard.id)).rejects.toMatchObject({
        code: 'ERR_NOT_FOUND',
      });
      const embed = { ...org.viewer, kind: 'embed' as const, embedDashboardId: dashboard.id };
      await content.dashboards.get(embed, dashboard.id);
      const open = await content.dashboards.create(org.editor, { name: 'Open' });
      await expect(content.dashboards.get(embed, open.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    },
  );

  it.skipIf(!available)(
    'a non-empty share list governs alone: only the listed, the owner and admins',
    async () => {
      const org = organization();
      const dashboard = await content.dashboards.create(org.editor, { name: 'Team only' });
      await content.dashboards.setShares(org.editor, dashboard.id, [
        { subject: 'group', id: 50, level: 'view' },
      ]);
      expect((await content.dashboards.list(org.groupViewer)).map((d) => d.id)).toEqual([dashboard.id]);
      await content.dashboards.get(org.groupViewer, dashboard.id);
      for (const p of [org.viewer, org.otherEditor]) {
        expect(await content.dashboards.list(p)).toEqual([]);
        await expect(content.dashboards.get(p, dashboard.id)).rejects.toMatchObject({
          code: 'ERR_NOT_FOUND',
        });
      }
      for (const p of [org.editor, org.admin]) await content.dashboards.get(p, dashboard.id);
      await content.dashboards.setShares(org.editor, dashboard.id, []);
      await content.dashboards.get(org.viewer, dashboard.id);
    },
  );

  it.skipIf(!available)('grants, changes the level, revokes, and checks edit rights', async () => {
    const org = organization();
    const { dashboards } = content;
    const dashboard = await dashboards.create(org.editor, { name: 'Shared' });
    await dashboards.grant(org.editor, dashboard.id, { subject: 'group', id: 50, level: 'view' });
    await dashboards.grant(org.editor, dashboard.uuid, { subject: 'user', id: 3, level: 'view' });
    const raised = await dashboards.grant(org.editor, dashboard.id, {
      subject: 'user',
      id: 3,
      level: 'edit',
    });
    expect(raised.shares).toEqual([
      { subject: 'group', id: 50, level: 'view' },
      { subject: 'user', id: 3, level: 'edit' },
    ]);
    await dashboards.update(org.otherEditor, dashboard.id, { name: 'Edited by the grantee' });
    expect((await dashboards.revoke(org.editor, dashboard.id, { subject: 'user', id: 3 })).shares).toEqual([
      { subject: 'group', id: 50, level: 'view' },
    ]);
    expect(
      (await dashboards.revoke(org.editor, dashboard.id, { subject: 'user', id: 3 })).shares,
    ).toHaveLength(1);
    await expect(
      dashboards.grant(org.groupViewer, dashboard.id, { subject: 'user', id: 5, level: 'edit' }),
    ).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    await expect(
      dashboards.grant(org.editor, dashboard.id, { subject: 'user', id: 5, level: 'owner' as 'edit' }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'level' });
    await expect(
      dashboards.revoke(org.editor, dashboard.id, { subject: 'team' as 'user', id: 5 }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'subject' });
  });

  it.skipIf(!available)('concurrent grants all land (none overwrites another)', async () => {
    const org = organization();
    const dashboard = await content.dashboards.create(org.editor, { name: 'Busy shares' });
    const ids = [11, 12, 13, 14, 15, 16];
    await Promise.all(
      ids.map((id) =>
        content.dashboards.grant(org.editor, dashboard.id, { subject: 'user', id, level: 'view' }),
      ),
    );
    const { shares } = await content.dashboards.get(org.editor, dashboard.id);
    expect(shares.map((share) => share.id).sort()).toEqual(ids);
  });

  it.skipIf(!available)(
    'concurrent edits either land as consecutive versions or fail with a conflict',
    async () => {
      const { editor } = organization();
      const created = await content.dashboards.create(editor, { name: 'Busy' });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          content.dashboards.update(editor, created.id, { name: `Edit ${i}` }),
        ),
      );
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      for (const failure of failures) expect(failure).toMatchObject({ code: 'ERR_CONFLICT' });
      const versions = await content.dashboards.listVersions(editor, created.id);
      expect(versions.map((v) => v.version)).toEqual(
        Array.from({ length: 7 - failures.length }, (_, i) => 7 - failures.length - i),
      );
    },
  );

  it.skipIf(!available)('creates the demo dashboard once', async () => {
    const { admin, viewer } = organization();
    const demo = await createDemoDashboard(content, admin, { dataSourceUuid: 'demo-uuid' });
    expect(demo.name).toBe('Demo sales');
    expect(demo.widgets.map((w) => w.visualization.type)).toEqual([
      'kpi',
      'kpi',
      'kpi',
      'line',
      'bar',
      'table',
    ]);
    expect(demo.widgets.every((w) => w.query?.source === 'demo-uuid')).toBe(true);
    expect(demo.filters.map((f) => [f.field, f.type])).toEqual([
      ['date', 'date_range'],
      ['country', 'values'],
    ]);
    expect((await createDemoDashboard(content, admin, { dataSourceUuid: 'demo-uuid' })).id).toBe(demo.id);
    expect(await content.dashboards.list(viewer)).toHaveLength(1);
  });
});
