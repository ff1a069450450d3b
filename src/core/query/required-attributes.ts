import { can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';

/**
 * Field-level security (Lightdash's `required_attributes`): a table, dimension or metric that
 * names required attributes exists only for users holding, for each attribute, one of its values.
 * Row policies say which rows a user sees; this says which tables and fields. Admins acting as
 * themselves (`rows.all`) see everything, as with row policies.
 */
export type RequiredAttributes = Record<string, string[]>;

/** What one principal may not address in a model: table aliases, `table.field` dimensions and metrics. */
export interface ModelRestrictions {
  tables: string[];
  dimensions: string[];
  metrics: string[];
}

interface Restrictable {
  requiredAttributes?: RequiredAttributes;
}

/** The parts of a model definition restrictions are computed from. */
export interface RestrictableModel {
  tables: ReadonlyArray<Restrictable & { name: string }>;
  dimensions: ReadonlyArray<Restrictable & { name: string; table: string; sql?: string }>;
  metrics: ReadonlyArray<Restrictable & { name: string; table: string; sql?: string; formula?: string }>;
}

const MAX_ATTRIBUTES = 20;
const MAX_VALUES = 100;

/** `{attribute: value | value[]}` as a definition or a dbt file gives it → `{attribute: value[]}`. */
export function checkRequiredAttributes(value: unknown, field: string): RequiredAttributes | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw validationError(field, 'must be an object of attribute names to a value or a list of values');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) throw validationError(field, `at most ${MAX_ATTRIBUTES} attributes`);
  const required: RequiredAttributes = {};
  for (const [name, values] of entries) {
    if (!/^[A-Za-z_][\w-]{0,99}$/.test(name))
      throw validationError(`${field}.${name}`, 'must be a user attribute name');
    const list = Array.isArray(values) ? values : [values];
    if (list.length === 0 || list.length > MAX_VALUES)
      throw validationError(`${field}.${name}`, `must give 1 to ${MAX_VALUES} values`);
    required[name] = list.map((item, i) => {
      if (!['string', 'number', 'boolean'].includes(typeof item))
        throw validationError(`${field}.${name}[${i}]`, 'must be a string');
      return String(item);
    });
  }
  return entries.length > 0 ? required : undefined;
}

const meets = (principal: Principal, required: RequiredAttributes | undefined): boolean =>
  required === undefined ||
  Object.entries(required).every(([name, values]) =>
    (principal.attributes[name] ?? []).some((held) => values.includes(held)),
  );

/** `${table}` and `${table.field}` placeholders of an SQL expression, `${TABLE}` being `own`. */
const placeholdersOf = (sql: string, own: string): Array<[string, string | undefined]> =>
  [...sql.matchAll(/\$\{\s*(\w+)(?:\.(\w+))?\s*\}/g)].map(([, table, field]) => [
    table === 'TABLE' ? own : table,
    field,
  ]);

/**
 * What the principal may not address. A field is hidden with its table, when its own required
 * attributes fail, or when its SQL or formula reads something hidden; undefined when nothing is.
 */
export function restrictionsFor(
  principal: Principal,
  model: RestrictableModel,
): ModelRestrictions | undefined {
  const restricted =
    model.tables.some((t) => t.requiredAttributes) ||
    model.dimensions.some((d) => d.requiredAttributes) ||
    model.metrics.some((m) => m.requiredAttributes);
  if (!restricted || can(principal, 'rows.all')) return undefined;
  const tables = new Set(
    model.tables.filter((t) => !meets(principal, t.requiredAttributes)).map((t) => t.name),
  );
  const dimensions = new Set<string>();
  const readsHidden = (sql: string | undefined, own: string) =>
    sql !== undefined &&
    placeholdersOf(sql, own).some(
      ([table, field]) => tables.has(table) || (field !== undefined && dimensions.has(`${table}.${field}`)),
    );
  for (const d of model.dimensions)
    if (tables.has(d.table) || !meets(principal, d.requiredAttributes) || readsHidden(d.sql, d.table))
      dimensions.add(`${d.table}.${d.name}`);
  const metrics = new Set<string>();
  const hiddenNames = new Set<string>();
  // Formulas name metrics: hiding spreads until nothing changes (models are small and acyclic).
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of model.metrics) {
      const address = `${m.table}.${m.name}`;
      if (metrics.has(address)) continue;
      const formulaReadsHidden =
        m.formula !== undefined &&
        (m.formula.match(/[A-Za-z_]\w*/g) ?? []).some((name) => hiddenNames.has(name));
      if (
        tables.has(m.table) ||
        !meets(principal, m.requiredAttributes) ||
        readsHidden(m.sql, m.table) ||
        formulaReadsHidden
      ) {
        metrics.add(address);
        hiddenNames.add(m.name);
        changed = true;
      }
    }
  }
  if (tables.size + dimensions.size + metrics.size === 0) return undefined;
  return { tables: [...tables], dimensions: [...dimensions], metrics: [...metrics] };
}

/**
 * The tables a query's own SQL may read: a table with anything hidden in it is left out, since
 * SQL reads its columns whatever fields the model gives them.
 */
export function openTables(tables: readonly string[], restrictions: ModelRestrictions | undefined): string[] {
  if (!restrictions) return [...tables];
  const closed = new Set([
    ...restrictions.tables,
    ...[...restrictions.dimensions, ...restrictions.metrics].map((address) => address.split('.')[0]),
  ]);
  return tables.filter((table) => !closed.has(table));
}

/**
 * A model definition as the principal may see it (explore listings): undefined without its base
 * table, else without the tables, joins and fields hidden from them.
 */
export function visibleDefinition<
  T extends RestrictableModel & { baseTable: string; joins: ReadonlyArray<{ table: string }> },
>(principal: Principal, model: T): T | undefined {
  const hidden = restrictionsFor(principal, model);
  if (!hidden) return model;
  if (hidden.tables.includes(model.baseTable)) return undefined;
  const [tables, dimensions, metrics] = [hidden.tables, hidden.dimensions, hidden.metrics].map(
    (list) => new Set(list),
  );
  return {
    ...model,
    tables: model.tables.filter((t) => !tables.has(t.name)),
    joins: model.joins.filter((j) => !tables.has(j.table)),
    dimensions: model.dimensions.filter((d) => !dimensions.has(`${d.table}.${d.name}`)),
    metrics: model.metrics.filter((m) => !metrics.has(`${m.table}.${m.name}`)),
  };
}
