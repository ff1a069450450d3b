import { fieldError, validationError } from '../errors.ts';
import { can } from './authorize.ts';
import type { Attributes, Principal } from './principal.ts';

/*
 * The values an embed link carries (`variables`) and what they may do: fill the dashboard's
 * variables, and narrow, never widen, the row-policy values of the editor who made the link.
 */

export function variablesOf(variables: unknown): Attributes {
  if (variables === undefined || variables === null) return {};
  if (typeof variables !== 'object' || Array.isArray(variables))
    throw validationError('variables', 'must be an object');
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)))
        throw validationError(`variables.${key}`, 'must be a string, number, boolean or a list of them');
      return [key, values.map(String)];
    }),
  );
}

/**
 * The row-policy values of an embed: an admin's embed has exactly the values it was given; any
 * other creator's embed has their own values, narrowed to the given ones where it names a key.
 */
export function boundedAttributes(creator: Principal, variables: Attributes): Attributes {
  if (can(creator, 'rows.all')) return variables;
  const bounded: Attributes = { ...creator.attributes };
  for (const [key, values] of Object.entries(variables)) {
    const own = creator.attributes[key];
    if (own) bounded[key] = values.filter((value) => own.includes(value));
  }
  return bounded;
}

/** A non-admin may hand out only values of attributes they hold themselves. */
export function checkGrantable(creator: Principal, variables: Attributes, attributeKeys: string[]): void {
  if (can(creator, 'rows.all')) return;
  for (const [key, values] of Object.entries(variables)) {
    const own = creator.attributes[key];
    const outside = own
      ? values.filter((value) => !own.includes(value))
      : attributeKeys.includes(key)
        ? values
        : [];
    if (outside.length > 0)
      throw fieldError(
        'ERR_FORBIDDEN',
        `variables.${key}`,
        `not allowed to grant ${outside.map((v) => JSON.stringify(v)).join(', ')}, which your own "${key}" attribute does not hold`,
      );
  }
}
