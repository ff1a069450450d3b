import type { JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import type { VariableValues } from '../query/variables.ts';
import type { DashboardVariable } from './types.ts';

/**
 * A dashboard's variable values and the `{{name}}` templates of titles and text widgets. One rule
 * for every path (the web view, embeds, export jobs, scheduled deliveries): the dashboard's
 * defaults, overridden by the given values, each checked against the variable's type. Pure and
 * browser-safe: the web app imports this file.
 */

const isoDate = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const fits: Record<DashboardVariable['type'], (value: JsonScalar) => boolean> = {
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  boolean: (value) => typeof value === 'boolean',
  date: (value) => typeof value === 'string' && isoDate.test(value),
};

const expected: Record<DashboardVariable['type'], string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  date: 'an ISO date (YYYY-MM-DD)',
};

/**
 * `given` (untrusted: an export body, the view's choices) over the defaults of `definitions`.
 * A value is one value of the variable's type or a list of them; null clears the default.
 */
export function dashboardVariableValues(
  definitions: readonly DashboardVariable[],
  given: unknown,
  path = 'variables',
): VariableValues {
  const values: VariableValues = {};
  for (const variable of definitions) if (variable.default !== null) values[variable.name] = variable.default;
  if (given === undefined || given === null) return values;
  if (typeof given !== 'object' || Array.isArray(given))
    throw validationError(path, 'must be an object of variable name → value');
  for (const [name, value] of Object.entries(given)) {
    const variable = definitions.find((v) => v.name === name);
    if (!variable) throw validationError(`${path}.${name}`, 'the dashboard has no variable with this name');
    if (value === null) {
      delete values[name];
      continue;
    }
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (!list.every((item) => item !== null && fits[variable.type](item as JsonScalar)))
      throw validationError(`${path}.${name}`, `must be ${expected[variable.type]} or a list of them`);
    values[name] = value as JsonScalar | JsonScalar[];
  }
  return values;
}

/**
 * An embed token's variables (kept as text, as principal attributes are) for the dashboard's
 * variables of the same names, converted to their types; values that do not convert are left out.
 */
export function tokenVariableValues(
  definitions: readonly DashboardVariable[],
  attributes: Readonly<Record<string, readonly string[]>>,
): VariableValues {
  const values: VariableValues = {};
  for (const variable of definitions) {
    const texts = attributes[variable.name];
    if (!texts || texts.length === 0) continue;
    const converted = texts.map((text): JsonScalar => {
      if (variable.type === 'number') return Number(text);
      if (variable.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
      return text;
    });
    const valid = converted.filter((value) => value !== null && fits[variable.type](value));
    if (valid.length === 0) continue;
    values[variable.name] = valid.length === 1 ? valid[0] : valid;
  }
  return values;
}

/**
 * `{{name}}` in a title or text replaced by the variable's value as text (a list joined by
 * ", "); a name without a value stays as written, so a typo or an unset variable shows. `encode`
 * encodes each value for the target (HTML), so a value is never markup.
 */
export function fillTemplate(
  template: string,
  values: VariableValues,
  encode: (text: string) => string = (text) => text,
): string {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) return whole;
    const value = values[name];
    return encode(Array.isArray(value) ? value.map(String).join(', ') : String(value));
  });
}
