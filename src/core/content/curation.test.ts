import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_curation'));
afterAll(cleanup);

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { code?: string; field?: string }) => ({ code: error.code, field: error.field }),
  );

const chart = (name: string) => ({
  name,
  query: { source: 'sales', dimensions: [{ field: 'sales.country' }] },
  visualization: { type: 'table' as const, options: {} },
});

describe.each(backends)('pinned items and tags on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('pins in order, reorders, unpins, and lists only what the caller sees', async () => {
    const { editor, viewer } = organization();
    const folder = await content.folders.create(editor, { name: 'Team' });
    const hidden = await content.folders.create(editor, {
      name: 'Mine',
      access: [{ subject: 'user', id: editor.userId, level: 'edit' }],
    });
    const pinnedChart = await content.charts.create(editor, { ...chart('Pinned'), folderId: folder.uuid });
    const privateChart = await content.charts.create(editor, { ...chart('Private'), folderId: hidden.uuid });
    const dashboard = await content.dashboards.create(editor, { name: 'Board', folderId: folder.uuid });
    const pins = content.pins;
    expect(await pins.toggle(editor, 1, { kind: 'chart', uuid: pinnedChart.uuid })).toBe(true);
    expect(await pins.toggle(editor, 1, { kind: 'dashboard', uuid: dashboard.uuid })).toBe(true);
    expect(await pins.toggle(editor, 1, { kind: 'folder', uuid: folder.uuid })).toBe(true);
    expect(await pins.toggle(editor, 1, { kind: 'chart', uuid: privateChart.uuid })).toBe(true);
    const listed = async (principal = editor) =>
      (await pins.list(principal, 1)).map((pin) => [pin.kind, pin.item.name, pin.position]);
    expect(await listed()).toEqual([
      ['chart', 'Pinned', 0],
      ['dashboard', 'Board', 1],
      ['folder', 'Team', 2],
      ['chart', 'Private', 3],
    ]);
    expect((await listed(viewer)).map(([, name]) => name)).toEqual(['Pinned', 'Board', 'Team']);

    await pins.reorder(editor, 1, [{ kind: 'folder', uuid: folder.uuid }]);
    expect((await listed()).map(([, name]) => name)).toEqual(['Team', 'Pinned', 'Board', 'Private']);
    expect(await pins.toggle(editor, 1, { kind: 'chart', uuid: pinnedChart.uuid })).toBe(false);
    expect(await pins.positionOf(editor, 1, { kind: 'chart', uuid: pinnedChart.uuid })).toBeUndefined();
    expect(await pins.positionOf(editor, 1, { kind: 'folder', uuid: folder.uuid })).toBe(0);

    expect(await failure(pins.toggle(viewer, 1, { kind: 'dashboard', uuid: dashboard.uuid }))).toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    expect(await failure(pins.toggle(editor, 2, { kind: 'dashboard', uuid: dashboard.uuid }))).toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    expect(
      await failure(pins.reorder(editor, 1, [{ kind: 'chart', uuid: pinnedChart.uuid }], 'body')),
    ).toEqual({
      code: 'ERR_VALIDATION',
      field: 'body[0]',
    });
  });

  it.skipIf(!available)('keeps tags unique by name per project, for editors to manage', async () => {
    const { editor, viewer } = organization();
    const tag = await content.tags.create(editor, 1, { name: ' finance ', color: '#f00' });
    expect(tag).toMatchObject({ name: 'finance', color: '#f00', projectId: 1, createdBy: editor.userId });
    expect(await failure(content.tags.create(editor, 1, { name: 'finance', color: '#0f0' }))).toMatchObject({
      code: 'ERR_CONFLICT',
    });
    expect(await failure(content.tags.create(editor, 1, { name: '', color: '#0f0' }))).toEqual({
      code: 'ERR_VALIDATION',
      field: 'name',
    });
    expect(await failure(content.tags.create(viewer, 1, { name: 'x', color: '#0f0' }))).toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await content.tags.update(editor, 1, tag.uuid, { color: '#00f' });
    expect(await content.tags.list(viewer, 1)).toMatchObject([
      { uuid: tag.uuid, name: 'finance', color: '#00f' },
    ]);
    await content.tags.delete(editor, 1, tag.uuid);
    expect(await content.tags.list(viewer, 1)).toEqual([]);
    expect(await failure(content.tags.delete(editor, 1, tag.uuid))).toMatchObject({ code: 'ERR_NOT_FOUND' });
  });
});
