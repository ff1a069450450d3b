// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../engines/types.ts';
import { validateModelDefinition } from './model-validation.ts';
import type { ModelDefinition } from './types.ts';

const column = (name: string, type: ColumnInfo['type'] = 'string'): ColumnInfo => ({
  name,
  type,
  nativeType: type,
  nullable: true,
});
const columns = new Map([
  ['orders', [column('id', 'integer'), column('customer_id', 'integer'), column('amount', 'number')]],
  ['customers', [column('id', 'integer'), column('country')]],
]);

const valid = (): ModelDefinition => ({
  baseTable: 'orders',
  tables: [
    { name: 'orders', table: 'orders' },
    { name: 'customers', table: 'customers' },
  ],
  joins: [{ table: 'customers', type: 'left', on: [{ left: 'orders.customer_id', right: 'customers.id' }] }],
  dimensions: [
    { name: 'country', table: 'customers', column: 'country' } as ModelDefinition['dimensions'][number],
    { name: 'id', table: 'orders', column: 'id', type: 'integer' },
  ],
  metrics: [
    { name: 'revenue', table: 'orders', aggregation: 'sum', column: 'amount' },
    { name: 'orders', table: 'orders', aggregation: 'count' },
    { name: 'average', table: 'orders', formula: 'revenue / orders * 1.0' },
  ],
  policies: [{ field: 'customers.country', attribute: 'country' }],
});

function errorOf(change: (d: ModelDefinition) => void): string {
  const definition = valid();
  change(definition);
  try {
    validateModelDefinition(definition, columns);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('model validation', () => {
  it('accepts a valid model and fills dimension types', () => {
    const checked = validateModelDefinition(valid(), columns);
    expect(checked.dimensions[0].type).toBe('string');
  });

  it.each([
    [(d: ModelDefinition) => (d.baseTable = 'nope'), 'baseTable: unknown table "nope"'],
    [
      (d: ModelDefinition) => (d.dimensions[1].column = 'price'),
      'dimensions[1].column: unknown column "price" in table "orders"',
    ],
    [(d: ModelDefinition) => (d.dimensions[0].table = 'x'), 'dimensions[0].column: unknown table "x"'],
    [
      (d: ModelDefinition) => (d.joins[0].on[0].right = 'customers.ident'),
      'joins[0].on[0].right: unknown column "ident"',
    ],
    [
      (d: ModelDefinition) => (d.joins[0].on[0].left = 'orders'),
      'joins[0].on[0].left: must be "table.column"',
    ],
    [(d: ModelDefinition) => (d.joins[0].table = 'suppliers'), 'joins[0].table: unknown table "suppliers"'],
    [(d: ModelDefinition) => (d.joins = []), 'joins: table "customers" is not joined'],
    [
      (d: ModelDefinition) => (d.metrics[2].formula = 'revenue / margin'),
      'metrics[2].formula: unknown metric "margin"',
    ],
    [(d: ModelDefinition) => (d.metrics[0].column = 'total'), 'metrics[0].column: unknown column "total"'],
    [
      (d: ModelDefinition) => (d.metrics[1].formula = 'average'),
      'metrics[1]: needs exactly one of an aggregation, a formula or "sql"',
    ],
    [
      (d: ModelDefinition) => (d.metrics[2].formula = 'revenue; drop'),
      'metrics[2].formula: may contain only',
    ],
    [
      (d: ModelDefinition) => (d.policies[0].field = 'region'),
      'policies[0].field: unknown dimension "region"',
    ],
    [
      (d: ModelDefinition) => d.tables.push({ name: 'orders', table: 'orders' }),
      'tables[2].name: duplicate table "orders"',
    ],
    [
      (d: ModelDefinition) => (d.dimensions[0].name = 'coun\u0000try'),
      'dimensions[0].name: must not contain the NUL character',
    ],
    [
      (d: ModelDefinition) => (d.metrics[0].name = 'revenue\u0000'),
      'metrics[0].name: must not contain the NUL character',
    ],
  ])('names the path of error %#', (change, message) => {
    expect(errorOf(change)).toContain(message);
  });

  it('accepts SQL fields and metrics, and keeps their text as written', () => {
    const definition = valid();
    definition.dimensions.push({
      name: 'label',
      table: 'orders',
      sql: "${TABLE}.id || '-' || ${customers}.country",
      type: 'string',
    });
    definition.metrics.push({ name: 'mean', table: 'orders', sql: 'AVG(${TABLE}.amount)', type: 'number' });
    const checked = validateModelDefinition(definition, columns);
    expect(checked.dimensions[2]).toMatchObject({ sql: "${TABLE}.id || '-' || ${customers}.country" });
    expect(checked.metrics[3]).toMatchObject({ sql: 'AVG(${TABLE}.amount)' });
  });

  const sqlDimension = (change: Partial<ModelDefinition['dimensions'][number]>) => (d: ModelDefinition) => {
    d.dimensions.push({
      name: 'extra',
      table: 'orders',
      sql: '${TABLE}.amount * 2',
      type: 'number',
      ...change,
    });
  };
  const sqlMetric = (change: Partial<ModelDefinition['metrics'][number]>) => (d: ModelDefinition) => {
    d.metrics.push({ name: 'extra', table: 'orders', sql: 'SUM(${TABLE}.amount)', ...change });
  };
  it.each([
    [sqlDimension({ type: undefined }), 'dimensions[2].type: required with "sql": one of string'],
    [sqlDimension({ column: 'amount' }), 'dimensions[2]: give either "column" or "sql", not both'],
    [sqlDimension({ table: 'suppliers' }), 'dimensions[2].table: unknown table "suppliers"'],
    [sqlDimension({ sql: '${TABLE}.amount; DROP TABLE orders' }), 'dimensions[2].sql: ";" is not allowed'],
    [
      sqlDimension({ sql: '${suppliers}.name' }),
      'dimensions[2].sql: ${suppliers} is not a table of the model',
    ],
    [sqlDimension({ sql: '${TABLE}.amount -- x' }), 'dimensions[2].sql: comments are not allowed'],
    [sqlDimension({ sql: "${TABLE}.note = 'x" }), "dimensions[2].sql: unclosed '"],
    [sqlDimension({ sql: 'ROUND(${TABLE}.amount' }), 'dimensions[2].sql: unclosed "("'],
    [sqlDimension({ sql: 42 as unknown as string }), 'dimensions[2].sql: must be a string'],
    [
      sqlMetric({ aggregation: 'sum' }),
      'metrics[3]: needs exactly one of an aggregation, a formula or "sql"',
    ],
    [sqlMetric({ column: 'amount' }), 'metrics[3].column: does not apply to an SQL metric'],
    [sqlMetric({ type: 'string' as 'number' }), 'metrics[3].type: must be "number" or "integer"'],
    [sqlMetric({ sql: 'SUM(${TABLE}.amount) / ?' }), 'metrics[3].sql: parameters ("?") are not allowed'],
    [(d: ModelDefinition) => (d.metrics[0].type = 'integer'), 'metrics[0].type: only with "sql"'],
  ])('names the path of SQL error %#', (change, message) => {
    expect(errorOf(change)).toContain(message);
  });

  it('rejects circular formulas', () => {
    const message = errorOf((d) => {
      d.metrics.push(
        { name: 'a', table: 'orders', formula: 'b + 1' },
        { name: 'b', table: 'orders', formula: 'a * 2' },
      );
    });
    expect(message).toMatch(/metrics\[3\]\.formula: circular reference a -> b -> a/);
  });
});
