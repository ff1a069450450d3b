import type { ColumnInfo, StorageColumn } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import type { RowPolicy } from '../query/model.ts';
import { refuseNul } from '../storable.ts';

/**
 * Column names of storage sources are kept exactly as given (clients address them by the name
 * they pushed), except that empty names and names over 128 characters are rejected, and two
 * names differing only in case are rejected because warehouse identifiers (DuckDB's included)
 * compare case-insensitively; so are names holding NUL, which no warehouse takes in an identifier.
 */
export const MAX_COLUMN_NAME = 128;

export const storageTypes: readonly StorageColumn['type'][] = [
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
];

export function checkColumnName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.length === 0)
    throw validationError(field, 'column name must not be empty');
  if (name.length > MAX_COLUMN_NAME)
    throw validationError(field, `column name longer than ${MAX_COLUMN_NAME} characters`);
  return refuseNul(name, field);
}

export function checkStorageColumns(columns: readonly StorageColumn[], field = 'columns'): StorageColumn[] {
  const seen = new Set<string>();
  return columns.map((column, index) => {
    const name = checkColumnName(column.name, `${field}[${index}].name`);
    if (seen.has(name.toLowerCase()))
      throw validationError(`${field}[${index}].name`, `duplicate column "${name}"`);
    seen.add(name.toLowerCase());
    if (!storageTypes.includes(column.type)) {
      throw validationError(`${field}[${index}].type`, `must be one of ${storageTypes.join(', ')}`);
    }
    return { name, type: column.type };
  });
}

export function checkPrimaryKey(primaryKey: readonly string[], columns: readonly StorageColumn[]): string[] {
  primaryKey.forEach((name, index) => {
    if (!columns.some((c) => c.name === name))
      throw validationError(`primaryKey[${index}]`, `unknown column "${name}"`);
  });
  if (new Set(primaryKey).size !== primaryKey.length) throw validationError('primaryKey', 'repeats a column');
  return [...primaryKey];
}

export function checkPolicies(
  policies: readonly RowPolicy[],
  columns: readonly ColumnInfo[] | undefined,
): RowPolicy[] {
  return policies.map((policy, index) => {
    if (typeof policy.attribute !== 'string' || !policy.attribute) {
      throw validationError(`policies[${index}].attribute`, 'must be a non-empty string');
    }
    if (typeof policy.field !== 'string' || !policy.field)
      throw validationError(`policies[${index}].field`, 'must be a non-empty string');
    if (columns && columns.length > 0 && !columns.some((c) => c.name === policy.field)) {
      throw validationError(`policies[${index}].field`, `unknown column "${policy.field}"`);
    }
    return { field: policy.field, attribute: policy.attribute };
  });
}

/** The DuckDB type a managed column gets; kept here so stored ColumnInfo matches the table. */
const nativeTypes: Record<StorageColumn['type'], string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP',
};

export function storageColumnInfo(
  columns: readonly StorageColumn[],
  primaryKey: readonly string[],
): ColumnInfo[] {
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    nativeType: nativeTypes[c.type],
    nullable: !primaryKey.includes(c.name),
  }));
}

/** Storage columns of a source: json columns never occur in managed tables. */
export function storageColumnsOf(columns: readonly ColumnInfo[]): StorageColumn[] {
  return columns.map((c) => ({ name: c.name, type: c.type === 'json' ? 'string' : c.type }));
}
