import type { SourceFormula } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import {
  type Aggregation,
  parseFormula,
  type QueryCalculation,
  type QueryMetric,
} from '../../../core/query/index.ts';

/**
 * Serenytics formulas ("measures" of a data source's `jsonContent`) ↔ the core's source formulas,
 * and a formula's expression → core IR. Syntax (the vendor's): `[column]`,
 * `sum([column])` / min / max / avg / count / dcount, `count(*)`, numbers, `+ - * /`, parentheses.
 * A formula without aggregate functions is a row-level calculated field; one with them is a metric.
 */

/** Serenytics aggregate function names (`agg_function`, and functions in formulas). */
export const aggregationOf: Record<string, Aggregation> = {
  sum: 'sum',
  min: 'min',
  max: 'max',
  avg: 'avg',
  count: 'count',
  dcount: 'count_distinct',
};

interface VendorMeasure {
  uuid?: unknown;
  name?: unknown;
  formula?: unknown;
  expression?: unknown;
}

/** `jsonContent.measures` (`{uuid: {name, formula}}` or `[{uuid, name, formula}]`) → core formulas. */
export function formulasOf(measures: unknown): SourceFormula[] | undefined {
  if (measures === undefined || measures === null) return undefined;
  if (typeof measures !== 'object')
    throw validationError('jsonContent.measures', 'must be an object keyed by uuid or a list');
  const entries: [string, VendorMeasure][] = Array.isArray(measures)
    ? measures.map((m: VendorMeasure | null) => [String(m?.uuid ?? ''), m ?? {}])
    : Object.entries(measures as Record<string, VendorMeasure | null>).map(([id, m]) => [
        typeof m?.uuid === 'string' ? m.uuid : id,
        m ?? {},
      ]);
  return entries.map(([id, m], i) => {
    const expression = m.formula ?? m.expression;
    if (!id) throw validationError(`jsonContent.measures[${i}].uuid`, 'is required');
    if (typeof expression !== 'string')
      throw validationError(`jsonContent.measures.${id}.formula`, 'must be a string');
    return { id, name: typeof m.name === 'string' ? m.name : id, expression };
  });
}

/** Core formulas → `jsonContent.measures` as Serenytics configs carry them. */
export const measuresOf = (formulas: SourceFormula[]) =>
  Object.fromEntries(formulas.map((f) => [f.id, { uuid: f.id, name: f.name, formula: f.expression }]));

const tokenPattern = /\s*(?:(\d+(?:\.\d+)?)|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_]*)|(\*|[-+/()]))/y;

type Token = { kind: 'number' | 'column' | 'word' | 'symbol'; text: string };

function tokenize(expression: string, path: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (expression.slice(at).trim() !== '') {
    tokenPattern.lastIndex = at;
    const match = tokenPattern.exec(expression);
    if (!match) throw validationError(path, `cannot read formula "${expression}" at character ${at + 1}`);
    at = tokenPattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'number', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'column', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'word', text: match[3] });
    else tokens.push({ kind: 'symbol', text: match[4] });
  }
  if (tokens.length === 0) throw validationError(path, 'formula is empty');
  return tokens;
}

/** A source formula as a pipeline uses it. */
export interface PlannedFormula {
  id: string;
  /**
   * Without aggregate functions (`[price] * [quantity]`) a formula is a row-level calculated
   * field: its IR field name, to group, filter or aggregate by. Throws for an aggregate formula,
   * saying why it cannot serve `purpose`.
   */
  field(purpose: string): string;
  rowLevel: boolean;
  /** An aggregate formula as IR metrics: the hidden aggregates (`<name>_<k>`), then `name`. */
  metrics(name: string): QueryMetric[];
}

/**
 * Plans the formulas (by `measureUuid`, or by name) of one pipeline; `column` resolves a column name of the
 * source (throws when unknown). Calculated fields are named so that they shadow no column.
 */
export function createFormulaPlanner(
  formulas: SourceFormula[],
  column: (name: string, path: string) => string,
  columnNames: string[],
) {
  const calculations: QueryCalculation[] = [];
  const fieldOf = new Map<string, string>();

  const calculation = (formula: SourceFormula, tokens: Token[], path: string): string => {
    const known = fieldOf.get(formula.id);
    if (known) return known;
    // The core's formula syntax: the same arithmetic, columns as double-quoted names.
    const text = tokens
      .map((token) =>
        token.kind === 'column' ? `"${column(token.text, path).replaceAll('"', '""')}"` : token.text,
      )
      .join(' ');
    parseFormula(text, path);
    let name = `formula_${calculations.length}`;
    while (columnNames.includes(name)) name = `_${name}`;
    calculations.push({ name, formula: text });
    fieldOf.set(formula.id, name);
    return name;
  };

  return {
    find(uuid: unknown, path: string): PlannedFormula {
      const formula = formulas.find((f) => f.id === uuid);
      if (!formula) throw validationError(path, `unknown formula "${uuid}"`);
      const tokens = tokenize(formula.expression, path);
      const rowLevel = !tokens.some((token) => token.kind === 'word');
      return {
        id: formula.id,
        rowLevel,
        field(purpose) {
          if (!rowLevel)
            throw validationError(path, `formula "${formula.name}" aggregates rows and cannot be ${purpose}`);
          return calculation(formula, tokens, path);
        },
        metrics: (name) =>
          aggregateMetrics(formula.expression, tokens, name, (text) => column(text, path), path),
      };
    },
    /**
     * The uuid of the one formula called `name`, for items that name a formula instead of
     * carrying its `measureUuid` (the vendor's own clients do); undefined when none is.
     */
    idNamed(name: string, path: string): string | undefined {
      const named = formulas.filter((f) => f.name === name);
      if (named.length > 1)
        throw validationError(
          path,
          `formula name "${name}" is ambiguous (${named.map((f) => f.id).join(', ')}): give its measureUuid`,
        );
      return named[0]?.id;
    },
    calculations: () => calculations,
  };
}

/**
 * An aggregate formula → an IR formula metric named `name`, plus the aggregate metrics it uses
 * (aliased `<name>_<k>`). A bare `[column]` outside an aggregate is summed.
 */
function aggregateMetrics(
  expression: string,
  tokens: Token[],
  name: string,
  field: (column: string) => string,
  path: string,
): QueryMetric[] {
  const parts: QueryMetric[] = [];
  const aggregate = (aggregation: Aggregation, column: string | undefined): string => {
    const alias = `${name}_${parts.length}`;
    parts.push({
      kind: 'aggregate',
      aggregation,
      ...(column !== undefined && { field: field(column) }),
      alias,
    });
    return alias;
  };
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'number' || token.kind === 'symbol') out.push(token.text);
    else if (token.kind === 'column') out.push(aggregate('sum', token.text));
    else {
      const aggregation = aggregationOf[token.text.toLowerCase()];
      const inner = tokens[i + 2];
      const star = inner?.kind === 'symbol' && inner.text === '*';
      if (
        !aggregation ||
        tokens[i + 1]?.text !== '(' ||
        !(inner?.kind === 'column' || (star && aggregation === 'count')) ||
        tokens[i + 3]?.text !== ')'
      )
        throw validationError(
          path,
          `unsupported formula "${expression}": use [column], ${Object.keys(aggregationOf).join('/')}([column]), count(*), numbers and + - * / ( )`,
        );
      out.push(aggregate(aggregation, star ? undefined : inner.text));
      i += 3;
    }
  }
  return [...parts, { kind: 'formula', name, formula: out.join(' ') }];
}
