import type { ColumnType, Engine } from '../../engines/types.ts';
import { isRosettaError, type RosettaError, validationError } from '../errors.ts';
import { dialects } from './dialects.ts';
import type { QueryCalculation, QueryIr } from './ir.ts';
import { fromSql } from './joins.ts';
import type { Model } from './model.ts';
import {
  modelSqlScope,
  parseSqlExpression,
  querySqlScope,
  type SqlTemplate,
  sqlTemplateText,
} from './sql-expression.ts';

/**
 * The warehouse's word on developer SQL (sql-expression.ts), asked without running anything:
 * `Engine.describeQuery` plans a SELECT of the expressions over the model's tables, held to what
 * a user's SQL may do (one statement that only reads). The SELECT groups by the dimensions, so a
 * dimension that aggregates is refused, and so is a metric that does not (on engines that check
 * it: MariaDB's default mode does not). A refusal is a 400 on the expression's path with the
 * warehouse's own words; the answer is the type each expression computes.
 */
export interface SqlProbe {
  /** The expression's path in the caller's input (`dimensions[2].sql`, `calculations[0].sql`). */
  path: string;
  template: SqlTemplate;
  role: 'dimension' | 'metric';
}

export async function describeSqlExpressions(
  engine: Engine,
  model: Model,
  probes: readonly SqlProbe[],
): Promise<ColumnType[]> {
  if (probes.length === 0) return [];
  try {
    return await describe(engine, model, probes);
  } catch (error) {
    if (!refused(error)) throw error;
    // One statement for all, in the common case; only a refusal pays one statement each, to
    // name the expression at fault.
    if (probes.length > 1) for (const probe of probes) await describeSqlExpressions(engine, model, [probe]);
    throw validationError(probes[0].path, warehouseWords(error));
  }
}

async function describe(engine: Engine, model: Model, probes: readonly SqlProbe[]): Promise<ColumnType[]> {
  const { quote } = dialects[engine.dialect];
  const texts = probes.map((probe) => sqlTemplateText(probe.template, quote));
  // A constant first column to group by, so that a probe of metrics alone is grouped too.
  const select = [
    `0 AS ${quote('rosetta_group')}`,
    ...texts.map((text, i) => `${text} AS ${quote(`e${i}`)}`),
  ];
  const groups = ['1', ...texts.filter((_, i) => probes[i].role === 'dimension')];
  const tables = new Set(probes.flatMap((probe) => probe.template.tables));
  const sql = [
    `SELECT ${select.join(', ')}`,
    `FROM ${fromSql(model, dialects[engine.dialect], tables)}`,
    `GROUP BY ${groups.join(', ')}`,
  ].join('\n');
  const columns = await engine.describeQuery(sql);
  return columns.slice(1).map((column) => column.type);
}

/** describeQuery's refusal of the statement (ERR_VALIDATION on `sql`), not a failing warehouse. */
const refused = (error: unknown): error is RosettaError =>
  isRosettaError(error) && error.code === 'ERR_VALIDATION' && error.field === 'sql';

const warehouseWords = (error: RosettaError): string => `the warehouse refuses it: ${error.problem}`;

const numeric: readonly ColumnType[] = ['integer', 'number'];
const temporal: readonly ColumnType[] = ['date', 'datetime'];

/**
 * Whether a field declared `declared` may hold what the warehouse computes: the same type, or
 * one of the same family (a MySQL comparison computes an integer 0/1 for a boolean), or `string`,
 * which takes any value.
 */
function fits(declared: ColumnType, computed: ColumnType): boolean {
  if (declared === computed || declared === 'string') return true;
  if (numeric.includes(declared) && numeric.includes(computed)) return true;
  if (temporal.includes(declared) && temporal.includes(computed)) return true;
  return declared === 'boolean' && computed === 'integer';
}

/** A probe with what its input declares the expression computes (absent: whatever it computes). */
interface TypedProbe extends SqlProbe {
  declared?: ColumnType;
  typePath: string;
}

/** A metric must compute a number; a declared type the warehouse contradicts is a 400 on its path. */
function checkComputed(probe: TypedProbe, computed: ColumnType): void {
  if (probe.role === 'metric' && !numeric.includes(computed))
    throw validationError(
      probe.path,
      `an SQL metric must compute a number; the warehouse computes ${computed}`,
    );
  if (probe.declared !== undefined && !fits(probe.declared, computed))
    throw validationError(
      probe.typePath,
      `declared ${probe.declared}, but the warehouse computes ${computed} for this SQL (declare "${computed}")`,
    );
}

/** Describes the probes and checks what each computes; answers the computed types. */
async function checkProbes(
  engine: Engine,
  model: Model,
  probes: readonly TypedProbe[],
): Promise<ColumnType[]> {
  const computed = await describeSqlExpressions(engine, model, probes);
  probes.forEach((probe, i) => {
    checkComputed(probe, computed[i]);
  });
  return computed;
}

/** The SQL fields and metrics of a model being saved, checked by the warehouse (paths of the definition). */
export async function checkModelSql(engine: Engine, model: Model): Promise<void> {
  const probes: TypedProbe[] = [];
  model.dimensions.forEach(({ sql, table, type }, i) => {
    if (sql === undefined) return;
    const path = `dimensions[${i}].sql`;
    const template = parseSqlExpression(sql, modelSqlScope(model, table), path);
    probes.push({ path, template, role: 'dimension', declared: type, typePath: `dimensions[${i}].type` });
  });
  model.metrics.forEach(({ sql, table, type }, i) => {
    if (sql === undefined) return;
    const path = `metrics[${i}].sql`;
    const template = parseSqlExpression(sql, modelSqlScope(model, table), path);
    probes.push({ path, template, role: 'metric', declared: type, typePath: `metrics[${i}].type` });
  });
  await checkProbes(engine, model, probes);
}

/** Whether a query carries SQL of its own (which needs `query.sql`, see the query service). */
export const holdsSql = (ir: QueryIr): boolean =>
  (ir.calculations ?? []).some((calculation) => 'sql' in calculation) ||
  ir.metrics.some((metric) => metric.kind === 'sql');

/**
 * A query's own SQL calculations and metrics, checked by the warehouse before the query compiles.
 * An SQL calculation without a type takes the one the warehouse computes. Returns the IR to compile.
 */
export async function checkQuerySql(engine: Engine, model: Model, ir: QueryIr): Promise<QueryIr> {
  const scope = querySqlScope(model);
  const probe = (sql: string, at: string, role: SqlProbe['role'], declared?: ColumnType): TypedProbe => ({
    path: `${at}.sql`,
    template: parseSqlExpression(sql, scope, `${at}.sql`),
    role,
    declared,
    typePath: `${at}.type`,
  });
  const calculations = (ir.calculations ?? []).flatMap((calculation, i) =>
    'sql' in calculation ? [{ ...calculation, i }] : [],
  );
  const probes = [
    ...calculations.map((c) => probe(c.sql, `calculations[${c.i}]`, 'dimension', c.type)),
    ...ir.metrics.flatMap((metric, i) =>
      metric.kind === 'sql' ? [probe(metric.sql, `metrics[${i}]`, 'metric', metric.type)] : [],
    ),
  ];
  const computed = await checkProbes(engine, model, probes);
  const typed = new Map<number, QueryCalculation>();
  calculations.forEach(({ i, ...calculation }, k) => {
    if (calculation.type === undefined) typed.set(i, { ...calculation, type: computed[k] });
  });
  if (typed.size === 0) return ir;
  return { ...ir, calculations: ir.calculations?.map((calculation, i) => typed.get(i) ?? calculation) };
}
