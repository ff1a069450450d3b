import { afterAll, describe, expect, it } from 'vitest';
import { isRosettaError } from '../errors.ts';
import type { DataSource, StoredModel } from './index.ts';
import { openHarness, principalFor } from './test-support.ts';

/**
 * The member-rule store: rules are checked (field, parties, repeats, the rule for everyone),
 * loaded into the models the query core resolves (a source's rules in every model reading it),
 * and forgotten with their target, user or group.
 */
const harness = await openHarness('sqlite');
const h = harness!;
afterAll(async () => harness?.close());
const developer = principalFor('developer');
const viewer = principalFor('viewer', { userId: 2 });

/** The reason and field of the error a call fails with. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isRosettaError(error)) return `${error.reason} ${error.field ?? ''}`.trim();
    throw error;
  }
  throw new Error('expected a failure');
}

describe('member rules', () => {
  let source: DataSource;
  let model: StoredModel;
  let groupId: number;

  it('adds rules to a source and loads them into its model and the models reading it', async () => {
    source = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'orders',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'country', type: 'string' },
      ],
    });
    model = await h.data.models.create(developer, {
      name: 'sales',
      connectionId: h.embedded.id,
      baseTable: 'o',
      tables: [{ name: 'o', dataSource: source.uuid }],
      joins: [],
      dimensions: [{ name: 'land', table: 'o', column: 'country' } as StoredModel['dimensions'][number]],
      metrics: [],
      policies: [],
    });
    const group = await h.store.db
      .insertInto('groups')
      .values({
        uuid: crypto.randomUUID(),
        organization_id: 1,
        name: 'g',
        description: '',
        created_at: '',
        updated_at: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    groupId = group.id;
    const made = await h.data.memberRules.create(developer, { kind: 'source', id: source.id }, [
      {
        field: 'source.country',
        members: ['FR'],
        parties: [
          { kind: 'user', id: 1 },
          { kind: 'group', id: groupId },
        ],
      },
      { field: 'source.country', members: ['DE'], exclude: true, parties: [{ kind: 'everyone' }] },
    ]);
    expect(made.map((rule) => [rule.members, rule.exclude])).toEqual([
      [['FR'], false],
      [['DE'], true],
    ]);
    const own = await h.data.models.resolveModel(viewer, source.uuid);
    expect(own.memberRules?.map((rule) => rule.field)).toEqual(['source.country', 'source.country']);
    const reading = await h.data.models.resolveModel(viewer, 'sales');
    expect(reading.memberRules?.map((rule) => rule.field)).toEqual(['o.land', 'o.land']);
    expect(await h.data.memberRules.list(developer, { kind: 'source', id: source.id })).toHaveLength(2);
  });

  it('refuses unknown fields and parties, repeats, a mixed rule for everyone, and viewers', async () => {
    const target = { kind: 'source' as const, id: source.id };
    const add = (rule: Record<string, unknown>) =>
      failure(
        h.data.memberRules.create(developer, target, [
          { field: 'source.country', members: ['x'], ...rule } as never,
        ]),
      );
    expect(await add({ field: 'source.nope', parties: [{ kind: 'everyone' }] })).toBe(
      'validation rules[0].field',
    );
    expect(await add({ parties: [{ kind: 'user', id: 999 }] })).toBe(
      'data.rule_party_unknown rules[0].parties[0].id',
    );
    expect(await add({ parties: [{ kind: 'user', id: 1 }] })).toBe(
      'data.rule_party_repeated rules[0].parties',
    );
    expect(await add({ parties: [{ kind: 'everyone' }] })).toBe('data.rule_default_invalid rules[0].parties');
    expect(await add({ parties: [{ kind: 'everyone' }, { kind: 'user', id: 1 }] })).toBe(
      'data.rule_default_invalid rules[0].parties',
    );
    expect(await add({ parties: [{ kind: 'team', id: 1 }] })).toBe('validation rules[0].parties[0].kind');
    expect(await add({ members: [{}], parties: [{ kind: 'group', id: groupId }] })).toBe(
      'validation rules[0].members[0]',
    );
    expect(await failure(h.data.memberRules.list(viewer, target))).toBe('forbidden');
  });

  it('forgets a purged group, then the rules of a purged model', async () => {
    await h.data.memberRules.create(developer, { kind: 'model', id: model.id }, [
      { field: 'o.land', members: ['FR'], parties: [{ kind: 'group', id: groupId }] },
    ]);
    await h.events.emit('objectPurged', { organizationId: 1, kind: 'group', id: groupId });
    const sourceRules = await h.data.memberRules.list(developer, { kind: 'source', id: source.id });
    expect(sourceRules[0].parties).toEqual([{ kind: 'user', id: 1 }]);
    expect(await h.data.memberRules.list(developer, { kind: 'model', id: model.id })).toEqual([]);
    await h.data.memberRules.create(developer, { kind: 'model', id: model.id }, [
      { field: 'o.land', members: ['FR'], parties: [{ kind: 'everyone' }] },
    ]);
    await h.data.models.delete(developer, model.id);
    const left = await h.store.db.selectFrom('member_rules').select('target_kind').execute();
    expect(left.map((row) => row.target_kind)).toEqual(['source', 'source']);
  });
});
