/**
 * How values and column names are shown to people, the same on screen, in tooltips, PDF and XLSX
 * headers, and emails. Browser-safe: the web UI imports it too.
 */
import { isBinaryFloat } from '../../engines/columnTypes.ts';
import type { JsonScalar, ResultColumn } from '../../engines/types.ts';

const NUMERIC = new Set(['integer', 'number']);
export const isNumeric = (type: string) => NUMERIC.has(type);

/**
 * A column that names things rather than counts them (`id`, `order_id`, `Order ID`, `zip`): its
 * numbers are shown as they are, without thousands separators or rounding. A count, sum or
 * average of such a column (`count_distinct_order_id`) is a quantity again.
 */
export function isIdentifierColumn(name: string): boolean {
  const trimmed = name.trim();
  if (/^(count_distinct|count|sum|avg)_/i.test(trimmed)) return false;
  return /(^|[^a-z])(id|ids|key|code|zip|postcode|year)$/i.test(trimmed) || /Id$/.test(trimmed);
}

/**
 * A column of binary floats, whose values carry representation noise (`31443.39000000001`):
 * numbers whose engine type is DOUBLE, FLOAT, REAL… A number column without a native type
 * (a result saved before engines reported one, a value computed in JS) counts as one too.
 */
export function isFloatColumn(column: Pick<ResultColumn, 'type' | 'nativeType'>): boolean {
  return column.type === 'number' && (column.nativeType === undefined || isBinaryFloat(column.nativeType));
}

/**
 * A binary float without its representation noise (`31443.39000000001` → `31443.39`): 15
 * significant digits, as many as a double holds exactly. For values people read, and data files
 * of float columns; exact decimals are not floats and never pass here.
 */
export function withoutFloatNoise(value: number): number {
  return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(15)) : value;
}

/** The ways a widget may show its numbers (`visualization.options.format`). */
export const numberFormats = ['number', 'integer', 'currency', 'percent', 'compact'] as const;
export type NumberFormatName = (typeof numberFormats)[number];
export const DEFAULT_CURRENCY = 'USD';
export const MAX_DECIMALS = 6;

/**
 * How a widget shows its numbers: its visualization options `format`, `currency` (ISO 4217),
 * `decimals` (0–6, exactly that many), `prefix` and `suffix`. Read leniently (a value of the
 * wrong kind is the default): content saved before these were validated still draws.
 */
export interface NumberFormat {
  format?: unknown;
  currency?: unknown;
  decimals?: unknown;
  prefix?: unknown;
  suffix?: unknown;
}

/** The number format of a visualization's options, without its other keys. */
export function numberFormatOf(options: NumberFormat | undefined): NumberFormat {
  const { format, currency, decimals, prefix, suffix } = options ?? {};
  return { format, currency, decimals, prefix, suffix };
}

export const formatNameOf = (format: NumberFormat): NumberFormatName =>
  (numberFormats as readonly unknown[]).includes(format.format)
    ? (format.format as NumberFormatName)
    : 'number';

export const currencyOf = (format: NumberFormat): string =>
  typeof format.currency === 'string' && /^[A-Za-z]{3}$/.test(format.currency)
    ? format.currency.toUpperCase()
    : DEFAULT_CURRENCY;

export const decimalsOf = (format: NumberFormat): number | undefined =>
  typeof format.decimals === 'number' &&
  Number.isInteger(format.decimals) &&
  format.decimals >= 0 &&
  format.decimals <= MAX_DECIMALS
    ? format.decimals
    : undefined;

const affix = (value: unknown) => (typeof value === 'string' ? value : '');

// Intl formatters are costly to build and a table formats thousands of cells: one per setting.
const formatters = new Map<string, Intl.NumberFormat>();
function intl(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', options);
    formatters.set(key, formatter);
  }
  return formatter;
}

/** `decimals` exactly when set, else up to `most`. */
const fraction = (decimals: number | undefined, most: number) =>
  decimals === undefined
    ? { minimumFractionDigits: 0, maximumFractionDigits: most }
    : { minimumFractionDigits: decimals, maximumFractionDigits: decimals };

