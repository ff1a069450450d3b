import type { ColumnType, JsonScalar } from '../types.ts';

/**
 * ClickHouse's own type names (`Nullable(Int64)`, `LowCardinality(String)`, `DateTime('Europe/Paris')`,
 * `Decimal(12, 2)`) as Rosetta's column types, and values in the TabSeparated text the server
 * sends as JSON-safe scalars.
 */

/** `Enum8('false' = 0, 'true' = 1)`: a boolean on servers older than 21.12, which have no `Bool`. */
const BOOLEAN_ENUM = /^Enum8\('false' = 0, 'true' = 1\)$/;

/** The type inside `Nullable(…)` and `LowCardinality(…)` wrappers. */
export function innerType(nativeType: string): string {
  const wrapped = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(nativeType.trim());
  return wrapped ? innerType(wrapped[1]) : nativeType.trim();
}

export const isNullableType = (nativeType: string): boolean =>
  /^(?:LowCardinality\()?Nullable\(/.test(nativeType.trim());

export function columnTypeOfClickhouse(nativeType: string): ColumnType {
  const type = innerType(nativeType);
  if (type === 'Bool' || BOOLEAN_ENUM.test(type)) return 'boolean';
  if (/^U?Int(8|16|32|64|128|256)$/.test(type)) return 'integer';
  if (/^(Float(32|64)|Decimal(32|64|128|256)?\()/.test(type)) return 'number';
  if (/^Date(32)?$/.test(type)) return 'date';
  if (/^DateTime(64)?\b/.test(type)) return 'datetime';
  return 'string';
}

const ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  r: '\r',
  n: '\n',
  t: '\t',
  '0': '\0',
  "'": "'",
  '\\': '\\',
};

/** One TabSeparated field as text: `\N` is NULL, backslash escapes undone. */
export function unescapeField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/gs, (_, char: string) => ESCAPES[char] ?? char);
}

/** The offset (ms) of `zone` from UTC at `instant`. */
function offsetAt(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/** A wall-clock `YYYY-MM-DD hh:mm:ss[.fff]` of `zone` as an ISO instant ending in Z. */
export function isoOfWallClock(text: string, zone: string): string {
  const wall = Date.parse(`${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(wall)) return text;
  if (zone === 'UTC' || zone === 'Etc/UTC') return new Date(wall).toISOString();
  // The offset at the wall time read as UTC, then at the instant that gives: right but for the
  // hour a clock change repeats or skips.
  const guess = wall - offsetAt(zone, wall);
  return new Date(wall - offsetAt(zone, guess)).toISOString();
}

const zoneOf = (type: string): string | undefined =>
  /^DateTime(?:64)?\((?:\d+, *)?'([^']+)'\)$/.exec(type)?.[1];

/** ClickHouse's spelling of the floats that have no JSON number, as JavaScript spells them. */
const NON_FINITE: Record<string, string> = {
  inf: 'Infinity',
  '+inf': 'Infinity',
  '-inf': '-Infinity',
  nan: 'NaN',
  '-nan': 'NaN',
};

export type FieldConverter = (field: string) => JsonScalar;

/**
 * How the text of one column's fields becomes JSON-safe scalars: integers beyond 2^53 stay
 * strings, decimals become numbers, dates stay `YYYY-MM-DD`, timestamps (rendered in the
 * column's or else the server's zone) become ISO instants. Infinities and NaN are text, as on
 * the other engines.
 */
export function converterFor(nativeType: string, serverZone: string): FieldConverter {
  const type = innerType(nativeType);
  const kind = columnTypeOfClickhouse(type);
  const convert = (value: string): JsonScalar => {
    switch (kind) {
      case 'boolean':
        return value === 'true' || value === '1';
      case 'integer': {
        const number = Number(value);
        return Number.isSafeInteger(number) ? number : value;
      }
      case 'number': {
        const number = Number(value);
        return Number.isFinite(number) ? number : (NON_FINITE[value] ?? value);
      }
      // ClickHouse before 19.x prints day 0 and second 0 of the epoch as zeros.
      case 'date':
        return value === '0000-00-00' ? '1970-01-01' : value;
      case 'datetime':
        return value === '0000-00-00 00:00:00'
          ? '1970-01-01T00:00:00.000Z'
          : isoOfWallClock(value, zoneOf(type) ?? serverZone);
      default:
        return value;
    }
  };
  return (field) => {
    const value = unescapeField(field);
    return value === null ? null : convert(value);
  };
}
