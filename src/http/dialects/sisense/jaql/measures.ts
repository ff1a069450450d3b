import { validationError } from '../../../../core/errors.ts';
import type { Aggregation } from '../../../../core/query/index.ts';
import type { FilterNode, Period, PostCalculation, QueryMetric } from '../../../../core/query/ir.ts';
import type { CubeField } from '../elasticubes.ts';
import { type FormulaTree, parseSisenseFormula } from './formula-parser.ts';
import type { JaqlElement } from './request.ts';

/**
 * JAQL measures as IR metrics: `agg` on a field, a model measure, or a `formula` over `context`
 * members. Formula parts the answer does not show become hidden metrics and post calculations
 * (named by `fresh`), which the shown column's formula combines.
 */

export interface MeasureBuilder {
  field(dim: string, path: string): CubeField;
  /** A filter member's rows (`{dim, filter}` of a measured value) as an IR node on its field. */
  filterOf(member: JaqlElement, path: string): FilterNode | undefined;
  metrics: QueryMetric[];
  post: PostCalculation[];
  fresh(): string;
  /** The period of the query's first levelled date attribute: what PAST… functions step back along. */
  datePeriod?: Period;
}

/** JAQL `agg` words (Sisense: `count` counts unique values, `countduplicates` every row). */
export const jaqlAggregations: Record<string, Aggregation> = {
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  count: 'count_distinct',
  countduplicates: 'count',
  median: 'median',
  stdev: 'stddev',
  var: 'variance',
};

/** Formula functions over one member, as the aggregations they are. */
const aggregateFunctions: Record<string, Aggregation> = {
  SUM: 'sum',
  AVG: 'avg',
  MIN: 'min',
  MAX: 'max',
  COUNT: 'count_distinct',
  DUPCOUNT: 'count',
  MEDIAN: 'median',
  STDEV: 'stddev',
  VAR: 'variance',
};

type PostType =
  | 'running_total'
  | 'percent_of_total'
  | 'rank'
  | 'previous_period'
  | 'difference'
  | 'percent_change';
/** Functions over a whole measure, as post calculations; `period`: the date level they need. */
const postFunctions: Record<string, { type: PostType; period?: Period }> = {
  RSUM: { type: 'running_total' },
  RANK: { type: 'rank' },
  CONTRIBUTION: { type: 'percent_of_total' },
  GROWTH: { type: 'percent_change' },
};
for (const [word, period] of Object.entries({
  YEAR: 'year',
  QUARTER: 'quarter',
  MONTH: 'month',
  WEEK: 'week',
  DAY: 'day',
} as const)) {
  postFunctions[`PAST${word}`] = { type: 'previous_period', period };
  postFunctions[`DIFFPAST${word}`] = { type: 'difference', period };
  postFunctions[`GROWTHPAST${word}`] = { type: 'percent_change', period };
}

/** Post calculations that step back along the query's date attribute. */
const periodTypes = new Set<PostType>(['previous_period', 'difference', 'percent_change']);

export function aggregationOf(agg: string, path: string): Aggregation {
  const aggregation = jaqlAggregations[agg.toLowerCase()];
  if (!aggregation)
    throw validationError(
      path,
      ['stdevp', 'varp'].includes(agg.toLowerCase())
        ? `"${agg}" (population statistics) is not supported: use stdev or var`
        : `unknown aggregation ${JSON.stringify(agg)} (one of ${Object.keys(jaqlAggregations).join(', ')})`,
    );
  return aggregation;
}

const withFilters = (filters: FilterNode | undefined) => (filters ? { filters } : {});

/**
 * The metric a non-formula measure element is (`agg` on a field, or a model measure), named
 * `name`; `filters` restrict its rows (a measured value's members).
 */
export function plainMetric(
  element: JaqlElement,
  name: string,
  builder: Pick<MeasureBuilder, 'field'>,
  path: string,
  filters?: FilterNode,
): QueryMetric {
  const field = builder.field(element.dim ?? '', `${path}.dim`);
  if (field.type === 'measure')
    return { kind: 'model', metric: field.modelAddress, alias: name, ...withFilters(filters) };
  if (element.agg === undefined)
    throw validationError(`${path}.agg`, `${field.id} is an attribute: give it an agg`);
  if (element.level !== undefined)
    throw validationError(
      `${path}.level`,
      'aggregating a date by level is not supported: leave the level out',
    );
  const aggregation = aggregationOf(element.agg, `${path}.agg`);
  return { kind: 'aggregate', aggregation, field: field.modelAddress, alias: name, ...withFilters(filters) };
}

/** Adds a measure element (plain or formula) whose result column is `name`. */
export function addMeasure(element: JaqlElement, name: string, builder: MeasureBuilder, path: string): void {
  if (element.formula === undefined) {
    builder.metrics.push(plainMetric(element, name, builder, path));
    return;
  }
  const tree = parseSisenseFormula(element.formula, `${path}.formula`);
  const compiled = new FormulaCompiler(element, builder, path).value(tree, undefined);
  if (compiled.post) builder.post.push({ id: name, type: 'formula', formula: compiled.text });
  else builder.metrics.push({ kind: 'formula', name, formula: compiled.text });
}

