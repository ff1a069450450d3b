import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { RosettaError } from '../errors.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_content'));
afterAll(cleanup);

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(RosettaError);
      return error as RosettaError;
    },
  );

describe.each(backends)('folders on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)('nests folders and lists them flat or as a tree', async () => {
    const { editor } = organization();
    const sales = await content.folders.create(editor, { name: 'Sales' });
    const europe = await content.folders.create(editor, { name: 'Europe', parentId: sales.id });
    const france = await content.folders.create(editor, { name: 'France', parentId: europe.uuid });
    expect(france).toMatchObject({
      parentId: europe.id,
      parentUuid: europe.uuid,
      restricted: false,
      createdBy: 2,
    });
    const flat = await content.folders.list(editor);
    expect(flat.map((f) => [f.name, f.parentId])).toEqual([
      ['Sales', null],
      ['Europe', sales.id],
      ['France', europe.id],
    ]);
    const [root] = await content.folders.tree(editor);
    expect(root.children[0].children[0].name).toBe('France');
    expect(await content.folders.get(editor, String(france.id))).toMatchObject({ uuid: france.uuid });
  });

  it.skipIf(!available)('refuses cycles and foreign parents with a 400 on parentId', async () => {
    const { editor } = organization();
    const a = await content.folders.create(editor, { name: 'A' });
    const b = await content.folders.create(editor, { name: 'B', parentId: a.id });
    const c = await content.folders.create(editor, { name: 'C', parentId: b.id });
    for (const target of [a.id, c.id]) {
      const error = await rejection(content.folders.update(editor, a.id, { parentId: target }));
      expect(error).toMatchObject({ code: 'ERR_VALIDATION', field: 'parentId' });
    }
    const stranger = organization().editor;
    const foreign = await content.folders.create(stranger, { name: 'Elsewhere' });
    expect(
      await rejection(content.folders.create(editor, { name: 'X', parentId: foreign.id })),
    ).toMatchObject({
      field: 'parentId',
    });
    await expect(content.folders.get(editor, foreign.uuid)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    const moved = await content.folders.update(editor, c.id, { parentId: null, name: 'C2' });
    expect(moved).toMatchObject({ parentId: null, name: 'C2' });
  });

  it.skipIf(!available)(
    'access lists restrict a folder and its subfolders to the listed subjects',
    async () => {
      const org = organization();
      const listedViewer = org.principal(6, 'viewer');
      const secret = await content.folders.create(org.editor, {
        name: 'Board',
        access: [
          { subject: 'user', id: listedViewer.userId, level: 'view' },
          { subject: 'group', id: 50, level: 'edit' },
        ],
      });
      const inner = await content.folders.create(org.editor, { name: 'Minutes', parentId: secret.id });
      expect(inner.restricted).toBe(true);
      for (const ref of [secret.id, inner.id]) {
        await expect(content.folders.get(org.viewer, ref)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
        await expect(content.folders.get(org.otherEditor, ref)).rejects.toMatchObject({
          code: 'ERR_NOT_FOUND',
        });
        await content.folders.get(listedViewer, ref);
        await content.folders.get(org.groupViewer, ref);
        await content.folders.get(org.admin, ref);
      }
      expect((await content.folders.list(org.viewer)).map((f) => f.name)).toEqual([]);
      // An edit grant does not lift a viewer role; creating needs editor.
      await expect(
        content.folders.create(org.groupViewer, { name: 'No', parentId: secret.id }),
      ).rejects.toMatchObject({
        code: 'ERR_FORBIDDEN',
      });
      // A subfolder with its own list replaces the inherited one.
      const open = await content.folders.setAccess(org.editor, inner.id, [
        { subject: 'user', id: org.viewer.userId, level: 'view' },
      ]);
      expect(open.access).toHaveLength(1);
      await content.folders.get(org.viewer, inner.id);
      await expect(content.folders.get(listedViewer, inner.id)).rejects.toMatchObject({
        code: 'ERR_NOT_FOUND',
      });
      const tree = await content.folders.tree(org.viewer);
      expect(tree.map((node) => node.name)).toEqual(['Minutes']);
    },
  );

  it.skipIf(!available)(
    'only admins or the creator change access lists; viewers create nothing',
    async () => {
      const org = organization();
      const folder = await content.folders.create(org.editor, { name: 'Mine' });
      await expect(content.folders.setAccess(org.otherEditor, folder.id, [])).rejects.toMatchObject({
        code: 'ERR_FORBIDDEN',
      });
      await content.folders.setAccess(org.admin, folder.id, [{ subject: 'user', id: 3, level: 'view' }]);
      await expect(content.folders.create(org.viewer, { name: 'Nope' })).rejects.toMatchObject({
        code: 'ERR_FORBIDDEN',
      });
      const error = await rejection(
        content.folders.setAccess(org.editor, folder.id, [
          { subject: 'team', id: 1, level: 'view' },
        ] as never),
      );
      expect(error.field).toBe('access[0].subject');
    },
  );

  it.skipIf(!available)('deletes empty folders; recursive deletion is for admins', async () => {
    const org = organization();
    const top = await content.folders.create(org.editor, { name: 'Top' });
    const sub = await content.folders.create(org.editor, { name: 'Sub', parentId: top.id });
    const dashboard = await content.dashboards.create(org.editor, { name: 'D', folderId: sub.id });
    await expect(content.folders.delete(org.editor, top.id)).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await expect(content.folders.delete(org.editor, top.id, { recursive: true })).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await content.folders.delete(org.admin, top.id, { recursive: true });
    expect(await content.folders.list(org.admin)).toEqual([]);
    await expect(content.dashboards.get(org.admin, dashboard.id)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    const empty = await content.folders.create(org.editor, { name: 'Empty' });
    await content.folders.delete(org.editor, empty.uuid);
    await expect(content.folders.get(org.editor, empty.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it.skipIf(!available)(
    'keeps kinds apart: subfolders inherit the kind, dashboards only go to theirs',
    async () => {
      const { editor } = organization();
      const sources = await content.folders.create(editor, { name: 'Sources', kind: 'data_source' });
      const sub = await content.folders.create(editor, { name: 'Raw', parentId: sources.id });
      expect(sub.kind).toBe('data_source');
      expect((await content.folders.create(editor, { name: 'Boards' })).kind).toBe('dashboard');
      const listed = await content.folders.list(editor, { kind: 'data_source' });
      expect(listed.map((f) => f.name)).toEqual(['Sources', 'Raw']);
      const mixed = await rejection(
        content.folders.create(editor, { name: 'Jobs', kind: 'script', parentId: sources.id }),
      );
      expect(mixed.field).toBe('parentId');
      expect(
        (await rejection(content.folders.create(editor, { name: 'X', kind: 'cube' as never }))).field,
      ).toBe('kind');
      const misplaced = await rejection(
        content.dashboards.create(editor, { name: 'D', folderId: sources.id }),
      );
      expect(misplaced.field).toBe('folderId');
      const scripts = await content.folders.create(editor, { name: 'Scripts', kind: 'script' });
      expect(
        (await rejection(content.folders.update(editor, scripts.id, { parentId: sources.id }))).field,
      ).toBe('parentId');
    },
  );

  it.skipIf(!available)('files items in folders of their kind, under folder access rules', async () => {
    const org = organization();
    const folder = await content.folders.create(org.editor, { name: 'ETL', kind: 'script' });
    let changed = 0;
    const change = async (moves: boolean) => {
      changed += moves ? 1 : 0;
      return 'changed';
    };
    const item = { kind: 'script', uuid: 'script-1', field: 'folder' } as const;
    expect(await content.folders.place(org.editor, item, folder.uuid, change)).toBe('changed');
    expect(changed).toBe(1);
    expect(await content.folders.placements(org.viewer, 'script')).toEqual(
      new Map([['script-1', folder.uuid]]),
    );
    await content.folders.place(org.editor, item, folder.id, change);
    expect(changed).toBe(1);

    const wrongKind = await rejection(
      content.folders.place(org.editor, { ...item, kind: 'data_source' }, folder.id, change),
    );
    expect(wrongKind.field).toBe('folder');
    // Restricted to its creator: others neither see the item there nor move it out, and a refused
    // move does not run the item's change.
    await content.folders.setAccess(org.editor, folder.id, [{ subject: 'user', id: 4, level: 'view' }]);
    expect(await content.folders.placements(org.otherEditor, 'script')).toEqual(new Map());
    await expect(content.folders.place(org.otherEditor, item, null, change)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    expect(changed).toBe(1);
    // Deleting the folder files its items back at the top level; the items themselves stay.
    await content.folders.delete(org.editor, folder.id);
    expect(await content.folders.placements(org.editor, 'script')).toEqual(new Map());
  });
});
