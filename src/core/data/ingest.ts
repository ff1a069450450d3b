import type { JsonScalar, StorageColumn, StorageOperation } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { fieldError, notFound, validationError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import type { OperationsObserver } from '../observer.ts';
import { checkColumnName, checkStorageColumns, storageColumnsOf } from './columns.ts';
import { type CsvOptions, loadCsvFile } from './csv.ts';
import type { DataSourceService } from './sources.ts';
import {
  bringsNewColumns,
  ensureTable,
  finishBatch,
  type IngestResult,
  mapStorageError,
  redefineTable,
  writableSource,
} from './storage-writes.ts';
import type { DataSource } from './types.ts';
import { DEFAULT_UPLOAD_MAX_BYTES } from './upload-limit.ts';
import { coerceValue, INVALID, inferType, invalidValueProblem } from './values.ts';
import { refuseReplace, type WritePolicy, writePolicyOf } from './write-policies.ts';

/**
 * Pushing rows into storage sources. Rule: editors and up may push (Serenytics lets "studio"
 * users feed storages; viewers never write). Every value is checked before the warehouse is
 * touched, and the engine applies each batch atomically, so a bad row leaves the table as it
 * was. After each batch the source's version is bumped and `dataChanged` is emitted (query cache).
 *
 * Rows are objects keyed by column name, or arrays with a `columns` list (arrays without one are
 * positional over the source's columns, or its key columns for deletes). Missing columns are NULL; unknown columns are a 400
 * unless `ignoreUnknownColumns`. A source created without columns takes them, with inferred
 * types, from its first batch.
 */
export type RowsMode = 'insert' | 'upsert' | 'delete' | 'replace';

export interface RowsBatch {
  mode: RowsMode;
  rows: readonly unknown[];
  columns?: readonly string[];
  ignoreUnknownColumns?: boolean;
}

/** One step of `applyOperations`; `key` defaults to the source's primary key. */
export interface RowsOperation {
  mode: 'insert' | 'upsert' | 'delete';
  rows: readonly unknown[];
  key?: string[];
  ignoreUnknownColumns?: boolean;
}

export interface StorageIngestor {
  pushRows(principal: Principal, ref: number | string, batch: RowsBatch): Promise<IngestResult>;
  /**
   * Several inserts, upserts and deletes applied in order, atomically: every row of every step is
   * checked first, then the warehouse applies them in one transaction.
   */
  applyOperations(
    principal: Principal,
    ref: number | string,
    operations: RowsOperation[],
  ): Promise<IngestResult>;
  /** Loads a CSV file (plain or gzip, named `.gz`) from disk into a storage source. */
  loadCsv(
    principal: Principal,
    ref: number | string,
    file: string,
    options: CsvOptions,
  ): Promise<IngestResult>;
  /** Without a permission check: bootstrap (demo data) and jobs that already checked. */
  apply(source: DataSource, batch: RowsBatch): Promise<IngestResult>;
}

/** Column names of a batch in first-seen order (object rows) or as listed. */
function batchColumnNames(batch: RowsBatch): string[] {
  if (batch.columns) return batch.columns.map((name, i) => checkColumnName(name, `columns[${i}]`));
  const names = new Set<string>();
  batch.rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      throw validationError(`rows[${i + 1}]`, 'expected an object');
    for (const key of Object.keys(row)) names.add(checkColumnName(key, `rows[${i + 1}].${key}`));
  });
  return [...names];
}

function inferColumns(batch: RowsBatch): StorageColumn[] {
  const names = batchColumnNames(batch);
  const sample = batch.rows.slice(0, 1000);
  return names.map((name, index) => ({
    name,
    type: inferType(
      sample.map((row) => (Array.isArray(row) ? row[index] : (row as Record<string, unknown>)[name])),
    ),
  }));
}

/**
 * Builds the typed matrix for `target` columns. `slots[k]` is the target index of the k-th
 * incoming column (or -1 when it is ignored); `keyed` lists target columns that must not be null.
 */
