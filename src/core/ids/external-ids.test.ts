import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { openPostgresStore, openSqliteStore, type Store, type StoreKind } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { createOrganization } from '../directory/organizations.ts';
import { RosettaError } from '../errors.ts';
import { createExternalIds, type ExternalIds } from './index.ts';

const HEX24 = /^[0-9a-f]{24}$/;

/** `ERR_X:field` for a RosettaError, 'ok' for success, the error itself otherwise. */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof RosettaError ? `${error.code}:${error.field}` : error),
  );

/**
 * Two stores on one database stand for two nodes (or one node before and after a restart):
 * each has its own connections, and both must hand out the same ids.
 */
async function openTwoNodes(
  kind: StoreKind,
): Promise<{ nodes: [Store, Store]; close(): Promise<void> } | undefined> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'rosetta-ids-'));
    const file = join(dir, 'metadata.sqlite');
    const first = openSqliteStore(file);
    await migrateToLatest(first);
    const second = openSqliteStore(file);
    return {
      nodes: [first, second],
      async close() {
        await first.close();
        await second.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const temp = await createTempPostgres('rosetta_ids');
  if (!temp.available) return undefined;
  const first = openPostgresStore(temp.url);
  await migrateToLatest(first);
  const second = openPostgresStore(temp.url);
  return {
    nodes: [first, second],
    async close() {
      await first.close();
      await second.close();
      await temp.drop();
    },
  };
}

describe.each(['sqlite', 'postgres'] as const)('external ids on %s', async (kind) => {
  const env = await openTwoNodes(kind);
  let ids: ExternalIds;
  let otherNode: ExternalIds;
  let org: number;
  let otherOrg: number;

  beforeAll(async () => {
    if (!env) return;
    const [first, second] = env.nodes;
    ids = createExternalIds(first);
    otherNode = createExternalIds(second);
    org = (await createOrganization(first.db, 'Acme')).organization.id;
    otherOrg = (await createOrganization(first.db, 'Globex')).organization.id;
  });
  afterAll(() => env?.close());

  const storedRows = (internalId: number, kind = 'dashboard') =>
    env?.nodes[0].db
      .selectFrom('external_ids')
      .selectAll()
      .where('organization_id', '=', org)
      .where('kind', '=', kind)
      .where('internal_id', '=', internalId)
      .execute();

  it.skipIf(!env)('allocates an oid once and answers it forever, on every node', async () => {
    const oid = await ids.idOf(org, 'dashboard', 1, 'hex24');
    expect(oid).toMatch(HEX24);
    expect(await ids.idOf(org, 'dashboard', 1, 'hex24')).toBe(oid);
    expect(await otherNode.idOf(org, 'dashboard', 1, 'hex24')).toBe(oid);
    // A fresh service over the same store is a restarted node.
    expect(await createExternalIds(env?.nodes[1] as Store).idOf(org, 'dashboard', 1, 'hex24')).toBe(oid);
    expect(await ids.idOf(org, 'dashboard', 2, 'hex24')).not.toBe(oid);
    expect(await ids.idOf(org, 'chart', 1, 'hex24')).not.toBe(oid);
  });

  it.skipIf(!env)('agrees on one oid when first uses race, within and across nodes', async () => {
    const racers = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? ids : otherNode));
    const answers = await Promise.all(racers.map((node) => node.idOf(org, 'folder', 7, 'hex24')));
    expect(new Set(answers).size).toBe(1);
    expect(await storedRows(7, 'folder')).toHaveLength(1);

    const lists = await Promise.all(
      racers.map((node, i) => node.idsOf(org, 'model', [1, 2, 3, 4 + (i % 3)], 'hex24')),
    );
    for (const internalId of [1, 2, 3, 4, 5, 6]) {
      const seen = new Set(lists.flatMap((list) => list.get(internalId) ?? []));
      expect(seen.size).toBe(1);
    }
  });

  it.skipIf(!env)('allocates a long list in chunks, one distinct oid per object', async () => {
    const internalIds = Array.from({ length: 1203 }, (_, i) => 10_000 + i);
    const found = await ids.idsOf(org, 'user', [...internalIds, ...internalIds.slice(0, 5)], 'hex24');
    expect(found.size).toBe(internalIds.length);
    expect(new Set(found.values()).size).toBe(internalIds.length);
    expect(await ids.idOf(org, 'user', 10_500, 'hex24')).toBe(found.get(10_500));
  });

  it.skipIf(!env)('resolves an oid back to its object, in its organization and kind only', async () => {
    const oid = await ids.idOf(org, 'data_source', 3, 'hex24');
    expect(await ids.resolve(org, 'data_source', 'hex24', oid)).toBe(3);
    expect(await otherNode.resolve(org, 'data_source', 'hex24', oid.toUpperCase())).toBe(3);
    expect(await ids.resolve(org, 'dashboard', 'hex24', oid)).toBeUndefined();
    expect(await ids.resolve(otherOrg, 'data_source', 'hex24', oid)).toBeUndefined();
    expect(await ids.resolve(org, 'data_source', 'hex24', '0123456789abcdef01234567')).toBeUndefined();

    const elsewhere = await ids.idOf(otherOrg, 'data_source', 3, 'hex24');
    expect(elsewhere).not.toBe(oid);
    expect(await ids.resolve(otherOrg, 'data_source', 'hex24', elsewhere)).toBe(3);
  });

  it.skipIf(!env)('keeps a purged object’s oid taken: it stops resolving and is never reused', async () => {
    const oid = await ids.idOf(org, 'schedule', 1, 'hex24');
    await ids.forget(org, 'schedule', 1);
    await ids.forget(org, 'schedule', 1);
    expect(await ids.resolve(org, 'schedule', 'hex24', oid)).toBeUndefined();
    expect(await storedRows(1, 'schedule')).toEqual([expect.objectContaining({ external_id: oid })]);

    // The next object draws the purged oid first: it is refused and drawn again.
    const draws = [oid, 'abcdefabcdefabcdefabcdef'];
    const drawing = createExternalIds(env?.nodes[1] as Store, { allocate: () => draws.shift() as string });
    expect(await drawing.idOf(org, 'schedule', 2, 'hex24')).toBe('abcdefabcdefabcdefabcdef');
    expect(draws).toEqual([]);
  });

  it.skipIf(!env)('gives up with an error when every draw is taken', async () => {
    const taken = await ids.idOf(org, 'script', 1, 'hex24');
    const stuck = createExternalIds(env?.nodes[0] as Store, { allocate: () => taken });
    await expect(stuck.idOf(org, 'script', 2, 'hex24')).rejects.toThrow(/could not allocate/);
    expect(await storedRows(2, 'script')).toEqual([]);
  });

  it.skipIf(!env)('refuses malformed input, naming the field', async () => {
    const resolve = (value: unknown) => outcome(ids.resolve(org, 'dashboard', 'hex24', value, 'oid'));
    for (const malformed of [
      '',
      'xyz',
      '0123456789abcdef0123456',
      '0123456789abcdef012345678',
      'g123456789abcdef01234567',
      12,
      null,
    ])
      expect(await resolve(malformed)).toBe('ERR_VALIDATION:oid');
    expect(await outcome(ids.resolve(org, 'dashboard', 'hex24', 'nope'))).toBe('ERR_VALIDATION:id');
    expect(await outcome(ids.idOf(org, 'not_a_kind' as never, 1, 'hex24'))).toBe('ERR_VALIDATION:kind');
    expect(await outcome(ids.idOf(org, 'dashboard', 1, 'uuid' as never))).toBe('ERR_VALIDATION:style');
    expect(await outcome(ids.resolve(org, 'dashboard', 'toString' as never, 'x'))).toBe(
      'ERR_VALIDATION:style',
    );
    for (const internalId of [0, -1, 1.5, Number.NaN, '3' as unknown as number])
      expect(await outcome(ids.idOf(org, 'dashboard', internalId, 'hex24'))).toBe('ERR_VALIDATION:id');
    expect(await outcome(ids.idOf(0, 'dashboard', 1, 'hex24'))).toBe('ERR_VALIDATION:organizationId');
    expect(await outcome(ids.forget(org, 'nothing' as never, 1))).toBe('ERR_VALIDATION:kind');
  });
});
