import type { ColumnType } from './types.ts';

/**
 * Logical type of a native SQL type name, for the names DuckDB, PostgreSQL and MySQL report
 * (`DECIMAL(18,3)`, `timestamp with time zone`, `bigint unsigned`, `INTEGER[]`…).
 * Unknown names are strings: every value can be shown as text.
 */
export function columnTypeOfNative(nativeType: string): ColumnType {
  const name = nativeType.trim().toLowerCase();
  if (name.endsWith(']') || /^(struct|map|union|json|jsonb|variant)\b/.test(name)) return 'json';
  if (/^(boolean|bool)\b/.test(name)) return 'boolean';
  if (/^tinyint\(1\)/.test(name)) return 'boolean';
  if (
    /^(u?(tiny|small|medium|big|huge)?int(eger)?|int[248]|u?hugeint|serial|bigserial|smallserial|year)\b/.test(
      name,
    )
  ) {
    return 'integer';
  }
  if (/^(float[48]?|double|real|decimal|numeric|dec)\b/.test(name)) return 'number';
  if (/^date$/.test(name)) return 'date';
  if (/^(timestamp|datetime)/.test(name)) return 'datetime';
  return 'string';
}

/**
 * A binary floating-point type (`DOUBLE`, `FLOAT`, `REAL`, `double precision`, `float8`,
 * ClickHouse's `Float64` and `Nullable(Float32)`): its
 * values are the nearest doubles, not the decimals people typed, unlike DECIMAL and NUMERIC.
 */
export const isBinaryFloat = (nativeType: string): boolean =>
  /^(nullable\()?(float(4|8|32|64)?|double|real)\b/.test(nativeType.trim().toLowerCase());
