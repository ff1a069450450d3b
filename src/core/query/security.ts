import type { Principal } from '../auth/principal.ts';
import { forbidden, RosettaError } from '../errors.ts';
import type { Model } from './model.ts';
import { resolveField } from './resolve.ts';
import type { Condition, ResolvedQuery } from './validate.ts';
import { convertValue } from './values.ts';

/**
 * Row-level security, applied by the compiler to every query (see compile.ts). Admins see all
 * rows; anyone else sees the rows whose policy field is among their attribute values, and no row
 * at all when they lack the attribute.
 */
export function secureQuery(query: ResolvedQuery, model: Model, principal: Principal): ResolvedQuery {
  if (principal.role === 'admin' || model.policies.length === 0) return query;
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

/** A caller restricted to some data sources (data-API keys, embeds) may query only models reading them. */
export function assertDataSourceAccess(principal: Principal, model: Model): void {
  const allowed = principal.dataSourceIds;
  if (allowed === undefined) return;
  const outside = model.dataSourceIds.filter((id) => !allowed.includes(id));
  if (outside.length > 0) {
    throw new RosettaError(
      'ERR_FORBIDDEN',
      forbidden(`query the data source(s) ${outside.join(', ')}`).message,
      'source',
    );
  }
}
