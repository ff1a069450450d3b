import { describe, expect, it } from 'vitest';
import type { EngineDialect } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { compileQuery } from './compile.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { admin, pinnedNow, principal, shopModel } from './testkit.ts';

const compile = (
  query: Record<string, unknown>,
  options: { dialect?: EngineDialect; who?: Principal; model?: Model } = {},
) =>
  compileQuery(options.model ?? shopModel, parseQueryBody({ source: 'shop', ...query }).ir, {
    dialect: options.dialect ?? 'duckdb',
    principal: options.who ?? admin,
    maxRows: 100,
    now: pinnedNow,
  });

const representative = {
  dimensions: ['country', { field: 'date', granularity: 'week' }],
  metrics: [{ field: 'quantity', aggregation: 'sum' }, { metric: 'margin_rate' }],
  filters: {
    and: [
      { field: 'note', operator: 'contains', values: ['50%'] },
      { field: 'date', operator: 'relative', values: ['last', 1, 'month'] },
      { field: 'sum_quantity', operator: '>', values: [2] },
    ],
  },
  sorts: [{ field: 'sum_quantity', descending: true }],
  limit: 10,
};
/** What columns.ts says the result columns are, whatever the dialect. */
const representativeColumns = [
  { id: 'country', kind: 'dimension' },
  { id: 'date_week', kind: 'dimension', format: 'date' },
  { id: 'sum_quantity', kind: 'metric', format: 'integer' },
  { id: 'margin_rate', kind: 'metric' },
];

describe('compileQuery per dialect', () => {
  it('duckdb', () => {
    expect(compile(representative, { dialect: 'duckdb' })).toEqual({
      columns: representativeColumns,
      sql: `SELECT "orders"."country" AS "country", CAST(date_trunc('week', CAST("orders"."order_date" AS TIMESTAMP)) AS DATE) AS "date_week", SUM("orders"."quantity") AS "sum_quantity", (CAST((SUM("orders"."price") - SUM("orders"."cost")) AS DOUBLE) / NULLIF(SUM("orders"."price"), 0)) AS "margin_rate"
FROM "orders" AS "orders"
WHERE ("orders"."note" ILIKE $1 ESCAPE '!' AND ("orders"."order_date" >= CAST($2 AS DATE) AND "orders"."order_date" < CAST($3 AS DATE)))
GROUP BY "orders"."country", CAST(date_trunc('week', CAST("orders"."order_date" AS TIMESTAMP)) AS DATE)
HAVING SUM("orders"."quantity") > CAST($4 AS DOUBLE)
ORDER BY SUM("orders"."quantity") DESC NULLS LAST
LIMIT 11`,
      params: ['%50!%%', '2024-03-01', '2024-04-01', 2],
      rowCap: 10,
    });
  });

  it('postgres', () => {
    expect(compile(representative, { dialect: 'postgres' })).toEqual({
      columns: representativeColumns,
      sql: `SELECT "orders"."country" AS "country", CAST(date_trunc('week', CAST("orders"."order_date" AS timestamp)) AS date) AS "date_week", SUM("orders"."quantity") AS "sum_quantity", (CAST((SUM("orders"."price") - SUM("orders"."cost")) AS double precision) / NULLIF(SUM("orders"."price"), 0)) AS "margin_rate"
FROM "orders" AS "orders"
WHERE ("orders"."note" ILIKE $1 ESCAPE '!' AND ("orders"."order_date" >= CAST($2 AS date) AND "orders"."order_date" < CAST($3 AS date)))
GROUP BY "orders"."country", CAST(date_trunc('week', CAST("orders"."order_date" AS timestamp)) AS date)
HAVING SUM("orders"."quantity") > CAST($4 AS double precision)
ORDER BY SUM("orders"."quantity") DESC NULLS LAST
LIMIT 11`,
      params: ['%50!%%', '2024-03-01', '2024-04-01', 2],
      rowCap: 10,
    });
  });

  it('mysql', () => {
    expect(compile(representative, { dialect: 'mysql' })).toEqual({
      columns: representativeColumns,
      sql: `SELECT \`orders\`.\`country\` AS \`country\`, DATE_SUB(DATE(\`orders\`.\`order_date\`), INTERVAL WEEKDAY(\`orders\`.\`order_date\`) DAY) AS \`date_week\`, SUM(\`orders\`.\`quantity\`) AS \`sum_quantity\`, (CAST((SUM(\`orders\`.\`price\`) - SUM(\`orders\`.\`cost\`)) AS DOUBLE) / NULLIF(SUM(\`orders\`.\`price\`), 0)) AS \`margin_rate\`
FROM \`orders\` AS \`orders\`
WHERE (LOWER(\`orders\`.\`note\`) LIKE LOWER(?) ESCAPE '!' AND (\`orders\`.\`order_date\` >= CAST(? AS DATE) AND \`orders\`.\`order_date\` < CAST(? AS DATE)))
GROUP BY \`orders\`.\`country\`, DATE_SUB(DATE(\`orders\`.\`order_date\`), INTERVAL WEEKDAY(\`orders\`.\`order_date\`) DAY)
HAVING SUM(\`orders\`.\`quantity\`) > CAST(? AS DOUBLE)
ORDER BY SUM(\`orders\`.\`quantity\`) IS NULL, SUM(\`orders\`.\`quantity\`) DESC
LIMIT 11`,
      params: ['%50!%%', '2024-03-01', '2024-04-01', 2],
      rowCap: 10,
    });
  });
});

