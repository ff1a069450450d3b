import type { Connection, DataSource } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { ColumnType } from '../../../engines/types.ts';
import { measuresOf } from './formulas.ts';
import { connectionContent } from './source-connection.ts';

/** Serenytics names of Rosetta's data source kinds (the client tests `type == "Storage"`). */
const typeNames: Record<DataSource['type'], string> = { storage: 'Storage', sql: 'SQL', table: 'Table' };

/** Serenytics column types (`int`/`str`/`float`/`datetime`, as its client infers them). */
const columnTypes: Record<ColumnType, string> = {
  string: 'str',
  integer: 'int',
  number: 'float',
  boolean: 'bool',
  date: 'datetime',
  datetime: 'datetime',
  json: 'str',
};

export interface SerenyticsColumn {
  name: string;
  type: string;
  datetime_format?: string;
}

export function columnTitle(name: string, type: ColumnType): SerenyticsColumn {
  const title: SerenyticsColumn = { name, type: columnTypes[type] };
  if (type === 'date') title.datetime_format = '%Y-%m-%d';
  if (type === 'datetime') title.datetime_format = '%Y-%m-%dT%H:%M:%S';
  return title;
}

/**
 * A data source as Serenytics renders it; `jsonContent` holds the column list and, when the caller
 * may read it, the source's remote connection; `token` the push token.
 */
export function sourceJson(
  source: DataSource,
  pushToken?: string,
  folderUuid: string | null = null,
  connection?: Connection,
) {
  return {
    uuid: source.uuid,
    name: source.name,
    type: typeNames[source.type],
    ...(pushToken && { token: pushToken }),
    folder_uuid: folderUuid,
    jsonContent: {
      columns: source.columns.map((column) => columnTitle(column.name, column.type)),
      primaryKey: source.primaryKey,
      measures: measuresOf(source.formulas),
      ...connectionContent(connection),
    },
    created_at: source.createdAt,
    updated_at: source.updatedAt,
  };
}

export type SourceJson = ReturnType<typeof sourceJson>;

/** Flask-Restless filter operators of the `q` parameter the vendor's list routes take. */
const filterOps: Record<string, (field: unknown, value: unknown) => boolean> = {
  eq: (f, v) => f === v,
  '==': (f, v) => f === v,
  neq: (f, v) => f !== v,
  '!=': (f, v) => f !== v,
  like: (f, v) => likeMatch(f, v, false),
  ilike: (f, v) => likeMatch(f, v, true),
  in: (f, v) => Array.isArray(v) && v.includes(f),
  not_in: (f, v) => Array.isArray(v) && !v.includes(f),
  is_null: (f) => f === null || f === undefined,
  is_not_null: (f) => f !== null && f !== undefined,
};

function likeMatch(field: unknown, pattern: unknown, insensitive: boolean): boolean {
  if (typeof field !== 'string' || typeof pattern !== 'string') return false;
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replaceAll('%', '.*')
    .replaceAll('_', '.');
  return new RegExp(`^${body}$`, insensitive ? 'is' : 's').test(field);
}

interface Filter {
  name: string;
  op: string;
  val?: unknown;
}

/** Parses `q` (url-encoded JSON `{"filters":[{"name","op","val"}]}`) into a predicate. */
export function queryFilter(q: string | undefined): (item: Record<string, unknown>) => boolean {
  if (q === undefined || q === '') return () => true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(q);
  } catch {
    throw validationError('q', 'must be JSON');
  }
  const filters = (parsed as { filters?: unknown })?.filters ?? [];
  if (!Array.isArray(filters)) throw validationError('q.filters', 'must be a list');
  const checked = filters.map((filter: Filter, i) => {
    if (typeof filter?.name !== 'string') throw validationError(`q.filters[${i}].name`, 'is required');
    const test = filterOps[filter.op];
    if (!test) throw validationError(`q.filters[${i}].op`, `unknown operator ${JSON.stringify(filter.op)}`);
    return (item: Record<string, unknown>) => test(item[filter.name], filter.val);
  });
  return (item) => checked.every((test) => test(item));
}

/** Serenytics' list envelope (Flask-Restless), one page holding everything. */
export const listOf = <T>(objects: T[]) => ({
  num_results: objects.length,
  objects,
  page: 1,
  total_pages: 1,
});
