import type { ColumnType, JsonScalar } from '../../engines/types.ts';
import { can } from '../auth/authorize.ts';
import type { Attributes, Principal } from '../auth/principal.ts';
import { memberConditions } from './member-rules.ts';
import type { Model } from './model.ts';
import { resolveField } from './resolve.ts';
import type { Condition, ResolvedQuery } from './validate.ts';
import { convertValue } from './values.ts';

/**
 * Row-level security, applied by the compiler to every query (see compile.ts). Admins acting as
 * themselves (`rows.all`) see all rows; anyone else — data-API keys and embeds included — sees
 * the rows whose policy field is among their attribute values, and no row at all when they lack
 * the attribute; and, where the model has member rules, only the members their rules show.
 */
export function secureQuery(query: ResolvedQuery, model: Model, principal: Principal): ResolvedQuery {
  if (can(principal, 'rows.all')) return query;
  const policies = [
    ...model.policies.map((policy, i): Condition => {
      const field = resolveField(model, policy.field, `model.policies[${i}].field`, true);
      const values = attributeValues(principal.attributes, policy.attribute, field.type);
      if (values.length === 0) return { kind: 'never' };
      return { kind: 'rule', target: { kind: 'field', field }, operator: 'in', values, policy: true };
    }),
    // Member rules (member-rules.ts): the values of a field each user or group sees.
    ...memberConditions(model, principal),
  ];
  if (policies.length === 0) return query;
  const where = query.where ? [query.where, ...policies] : policies;
  return { ...query, where: where.length === 1 ? where[0] : { kind: 'and', children: where } };
}

/**
 * The caller's values of a user attribute, converted to a field's type (row policies and filter
 * values `{"attribute": …}`). A value that cannot be of that type can match no row: it is left
 * out rather than refused, since the caller cannot change their attributes.
 */
export function attributeValues(attributes: Attributes, attribute: string, type: ColumnType): JsonScalar[] {
  return (attributes[attribute] ?? []).flatMap((value) => {
    try {
      return [convertValue(value, type, 'attribute')];
    } catch {
      return [];
    }
  });
}