describe('compileQuery structure', () => {
  it('joins only the tables a query uses, parents first', () => {
    expect(compile({ dimensions: ['country'] }).sql).not.toContain('JOIN');
    const segment = compile({ dimensions: ['segment'] }).sql;
    expect(segment).toContain(
      'LEFT JOIN "customers" AS "customers" ON "orders"."customer_id" = "customers"."id"',
    );
    expect(segment).not.toContain('regions');
    const label = compile({
      metrics: [{ aggregation: 'count' }],
      filters: { field: 'label', operator: 'not null' },
    }).sql;
    expect(label.indexOf('JOIN "customers"')).toBeLessThan(
      label.indexOf('JOIN (SELECT id, label FROM regions) AS "regions"'),
    );
  });

  it('keeps inner, right and full joins even when no field of the query uses them', () => {
    for (const type of ['inner', 'right', 'full'] as const) {
      const model: Model = {
        ...shopModel,
        joins: shopModel.joins.map((join) => (join.table === 'customers' ? { ...join, type } : join)),
      };
      const sql = compile({ metrics: [{ aggregation: 'count' }] }, { model }).sql;
      expect(sql).toContain(`${type.toUpperCase()} JOIN "customers" AS "customers"`);
      expect(sql).not.toContain('regions');
    }
  });

  it('quotes identifiers from the model, doubling embedded quotes', () => {
    const model: Model = {
      ...shopModel,
      baseTable: 'we"ird`t',
      tables: [{ name: 'we"ird`t', relation: { kind: 'table', schema: 'my"schema', table: 'ta`ble' } }],
      dimensions: [{ name: 'c', table: 'we"ird`t', column: 'co"l`umn', type: 'string' }],
      metrics: [],
    };
    expect(compile({ dimensions: ['c'] }, { model }).sql).toContain(
      'SELECT "we""ird`t"."co""l`umn" AS "c"\nFROM "my""schema"."ta`ble" AS "we""ird`t"',
    );
    expect(compile({ dimensions: ['c'] }, { model, dialect: 'mysql' }).sql).toContain(
      'SELECT `we"ird``t`.`co"l``umn` AS `c`\nFROM `my"schema`.`ta``ble` AS `we"ird``t`',
    );
  });

  it('asks for one row more than the limit or the cap, so truncation is visible', () => {
    expect(compile({ dimensions: ['country'] }).sql).toMatch(/LIMIT 101$/);
    expect(compile({ dimensions: ['country'], limit: 5, offset: 10 }).sql).toMatch(/LIMIT 6 OFFSET 10$/);
  });

  it('raw rows have no GROUP BY and no default order', () => {
    const { sql } = compile({ dimensions: ['country', 'price'], aggregate: false });
    expect(sql).toBe(
      'SELECT "orders"."country" AS "country", "orders"."price" AS "price"\nFROM "orders" AS "orders"\nLIMIT 101',
    );
  });

  it('refuses a full join on MySQL', () => {
    const model: Model = { ...shopModel, joins: [{ ...shopModel.joins[0], type: 'full' }] };
    expect(() => compile({ dimensions: ['segment'] }, { model, dialect: 'mysql' })).toThrow(
      /model.joins\[0\].type: mysql has no full join/,
    );
  });
});

describe('row-level security in the compiler', () => {
  const model: Model = {
    ...shopModel,
    policies: [
      { field: 'segment', attribute: 'segment' },
      { field: 'quantity', attribute: 'qty' },
    ],
  };

  it('admins see all rows', () => {
    expect(compile({ dimensions: ['country'] }, { model }).sql).not.toContain('WHERE');
  });

  it('others see their attribute values; values that cannot match the field type are dropped', () => {
    const who = principal({ attributes: { segment: ['A', "B' OR 1=1"], qty: ['2', 'x'] } });
    const compiled = compile(
      { dimensions: ['country'], filters: { field: 'country', operator: '=', values: ['FR'] } },
      { model, who },
    );
    expect(compiled.sql).toContain(
      'WHERE ("orders"."country" = $1 AND "customers"."segment" IN ($2, $3) AND "orders"."quantity" = $4)',
    );
    expect(compiled.sql).toContain('LEFT JOIN "customers"');
    expect(compiled.params).toEqual(['FR', 'A', "B' OR 1=1", 2]);
  });

  it('a principal without the attribute sees no rows', () => {
    const compiled = compile(
      { dimensions: ['country'] },
      { model, who: principal({ attributes: { segment: ['A'] } }) },
    );
    expect(compiled.sql).toContain('WHERE ("customers"."segment" = $1 AND 1 = 0)');
  });
});

describe('a model metric named by its table', () => {
  it('is the model metric, not a cycle with its own output column', () => {
    const { sql, columns } = compile({ metrics: [{ metric: 'orders.margin_rate' }] });
    expect(columns.map((column) => column.id)).toEqual(['orders.margin_rate']);
    expect(sql).toContain('/ NULLIF(SUM("orders"."price"), 0)) AS "orders.margin_rate"');
  });

  it('still refuses query formulas that name each other', () => {
    const cyclic = {
      metrics: [
        { name: 'a', formula: 'b + 1' },
        { name: 'b', formula: 'a * 2' },
      ],
    };
    expect(() => compile(cyclic)).toThrow(/metrics form a cycle: a → b → a/);
  });
});
