import { validationError } from '../errors.ts';
import type { SqlDialect } from './dialects.ts';
import { forEachLeaf } from './formula.ts';
import type { Model, ModelJoin, ModelTable } from './model.ts';
import type { MetricExpression, ResolvedField } from './resolve.ts';
import type { Condition, ResolvedQuery } from './validate.ts';

/**
 * The FROM clause: the base table, plus only the joins that a used table needs, found by walking
 * the join graph back to the base (a join's parents are the other tables its ON clause names).
 */
export function fromSql(model: Model, dialect: SqlDialect, used: Set<string>): string {
  const emitted = new Set<string>([model.baseTable]);
  const clauses = [relationSql(model, model.baseTable, dialect)];
  const visit = (table: string, chain: string[]): void => {
    if (emitted.has(table)) return;
    if (chain.includes(table))
      throw validationError('model.joins', `joins form a cycle: ${[...chain, table].join(' → ')}`);
    const index = model.joins.findIndex((join) => join.table === table);
    if (index < 0)
      throw validationError(
        'model.joins',
        `table "${table}" is not joined to the base table "${model.baseTable}"`,
      );
    const join = model.joins[index];
    for (const parent of parentsOf(model, join)) visit(parent, [...chain, table]);
    if (join.type === 'full' && !dialect.fullJoin) {
      throw validationError(`model.joins[${index}].type`, `${dialect.name} has no full join`);
    }
    clauses.push(
      `${join.type.toUpperCase()} JOIN ${relationSql(model, table, dialect)} ON ${onSql(model, join, dialect)}`,
    );
    emitted.add(table);
  };
  // A left join that no field of the query uses cannot change the rows and is left out; inner,
  // right and full joins filter or add rows, so they are always part of the query.
  for (const join of model.joins) if (join.type !== 'left') visit(join.table, []);
  for (const table of used) visit(table, []);
  return clauses.join('\n');
}

function relationSql(model: Model, name: string, dialect: SqlDialect): string {
  const table = findTable(model, name);
  const alias = dialect.quote(name);
  if (table.relation.kind === 'sql') return `(${table.relation.sql}) AS ${alias}`;
  const schema = table.relation.schema === undefined ? '' : `${dialect.quote(table.relation.schema)}.`;
  return `${schema}${dialect.quote(table.relation.table)} AS ${alias}`;
}

function findTable(model: Model, name: string): ModelTable {
  const table = model.tables.find((t) => t.name === name);
  if (!table) throw validationError('model.tables', `table "${name}" is not defined`);
  return table;
}

/** Splits `table.column`, preferring the longest table name so aliases may contain dots. */
function splitAddress(model: Model, address: string): { table: string; column: string } {
  const table = model.tables
    .map((t) => t.name)
    .filter((name) => address.startsWith(`${name}.`))
    .sort((a, b) => b.length - a.length)[0];
  if (table === undefined)
    throw validationError('model.joins', `"${address}" does not name a table of the model`);
  return { table, column: address.slice(table.length + 1) };
}

const parentsOf = (model: Model, join: ModelJoin): string[] =>
  join.on
    .flatMap(({ left, right }) => [left, right].map((side) => splitAddress(model, side).table))
    .filter((t) => t !== join.table);

function onSql(model: Model, join: ModelJoin, dialect: SqlDialect): string {
  const side = (address: string): string => {
    const { table, column } = splitAddress(model, address);
    return `${dialect.quote(table)}.${dialect.quote(column)}`;
  };
  return join.on.map(({ left, right }) => `${side(left)} = ${side(right)}`).join(' AND ');
}

/** Every table a query reads, policies included. */
export function usedTables(query: ResolvedQuery): Set<string> {
  const tables = new Set<string>();
  const fromField = (field: ResolvedField): void => {
    if (field.kind === 'column') tables.add(field.table);
    else if (field.kind === 'sql') for (const table of field.sql.tables) tables.add(table);
    else forEachLeaf(field.expression, (leaf) => fromField(leaf.field));
  };
  const fromMetric = (expression: MetricExpression): void =>
    forEachLeaf(expression, (leaf) => {
      if (leaf.kind === 'sql') for (const table of leaf.sql.tables) tables.add(table);
      else {
        if (leaf.field) fromField(leaf.field);
        fromCondition(leaf.filter);
      }
    });
  const fromCondition = (condition: Condition | undefined): void => {
    if (condition?.kind === 'and' || condition?.kind === 'or') condition.children.forEach(fromCondition);
    if (condition?.kind === 'not') fromCondition(condition.child);
    if (condition?.kind !== 'rule') return;
    if (condition.target.kind === 'field') fromField(condition.target.field);
    else if (condition.target.kind === 'dimension') fromField(condition.target.dimension.field);
    else if (condition.target.kind === 'metric') fromMetric(condition.target.expression);
  };
  for (const dimension of query.dimensions) fromField(dimension.field);
  // Rows joined to the groups a metric filter keeps are matched on these dimensions.
  for (const dimension of query.keptGroups?.dimensions ?? []) fromField(dimension.field);
  for (const metric of query.metrics) fromMetric(metric.expression);
  for (const sort of query.sorts) if (sort.target.kind === 'field') fromField(sort.target.field);
  fromCondition(query.where);
  fromCondition(query.having);
  return tables;
}