/** The symbol of the format's currency (`€`, `CA$`) and its usual decimals (2, 0 for JPY). */
export function currencyStyle(format: NumberFormat): { symbol: string; decimals: number } {
  const formatter = intl({ style: 'currency', currency: currencyOf(format) });
  const symbol = formatter.formatToParts(1).find((part) => part.type === 'currency')?.value ?? '';
  return { symbol, decimals: formatter.resolvedOptions().maximumFractionDigits ?? 2 };
}

/** The digits of a number in its format, without prefix and suffix. */
function digits(value: number, options: NumberFormat & { type?: string; short?: boolean }): string {
  const decimals = decimalsOf(options);
  const short = options.short === true;
  // Short forms (axis labels) are compact and never pad decimals.
  const shortened = { notation: 'compact' as const, ...fraction(undefined, Math.min(decimals ?? 1, 1)) };
  switch (formatNameOf(options)) {
    case 'currency': {
      const currency = { style: 'currency' as const, currency: currencyOf(options) };
      if (short) return intl({ ...currency, ...shortened }).format(value);
      // Without decimals, the currency's own (2 for EUR, 0 for JPY).
      return intl(decimals === undefined ? currency : { ...currency, ...fraction(decimals, 0) }).format(
        value,
      );
    }
    case 'percent':
      return intl({ style: 'percent', ...fraction(short ? undefined : decimals, decimals ?? 1) }).format(
        value,
      );
    case 'compact':
      return intl({ notation: 'compact', ...fraction(short ? undefined : decimals, decimals ?? 1) }).format(
        value,
      );
    case 'integer':
      return intl(short ? shortened : fraction(0, 0)).format(value);
    default:
      if (short) return intl(shortened).format(value);
      if (decimals !== undefined) return intl(fraction(decimals, 0)).format(value);
      if (options.type === 'integer' || Number.isInteger(value)) return intl(fraction(0, 0)).format(value);
      // Below 1, two significant digits, so 0.004 does not read as 0.
      return Math.abs(value) < 1
        ? intl({ maximumSignificantDigits: 2 }).format(value)
        : intl(fraction(undefined, 2)).format(value);
  }
}

/**
 * A number for people, in the widget's number format: by default integers whole, others with
 * at most 2 decimals, thousands separated. `short` is the compact form of the same format for
 * axis labels (`€12.3K`). Identifiers stay as they are, without prefix or suffix.
 */
export function formatNumber(
  value: number,
  options: NumberFormat & { type?: string; column?: string; short?: boolean } = {},
): string {
  if (options.column !== undefined && isIdentifierColumn(options.column)) return String(value);
  return `${affix(options.prefix)}${digits(value, options)}${affix(options.suffix)}`;
}

/** A value for people; numbers in `format` (a widget's number format, see `NumberFormat`). */
export function formatValue(
  value: JsonScalar | undefined,
  type: string,
  format?: NumberFormat,
  column?: string,
): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'number') return formatNumber(value, { ...numberFormatOf(format), type, column });
  if ((type === 'datetime' || type === 'date') && typeof value === 'string') {
    const midnight = /T00:00:00(\.000)?Z?$/.test(value);
    return type === 'date' || midnight
      ? value.slice(0, 10)
      : value.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  return String(value);
}

const AGGREGATE_WORDS: Record<string, string> = {
  sum: 'Sum of',
  avg: 'Average',
  min: 'Min',
  max: 'Max',
  count: 'Count of',
  count_distinct: 'Distinct',
};

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Column names as people read them: `sum_price` → `Sum of price`, `date_month` → `Date (month)`. */
export function columnLabel(name: string): string {
  const aggregate = /^(sum|avg|min|max|count_distinct|count)_(.+)$/.exec(name);
  if (aggregate) return `${AGGREGATE_WORDS[aggregate[1]]} ${aggregate[2].replace(/_/g, ' ')}`;
  const bucket = /^(.+)_(year|quarter|month|week|day|hour|minute)$/.exec(name);
  if (bucket) return `${cap(bucket[1].replace(/_/g, ' '))} (${bucket[2]})`;
  return cap(name.replace(/_/g, ' '));
}
