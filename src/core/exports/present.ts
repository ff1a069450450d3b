/**
 * How values and column names are shown to people, the same on screen, in tooltips, PDF and XLSX
 * headers, and emails. Browser-safe: the web UI imports it too.
 */
import { isBinaryFloat } from '../../engines/columnTypes.ts';
import type { ColumnMeta, JsonScalar, ResultColumn } from '../../engines/types.ts';

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

/** A result column with what the query core says of it (results saved before had name and type only). */
export interface ColumnHints extends Partial<ColumnMeta> {
  name: string;
  type: string;
}

/**
 * A column's number format under its widget's: a ratio (percent of total, percent change) is a
 * percent and a rank or count an integer whatever the widget says (a currency rank would lie),
 * and neither takes the widget's prefix and suffix, which belong to its quantities.
 */
export function columnFormat(column: Pick<ColumnHints, 'format'>, format: NumberFormat = {}): NumberFormat {
  if (column.format === 'percent') return { format: 'percent', decimals: format.decimals };
  if (column.format === 'integer' && ['currency', 'percent'].includes(formatNameOf(format)))
    return { format: 'integer' };
  return format;
}

/**
 * A cell for people: `formatValue` in the column's own format, a spread column's identifiers
 * told by its metric's id (a pivot value like `Key` does not make `sum_price|Key` an identifier).
 */
export function formatCell(
  value: JsonScalar | undefined,
  column: ColumnHints,
  format?: NumberFormat,
): string {
  const type = column.format === 'date' || column.format === 'datetime' ? column.format : column.type;
  const name = column.pivot?.metric ?? column.id ?? column.name;
  return formatValue(value, type, columnFormat(column, format), name);
}

/** A column's header: the model's label when it has one, else its name made readable. */
export const columnTitle = (column: Pick<ColumnHints, 'name' | 'label'>): string =>
  column.label ?? columnLabel(column.name);

const AGGREGATE_WORDS: Record<string, string> = {
  sum: 'Sum of',
  avg: 'Average',
  min: 'Min',
  max: 'Max',
  count: 'Count of',
  count_distinct: 'Distinct',
  median: 'Median',
  stddev: 'Std dev of',
  variance: 'Variance of',
};

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const uncap = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** Calculations the query builder names after their metric (`running_total_sum_quantity`). */
const CALCULATION_WORDS: Record<string, (metric: string) => string> = {
  running_total: (metric) => `Running total of ${uncap(metric)}`,
  percent_of_total: (metric) => `${metric} (% of total)`,
  rank: (metric) => `Rank by ${uncap(metric)}`,
  previous_period: (metric) => `${metric}, previous period`,
  difference: (metric) => `${metric}, change`,
  percent_change: (metric) => `${metric}, % change`,
};
const AGGREGATES = 'sum|avg|min|max|count_distinct|count|median|stddev|variance';
// Only over a metric's own name (`sum_…`, a percentile's `p90_…`, `count`), so that a column of
// the data called `rank_score` keeps its name.
const CALCULATION = new RegExp(
  `^(${Object.keys(CALCULATION_WORDS).join('|')})_((?:${AGGREGATES}|p[0-9][0-9_]*)_.+|count)$`,
);

/** Column names as people read them: `sum_price` → `Sum of price`, `date_month` → `Date (month)`. */
export function columnLabel(name: string): string {
  const calculation = CALCULATION.exec(name);
  if (calculation) return CALCULATION_WORDS[calculation[1]](columnLabel(calculation[2]));
  const aggregate = new RegExp(`^(${AGGREGATES})_(.+)$`).exec(name);
  if (aggregate) return `${AGGREGATE_WORDS[aggregate[1]]} ${aggregate[2].replace(/_/g, ' ')}`;
  const part = /^(.+)_(month_of_year|quarter_of_year|week_of_year|day_of_week|hour_of_day)$/.exec(name);
  if (part) return `${cap(part[1].replace(/_/g, ' '))} (${part[2].replace(/_/g, ' ')})`;
  const bucket = /^(.+)_(year|quarter|month|week|day|hour|minute)$/.exec(name);
  if (bucket) return `${cap(bucket[1].replace(/_/g, ' '))} (${bucket[2]})`;
  return cap(name.replace(/_/g, ' '));
}
