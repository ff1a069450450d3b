import { afterAll, describe, expect, it } from 'vitest';
import { messageOf, openHarness, principalFor } from './test-support.ts';

const developer = principalFor('developer');
const viewer = principalFor('viewer');
const admin = principalFor('admin');

describe('pushing rows with a source push token', async () => {
  const h = (await openHarness('sqlite'))!;
  afterAll(async () => h.close());

  it('inserts with the source token; another token, another source or a reader is refused', async () => {
    const source = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'events',
      columns: [{ name: 'name', type: 'string' }],
    });
    const other = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'other',
      columns: [{ name: 'name', type: 'string' }],
    });
    const token = h.data.files.pushTokenOf(source);
    const pushed = await h.data.files.pushWithToken(developer, source.uuid, token, {
      rows: [{ name: 'a', extra: 1 }],
      ignoreUnknownColumns: true,
    });
    expect(pushed.rows).toBe(1);
    for (const [principal, ref, given] of [
      [developer, source.uuid, 'wrong'],
      [developer, source.uuid, `${token}0`],
      [developer, other.uuid, token],
      [viewer, source.uuid, token],
    ] as const) {
      expect(
        await messageOf(h.data.files.pushWithToken(principal, ref, given, { rows: [{ name: 'x' }] })),
      ).toMatch(/^ERR_FORBIDDEN/);
    }
    expect((await h.query.preview(admin, source.id, 10)).rows).toEqual([['a']]);
  });
});
