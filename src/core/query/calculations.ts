import type { ColumnType } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { mapNames, parseFormula } from './formula.ts';
import type { QueryCalculation } from './ir.ts';
import type { Model } from './model.ts';
import {
  type CalculatedField,
  type FieldResolver,
  type ResolvedField,
  type RowExpression,
  resolveField,
  type SqlField,
} from './resolve.ts';
import { parseSqlExpression, querySqlScope } from './sql-expression.ts';

/**
 * Calculated fields: each is a formula over the model's fields (or earlier-named calculations,
 * inlined), or a developer's SQL expression over the model's tables (`${TABLE}` = the base
 * table; the query service checks it with the warehouse and fills in its type), evaluated per row. Arithmetic needs numeric operands; a formula that is a single name
 * is an alias and keeps that field's type. Names are plain identifiers and may not shadow a
 * model field, so a query never changes what an existing field name means (row policies included).
 */
const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const numeric: ColumnType[] = ['integer', 'number'];

export function createFieldResolver(
  model: Model,
  calculations: readonly QueryCalculation[] = [],
): FieldResolver {
  const indexOf = new Map<string, number>();
  calculations.forEach(({ name }, i) => {
    const path = `calculations[${i}].name`;
    if (!namePattern.test(name))
      throw validationError(path, 'must start with a letter or "_" and hold only letters, digits and "_"');
    if (model.dimensions.some((d) => d.name === name))
      throw validationError(path, `${JSON.stringify(name)} is already a field of the model`);
    if (indexOf.has(name)) throw validationError(path, `${JSON.stringify(name)} is defined twice`);
    indexOf.set(name, i);
  });
  const resolved = new Map<string, CalculatedField | SqlField>();
  const expanding: string[] = [];

  const calculated = (index: number): CalculatedField | SqlField => {
    const calculation = calculations[index];
    const { name } = calculation;
    const known = resolved.get(name);
    if (known) return known;
    if ('sql' in calculation) {
      const at = `calculations[${index}]`;
      if (calculation.type === undefined)
        throw validationError(`${at}.type`, 'required for an SQL calculation');
      const sql = parseSqlExpression(calculation.sql, querySqlScope(model), `${at}.sql`);
      return remember({ kind: 'sql', address: name, type: calculation.type, sql });
    }
    const { formula } = calculation;
    const path = `calculations[${index}].formula`;
    if (expanding.includes(name))
      throw validationError(path, `calculations form a cycle: ${[...expanding, name].join(' → ')}`);
    expanding.push(name);
    try {
      const tree = parseFormula(formula, path);
      if (tree.kind === 'name') {
        const alias = resolve(tree.name, path);
        return remember({
          kind: 'calculated',
          address: name,
          type: alias.type,
          expression: expressionOf(alias),
        });
      }
      const expression = mapNames(tree, (reference): RowExpression => {
        const field = resolve(reference, path);
        if (!numeric.includes(field.type))
          throw validationError(
            path,
            `${JSON.stringify(reference)} is a ${field.type} field; arithmetic needs numbers`,
          );
        return expressionOf(field);
      });
      return remember({ kind: 'calculated', address: name, type: 'number', expression });
    } finally {
      expanding.pop();
    }
  };
  const remember = <F extends CalculatedField | SqlField>(field: F): F => {
    resolved.set(field.address, field);
    return field;
  };

  const resolve: FieldResolver = (reference, path) => {
    const index = indexOf.get(reference);
    return index === undefined ? resolveField(model, reference, path) : calculated(index);
  };
  // Every calculation is checked, used or not: a broken one is a 400 rather than a latent surprise.
  for (let i = 0; i < calculations.length; i++) calculated(i);
  return resolve;
}

const expressionOf = (field: ResolvedField): RowExpression =>
  field.kind === 'calculated' ? field.expression : { kind: 'field', field };
