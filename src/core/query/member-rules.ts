import type { JsonScalar } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import type { Model } from './model.ts';
import { resolveField } from './resolve.ts';
import type { Condition } from './validate.ts';
import { convertValue } from './values.ts';

/** Who a member rule is for: one user, one group, or everyone no other rule of its field names. */
export type RuleParty = { kind: 'user'; id: number } | { kind: 'group'; id: number } | { kind: 'everyone' };

/**
 * Member rules: which values (`members`) of one field of a model a party sees. For each field
 * with rules, the rules naming the user apply; else those naming any of the user's groups (their
 * union); else the rule for everyone; a user no rule covers sees no row. `allMembers` lifts the
 * restriction; `exclude` shows every value but the members (rows whose value is NULL stay
 * visible: NULL is no member). Fields' restrictions are AND-ed, and with the row policies.
 */
export interface MemberRule {
  id: number;
  /** `table.field`, as the model's queries address it. */
  field: string;
  members: JsonScalar[];
  exclude: boolean;
  allMembers: boolean;
  parties: RuleParty[];
}

type Caller = Pick<Principal, 'userId' | 'groupIds'>;

/** The rules of one field that apply to the caller, by precedence: user, then groups, then everyone. */
export function applicableRules(rules: readonly MemberRule[], caller: Caller): MemberRule[] {
  const naming = (test: (party: RuleParty) => boolean) => rules.filter((rule) => rule.parties.some(test));
  const own = naming((party) => party.kind === 'user' && party.id === caller.userId);
  if (own.length > 0) return own;
  const groups = naming((party) => party.kind === 'group' && caller.groupIds.includes(party.id));
  if (groups.length > 0) return groups;
  return naming((party) => party.kind === 'everyone');
}

/** One condition per field with rules: the union of the rows each applicable rule shows. */
export function memberConditions(model: Model, caller: Caller): Condition[] {
  const byField = new Map<string, MemberRule[]>();
  for (const rule of model.memberRules ?? [])
    byField.set(rule.field, [...(byField.get(rule.field) ?? []), rule]);
  return [...byField].map(([address, rules]): Condition => {
    const field = resolveField(model, address, 'model.memberRules.field', true);
    const shown = applicableRules(rules, caller).map((rule): Condition => {
      if (rule.allMembers) return { kind: 'always' };
      const values = rule.members.flatMap((member) => {
        try {
          return [convertValue(member, field.type, 'members')];
        } catch {
          // A member that cannot be of the field's type matches no row.
          return [];
        }
      });
      if (values.length === 0) return { kind: rule.exclude ? 'always' : 'never' };
      const operator = rule.exclude ? 'not in' : 'in';
      return { kind: 'rule', target: { kind: 'field', field }, operator, values, policy: true };
    });
    if (shown.length === 0) return { kind: 'never' };
    if (shown.some((condition) => condition.kind === 'always')) return { kind: 'always' };
    return shown.length === 1 ? shown[0] : { kind: 'or', children: shown };
  });
}
