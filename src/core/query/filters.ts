import type { ColumnType, JsonScalar } from '../../engines/types.ts';
import type { Attributes } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import { describeValue, integerBoundsOf } from '../storable.ts';
import type { FilterNode, FilterRule, Operator } from './ir.ts';
import type { FieldResolver, MetricResolver, ResolvedField } from './resolve.ts';
import { attributeValues } from './security.ts';
import type { Condition, ConditionTarget } from './validate.ts';
import { checkOperator, checkOperatorType, convertValue, parseRelative } from './values.ts';

/**
 * Filter trees of a query resolved against the model: rules on fields become row conditions
 * (WHERE, or inside an aggregate for a metric's own filter), rules on metrics group conditions
 * (HAVING). Values are converted to the field's type here, the caller's attribute values included.
 */

/** A filter tree split into its WHERE part (fields) and HAVING part (metrics). */
export interface SplitFilter {
  where?: Condition;
  having?: Condition;
}

/** What the names and attribute values of a filter resolve against. */
export interface FilterScope {
  fields: FieldResolver;
  metrics: MetricResolver;
  /** The caller's attributes: the values of `{"attribute": …}` rule values. */
  attributes: Attributes;
  /** A metric's own filter: its rules may name fields only, since they filter rows. */
  rowsOnly?: boolean;
  /** The explicit group stage: its rules may name metrics only (a field and a metric may share a name). */
  groupsOnly?: boolean;
  /** The query's zone: date-times without an offset in rules on datetime fields are its wall-clock times. */
  timeZone?: string;
  /**
   * Post filters: rules name result ids of the grouped query, with their types (`metric`: a
   * number), and the whole tree lands in `where`.
   */
  results?: ReadonlyMap<string, ColumnType | 'metric'>;
}

export function resolveFilter(node: FilterNode, path: string, scope: FilterScope): SplitFilter {
  if ('and' in node || 'or' in node) {
    const kind = 'and' in node ? 'and' : 'or';
    const parts = ('and' in node ? node.and : node.or).map((child, i) =>
      resolveFilter(child, `${path}.${kind}[${i}]`, scope),
    );
    if (kind === 'or') refuseMixed(parts, path, 'or');
    return {
      where: combine(
        kind,
        parts.map((p) => p.where),
      ),
      having: combine(
        kind,
        parts.map((p) => p.having),
      ),
    };
  }
  if ('not' in node) {
    const inner = resolveFilter(node.not, `${path}.not`, scope);
    refuseMixed([inner], path, 'not');
    return { where: negate(inner.where), having: negate(inner.having) };
  }
  const fieldPath = `${path}.field`;
  if (scope.results) {
    const type = scope.results.get(node.field);
    if (type === undefined)
      throw validationError(fieldPath, `expected a result id (${[...scope.results.keys()].join(', ')})`);
    return { where: rule({ kind: 'result', name: node.field, type }, node, path, scope.attributes) };
  }
  if (scope.metrics.isMetric(node.field, fieldPath)) {
    if (scope.rowsOnly) {
      throw validationError(
        fieldPath,
        `a metric's filter may only name fields; ${JSON.stringify(node.field)} is a metric`,
      );
    }
    const expression = scope.metrics.byName(node.field, fieldPath)!;
    return { having: rule({ kind: 'metric', expression }, node, path, scope.attributes) };
  }
  if (scope.groupsOnly) {
    throw validationError(
      fieldPath,
      `expected a metric of the query or the model, got ${JSON.stringify(node.field)}`,
    );
  }
  const field = scope.fields(node.field, fieldPath);
  return { where: rule({ kind: 'field', field }, node, path, scope.attributes, scope.timeZone) };
}

/** The explicit group stage (`metricFilters`): every rule names a metric (HAVING). */
export const resolveGroupFilter = (
  node: FilterNode,
  path: string,
  scope: FilterScope,
): Condition | undefined => resolveFilter(node, path, { ...scope, groupsOnly: true }).having;

/** Both conditions, either, or none. */
export const andConditions = (a: Condition | undefined, b: Condition | undefined): Condition | undefined =>
  a && b ? { kind: 'and', children: [a, b] } : (a ?? b);

