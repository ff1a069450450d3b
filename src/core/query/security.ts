import { can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { Model } from './model.ts';
import { resolveField } from './resolve.ts';
import type { Condition, ResolvedQuery } from './validate.ts';
import { convertValue } from './values.ts';

/**
 * Row-level security, applied by the compiler to every query (see compile.ts). Admins acting as
 * themselves (`rows.all`) see all rows; anyone else — data-API keys and embeds included — sees
 * the rows whose policy field is among their attribute values, and no row at all when they lack
 * the attribute.
 */
export function secureQuery(query: ResolvedQuery, model: Model, principal: Principal): ResolvedQuery {
  if (can(principal, 'rows.all') || model.policies.length === 0) return query;
  const policies = model.policies.map((policy, i): Condition => {
    const field = resolveField(model, policy.field, `model.policies[${i}].field`);
    const values = (principal.attributes[policy.attribute] ?? []).flatMap((value) => {
      try {
        return [convertValue(value, field.type, 'attribute')];
      } catch {
        return []; // A value that cannot be of the field's type can match no row.
      }
    });
    if (values.length === 0) return { kind: 'never' };
    return { kind: 'rule', target: { kind: 'field', field }, operator: 'in', values };
  });
  const where = query.where ? [query.where, ...policies] : policies;
  return { ...query, where: where.length === 1 ? where[0] : { kind: 'and', children: where } };
}
