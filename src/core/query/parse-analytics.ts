import { validationError } from '../errors.ts';
import type { Bin, Pivot, PostCalculation, TopN, Totals } from './ir.ts';
import { postTypes } from './ir.ts';
import { array, boolean, finite, integerIn, object, oneOf, string } from './json-shape.ts';
import { canonicalTimeZone } from './zone.ts';

/** The native body's analytics (post calculations, top N, totals, pivots, bins, time zone) → IR. */

export function parsePost(entry: unknown, path: string): PostCalculation {
  const value = object(entry, path, ['id', 'type', 'of', 'partitionBy', 'ascending', 'formula']);
  const id = string(value.id, `${path}.id`);
  const type = oneOf<PostCalculation['type']>(value.type, `${path}.type`, postTypes, 'type');
  const refuse = (keys: string[]) => {
    const extra = keys.find((key) => value[key] !== undefined);
    if (extra !== undefined) throw validationError(`${path}.${extra}`, `does not apply to "${type}"`);
  };
  if (type === 'formula') {
    refuse(['of', 'partitionBy', 'ascending']);
    return { id, type, formula: string(value.formula, `${path}.formula`) };
  }
  refuse(['formula']);
  const of = string(value.of, `${path}.of`);
  if (type === 'previous_period' || type === 'difference' || type === 'percent_change') {
    refuse(['partitionBy', 'ascending']);
    return { id, type, of };
  }
  const calculation: PostCalculation = { id, type, of };
  if (value.partitionBy !== undefined && value.partitionBy !== null) {
    calculation.partitionBy = array(value.partitionBy, `${path}.partitionBy`).map((item, i) =>
      string(item, `${path}.partitionBy[${i}]`),
    );
  }
  if (value.ascending !== undefined) {
    if (type !== 'rank') throw validationError(`${path}.ascending`, 'only for "rank"');
    calculation.ascending = boolean(value.ascending, `${path}.ascending`);
  }
  return calculation;
}

export function parseTop(entry: unknown): TopN {
  const value = object(entry, 'top', ['dimension', 'by', 'n', 'others', 'bottom']);
  const top: TopN = {
    dimension: string(value.dimension, 'top.dimension'),
    by: string(value.by, 'top.by'),
    n: integerIn(value.n, 'top.n', 1, maxTopN),
  };
  if (value.others !== undefined) top.others = boolean(value.others, 'top.others');
  if (value.bottom !== undefined) top.bottom = boolean(value.bottom, 'top.bottom');
  return top;
}

/** More than this many kept values is a chart nobody reads; the bound keeps the SQL small. */
const maxTopN = 10_000;

export function parseTotals(entry: unknown): Totals | undefined {
  if (entry === undefined || entry === null || entry === false) return undefined;
  if (entry === true) return {};
  const value = object(entry, 'totals', ['subtotals']);
  const totals: Totals = {};
  if (value.subtotals !== undefined && value.subtotals !== null) {
    totals.subtotals = array(value.subtotals, 'totals.subtotals').map((item, i) =>
      string(item, `totals.subtotals[${i}]`),
    );
  }
  return totals;
}

/** The most columns a pivot may spread into (values × metrics). */
export const maxPivotColumns = 500;

export function parsePivot(entry: unknown): Pivot {
  const value = object(entry, 'pivot', ['columns', 'maxColumns']);
  const columns = array(value.columns, 'pivot.columns').map((item, i) => string(item, `pivot.columns[${i}]`));
  if (columns.length === 0) throw validationError('pivot.columns', 'name at least one dimension');
  const pivot: Pivot = { columns };
  if (value.maxColumns !== undefined)
    pivot.maxColumns = integerIn(value.maxColumns, 'pivot.maxColumns', 1, maxPivotColumns);
  return pivot;
}

/** An IANA zone the runtime knows (`Europe/Paris`, `UTC`); engines are asked for the same name. */
export function parseTimezone(value: unknown): string {
  const zone = string(value, 'timezone');
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
  const value = object(entry, path, ['width', 'offset', 'ranges']);
  if (value.ranges !== undefined) {
    if (value.width !== undefined || value.offset !== undefined)
      throw validationError(path, 'give either "width" (and "offset") or "ranges"');
    const ranges = array(value.ranges, `${path}.ranges`);
    if (ranges.length === 0 || ranges.length > maxBinRanges)
      throw validationError(`${path}.ranges`, `expected 1 to ${maxBinRanges} ranges, got ${ranges.length}`);
    return {
      ranges: ranges.map((item, i) => {
        const at = `${path}.ranges[${i}]`;
        const range = object(item, at, ['from', 'to', 'label']);
        const bound = (key: 'from' | 'to') =>
          range[key] === undefined || range[key] === null ? undefined : finite(range[key], `${at}.${key}`);
        const from = bound('from');
        const to = bound('to');
        if (from === undefined && to === undefined) throw validationError(at, 'give "from", "to" or both');
        if (from !== undefined && to !== undefined && from >= to)
          throw validationError(`${at}.to`, `must be above "from" (${from}), got ${to}`);
        return {
          ...(from !== undefined && { from }),
          ...(to !== undefined && { to }),
          ...(range.label !== undefined && { label: string(range.label, `${at}.label`) }),
        };
      }),
    };
  }
  const width = finite(value.width, `${path}.width`);
  if (width <= 0) throw validationError(`${path}.width`, `must be above 0, got ${width}`);
  return value.offset === undefined ? { width } : { width, offset: finite(value.offset, `${path}.offset`) };
}
