import type { FieldPacket } from 'mysql2';
import { columnTypeOfNative } from '../columnTypes.ts';
import type { ColumnType, JsonScalar } from '../types.ts';

/** Protocol type codes (MYSQL_TYPE_*) and the SQL names they stand for. */
const NATIVE_NAMES = new Map<number, string>([
  [0, 'decimal'],
  [1, 'tinyint'],
  [2, 'smallint'],
  [3, 'int'],
  [4, 'float'],
  [5, 'double'],
  [6, 'null'],
  [7, 'timestamp'],
  [8, 'bigint'],
  [9, 'mediumint'],
  [10, 'date'],
  [11, 'time'],
  [12, 'datetime'],
  [13, 'year'],
  [14, 'date'],
  [15, 'varchar'],
  [16, 'bit'],
  [245, 'json'],
  [246, 'decimal'],
  [247, 'enum'],
  [248, 'set'],
  [249, 'tinyblob'],
  [250, 'mediumblob'],
  [251, 'longblob'],
  [252, 'blob'],
  [253, 'varchar'],
  [254, 'char'],
  [255, 'geometry'],
]);

const TINY = 1;
const BIT = 16;

/** MySQL's BOOLEAN is TINYINT(1); a one-digit tiny column is read as a boolean. */
export function nativeTypeOfField(field: FieldPacket): string {
  const code = field.columnType ?? field.type ?? 253;
  if (code === TINY && field.columnLength === 1) return 'tinyint(1)';
  return NATIVE_NAMES.get(code) ?? 'varchar';
}

export const columnTypeOfField = (field: FieldPacket): ColumnType =>
  columnTypeOfNative(nativeTypeOfField(field));

/** DATETIME and TIMESTAMP text (session zone pinned to UTC) as ISO strings; zero dates keep their text. */
function isoTimestamp(text: string): string {
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

type ValueConverter = (value: unknown) => JsonScalar;

const toText = (value: unknown): JsonScalar => {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
};

/**
 * How values of one result column become JSON-safe scalars. The driver already returns safe
 * BIGINTs as numbers (others as text), DECIMALs as numbers, dates and times as text.
 */
export function converterFor(field: FieldPacket): ValueConverter {
  const type = columnTypeOfField(field);
  if ((field.columnType ?? field.type) === BIT) {
    return (value) =>
      Buffer.isBuffer(value) ? value.reduce((sum, byte) => sum * 256 + byte, 0) : toText(value);
  }
  if (type === 'boolean') return (value) => value !== 0;
  if (type === 'datetime')
    return (value) => (typeof value === 'string' ? isoTimestamp(value) : toText(value));
  if (type === 'number')
    return (value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : toText(value));
  return toText;
}

export function rowConverter(fields: FieldPacket[]): (row: unknown[]) => JsonScalar[] {
  const converters = fields.map(converterFor);
  return (row) => row.map((value, index) => (value === null ? null : converters[index](value)));
}