function toMatrix(
  batch: RowsBatch,
  all: readonly StorageColumn[],
  target: readonly StorageColumn[],
  keyed: readonly string[],
) {
  const targetIndex = new Map(target.map((c, i) => [c.name, i]));
  const known = new Set(all.map((c) => c.name));
  const slotOf = (name: string, field: string): number => {
    const slot = targetIndex.get(name);
    if (slot !== undefined) return slot;
    if (!known.has(name) && !batch.ignoreUnknownColumns) throw validationError(field, 'unknown column');
    return -1;
  };
  // Positional arrays cover the target: every column, or the key columns of a delete.
  const listed = batch.columns ?? (Array.isArray(batch.rows[0]) ? target.map((c) => c.name) : undefined);
  const listedSlots = listed?.map((name, i) => slotOf(name, `columns[${i}]`));
  const keySlots = keyed.map((name) => targetIndex.get(name) ?? -1);
  const matrix: JsonScalar[][] = new Array(batch.rows.length);
  for (let r = 0; r < batch.rows.length; r++) {
    const row = batch.rows[r];
    const out: JsonScalar[] = new Array(target.length).fill(null);
    const put = (slot: number, name: string, value: unknown) => {
      if (slot < 0) return;
      const coerced = coerceValue(target[slot].type, value);
      if (coerced === INVALID)
        throw validationError(`rows[${r + 1}].${name}`, invalidValueProblem(target[slot].type, value));
      out[slot] = coerced;
    };
    if (listedSlots && listed) {
      if (!Array.isArray(row)) throw validationError(`rows[${r + 1}]`, 'expected an array');
      if (row.length !== listed.length)
        throw validationError(`rows[${r + 1}]`, `expected ${listed.length} values, got ${row.length}`);
      for (let k = 0; k < row.length; k++) put(listedSlots[k], listed[k], row[k]);
    } else {
      if (row === null || typeof row !== 'object' || Array.isArray(row))
        throw validationError(`rows[${r + 1}]`, 'expected an object');
      for (const [name, value] of Object.entries(row))
        put(slotOf(name, `rows[${r + 1}].${name}`), name, value);
    }
    for (let k = 0; k < keySlots.length; k++) {
      if (out[keySlots[k]] === null)
        throw validationError(`rows[${r + 1}].${keyed[k]}`, 'primary key value required');
    }
    matrix[r] = out;
  }
  return matrix;
}

/**
 * A batch against the writer's row policy: new rows inside it, the rows it changes or deletes
 * inside it already, and no replace of the whole table.
 */
async function checkBatch(
  policy: WritePolicy,
  mode: RowsMode,
  batch: { columns: StorageColumn[]; keyColumns: StorageColumn[]; rows: JsonScalar[][]; path: string },
): Promise<void> {
  if (mode === 'replace') return refuseReplace(policy, 'mode');
  if (mode === 'delete') return policy.checkExisting(batch.keyColumns, batch.rows, batch.path);
  policy.checkNew(batch.rows, batch.columns, (r) => `${batch.path}[${r + 1}]`);
  if (mode === 'upsert') {
    const at = batch.keyColumns.map((key) => batch.columns.findIndex((c) => c.name === key.name));
    const keys = batch.rows.map((row) => at.map((i) => row[i]));
    await policy.checkExisting(batch.keyColumns, keys, batch.path);
  }
}

