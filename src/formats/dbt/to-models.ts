// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` and `${field}` are Lightdash's and Rosetta's SQL placeholders
import type { ModelDefinition, ModelTableInput } from '../../core/data/index.ts';
import { validationError } from '../../core/errors.ts';
import type {
  Aggregation,
  ModelDimension,
  ModelJoin,
  ModelMetric,
  RowPolicy,
} from '../../core/query/index.ts';
import { checkRequiredAttributes, type RequiredAttributes } from '../../core/query/required-attributes.ts';
import type { ColumnInfo, ColumnType } from '../../engines/types.ts';
import { type DbtModel, type DbtProject, type Meta, objectAt } from './project.ts';

/**
 * A dbt project with Lightdash meta → Rosetta model definitions. Pure: the caller has already
 * found the data source of each dbt model's relation and hands its uuid and columns in. Each
 * dbt model becomes a model of its name whose base table (aliased by that name) is the model's
 * data source; Lightdash joins join other models' sources under their alias. Lightdash SQL
 * (`${TABLE}.x`, `${field}`, `${model.field}`) becomes Rosetta developer SQL (`${TABLE}.x`,
 * `${table}.x`), aggregate metrics with `sql` or `filters` become SQL aggregates, and
 * `type: number` metrics of metric references become formulas. `sql_filter` conditions
 * `<field> = ${lightdash.attributes.<name>}` become row policies, which the query core adds to
 * every query; `required_attributes` of models, dimensions and metrics hide them from users
 * lacking the attributes (core query/required-attributes.ts). Display settings (format, round, hidden, groups, time intervals) are not carried.
 */
export interface ModelRelationInfo {
  /** The data source the model's relation is. */
  dataSource: string;
  /** Unknown before the data source is found: every column is taken to exist (a check of the rest). */
  columns?: readonly ColumnInfo[];
  /** How the relation is named in errors (`analytics.orders`). */
  label: string;
}

export interface MappedModel {
  name: string;
  at: string;
  definition: ModelDefinition;
  /** Where each part of the definition was read (`dimensions[2]` → `models/x.yml:models[0].columns[2]`). */
  origins: Map<string, string>;
}

const dimensionTypes: Record<string, ColumnType> = {
  string: 'string',
  number: 'number',
  timestamp: 'datetime',
  date: 'date',
  boolean: 'boolean',
};

const aggregationOf: Record<string, Aggregation> = {
  sum: 'sum',
  count: 'count',
  count_distinct: 'count_distinct',
  min: 'min',
  max: 'max',
  average: 'avg',
  median: 'median',
  percentile: 'percentile',
};

/** The aggregates that stay portable SQL when a metric has its own `sql` or `filters`. */
const sqlAggregate: Record<string, (expression: string) => string> = {
  sum: (e) => `SUM(${e})`,
  count: (e) => `COUNT(${e})`,
  count_distinct: (e) => `COUNT(DISTINCT ${e})`,
  min: (e) => `MIN(${e})`,
  max: (e) => `MAX(${e})`,
  average: (e) => `AVG(${e})`,
};

const metricTypes = [...Object.keys(aggregationOf), 'number'];

/** One dimension as the dbt model declares it: a documented column, or an additional dimension. */
interface DeclaredDimension {
  name: string;
  at: string;
  column: string;
  sql?: string;
  type?: unknown;
  dataType?: string;
  label?: string;
  requiredAttributes?: RequiredAttributes;
}

/** Lightdash's `required_attributes` of a model, dimension or metric, as the core keeps them. */
function requiredOf(meta: Meta, at: string): { requiredAttributes?: RequiredAttributes } {
  const required = checkRequiredAttributes(meta.required_attributes, `${at}.required_attributes`);
  return required ? { requiredAttributes: required } : {};
}

const textAt = (value: unknown, at: string): string => {
  if (typeof value !== 'string' || !value.trim()) throw validationError(at, 'must be a non-empty string');
  return value;
};

const labelOf = (value: unknown, at: string) =>
  value === undefined ? {} : { label: textAt(value, `${at}.label`) };