/** A metric's own filter: the condition its rows must meet (none for an empty group). */
export const resolveRowFilter = (node: FilterNode, path: string, scope: FilterScope): Condition | undefined =>
  resolveFilter(node, path, { ...scope, rowsOnly: true }).where;

/**
 * `or` and `not` over rules on fields and on metrics have no WHERE and HAVING parts to split
 * into (`and` has: each part filters at its own stage).
 */
function refuseMixed(parts: SplitFilter[], path: string, kind: 'or' | 'not'): void {
  if (parts.some((p) => p.where) && parts.some((p) => p.having))
    throw validationError(path, `"${kind}" cannot mix field rules (WHERE) and metric rules (HAVING)`);
}

/** Empty groups (what UIs send when no rule is set) add no condition. */
function combine(kind: 'and' | 'or', parts: Array<Condition | undefined>): Condition | undefined {
  const children = parts.filter((part): part is Condition => part !== undefined);
  if (children.length <= 1) return children[0];
  return { kind, children };
}

/** The complement of a condition; `not` of an empty group adds no condition, like the group. */
const negate = (condition: Condition | undefined): Condition | undefined =>
  condition && { kind: 'not', child: condition };

/** The operators that take the caller's attribute values: a list of values to match or exclude. */
const attributeOperators: readonly Operator[] = ['=', '!=', 'in', 'not in'];

function rule(
  target: ConditionTarget,
  node: FilterRule,
  path: string,
  attributes: Attributes,
  timeZone?: string,
): Condition {
  const { operator } = node;
  const type = valueType(target);
  if (node.attribute === undefined) {
    checkOperator(operator, type, node.values, path);
    if (operator === 'relative')
      return { kind: 'rule', target, operator, values: [], relative: parseRelative(node.values, type, path) };
    return { kind: 'rule', target, operator, values: ownValues(target, node.values, path, timeZone) };
  }
  if (!attributeOperators.includes(operator)) {
    throw validationError(
      `${path}.operator`,
      `operator "${operator}" does not take an {"attribute": …} value (only ${attributeOperators.join(', ')} do)`,
    );
  }
  checkOperatorType(operator, type, path);
  const bounds = integerBounds(target);
  const theirs = attributeValues(attributes, node.attribute, type).filter(
    (value) => !bounds || (typeof value === 'number' && value >= bounds.min && value <= bounds.max),
  );
  const values = [...ownValues(target, node.values, path, timeZone), ...theirs];
  // No value at all: nothing to match (`=`, `in`) or nothing to exclude (`!=`, `not in`).
  if (values.length === 0) return { kind: operator === '=' || operator === 'in' ? 'never' : 'always' };
  checkOperator(operator, type, values, path);
  return { kind: 'rule', target, operator, values };
}

/** The type a rule's values convert to: a metric's (or numeric result's) values are numbers. */
function valueType(target: ConditionTarget): ColumnType {
  if (target.kind === 'field') return target.field.type;
  return target.kind === 'result' && target.type !== 'metric' ? target.type : 'number';
}

/** The rule's own values, converted; one the field cannot hold is a 400. */
function ownValues(
  target: ConditionTarget,
  values: readonly JsonScalar[],
  path: string,
  timeZone?: string,
): JsonScalar[] {
  const type = valueType(target);
  const converted = values.map((value, i) => convertValue(value, type, `${path}.values[${i}]`, timeZone));
  const bounds = integerBounds(target);
  converted.forEach((value, i) => {
    if (bounds && typeof value === 'number' && (value < bounds.min || value > bounds.max)) {
      throw validationError(
        `${path}.values[${i}]`,
        `out of range for ${bounds.nativeType} (from ${bounds.min} to ${bounds.max}), got ${describeValue(value)}`,
      );
    }
  });
  return converted;
}

/** The range of a narrow integer column (`smallint`, `INTEGER`): values past it are not sent to the warehouse. */
function integerBounds(target: ConditionTarget) {
  if (target.kind !== 'field') return undefined;
  const field: ResolvedField = target.field;
  if (field.kind !== 'column' || field.type !== 'integer' || field.nativeType === undefined) return undefined;
  const bounds = integerBoundsOf(field.nativeType);
  return bounds && { ...bounds, nativeType: field.nativeType };
}
