import type { ColumnInfo, ColumnType } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { aggregations } from '../query/ir.ts';
import type { ModelDimension, ModelJoin, ModelMetric, RowPolicy } from '../query/model.ts';
import { checkRequiredAttributes } from '../query/required-attributes.ts';
import { parseSqlExpression } from '../query/sql-expression.ts';
import { refuseNul } from '../storable.ts';
import type { ModelDefinition, ModelTableInput } from './types.ts';

/**
 * Checks a model definition against the columns its tables really have; every error is a 400
 * naming the JSON path (`dimensions[3].column: unknown column "x" in table "orders"`). Pure, so
 * the service only gathers columns and the rules are tested alone. Returns the definition with
 * dimension types filled in from the columns.
 */
const joinTypes: readonly ModelJoin['type'][] = ['left', 'inner', 'right', 'full'];
const columnTypes: readonly ColumnType[] = [
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'json',
];

function nameAt(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value || value.length > 128 || value.includes('.')) {
    throw validationError(field, 'must be a name of 1 to 128 characters without "."');
  }
  return refuseNul(value, field);
}

const arrayAt = <T>(value: unknown, field: string): T[] => {
  if (!Array.isArray(value)) throw validationError(field, 'must be an array');
  return value as T[];
};

/** Names in a metric formula: identifiers, optionally `table.metric`. */
export function formulaNames(formula: string, field: string): string[] {
  if (!/^[\w\s.+\-*/()]*$/.test(formula) || !formula.trim()) {
    throw validationError(field, 'may contain only metric names, numbers, + - * / and parentheses');
  }
  return (formula.match(/[A-Za-z_][\w]*(\.[A-Za-z_]\w*)?/g) ?? []).map(
    (name) => name.split('.').pop() as string,
  );
}

