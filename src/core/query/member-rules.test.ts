import { afterAll, describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { compileQuery } from './compile.ts';
import { applicableRules, type MemberRule, type RuleParty } from './member-rules.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { admin, duckdbRunner, orderRows, principal, shopModel } from './testkit.ts';

/**
 * Member rules in the query core: precedence (user, then groups, then everyone), the union of
 * a user's groups, exclusion (NULLs kept), allMembers, rules on two fields AND-ed, admins exempt.
 */
const runner = await duckdbRunner();
afterAll(() => runner.close());

const user = (id: number): RuleParty => ({ kind: 'user', id });
const group = (id: number): RuleParty => ({ kind: 'group', id });
const everyone: RuleParty = { kind: 'everyone' };
let nextId = 1;
const rule = (
  field: string,
  members: JsonScalar[],
  parties: RuleParty[],
  more: Partial<MemberRule> = {},
) => ({
  id: nextId++,
  field,
  members,
  parties,
  exclude: false,
  allMembers: false,
  ...more,
});

/** The ids of the orders the caller sees under these rules. */
async function visibleOrders(rules: MemberRule[], who: Principal): Promise<number[]> {
  const model: Model = { ...shopModel, memberRules: rules };
  const { ir } = parseQueryBody({ source: 'shop', dimensions: ['orders.id'], sorts: ['orders.id'] });
  const rows = await runner.run(compileQuery(model, ir, { dialect: 'duckdb', principal: who, maxRows: 100 }));
  return rows.map((row) => row[0] as number);
}
const ordersOf = (test: (row: JsonScalar[]) => boolean) =>
  orderRows.filter(test).map((row) => row[0] as number);
const inCountries = (...countries: string[]) => ordersOf((row) => countries.includes(row[1] as string));

const alice = principal({ userId: 2, groupIds: [10, 11] });
const bob = principal({ userId: 3, groupIds: [11] });
const carol = principal({ userId: 4, groupIds: [] });

describe('member rules', () => {
  const rules = [
    rule('orders.country', ['FR'], [user(2)]),
    rule('orders.country', ['DE'], [group(10)]),
    rule('orders.country', ['US'], [group(11)]),
    rule('orders.country', ['DE', 'US'], [everyone]),
  ];

  it('applies the rules naming the user before those of their groups', async () => {
    expect(applicableRules(rules, alice).map((r) => r.members)).toEqual([['FR']]);
    expect(await visibleOrders(rules, alice)).toEqual(inCountries('FR'));
  });

  it('unites the rules of every group of the user', async () => {
    const groupsOnly = rules.slice(1);
    expect(await visibleOrders(groupsOnly, alice)).toEqual(inCountries('DE', 'US'));
    expect(await visibleOrders(groupsOnly, bob)).toEqual(inCountries('US'));
  });

  it('falls back on the rule for everyone else, and shows nothing without one', async () => {
    expect(await visibleOrders(rules, carol)).toEqual(inCountries('DE', 'US'));
    expect(await visibleOrders(rules.slice(0, 3), carol)).toEqual([]);
  });

  it('shows every value but the members of an exclusionary rule, NULLs included', async () => {
    const excluded = [rule('orders.country', ['FR'], [everyone], { exclude: true })];
    expect(await visibleOrders(excluded, carol)).toEqual(ordersOf((row) => row[1] !== 'FR'));
    expect(await visibleOrders(excluded, carol)).toContain(8);
  });

  it('lifts the restriction with allMembers, even beside a narrower rule of another group', async () => {
    const all = [
      rule('orders.country', [], [group(10)], { allMembers: true }),
      rule('orders.country', ['US'], [group(11)]),
    ];
    expect(await visibleOrders(all, alice)).toEqual(ordersOf(() => true));
    expect(await visibleOrders(all, bob)).toEqual(inCountries('US'));
  });

  it('ANDs the rules of two fields', async () => {
    const two = [rule('orders.country', ['FR', 'DE'], [everyone]), rule('orders.paid', [true], [everyone])];
    expect(await visibleOrders(two, carol)).toEqual(
      ordersOf((row) => ['FR', 'DE'].includes(row[1] as string) && row[9] === true),
    );
  });

  it('leaves admins acting as themselves unrestricted', async () => {
    expect(await visibleOrders(rules.slice(0, 3), admin)).toEqual(ordersOf(() => true));
  });

  it('shows no row for an inclusive rule whose members are none', async () => {
    expect(await visibleOrders([rule('orders.country', [], [everyone])], carol)).toEqual([]);
  });
});