function declaredDimensions(model: DbtModel): DeclaredDimension[] {
  return model.columns.flatMap((column) => {
    const at = `${column.metaAt}.dimension`;
    const dimension = objectAt(column.meta.dimension, at);
    const own: DeclaredDimension = {
      ...requiredOf(dimension, at),
      name: column.name,
      at: column.at,
      column: column.name,
      ...(dimension.sql !== undefined && { sql: textAt(dimension.sql, `${at}.sql`) }),
      type: dimension.type,
      dataType: column.dataType,
      ...labelOf(dimension.label, at),
    };
    const additional = objectAt(column.meta.additional_dimensions, `${column.metaAt}.additional_dimensions`);
    return [
      own,
      ...Object.entries(additional).map(([name, value]) => {
        const extraAt = `${column.metaAt}.additional_dimensions.${name}`;
        const extra = objectAt(value, extraAt);
        return {
          name,
          at: extraAt,
          column: column.name,
          sql: textAt(extra.sql, `${extraAt}.sql`),
          type: extra.type,
          ...labelOf(extra.label, extraAt),
          ...requiredOf(extra, extraAt),
        };
      }),
    ];
  });
}

/** The tables of the model being built: alias → the dbt model read under it. */
type Aliases = ReadonlyMap<string, DbtModel>;

interface Place {
  model: DbtModel;
  alias: string;
}

const plainColumn = /^\$\{TABLE\}\.([A-Za-z_]\w*)$/;

