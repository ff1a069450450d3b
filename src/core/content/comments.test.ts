import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import type { Store } from '../../store/database.ts';
import { type ContentService, createContentService } from './index.ts';
import { contentBackends, organization } from './test-support.ts';

const { backends, cleanup } = contentBackends(await createTempPostgres('rosetta_comments'));
afterAll(cleanup);

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );

const widget = { id: 'text', title: 'Notes', query: null, visualization: { type: 'text' as const } };

describe.each(backends)('dashboard comments on $kind', ({ available, open }) => {
  let store: Store;
  let content: ContentService;
  beforeAll(async () => {
    if (!available) return;
    store = await open();
    content = createContentService(store);
  });
  afterAll(async () => store?.close());

  it.skipIf(!available)(
    'threads replies, notifies other commenters, and goes with its dashboard',
    async () => {
      const { editor, groupViewer: commenter, viewer } = organization();
      const dashboard = await content.dashboards.create(editor, { name: 'Talk', widgets: [widget] });
      const input = { widgetId: 'text', text: 'Hello', html: '<p>Hello</p>', mentions: [] };

      expect(await codeOf(content.comments.add(viewer, dashboard.id, input))).toBe('ERR_FORBIDDEN');
      const first = await content.comments.add(commenter, dashboard.id, input);
      const reply = await content.comments.add(editor, dashboard.id, {
        ...input,
        text: 'Hi',
        replyTo: first.uuid,
      });
      // A reply to a reply joins the thread of the comment that opened it.
      const nested = await content.comments.add(commenter, dashboard.uuid, { ...input, replyTo: reply.uuid });
      const listed = await content.comments.list(viewer, dashboard.id);
      expect(listed.map((c) => [c.uuid, c.replyTo, c.removable])).toEqual([
        [first.uuid, null, false],
        [reply.uuid, first.uuid, false],
        [nested.uuid, first.uuid, false],
      ]);
      expect((await content.comments.list(editor, dashboard.id)).every((c) => c.removable)).toBe(true);

      const notices = await content.comments.notices(commenter);
      expect(notices).toMatchObject([
        { viewed: false, authorId: editor.userId, text: 'Hi', widget: { id: 'text', title: 'Notes' } },
      ]);
      expect((await content.comments.notices(editor)).map((n) => n.authorId)).toEqual([commenter.userId]);
      await content.comments.markNotice(commenter, notices[0].uuid, true);
      expect((await content.comments.notices(commenter))[0].viewed).toBe(true);
      expect(await codeOf(content.comments.markNotice(editor, notices[0].uuid, false))).toBe('ERR_NOT_FOUND');

      expect(await codeOf(content.comments.remove(commenter, dashboard.id, reply.uuid))).toBe(
        'ERR_FORBIDDEN',
      );
      await content.comments.remove(commenter, dashboard.id, first.uuid);
      expect(await content.comments.list(editor, dashboard.id)).toEqual([]);
      expect(await content.comments.notices(commenter)).toEqual([]);

      await content.comments.add(commenter, dashboard.id, input);
      await content.dashboards.delete(editor, dashboard.id);
      expect(await codeOf(content.comments.list(editor, dashboard.id))).toBe('ERR_NOT_FOUND');
      expect(await content.comments.notices(editor)).toEqual([]);
    },
  );
});
