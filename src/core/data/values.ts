import type { JsonScalar, StorageColumn } from '../../engines/types.ts';

/**
 * Type checks for pushed values, run on every value before anything touches the warehouse, so a
 * bad row rejects its whole batch with a message naming it. Returns `INVALID` rather than
 * throwing: 100 000 values are checked per batch, and the caller builds the message.
 *
 * Accepted: integers as safe JS integers or digit strings; numbers as finite numbers or numeric
 * strings; booleans as true/false, 0/1 and their strings; dates `YYYY-MM-DD` (a midnight time is
 * tolerated); timestamps as ISO-8601 (`T` or space, optional seconds, fraction and zone; no zone
 * means UTC), normalized to UTC `YYYY-MM-DDTHH:MM:SS.sss` (the
 * warehouse's TIMESTAMP has no zone). Strings take any scalar as text.
 */
export const INVALID = Symbol('invalid');
export type ScalarType = StorageColumn['type'];

const integerText = /^[+-]?\d+$/;
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isoText =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseIso(text: string): { millis: number; midnight: boolean; date: string } | undefined {
  const m = isoText.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  const millisOfSecond = Number(fraction.padEnd(3, '0').slice(0, 3));
  let millis = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    millisOfSecond,
  );
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    millis -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
  }
  const midnight = Number(h) === 0 && Number(mi) === 0 && Number(s) === 0 && millisOfSecond === 0 && !zone;
  return { millis, midnight, date: `${y}-${mo}-${d}` };
}

export function coerceValue(type: ScalarType, value: unknown): JsonScalar | typeof INVALID {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : INVALID;
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : INVALID;
      if (typeof value === 'string' && integerText.test(value.trim())) {
        const parsed = Number(value);
        return Number.isSafeInteger(parsed) ? parsed : INVALID;
      }
      return INVALID;
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? value : INVALID;
      return typeof value === 'string' && numberText.test(value.trim()) ? Number(value) : INVALID;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value.trim()))
        return /^(true|1)$/i.test(value.trim());
      return INVALID;
    case 'date': {
      const parsed = typeof value === 'string' ? parseIso(value) : undefined;
      return parsed?.midnight ? parsed.date : INVALID;
    }
    case 'datetime': {
      const parsed = typeof value === 'string' ? parseIso(value) : undefined;
      return parsed ? new Date(parsed.millis).toISOString().slice(0, -1) : INVALID;
    }
  }
}

/** The narrowest type that holds every sample (for columns inferred from a first batch). */
export function inferType(samples: readonly unknown[]): ScalarType {
  const present = samples.filter((v) => v !== null && v !== undefined && v !== '');
  if (present.length === 0) return 'string';
  const all = (type: ScalarType) => present.every((v) => coerceValue(type, v) !== INVALID);
  if (present.every((v) => typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$/i.test(v))))
    return 'boolean';
  if (all('integer')) return 'integer';
  if (all('number')) return 'number';
  if (present.every((v) => typeof v === 'string')) {
    if (all('date')) return 'date';
    if (all('datetime')) return 'datetime';
  }
  return 'string';
}

/** How a bad value is shown in a message: JSON, shortened. */
export function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