/** IR formula text over result names, and whether it reads a post calculation. */
interface Compiled {
  text: string;
  post: boolean;
  /** Set when the text is one name (no arithmetic). */
  name?: string;
}

const and = (a: FilterNode | undefined, b: FilterNode | undefined): FilterNode | undefined =>
  a && b ? { and: [a, b] } : (a ?? b);

class FormulaCompiler {
  constructor(
    private readonly element: JaqlElement,
    private readonly builder: MeasureBuilder,
    private readonly path: string,
  ) {}

  private member(name: string): { member: JaqlElement; path: string } {
    const context = this.element.context ?? {};
    const key =
      name in context ? name : Object.keys(context).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined)
      throw validationError(`${this.path}.formula`, `${name} is not a member of the context`);
    return { member: context[key], path: `${this.path}.context.${key}` };
  }

  private hidden(metric: (name: string) => QueryMetric): Compiled {
    const name = this.builder.fresh();
    this.builder.metrics.push(metric(name));
    return { text: name, post: false, name };
  }

  value(tree: FormulaTree, filters: FilterNode | undefined): Compiled {
    switch (tree.kind) {
      case 'number':
        return { text: String(tree.value), post: false };
      case 'negate': {
        const operand = this.value(tree.operand, filters);
        return { text: `(-${operand.text})`, post: operand.post };
      }
      case 'binary': {
        const [left, right] = [this.value(tree.left, filters), this.value(tree.right, filters)];
        return { text: `(${left.text} ${tree.operator} ${right.text})`, post: left.post || right.post };
      }
      case 'text':
        throw validationError(`${this.path}.formula`, `text ${JSON.stringify(tree.value)} is not a value`);
      case 'measured': {
        const restricted = tree.filters.reduce((node, name) => {
          const { member, path } = this.member(name);
          if (member.filter === undefined) throw validationError(path, 'a filter member needs a filter');
          return and(node, this.builder.filterOf(member, path));
        }, filters);
        return this.value(tree.expression, restricted);
      }
      case 'ref':
        return this.reference(tree.name, filters);
      case 'call':
        return this.call(tree.name, tree.args, filters);
    }
  }

  /** A member used as a value: a measure (with agg, a model measure, or a formula of its own). */
  private reference(name: string, filters: FilterNode | undefined): Compiled {
    const { member, path } = this.member(name);
    if (member.formula !== undefined) {
      const nested = new FormulaCompiler(member, this.builder, path);
      const compiled = nested.value(parseSisenseFormula(member.formula, `${path}.formula`), filters);
      return { ...compiled, text: `(${compiled.text})` };
    }
    if (member.agg === undefined && member.filter !== undefined)
      throw validationError(
        path,
        `${name} is a filter member: use it in a measured value ([measure], ${name})`,
      );
    return this.hidden((hidden) => plainMetric(member, hidden, this.builder, path, filters));
  }

  private call(name: string, args: FormulaTree[], filters: FilterNode | undefined): Compiled {
    const at = `${this.path}.formula`;
    const aggregation = aggregateFunctions[name];
    if (aggregation) {
      const [arg] = args;
      if (args.length !== 1 || arg.kind !== 'ref')
        throw validationError(at, `${name} takes one member: ${name}([member])`);
      const { member, path } = this.member(arg.name);
      if (member.level !== undefined)
        throw validationError(
          `${path}.level`,
          'aggregating a date by level is not supported: leave the level out',
        );
      const field = this.builder.field(member.dim ?? '', `${path}.dim`);
      if (field.type === 'measure')
        throw validationError(`${path}.dim`, `${field.id} is a measure: ${name} needs an attribute`);
      return this.hidden((hidden) => ({
        kind: 'aggregate',
        aggregation,
        field: field.modelAddress,
        alias: hidden,
        ...withFilters(filters),
      }));
    }
    const post = postFunctions[name];
    if (!post) throw validationError(at, `the function ${name} is not supported`);
    if (args.length < 1) throw validationError(at, `${name} needs a measure`);
    if (post.period && post.period !== this.builder.datePeriod)
      throw validationError(at, `${name} needs the query's first date attribute at level ${post.period}s`);
    if (periodTypes.has(post.type) && !this.builder.datePeriod)
      throw validationError(at, `${name} needs a date attribute with a level`);
    const inner = this.value(args[0], filters);
    if (inner.post)
      throw validationError(at, `${name} over another running or period function is not supported`);
    const of =
      inner.name ?? this.hidden((hidden) => ({ kind: 'formula', name: hidden, formula: inner.text })).text;
    const id = this.builder.fresh();
    if (post.type === 'rank') {
      const order = args[1];
      const ascending = order?.kind === 'text' && order.value.toUpperCase() === 'ASC';
      if (order && !(order.kind === 'text' && ['ASC', 'DESC'].includes(order.value.toUpperCase())))
        throw validationError(at, 'RANK takes a measure and "ASC" or "DESC"');
      this.builder.post.push({ id, type: 'rank', of, ...(ascending && { ascending }) });
    } else this.builder.post.push({ id, type: post.type, of });
    return { text: id, post: true, name: id };
  }
}
