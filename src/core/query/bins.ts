import { validationError } from '../errors.ts';
import { hasNul, NUL_PROBLEM } from '../storable.ts';
import { type Bin, rangeLabel } from './ir.ts';
import type { ResolvedField } from './resolve.ts';

/** Numeric bins checked against their field, custom ranges labelled (ir.ts `Bin`). */
export type ResolvedBin =
  | { kind: 'width'; width: number; offset: number }
  | { kind: 'ranges'; ranges: Array<{ from?: number; to?: number; label: string }> };

/**
 * A dimension's bin, checked here rather than only by the native parser since every face's IR
 * comes through: a numeric field, a positive finite width, ranges that are not empty and do not
 * overlap (a value belongs to one range), labels that can be SQL literals.
 */
export function resolveBin(bin: Bin, field: ResolvedField, path: string): ResolvedBin {
  if (field.type !== 'integer' && field.type !== 'number')
    throw validationError(path, `a bin needs a numeric field; ${field.address} is a ${field.type} field`);
  if ('width' in bin) {
    if (!Number.isFinite(bin.width) || bin.width <= 0)
      throw validationError(`${path}.width`, `expected a number above 0, got ${bin.width}`);
    const offset = bin.offset ?? 0;
    if (!Number.isFinite(offset)) throw validationError(`${path}.offset`, `expected a number, got ${offset}`);
    return { kind: 'width', width: bin.width, offset };
  }
  if (bin.ranges.length === 0) throw validationError(`${path}.ranges`, 'expected at least one range');
  const ranges = bin.ranges.map((range, i) => {
    const at = `${path}.ranges[${i}]`;
    const { from, to } = range;
    for (const [key, bound] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (bound !== undefined && !Number.isFinite(bound))
        throw validationError(`${at}.${key}`, `expected a number, got ${bound}`);
    }
    if (from === undefined && to === undefined) throw validationError(at, 'give "from", "to" or both');
    if (from !== undefined && to !== undefined && from >= to)
      throw validationError(`${at}.to`, `must be above "from" (${from}), got ${to}`);
    if (range.label !== undefined && hasNul(range.label)) throw validationError(`${at}.label`, NUL_PROBLEM);
    return { from, to, label: range.label ?? rangeLabel(range) };
  });
  ranges.forEach((range, i) => {
    const other = ranges.findIndex((earlier, j) => j < i && overlap(earlier, range));
    if (other >= 0) {
      throw validationError(
        `${path}.ranges[${i}]`,
        `overlaps ranges[${other}] (${ranges[other].label}): a value must fall in one range only`,
      );
    }
  });
  return {
    kind: 'ranges',
    ranges: ranges.map(({ from, to, label }) => ({
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
      label,
    })),
  };
}

/** Half-open ranges [from, to) overlap when each starts before the other ends (no end = infinite). */
const overlap = (a: { from?: number; to?: number }, b: { from?: number; to?: number }): boolean =>
  (a.from ?? -Infinity) < (b.to ?? Infinity) && (b.from ?? -Infinity) < (a.to ?? Infinity);