export function createStorageIngestor(deps: {
  sources: DataSourceService;
  events: DomainEvents;
  /** Largest CSV file, counted decompressed; default `DEFAULT_UPLOAD_MAX_BYTES`. */
  maxUploadBytes?: number;
  /** Rows a row-policy check reads at most (configuration `maxQueryRows`); default 1 000 000. */
  maxQueryRows?: number;
  /** Told the rows of each committed write. */
  observer?: Pick<OperationsObserver, 'rowsWritten'>;
}): StorageIngestor {
  const { sources } = deps;
  const policyOf = (principal: Principal, source: DataSource) =>
    writePolicyOf(principal, source, sources, deps.maxQueryRows ?? 1_000_000);

  /**
   * The columns a batch gives a source that has none, or redefines a source with (a replace
   * bringing new columns); undefined when the source's own columns stay.
   */
  function definedColumns(source: DataSource, batch: RowsBatch): StorageColumn[] | undefined {
    const redefines =
      source.columns.length === 0 ||
      (batch.mode === 'replace' &&
        (batch.columns !== undefined || !Array.isArray(batch.rows[0])) &&
        bringsNewColumns(source, batchColumnNames(batch)));
    return redefines ? checkStorageColumns(inferColumns(batch)) : undefined;
  }

  /** Creates or redefines the table, once every value of the batch has been checked against it. */
  const defineTable = (source: DataSource, columns: StorageColumn[]) =>
    source.columns.length === 0
      ? ensureTable(sources, source, columns)
      : redefineTable(sources, source, columns);

  async function apply(initial: DataSource, batch: RowsBatch, policy?: WritePolicy): Promise<IngestResult> {
    if (!Array.isArray(batch.rows)) throw validationError('rows', 'expected an array');
    if (initial.columns.length === 0 && (batch.mode === 'delete' || batch.rows.length === 0))
      return { rows: 0, version: initial.version };
    const defined = definedColumns(initial, batch);
    const columns = defined ?? storageColumnsOf(initial.columns);
    const { primaryKey } = initial;
    if ((batch.mode === 'upsert' || batch.mode === 'delete') && primaryKey.length === 0) {
      throw validationError('mode', `${batch.mode} needs a primary key, and the source declares none`);
    }
    const keyColumns = primaryKey.map((name) => columns.find((c) => c.name === name) as StorageColumn);
    const target = batch.mode === 'delete' ? keyColumns : columns;
    const matrix = toMatrix(batch, columns, target, primaryKey);
    if (policy) await checkBatch(policy, batch.mode, { columns, keyColumns, rows: matrix, path: 'rows' });
    if (matrix.length === 0 && batch.mode !== 'replace') return { rows: 0, version: initial.version };
    const source = defined ? await defineTable(initial, defined) : initial;

    const storage = await sources.storageOf(source);
    const table = source.table ?? '';
    let written: number;
    try {
      if (batch.mode === 'insert') written = await storage.insertRows(table, columns, matrix);
      else if (batch.mode === 'replace') written = await storage.replaceRows(table, columns, matrix);
      else if (batch.mode === 'delete') written = await storage.deleteRows(table, keyColumns, matrix);
      // The engine keeps the last row of each key within one upsert batch.
      else written = await storage.upsertRows(table, columns, primaryKey, matrix);
    } catch (error) {
      throw mapStorageError(error);
    }
    return { rows: written, version: await finishBatch(sources, source, deps.events) };
  }

  async function applyOperations(
    initial: DataSource,
    operations: RowsOperation[],
    policy?: WritePolicy,
  ): Promise<IngestResult> {
    const first = operations.find((operation) => operation.mode !== 'delete' && operation.rows.length > 0);
    if (initial.columns.length === 0 && !first) return { rows: 0, version: initial.version };
    const defined =
      initial.columns.length === 0 && first
        ? checkStorageColumns(inferColumns({ mode: 'insert', rows: first.rows }))
        : undefined;
    const columns = defined ?? storageColumnsOf(initial.columns);
    const primaryKey = initial.primaryKey;
    const steps: StorageOperation[] = operations.map((operation, i) => {
      if (!Array.isArray(operation.rows)) throw validationError(`operations[${i}].rows`, 'expected an array');
      const key = operation.key ?? primaryKey;
      const keyColumns = key.map((name) => {
        const column = columns.find((c) => c.name === name);
        if (!column) throw validationError(`operations[${i}].primaryKey`, `unknown column "${name}"`);
        return column;
      });
      if (operation.mode !== 'insert' && key.length === 0)
        throw validationError(`operations[${i}].primaryKey`, `${operation.mode} needs a primary key`);
      const target = operation.mode === 'delete' ? keyColumns : columns;
      const batch: RowsBatch = {
        mode: 'insert',
        rows: operation.rows,
        ignoreUnknownColumns: operation.ignoreUnknownColumns,
      };
      const rows = toMatrix(batch, columns, target, operation.mode === 'insert' ? [] : key);
      return { mode: operation.mode, columns: target, key, rows };
    });
    if (policy)
      for (const [i, step] of steps.entries())
        await checkBatch(policy, step.mode, {
          columns,
          keyColumns: step.key.map((name) => columns.find((c) => c.name === name) as StorageColumn),
          rows: step.rows,
          path: `operations[${i}].rows`,
        });
    const source = defined ? await defineTable(initial, defined) : initial;
    const storage = await sources.storageOf(source);
    let written: number;
    try {
      written = await storage.applyOperations(
        source.table ?? '',
        steps.filter((step) => step.rows.length > 0),
      );
    } catch (error) {
      throw mapStorageError(error);
    }
    return { rows: written, version: await finishBatch(sources, source, deps.events) };
  }

  /**
   * Writes into one source run one at a time, each on the source as the previous one left it:
   * a write may redefine the table (drop, create, record columns) in steps, and two interleaved
   * left one write's table under the other's recorded columns.
   */
  const queues = new Map<number, Promise<unknown>>();
  function serialized(
    source: DataSource,
    write: (current: DataSource) => Promise<IngestResult>,
  ): Promise<IngestResult> {
    const run = async () => {
      const current = await sources.find(source.organizationId, source.id);
      if (!current) throw notFound('data source', source.uuid);
      const written = await write(current);
      deps.observer?.rowsWritten(written.rows);
      return written;
    };
    const result = (queues.get(source.id) ?? Promise.resolve()).then(run);
    const settled = result.catch(() => undefined);
    queues.set(source.id, settled);
    void settled.then(() => {
      if (queues.get(source.id) === settled) queues.delete(source.id);
    });
    return result;
  }

  return {
    async applyOperations(principal, ref, operations) {
      const source = await writableSource(sources, principal, ref);
      return serialized(source, (current) =>
        applyOperations(current, operations, policyOf(principal, current)),
      );
    },
    async pushRows(principal, ref, batch) {
      const modes: RowsMode[] = ['insert', 'upsert', 'delete', 'replace'];
      if (!modes.includes(batch.mode)) throw validationError('mode', `must be one of ${modes.join(', ')}`);
      const source = await writableSource(sources, principal, ref);
      return serialized(source, (current) => apply(current, batch, policyOf(principal, current)));
    },
    async loadCsv(principal, ref, file, options) {
      const source = await writableSource(sources, principal, ref);
      // A file is loaded by the warehouse itself, row by row unseen: bound writers push rows.
      if (policyOf(principal, source))
        throw fieldError(
          'ERR_FORBIDDEN',
          'file',
          'your row policy binds what you may write, and a file load cannot be checked row by row; push the rows instead',
        );
      return serialized(source, (current) =>
        loadCsvFile(sources, current, file, options, {
          maxBytes: deps.maxUploadBytes ?? DEFAULT_UPLOAD_MAX_BYTES,
          events: deps.events,
        }),
      );
    },
    apply: (source, batch) => serialized(source, (current) => apply(current, batch)),
  };
}