export function mapProject(
  project: DbtProject,
  relations: ReadonlyMap<string, ModelRelationInfo>,
): MappedModel[] {
  const byName = new Map(project.models.map((model) => [model.name, model]));
  const declared = new Map(project.models.map((model) => [model.name, declaredDimensions(model)]));
  const relationOf = (model: DbtModel): ModelRelationInfo => {
    const relation = relations.get(model.name);
    if (!relation) throw validationError(model.at, 'has no data source');
    return relation;
  };
  const hasColumn = (model: DbtModel, column: string) => {
    const { columns } = relationOf(model);
    return !columns || columns.some((c) => c.name === column);
  };

  /**
   * Lightdash SQL of `place` → Rosetta SQL inside the table `outer`: `${TABLE}` and field
   * references become table placeholders, a field computed by SQL is inlined in parentheses.
   */
  function translate(
    sql: string,
    place: Place,
    aliases: Aliases,
    outer: string,
    at: string,
    seen = new Set<string>(),
  ): string {
    const tableRef = (alias: string) => (alias === outer ? '${TABLE}' : `\${${alias}}`);
    return sql.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      const reference = inner.trim();
      if (reference === 'TABLE') return tableRef(place.alias);
      if (/^(lightdash|ld)\./.test(reference))
        throw validationError(at, `\${${reference}}: user attributes are supported in sql_filter only`);
      const [first, second, extra] = reference.split('.');
      if (extra !== undefined) throw validationError(at, `\${${reference}}: unknown field`);
      if (second === undefined) {
        if (declared.get(place.model.name)?.some((d) => d.name === first)) return fieldSql(place, first);
        // `${orders}` is Rosetta's own placeholder of another table: what an export writes.
        if (aliases.has(first)) return tableRef(first);
        throw validationError(at, `\${${reference}}: no field "${first}" in model "${place.model.name}"`);
      }
      const alias = first === place.model.name ? place.alias : first;
      const model = aliases.get(alias) ?? (alias === place.alias ? place.model : undefined);
      if (!model) throw validationError(at, `\${${reference}}: "${first}" is not a table of this explore`);
      return fieldSql({ model, alias }, second);
    });

    function fieldSql(target: Place, name: string): string {
      const dimension = declared.get(target.model.name)?.find((d) => d.name === name);
      if (!dimension)
        throw validationError(
          at,
          `\${${name}}: not a dimension of "${target.model.name}" (metrics may be referenced only by type: number metrics made of metric references and + - * /)`,
        );
      if (dimension.sql === undefined) return `${tableRef(target.alias)}.${dimension.column}`;
      const key = `${target.alias}.${name}`;
      if (seen.has(key)) throw validationError(at, `circular reference through "${key}"`);
      const inner = translate(dimension.sql, target, aliases, outer, at, new Set([...seen, key]));
      return /^\$\{\w+\}\.\w+$/.test(inner) ? inner : `(${inner})`;
    }
  }

  function dimensionType(dimension: DeclaredDimension, model: DbtModel): ColumnType {
    const at = `${dimension.at}.meta.dimension.type`;
    if (dimension.type === undefined) {
      const { columns } = relationOf(model);
      if (!columns) return 'string';
      const column = columns.find((c) => c.name === dimension.column);
      if (!column)
        throw validationError(at, `required with sql: one of ${Object.keys(dimensionTypes).join(', ')}`);
      return column.type;
    }
    const type = dimensionTypes[String(dimension.type)];
    if (!type) throw validationError(at, `must be one of ${Object.keys(dimensionTypes).join(', ')}`);
    return type === 'number' && /int/i.test(dimension.dataType ?? '') ? 'integer' : type;
  }

  function dimensionsAt(place: Place, aliases: Aliases, only?: ReadonlySet<string>) {
    const { model, alias } = place;
    return (declared.get(model.name) ?? [])
      .filter((d) => !only || only.has(d.name))
      .map((d): [ModelDimension, string] => {
        const label = {
          ...(d.label !== undefined && { label: d.label }),
          ...(d.requiredAttributes && { requiredAttributes: d.requiredAttributes }),
        };
        if (d.sql === undefined) {
          if (!hasColumn(model, d.column))
            throw validationError(`${d.at}.name`, `no column "${d.column}" in ${relationOf(model).label}`);
          return [
            { name: d.name, table: alias, column: d.column, type: columnTypeOf(model, d.column), ...label },
            d.at,
          ];
        }
        const sql = translate(d.sql, place, aliases, alias, `${d.at}.meta.dimension.sql`);
        const column = plainColumn.exec(sql)?.[1];
        if (column && hasColumn(model, column))
          return [{ name: d.name, table: alias, column, type: columnTypeOf(model, column), ...label }, d.at];
        return [{ name: d.name, table: alias, sql, type: dimensionType(d, model), ...label }, d.at];
      });
  }

  const columnTypeOf = (model: DbtModel, column: string): ColumnType =>
    relationOf(model).columns?.find((c) => c.name === column)?.type ?? 'string';

  function literal(value: unknown, at: string): string {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'string') {
      if (value.includes('\\') || value.includes('${'))
        throw validationError(at, 'a filter value may not hold "\\" or "${"');
      return `'${value.replace(/'/g, "''")}'`;
    }
    throw validationError(at, 'must be a string, a number, a boolean or a list of them');
  }

  /** Lightdash metric `filters` (`- status: "!cancelled"`, `- amount: "> 100"`) as one SQL condition. */
  function filterCondition(filters: unknown, place: Place, aliases: Aliases, at: string): string | undefined {
    if (filters === undefined) return undefined;
    if (!Array.isArray(filters) || filters.length === 0)
      throw validationError(at, 'must be a non-empty list');
    return filters
      .map((item, i) => {
        const rule = objectAt(item, `${at}[${i}]`);
        const keys = Object.keys(rule);
        if (keys.length !== 1) throw validationError(`${at}[${i}]`, 'must be one "field: value" pair');
        const [field] = keys;
        const ruleAt = `${at}[${i}].${field}`;
        const target = translate(`\${${field}}`, place, aliases, place.alias, ruleAt);
        const value = rule[field];
        if (Array.isArray(value)) return `${target} IN (${value.map((v) => literal(v, ruleAt)).join(', ')})`;
        if (value === null || value === 'null') return `${target} IS NULL`;
        if (value === '!null') return `${target} IS NOT NULL`;
        if (typeof value === 'string') {
          const comparison = /^(>=|<=|>|<)\s*(.+)$/.exec(value);
          if (comparison) {
            // `> 10` compares with a number, `> 2024-01-01` with text the warehouse casts.
            const [, operator, bound] = comparison;
            const typed = /^-?\d+(\.\d+)?$/.test(bound) ? Number(bound) : bound;
            return `${target} ${operator} ${literal(typed, ruleAt)}`;
          }
          if (value.startsWith('!')) return `${target} <> ${literal(value.slice(1), ruleAt)}`;
          if (value.includes('%')) return `${target} LIKE ${literal(value, ruleAt)}`;
        }
        return `${target} = ${literal(value, ruleAt)}`;
      })
      .join(' AND ');
  }

  function metricOf(
    name: string,
    value: unknown,
    at: string,
    place: Place,
    aliases: Aliases,
    subject?: string,
  ): ModelMetric {
    const definition = objectAt(value, at);
    const type = String(definition.type);
    if (!metricTypes.includes(type))
      throw validationError(
        `${at}.type`,
        `must be one of ${metricTypes.join(', ')} (Rosetta's metrics are numbers)`,
      );
    const base = {
      name,
      table: place.alias,
      ...labelOf(definition.label, at),
      ...requiredOf(definition, at),
    };
    const sqlAt = `${at}.sql`;
    if (type === 'number') {
      const sql = textAt(definition.sql, sqlAt);
      const references = [...sql.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1].trim());
      const operatorsOnly = /^[\s\d.+\-*/()]*$/.test(sql.replace(/\$\{[^}]*\}/g, ''));
      const ofMetrics = references.every(
        (reference) =>
          reference !== 'TABLE' && !declared.get(place.model.name)?.some((d) => d.name === reference),
      );
      if (references.length > 0 && operatorsOnly && ofMetrics)
        return { ...base, formula: sql.replace(/\$\{\s*([^}]*?)\s*\}/g, '$1') };
      return { ...base, sql: translate(sql, place, aliases, place.alias, sqlAt) };
    }
    const expression =
      definition.sql !== undefined
        ? translate(textAt(definition.sql, sqlAt), place, aliases, place.alias, sqlAt)
        : subject !== undefined
          ? translate(`\${${subject}}`, place, aliases, place.alias, at)
          : undefined;
    if (expression === undefined && type !== 'count')
      throw validationError(sqlAt, `required for a ${type} metric of the model (not under a column)`);
    const condition = filterCondition(definition.filters, place, aliases, `${at}.filters`);
    const column = expression === undefined ? undefined : plainColumn.exec(expression)?.[1];
    const percentile = definition.percentile;
    if (type === 'percentile' && (typeof percentile !== 'number' || percentile < 0 || percentile > 100))
      throw validationError(`${at}.percentile`, 'must be a number from 0 to 100');
    if (condition === undefined && (expression === undefined || (column && hasColumn(place.model, column))))
      return {
        ...base,
        aggregation: aggregationOf[type],
        ...(column !== undefined && { column }),
        ...(type === 'percentile' && { percentile: (percentile as number) / 100 }),
      };
    const aggregate = sqlAggregate[type];
    if (!aggregate)
      throw validationError(`${at}.type`, `a ${type} metric cannot have its own sql or filters here`);
    const inner =
      condition === undefined ? expression : `CASE WHEN ${condition} THEN ${expression ?? '1'} END`;
    return { ...base, sql: aggregate(inner ?? '*') };
  }

  function metricsAt(place: Place, aliases: Aliases, only?: ReadonlySet<string>): [ModelMetric, string][] {
    const { model } = place;
    const fromColumns = model.columns.flatMap((column) =>
      Object.entries(objectAt(column.meta.metrics, `${column.metaAt}.metrics`)).map(
        ([name, value]) => [name, value, `${column.metaAt}.metrics.${name}`, column.name] as const,
      ),
    );
    const fromModel = Object.entries(objectAt(model.meta.metrics, `${model.metaAt}.metrics`)).map(
      ([name, value]) => [name, value, `${model.metaAt}.metrics.${name}`, undefined] as const,
    );
    return [...fromColumns, ...fromModel]
      .filter(([name]) => !only || only.has(name))
      .map(([name, value, at, subject]) => [metricOf(name, value, at, place, aliases, subject), at]);
  }

  /** `${a.x} = ${b.y} AND …` (or `a.x = b.y`) → equalities of columns. */
  function joinConditions(sqlOn: unknown, aliases: Aliases, at: string): ModelJoin['on'] {
    const refuse = () =>
      validationError(at, 'only equalities of fields joined by AND are supported (${a.x} = ${b.y} AND …)');
    const side = (text: string): string => {
      const field = /^\$\{\s*(\w+)\.(\w+)\s*\}$/.exec(text);
      const raw = /^(?:\$\{(\w+)\}|(\w+))\.(\w+)$/.exec(text);
      if (field) {
        const [, alias, name] = field;
        const model = aliases.get(alias);
        if (!model) throw validationError(at, `"${alias}" is not a table of this explore`);
        const sql = translate(`\${${name}}`, { model, alias }, aliases, alias, at);
        const column = plainColumn.exec(sql)?.[1];
        if (!column) throw validationError(at, `\${${alias}.${name}} must be a column, not an SQL dimension`);
        return `${alias}.${column}`;
      }
      if (raw) return `${raw[1] ?? raw[2]}.${raw[3]}`;
      throw refuse();
    };
    return textAt(sqlOn, at)
      .split(/\s+and\s+/i)
      .map((term) => {
        const parts = /^\s*(.+?)\s*=\s*(.+?)\s*$/.exec(term);
        if (!parts) throw refuse();
        return { left: side(parts[1]), right: side(parts[2]) };
      });
  }

  /** `sql_filter` → row policies: each AND-ed condition ties a field to a user attribute. */
  function policiesOf(model: DbtModel, dimensions: readonly ModelDimension[]): [RowPolicy, string][] {
    const key = model.meta.sql_filter !== undefined ? 'sql_filter' : 'sql_where';
    const at = `${model.metaAt}.${key}`;
    if (model.meta[key] === undefined) return [];
    return textAt(model.meta[key], at)
      .split(/\s+and\s+/i)
      .map((term): [RowPolicy, string] => {
        const parts =
          /^\s*(.+?)\s*(?:=|\bin\b)\s*\(?\s*\$\{\s*(?:lightdash|ld)\.(?:attributes|attribute|attr)\.(\w+)\s*\}\s*\)?\s*$/i.exec(
            term,
          );
        if (!parts)
          throw validationError(
            at,
            'only "<field> = ${lightdash.attributes.<name>}" conditions joined by AND are supported: Rosetta enforces them as row policies',
          );
        const [, left, attribute] = parts;
        const byColumn = /^(?:\$\{TABLE\}\.|)(\w+)$/.exec(left);
        const byField = /^\$\{\s*(?:(\w+)\.)?(\w+)\s*\}$/.exec(left);
        const table = byField?.[1] ?? model.name;
        const found = byField
          ? dimensions.find((d) => d.table === table && d.name === byField[2])
          : dimensions.find((d) => d.table === model.name && d.column === byColumn?.[1]);
        if (!found)
          throw validationError(at, `${left.trim()} must name a documented column or dimension of the model`);
        return [{ field: `${found.table}.${found.name}`, attribute }, at];
      });
  }

  function mapModel(model: DbtModel): MappedModel {
    const joinsAt = `${model.metaAt}.joins`;
    const declaredJoins = model.meta.joins ?? [];
    if (!Array.isArray(declaredJoins)) throw validationError(joinsAt, 'must be a list');
    const aliases = new Map<string, DbtModel>([[model.name, model]]);
    const joins = declaredJoins.map((value, i) => {
      const at = `${joinsAt}[${i}]`;
      const join = objectAt(value, at);
      const target = byName.get(String(join.join));
      if (!target)
        throw validationError(`${at}.join`, `no model named ${JSON.stringify(join.join)} in the project`);
      const alias = join.alias === undefined ? target.name : textAt(join.alias, `${at}.alias`);
      const type = join.type ?? 'left';
      if (!['left', 'inner', 'right', 'full'].includes(String(type)))
        throw validationError(`${at}.type`, 'must be one of left, inner, right, full');
      if (
        join.fields !== undefined &&
        (!Array.isArray(join.fields) || join.fields.some((f) => typeof f !== 'string'))
      )
        throw validationError(`${at}.fields`, 'must be a list of field names');
      aliases.set(alias, target);
      return { at, join, target, alias, type: type as ModelJoin['type'] };
    });
    const origins = new Map<string, string>();
    const tables: ModelTableInput[] = [];
    const dimensions: ModelDimension[] = [];
    const metrics: ModelMetric[] = [];
    const places = [
      { place: { model, alias: model.name }, at: model.at, only: undefined },
      ...joins.map(({ target, alias, at, join }) => ({
        place: { model: target, alias },
        at,
        only: join.fields === undefined ? undefined : new Set(join.fields as string[]),
      })),
    ];
    for (const { place, at, only } of places) {
      origins.set(`tables[${tables.length}]`, at);
      // A joined model keeps its own required attributes: its fields are its, wherever joined.
      tables.push({
        name: place.alias,
        dataSource: relationOf(place.model).dataSource,
        ...requiredOf(place.model.meta, place.model.metaAt),
      });
      const placeDimensions = dimensionsAt(place, aliases, only);
      const placeMetrics = metricsAt(place, aliases, only);
      const names = new Set([...placeDimensions, ...placeMetrics].map(([field]) => field.name));
      const missing = [...(only ?? [])].find((name) => !names.has(name));
      if (missing)
        throw validationError(`${at}.fields`, `no field "${missing}" in model "${place.model.name}"`);
      for (const [dimension, origin] of placeDimensions) {
        origins.set(`dimensions[${dimensions.length}]`, origin);
        dimensions.push(dimension);
      }
      for (const [metric, origin] of placeMetrics) {
        origins.set(`metrics[${metrics.length}]`, origin);
        metrics.push(metric);
      }
    }
    const modelJoins = joins.map(({ at, join, alias, type }, i) => {
      origins.set(`joins[${i}]`, at);
      return { table: alias, type, on: joinConditions(join.sql_on, aliases, `${at}.sql_on`) };
    });
    const policies = policiesOf(model, dimensions).map(([policy, origin], i) => {
      origins.set(`policies[${i}]`, origin);
      return policy;
    });
    return {
      name: model.name,
      at: model.at,
      origins,
      definition: { baseTable: model.name, tables, joins: modelJoins, dimensions, metrics, policies },
    };
  }

  return project.models.map(mapModel);
}
