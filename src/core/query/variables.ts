import type { JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';

/**
 * Query variables: a filter value `{"variable": "<name>"}` stands for the value the body's
 * `variables` give that name, substituted before the query is validated, so a variable is
 * checked against its field like a literal value. A list value expands into several values
 * (`in`, `=`, `contains` take many); null means "no value", which is a 400 where it is used.
 * Pure and browser-safe: the web view finds the variables a widget uses with `variablesUsed`.
 */
export type VariableValue = JsonScalar | JsonScalar[];
export type VariableValues = Record<string, VariableValue>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): value is JsonScalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** A filter value `{variable: …}` (its name is checked when it is substituted). */
export const isVariableRef = (value: unknown): value is Record<string, unknown> & { variable: unknown } =>
  isRecord(value) && 'variable' in value;

/** The `variables` object of a query body: names → a scalar or a list of scalars. */
export function parseVariables(value: unknown, path = 'variables'): VariableValues {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw validationError(path, 'must be an object of variable name → value');
  for (const [name, entry] of Object.entries(value)) {
    const ok = Array.isArray(entry) ? entry.every(isScalar) : isScalar(entry);
    if (!ok)
      throw validationError(`${path}.${name}`, 'must be a string, number, boolean, null or a list of them');
  }
  return value as VariableValues;
}

/** The values a filter value `{variable}` at `path` stands for. */
export function substitute(
  ref: Record<string, unknown>,
  variables: VariableValues,
  path: string,
): JsonScalar[] {
  const unknown = Object.keys(ref).find((key) => key !== 'variable');
  if (unknown !== undefined) throw validationError(`${path}.${unknown}`, 'unknown property');
  const name = ref.variable;
  if (typeof name !== 'string' || name === '')
    throw validationError(`${path}.variable`, 'must be the name of a variable');
  const value = Object.hasOwn(variables, name) ? variables[name] : null;
  if (value === null) throw validationError(`${path}.variable`, `variable "${name}" has no value`);
  return Array.isArray(value) ? value : [value];
}

/** The names of the variables a query body's filters refer to. */
export function variablesUsed(filters: unknown): string[] {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (!isRecord(node)) return;
    for (const child of [node.and, node.or].flatMap((group) => (Array.isArray(group) ? group : [])))
      walk(child);
    if (!Array.isArray(node.values)) return;
    for (const value of node.values)
      if (isVariableRef(value) && typeof value.variable === 'string') names.add(value.variable);
  };
  walk(filters);
  return [...names];
}

/** A query body with `values` set over the variables it already has. */
export function withVariables(
  body: Record<string, unknown>,
  values: VariableValues,
): Record<string, unknown> {
  if (Object.keys(values).length === 0) return body;
  return { ...body, variables: { ...(isRecord(body.variables) ? body.variables : {}), ...values } };
}