export function validateModelDefinition(
  definition: ModelDefinition,
  columnsOf: ReadonlyMap<string, readonly ColumnInfo[]>,
): ModelDefinition {
  const tables = arrayAt<ModelTableInput>(definition.tables, 'tables').map((table, i) =>
    withRequired(table, `tables[${i}]`),
  );
  if (tables.length === 0) throw validationError('tables', 'a model needs at least one table');
  const tableNames = new Set<string>();
  tables.forEach((table, i) => {
    const name = nameAt(table?.name, `tables[${i}].name`);
    if (tableNames.has(name)) throw validationError(`tables[${i}].name`, `duplicate table "${name}"`);
    tableNames.add(name);
  });
  const columnsIn = (table: string, field: string): readonly ColumnInfo[] => {
    const columns = columnsOf.get(table);
    if (!tableNames.has(table) || !columns) throw validationError(field, `unknown table "${table}"`);
    return columns;
  };
  const column = (table: string, name: unknown, field: string): ColumnInfo => {
    const found = columnsIn(table, field).find((c) => c.name === name);
    if (!found) throw validationError(field, `unknown column ${JSON.stringify(name)} in table "${table}"`);
    return found;
  };
  if (!tableNames.has(definition.baseTable))
    throw validationError('baseTable', `unknown table ${JSON.stringify(definition.baseTable)}`);

  const joined = new Set([definition.baseTable]);
  const joins = arrayAt<ModelJoin>(definition.joins ?? [], 'joins').map((join, i) => {
    columnsIn(join.table, `joins[${i}].table`);
    if (joined.has(join.table))
      throw validationError(`joins[${i}].table`, `table "${join.table}" is already in the model`);
    joined.add(join.table);
    if (!joinTypes.includes(join.type))
      throw validationError(`joins[${i}].type`, `must be one of ${joinTypes.join(', ')}`);
    const on = arrayAt<ModelJoin['on'][number]>(join.on, `joins[${i}].on`);
    if (on.length === 0) throw validationError(`joins[${i}].on`, 'needs at least one condition');
    on.forEach((condition, j) => {
      for (const side of ['left', 'right'] as const) {
        const field = `joins[${i}].on[${j}].${side}`;
        const [table, name, extra] = String(condition?.[side]).split('.');
        if (!name || extra !== undefined) throw validationError(field, 'must be "table.column"');
        if (!joined.has(table))
          throw validationError(field, `table "${table}" is not joined before this join`);
        column(table, name, field);
      }
    });
    return { table: join.table, type: join.type, on: on.map(({ left, right }) => ({ left, right })) };
  });
  const unjoined = [...tableNames].find((name) => !joined.has(name));
  if (unjoined) throw validationError('joins', `table "${unjoined}" is not joined to the base table`);

  /**
   * A developer's SQL (sql-expression.ts) over the model's tables, `${TABLE}` being `table`; the
   * model service then has the warehouse check it (query/sql-probe.ts).
   */
  const sqlAt = (value: unknown, table: string, field: string): string => {
    if (typeof value !== 'string') throw validationError(field, 'must be a string');
    parseSqlExpression(value, { own: table, tables: [...tableNames] }, field);
    return value;
  };

  const dimensionKeys = new Set<string>();
  const dimensions = arrayAt<ModelDimension>(definition.dimensions ?? [], 'dimensions').map((given, i) => {
    const dimension = withRequired(given, `dimensions[${i}]`);
    const name = nameAt(dimension?.name, `dimensions[${i}].name`);
    const info =
      dimension.sql === undefined
        ? column(dimension.table, dimension.column, `dimensions[${i}].column`)
        : undefined;
    if (dimensionKeys.has(`${dimension.table}.${name}`))
      throw validationError(`dimensions[${i}].name`, `duplicate field "${name}"`);
    dimensionKeys.add(`${dimension.table}.${name}`);
    if (dimension.type !== undefined && !columnTypes.includes(dimension.type)) {
      throw validationError(`dimensions[${i}].type`, `must be one of ${columnTypes.join(', ')}`);
    }
    if (info) return { ...dimension, name, type: dimension.type ?? info.type };
    if (dimension.column !== undefined)
      throw validationError(`dimensions[${i}]`, 'give either "column" or "sql", not both');
    columnsIn(dimension.table, `dimensions[${i}].table`);
    if (dimension.type === undefined)
      throw validationError(`dimensions[${i}].type`, `required with "sql": one of ${columnTypes.join(', ')}`);
    return { ...dimension, name, sql: sqlAt(dimension.sql, dimension.table, `dimensions[${i}].sql`) };
  });

  const metrics = arrayAt<ModelMetric>(definition.metrics ?? [], 'metrics').map((metric, i) =>
    withRequired(metric, `metrics[${i}]`),
  );
  const metricNames = new Set<string>();
  metrics.forEach((metric, i) => {
    const name = nameAt(metric?.name, `metrics[${i}].name`);
    if (metricNames.has(name)) throw validationError(`metrics[${i}].name`, `duplicate metric "${name}"`);
    metricNames.add(name);
    columnsIn(metric.table, `metrics[${i}].table`);
    const kinds = [metric.aggregation, metric.formula, metric.sql].filter((kind) => kind !== undefined);
    if (kinds.length !== 1) {
      throw validationError(`metrics[${i}]`, 'needs exactly one of an aggregation, a formula or "sql"');
    }
    if (metric.sql !== undefined) {
      sqlAt(metric.sql, metric.table, `metrics[${i}].sql`);
      if (metric.column !== undefined)
        throw validationError(`metrics[${i}].column`, 'does not apply to an SQL metric');
      if (metric.type !== undefined && metric.type !== 'number' && metric.type !== 'integer')
        throw validationError(`metrics[${i}].type`, 'must be "number" or "integer"');
    } else if (metric.type !== undefined) {
      throw validationError(`metrics[${i}].type`, 'only with "sql"');
    }
    if (metric.aggregation !== undefined) {
      if (!aggregations.includes(metric.aggregation))
        throw validationError(`metrics[${i}].aggregation`, `must be one of ${aggregations.join(', ')}`);
      if (metric.column !== undefined) column(metric.table, metric.column, `metrics[${i}].column`);
      else if (metric.aggregation !== 'count')
        throw validationError(`metrics[${i}].column`, `is required for ${metric.aggregation}`);
    }
    const { percentile } = metric;
    if (metric.aggregation === 'percentile') {
      if (typeof percentile !== 'number' || !(percentile >= 0 && percentile <= 1))
        throw validationError(`metrics[${i}].percentile`, 'must be a number from 0 to 1 with "percentile"');
    } else if (percentile !== undefined) {
      throw validationError(`metrics[${i}].percentile`, 'only with the "percentile" aggregation');
    }
  });
  const references = new Map<string, string[]>();
  metrics.forEach((metric, i) => {
    if (metric.formula === undefined) return;
    const names = formulaNames(String(metric.formula), `metrics[${i}].formula`);
    const unknown = names.find((name) => !metricNames.has(name));
    if (unknown) throw validationError(`metrics[${i}].formula`, `unknown metric "${unknown}"`);
    references.set(metric.name, names);
  });
  checkNoCycle(metrics, references);

  const policies = arrayAt<RowPolicy>(definition.policies ?? [], 'policies').map((policy, i) => {
    if (typeof policy?.attribute !== 'string' || !policy.attribute)
      throw validationError(`policies[${i}].attribute`, 'must be a non-empty string');
    const [first, second] = String(policy.field).split('.');
    const matches = dimensions.filter((d) =>
      second === undefined ? d.name === first : d.table === first && d.name === second,
    );
    if (matches.length !== 1) {
      throw validationError(
        `policies[${i}].field`,
        matches.length === 0
          ? `unknown dimension ${JSON.stringify(policy.field)}`
          : `ambiguous field "${policy.field}"; use table.field`,
      );
    }
    return { field: policy.field, attribute: policy.attribute };
  });

  return { baseTable: definition.baseTable, tables, joins, dimensions, metrics, policies };
}

/** The item with its `requiredAttributes` checked and normalized (dropped when empty). */
function withRequired<T extends { requiredAttributes?: unknown }>(item: T, at: string): T {
  if (item === null || typeof item !== 'object' || item.requiredAttributes === undefined) return item;
  const { requiredAttributes, ...rest } = item;
  const checked = checkRequiredAttributes(requiredAttributes, `${at}.requiredAttributes`);
  return (checked ? { ...rest, requiredAttributes: checked } : rest) as T;
}

function checkNoCycle(metrics: readonly ModelMetric[], references: ReadonlyMap<string, string[]>): void {
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (path.includes(name)) {
      const index = metrics.findIndex((m) => m.name === path[0]);
      throw validationError(
        `metrics[${index}].formula`,
        `circular reference ${[...path, name].join(' -> ')}`,
      );
    }
    if (done.has(name)) return;
    for (const next of references.get(name) ?? []) visit(next, [...path, name]);
    done.add(name);
  };
  for (const metric of metrics) visit(metric.name, []);
}
