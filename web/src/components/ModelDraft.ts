import type {
  Column,
  DataSource,
  Model,
  ModelDefinition,
  ModelDimension,
  ModelJoin,
  ModelMetric,
  ModelTable,
  RowPolicy,
} from '../types.ts';

/**
 * The model editor's working copy: the definition's lists with a key per row, so that removing
 * a row keeps the inputs of the others. `definitionOf` strips the keys for the API.
 */
export type Keyed<T> = T & { key: number };
let lastKey = 0;
export const keyed = <T extends object>(row: T): Keyed<T> => ({ ...row, key: ++lastKey });
function unkeyed<T extends object>(row: Keyed<T>): T {
  const { key: _key, ...rest } = row;
  return rest as unknown as T;
}

export type Condition = { left: string; right: string };
export interface JoinDraft {
  table: string;
  type: ModelJoin['type'];
  on: Keyed<Condition>[];
}

export interface ModelDraft {
  name: string;
  /** Kept for models whose tables are not data sources; otherwise their sources' connection. */
  connectionId: number | null;
  baseTable: string;
  tables: Keyed<ModelTable>[];
  joins: Keyed<JoinDraft>[];
  dimensions: Keyed<ModelDimension>[];
  metrics: Keyed<ModelMetric>[];
  policies: Keyed<RowPolicy>[];
}

export const emptyDraft = (): ModelDraft => ({
  name: '',
  connectionId: null,
  baseTable: '',
  tables: [],
  joins: [],
  dimensions: [],
  metrics: [],
  policies: [],
});

export const draftOf = (model: Model): ModelDraft => ({
  name: model.name,
  connectionId: model.connectionId,
  baseTable: model.baseTable,
  tables: model.tables.map(keyed),
  joins: model.joins.map((j) => keyed({ ...j, on: j.on.map(keyed) })),
  dimensions: model.dimensions.map(keyed),
  metrics: model.metrics.map(keyed),
  policies: model.policies.map(keyed),
});

const sourceOf = (table: ModelTable, sources: DataSource[]) =>
  'dataSource' in table ? sources.find((s) => s.uuid === table.dataSource) : undefined;

export function definitionOf(draft: ModelDraft, sources: DataSource[]): ModelDefinition {
  const firstSource = draft.tables.map((t) => sourceOf(t, sources)).find(Boolean);
  return {
    name: draft.name,
    connectionId: firstSource?.connectionId ?? draft.connectionId ?? 0,
    baseTable: draft.baseTable,
    tables: draft.tables.map(unkeyed),
    joins: draft.joins.map((j) => ({ table: j.table, type: j.type, on: j.on.map(unkeyed) })),
    dimensions: draft.dimensions.map(unkeyed),
    metrics: draft.metrics.map(unkeyed),
    policies: draft.policies.map(unkeyed),
  };
}

/**
 * Every `table.column` the model can use, typed: a data source's columns, or for a warehouse or
 * SQL table the columns its dimensions already name (the browser cannot describe those).
 */
export function fieldsOf(draft: ModelDraft, sources: DataSource[]): Column[] {
  return draft.tables.flatMap((table) => {
    const source = sourceOf(table, sources);
    const columns = source
      ? source.columns
      : draft.dimensions.flatMap((d) =>
          d.table === table.name && d.column ? [{ name: d.column, type: d.type ?? 'string' }] : [],
        );
    return columns.map((c) => ({ name: `${table.name}.${c.name}`, type: c.type }));
  });
}

/** `a.b.c` → [`a`, `b.c`]: the table alias never contains a dot, a column may. */
export function splitAddress(address: string): [string, string] {
  const dot = address.indexOf('.');
  return dot < 0 ? ['', address] : [address.slice(0, dot), address.slice(dot + 1)];
}

const aliasFor = (name: string, taken: string[]): string => {
  const base = name.replace(/\W+/g, '_').replace(/^_+|_+$/g, '') || 'table';
  let alias = base;
  for (let n = 2; taken.includes(alias); n++) alias = `${base}_${n}`;
  return alias;
};

/**
 * Adds a data source as a table, with every column as a dimension; a table after the first
 * gets a left join to fill in, since every table must be joined to the base table.
 */
export function addSourceTable(draft: ModelDraft, source: DataSource): ModelDraft {
  const name = aliasFor(
    source.name,
    draft.tables.map((t) => t.name),
  );
  const first = draft.tables.length === 0;
  return {
    ...draft,
    baseTable: first ? name : draft.baseTable,
    tables: [...draft.tables, keyed({ name, dataSource: source.uuid })],
    joins: first
      ? draft.joins
      : [...draft.joins, keyed({ table: name, type: 'left', on: [keyed({ left: '', right: '' })] })],
    dimensions: [
      ...draft.dimensions,
      ...source.columns.map((c) => keyed({ name: c.name, table: name, column: c.name })),
    ],
  };
}

export function removeTable(draft: ModelDraft, name: string): ModelDraft {
  const tables = draft.tables.filter((t) => t.name !== name);
  return {
    ...draft,
    baseTable: draft.baseTable === name ? (tables[0]?.name ?? '') : draft.baseTable,
    tables,
    joins: draft.joins.filter((j) => j.table !== name),
    dimensions: draft.dimensions.filter((d) => d.table !== name),
    metrics: draft.metrics.filter((m) => m.table !== name),
    policies: draft.policies.filter((p) => splitAddress(p.field)[0] !== name),
  };
}

/** Renames a table alias and every reference to it, `${alias}` placeholders of SQL fields included. */
export function renameTable(draft: ModelDraft, from: string, to: string): ModelDraft {
  const table = (name: string) => (name === from ? to : name);
  const address = (field: string) => {
    const [alias, rest] = splitAddress(field);
    return alias === from ? `${to}.${rest}` : field;
  };
  const sql = <T extends { sql?: string }>(row: T): T =>
    row.sql === undefined ? row : { ...row, sql: row.sql.replaceAll(`\${${from}}`, `\${${to}}`) };
  return {
    ...draft,
    baseTable: table(draft.baseTable),
    tables: draft.tables.map((t) => ({ ...t, name: table(t.name) })),
    joins: draft.joins.map((j) => ({
      ...j,
      table: table(j.table),
      on: j.on.map((c) => ({ ...c, left: address(c.left), right: address(c.right) })),
    })),
    dimensions: draft.dimensions.map((d) => sql({ ...d, table: table(d.table) })),
    metrics: draft.metrics.map((m) => sql({ ...m, table: table(m.table) })),
    policies: draft.policies.map((p) => ({ ...p, field: address(p.field) })),
  };
}

export const replaceAt = <T>(list: T[], index: number, item: T): T[] =>
  list.map((x, i) => (i === index ? item : x));
export const removeAt = <T>(list: T[], index: number): T[] => list.filter((_, i) => i !== index);
