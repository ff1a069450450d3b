import { validationError } from '../errors.ts';
import { array, boolean, filledText, finiteNumber, integer, oneOf, record } from '../input.ts';
import type { Bin, Pivot, PostCalculation, TopN, Totals } from './ir.ts';
import { postTypes } from './ir.ts';
import { canonicalTimeZone } from './zone.ts';

/** The native body's analytics (post calculations, top N, totals, pivots, bins, time zone) → IR. */

/** Longer text in a query body is no name, formula or SQL anyone writes: refused before it is read. */
export const MAX_QUERY_TEXT = 100_000;

export function parsePost(entry: unknown, path: string): PostCalculation {
  const value = record(path, entry, ['id', 'type', 'of', 'partitionBy', 'ascending', 'formula']);
  const id = filledText(`${path}.id`, value.id, MAX_QUERY_TEXT);
  const type = oneOf<PostCalculation['type']>(`${path}.type`, value.type, postTypes);
  const refuse = (keys: string[]) => {
    const extra = keys.find((key) => value[key] !== undefined);
    if (extra !== undefined) throw validationError(`${path}.${extra}`, `does not apply to "${type}"`);
  };
  if (type === 'formula') {
    refuse(['of', 'partitionBy', 'ascending']);
    return { id, type, formula: filledText(`${path}.formula`, value.formula, MAX_QUERY_TEXT) };
  }
  refuse(['formula']);
  const of = filledText(`${path}.of`, value.of, MAX_QUERY_TEXT);
  if (type === 'previous_period' || type === 'difference' || type === 'percent_change') {
    refuse(['partitionBy', 'ascending']);
    return { id, type, of };
  }
  const calculation: PostCalculation = { id, type, of };
  if (value.partitionBy !== undefined && value.partitionBy !== null) {
    calculation.partitionBy = array(`${path}.partitionBy`, value.partitionBy).map((item, i) =>
      filledText(`${path}.partitionBy[${i}]`, item, MAX_QUERY_TEXT),
    );
  }
  if (value.ascending !== undefined) {
    if (type !== 'rank') throw validationError(`${path}.ascending`, 'only for "rank"');
    calculation.ascending = boolean(`${path}.ascending`, value.ascending);
  }
  return calculation;
}

export function parseTop(entry: unknown): TopN {
  const value = record('top', entry, ['dimension', 'by', 'n', 'others', 'bottom']);
  const top: TopN = {
    dimension: filledText('top.dimension', value.dimension, MAX_QUERY_TEXT),
    by: filledText('top.by', value.by, MAX_QUERY_TEXT),
    n: integer('top.n', value.n, 1, maxTopN),
  };
  if (value.others !== undefined) top.others = boolean('top.others', value.others);
  if (value.bottom !== undefined) top.bottom = boolean('top.bottom', value.bottom);
  return top;
}

/** More than this many kept values is a chart nobody reads; the bound keeps the SQL small. */
const maxTopN = 10_000;

export function parseTotals(entry: unknown): Totals | undefined {
  if (entry === undefined || entry === null || entry === false) return undefined;
  if (entry === true) return {};
  const value = record('totals', entry, ['subtotals']);
  const totals: Totals = {};
  if (value.subtotals !== undefined && value.subtotals !== null) {
    totals.subtotals = array('totals.subtotals', value.subtotals).map((item, i) =>
      filledText(`totals.subtotals[${i}]`, item, MAX_QUERY_TEXT),
    );
  }
  return totals;
}

/** The most columns a pivot may spread into (values × metrics). */
export const maxPivotColumns = 500;

export function parsePivot(entry: unknown): Pivot {
  const value = record('pivot', entry, ['columns', 'maxColumns']);
  const columns = array('pivot.columns', value.columns).map((item, i) =>
    filledText(`pivot.columns[${i}]`, item, MAX_QUERY_TEXT),
  );
  if (columns.length === 0) throw validationError('pivot.columns', 'name at least one dimension');
  const pivot: Pivot = { columns };
  if (value.maxColumns !== undefined)
    pivot.maxColumns = integer('pivot.maxColumns', value.maxColumns, 1, maxPivotColumns);
  return pivot;
}

/** An IANA zone the runtime knows (`Europe/Paris`, `UTC`); engines are asked for the same name. */
export function parseTimezone(value: unknown): string {
  const zone = filledText('timezone', value, MAX_QUERY_TEXT);
  if (canonicalTimeZone(zone) === undefined) {
    throw validationError(
      'timezone',
      `unknown time zone ${JSON.stringify(zone)} (expected an IANA name such as "Europe/Paris")`,
    );
  }
  return zone;
}

/** The most custom ranges a bin takes. */
const maxBinRanges = 100;

export function parseBin(entry: unknown, path: string): Bin {
  const value = record(path, entry, ['width', 'offset', 'ranges']);
  if (value.ranges !== undefined) {
    if (value.width !== undefined || value.offset !== undefined)
      throw validationError(path, 'give either "width" (and "offset") or "ranges"');
    const ranges = array(`${path}.ranges`, value.ranges);
    if (ranges.length === 0 || ranges.length > maxBinRanges)
      throw validationError(`${path}.ranges`, `expected 1 to ${maxBinRanges} ranges, got ${ranges.length}`);
    return {
      ranges: ranges.map((item, i) => {
        const at = `${path}.ranges[${i}]`;
        const range = record(at, item, ['from', 'to', 'label']);
        const bound = (key: 'from' | 'to') =>
          range[key] === undefined || range[key] === null
            ? undefined
            : finiteNumber(`${at}.${key}`, range[key]);
        const from = bound('from');
        const to = bound('to');
        if (from === undefined && to === undefined) throw validationError(at, 'give "from", "to" or both');
        if (from !== undefined && to !== undefined && from >= to)
          throw validationError(`${at}.to`, `must be above "from" (${from}), got ${to}`);
        return {
          ...(from !== undefined && { from }),
          ...(to !== undefined && { to }),
          ...(range.label !== undefined && { label: filledText(`${at}.label`, range.label, MAX_QUERY_TEXT) }),
        };
      }),
    };
  }
  const width = finiteNumber(`${path}.width`, value.width);
  if (width <= 0) throw validationError(`${path}.width`, `must be above 0, got ${width}`);
  return value.offset === undefined
    ? { width }
    : { width, offset: finiteNumber(`${path}.offset`, value.offset) };
}
