import type { FilterNode, FilterValueOrVariable, Scalar } from '../types.ts';
import { type Keyed, keyed } from './ModelDraft.ts';

/**
 * The values of a widget editor's filter row: typed values ("a, b"), or one of the dashboard's
 * variables, which the query takes as `{"variable": name}` and the view fills in.
 */
export interface FilterValueRow {
  operator: string;
  /** Comma-separated values, used when no variable is chosen. */
  value: string;
  /** A dashboard variable's name, or '' for typed values. */
  variable: string;
}

export const takesValues = (operator: string) =>
  !['null', 'not null', 'empty', 'not empty'].includes(operator);

/** The row's filter values, typed values converted to the field's type. */
export function filterValues(row: FilterValueRow, type: string | undefined): FilterValueOrVariable[] {
  if (!takesValues(row.operator)) return [];
  if (row.variable) return [{ variable: row.variable }];
  const parts = row.value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (type === 'integer' || type === 'number')
    return parts.map((p) => (Number.isFinite(Number(p)) ? Number(p) : p));
  if (type === 'boolean') return parts.map((p) => p === 'true');
  return parts;
}

/** A saved rule's values as a row: its variable if it names one, else its values as text. */
export function filterValueRow(values: FilterValueOrVariable[]): Pick<FilterValueRow, 'value' | 'variable'> {
  const ref = values.find((v): v is { variable: string } => typeof v === 'object' && v !== null);
  if (ref) return { value: '', variable: ref.variable };
  return { value: (values as Scalar[]).map(String).join(', '), variable: '' };
}

/**
 * Filter rules as the query builder edits them: one row per rule, all and-ed. A saved filter's
 * parts that a row cannot show as they are (a nested `or` or `not`, a relative date, a user
 * attribute among the values, a value holding a comma) stay as saved, beside the rows.
 */
export type FilterRow = Keyed<
  FilterValueRow & {
    field: string;
    /** Filters the result after its calculations (the body's `postFilters`). */
    after?: boolean;
  }
>;

export interface SplitFilter {
  rows: FilterRow[];
  kept: FilterNode[];
}

/** The operators a row offers; rules with others are kept as saved. */
export const OPERATORS = [
  '=',
  '!=',
  'in',
  'not in',
  '>',
  '>=',
  '<',
  '<=',
  'contains',
  'not contains',
  'starts with',
  'ends with',
  'between',
  'null',
  'not null',
  'empty',
  'not empty',
];

export const ruleOf = (row: FilterRow, typeOf: (field: string) => string | undefined): FilterNode => ({
  field: row.field,
  operator: row.operator,
  values: filterValues(row, typeOf(row.field)),
});

/** The rows (those with a field) then the kept nodes, as the body's `and` list. */
export const filterNodes = (
  split: SplitFilter,
  typeOf: (field: string) => string | undefined,
): FilterNode[] => [
  ...split.rows.filter((row) => row.field).map((row) => ruleOf(row, typeOf)),
  ...split.kept,
];

const isScalar = (value: unknown): value is Scalar => value === null || typeof value !== 'object';
const isVariable = (value: unknown) => typeof value === 'object' && value !== null && 'variable' in value;

function rowOf(node: FilterNode): FilterRow | undefined {
  if (!('field' in node) || !OPERATORS.includes(node.operator)) return undefined;
  const { values } = node;
  const typed = values.every((v) => isScalar(v) && !String(v).includes(','));
  if (!typed && !(values.length === 1 && isVariable(values[0]))) return undefined;
  return keyed({ field: node.field, operator: node.operator, ...filterValueRow(values) });
}

/** A saved filter as rows and kept nodes: the members of a top-level `and`, or the one node. */
export function splitFilter(node: FilterNode | undefined): SplitFilter {
  const nodes = !node ? [] : 'and' in node ? node.and : [node];
  const split: SplitFilter = { rows: [], kept: [] };
  for (const member of nodes) {
    const row = rowOf(member);
    if (row) split.rows.push(row);
    else split.kept.push(member);
  }
  return split;
}

/** A kept node in words, e.g. `not (country = FR)`, `date relative last 7 day`. */
export function describeFilter(node: FilterNode): string {
  if ('and' in node) return node.and.map(group).join(' and ');
  if ('or' in node) return node.or.map(group).join(' or ');
  if ('not' in node) return `not ${group(node.not)}`;
  const values = node.values.map((v) =>
    isScalar(v)
      ? String(v)
      : 'variable' in v
        ? `{${v.variable}}`
        : `your ${(v as { attribute: string }).attribute}`,
  );
  return [node.field, node.operator, values.join(', ')].filter(Boolean).join(' ');
}

const group = (node: FilterNode) => ('field' in node ? describeFilter(node) : `(${describeFilter(node)})`);
