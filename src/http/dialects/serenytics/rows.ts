import type { RowsOperation } from '../../../core/data/index.ts';
import { isRosettaError, RosettaError, validationError } from '../../../core/errors.ts';

/**
 * Serenytics row shapes → core operations. Its storage keeps column names in lower case ("only
 * use column names in lower case", says its doc), so keys are lower-cased on the way in; new
 * columns in later pushes are ignored and missing ones are NULL, as that doc states.
 */
export function lowerKeys(row: unknown): unknown {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return row;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value]));
}

const actions = { insert: 'insert', insertOrUpdate: 'upsert', delete: 'delete' } as const;

interface BatchOperation {
  action: string;
  primaryKey?: string | string[];
  rows: unknown[];
}

export function operationsOf(operations: BatchOperation[]): RowsOperation[] {
  return operations.map((operation, i) => {
    const mode = actions[operation.action as keyof typeof actions];
    if (!mode)
      throw validationError(`operations[${i}].action`, 'must be one of insert, insertOrUpdate, delete');
    const key =
      operation.primaryKey === undefined
        ? undefined
        : (Array.isArray(operation.primaryKey) ? operation.primaryKey : [operation.primaryKey]).map((name) =>
            name.toLowerCase(),
          );
    if (mode !== 'insert' && !key) throw validationError(`operations[${i}].primaryKey`, 'is required');
    // A delete lists bare key values (`"rows": [2, 4]`); the core takes one array per key tuple.
    const rows =
      mode === 'delete'
        ? operation.rows.map((row) => (row !== null && typeof row === 'object' ? lowerKeys(row) : [row]))
        : operation.rows.map(lowerKeys);
    return { mode, rows, ...(key && { key }), ignoreUnknownColumns: true };
  });
}

/** A value that does not fit its column reads as the vendor's client tests expect. */
export function incompatibleValues(error: unknown): unknown {
  if (isRosettaError(error) && error.code === 'ERR_VALIDATION' && error.field?.startsWith('rows[')) {
    const incompatible = ': data is incompatible with current table column types';
    return new RosettaError('ERR_VALIDATION', `${error.message}${incompatible}`, error.field, {
      reason: error.reason,
      problem: `${error.problem}${incompatible}`,
    });
  }
  return error;
}
