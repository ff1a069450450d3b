import type { StorageColumn } from '../../engines/types.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, isRosettaError, notFound, validationError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import { checkStorageColumns, storageColumnInfo } from './columns.ts';
import type { DataSourceService } from './sources.ts';
import type { DataSource } from './types.ts';

// Steps shared by every write into a storage source (JSON rows and CSV files).

export interface IngestResult {
  /** Rows written (or deleted) by the batch. */
  rows: number;
  version: number;
}

/** Loads a storage source for writing, checking the permission and the source's kind. */
export async function writableSource(sources: DataSourceService, principal: Principal, ref: number | string) {
  authorize(principal, 'source.write');
  const source = await sources.find(principal.organizationId, ref);
  if (!source) throw notFound('data source', ref);
  if (source.type !== 'storage')
    throw validationError('dataSource', `a ${source.type} source does not accept rows`);
  return source;
}

/** Creates the table of a source declared without columns, from columns seen in its first data. */
export async function ensureTable(sources: DataSourceService, source: DataSource, columns: StorageColumn[]) {
  if (source.columns.length > 0) return source;
  const checked = checkStorageColumns(columns);
  await (await sources.storageOf(source)).createTable(source.table ?? '', checked, []);
  return sources.setColumns(source, storageColumnInfo(checked, []));
}

/**
 * A replace bringing columns the source lacks redefines its table from the new data (Serenytics:
 * reloading a storage "can modify its schema"); the primary key must survive it.
 */
export async function redefineTable(
  sources: DataSourceService,
  source: DataSource,
  columns: StorageColumn[],
) {
  const checked = checkStorageColumns(columns);
  const lost = source.primaryKey.find((key) => !checked.some((column) => column.name === key));
  if (lost) throw validationError('columns', `the new columns lack the primary key column "${lost}"`);
  const storage = await sources.storageOf(source);
  await storage.dropTable(source.table ?? '');
  await storage.createTable(source.table ?? '', checked, source.primaryKey);
  return sources.setColumns(source, storageColumnInfo(checked, source.primaryKey));
}

/** Whether some of `names` are not columns of the source yet. */
export const bringsNewColumns = (source: DataSource, names: readonly string[]) =>
  names.some((name) => !source.columns.some((column) => column.name === name));

/** Engine failures a caller can fix (duplicate keys) are conflicts, not warehouse outages. */
export function mapStorageError(error: unknown): unknown {
  if (
    isRosettaError(error) &&
    error.code === 'ERR_ENGINE' &&
    /duplicate key|constraint/i.test(error.message)
  ) {
    return conflict(error.message.split('\n')[0]);
  }
  return error;
}

export async function finishBatch(
  sources: DataSourceService,
  source: DataSource,
  events: DomainEvents,
): Promise<number> {
  const version = await sources.bumpVersion(source);
  await events.emit('dataChanged', { dataSourceId: source.id, connectionId: source.connectionId });
  return version;
}
