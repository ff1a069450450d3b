import type { SourceFormula } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { QueryMetric } from '../../../core/query/index.ts';

/**
 * Serenytics formulas ("measures" of a data source's `jsonContent`) ↔ the core's source formulas,
 * and a formula's expression → core IR metrics. Syntax (the vendor's): `[column]`,
 * `sum([column])` / min / max / avg / count / dcount, `count(*)`, numbers, `+ - * /`, parentheses.
 * A bare `[column]` outside an aggregate is summed, as a value formula is when a widget shows it.
 */

type Aggregation = 'sum' | 'min' | 'max' | 'avg' | 'count' | 'count_distinct';
const aggregations: Record<string, Aggregation> = {
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

/**
 * A formula's expression → an IR formula metric named `name`, plus the aggregate metrics it uses
 * (aliased `<name>_<k>`). `field` resolves a column name of the source (throws when unknown).
 */
export function formulaMetrics(
  expression: string,
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
  const tokens: { kind: 'number' | 'column' | 'word' | 'symbol'; text: string }[] = [];
  tokenPattern.lastIndex = 0;
  let at = 0;
  while (at < expression.length) {
    if (expression.slice(at).trim() === '') break;
    tokenPattern.lastIndex = at;
    const match = tokenPattern.exec(expression);
    if (!match) throw validationError(path, `cannot read formula "${expression}" at character ${at + 1}`);
    at = tokenPattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'number', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'column', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'word', text: match[3] });
    else tokens.push({ kind: 'symbol', text: match[4] });
  }
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'number' || token.kind === 'symbol') out.push(token.text);
    else if (token.kind === 'column') out.push(aggregate('sum', token.text));
    else {
      const aggregation = aggregations[token.text.toLowerCase()];
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
          `unsupported formula "${expression}": use [column], ${Object.keys(aggregations).join('/')}([column]), count(*), numbers and + - * / ( )`,
        );
      out.push(aggregate(aggregation, star ? undefined : inner.text));
      i += 3;
    }
  }
  if (out.length === 0) throw validationError(path, 'formula is empty');
  return [...parts, { kind: 'formula', name, formula: out.join(' ') }];
}
