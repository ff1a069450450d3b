import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDialect } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { compileQuery } from './compile.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import {
  admin,
  duckdbRunner,
  mysqlRunner,
  pinnedNow,
  postgresRunner,
  principal,
  type SqlRunner,
  shopModel,
} from './testkit.ts';

const lineTotal = { name: 'line_total', formula: 'price * quantity' };
const ir = (query: Record<string, unknown>) => parseQueryBody({ source: 'shop', ...query }).ir;
const compile = (query: Record<string, unknown>, dialect: EngineDialect = 'duckdb', who: Principal = admin) =>
  compileQuery(shopModel, ir(query), { dialect, principal: who, maxRows: 100, now: pinnedNow });

const representative = {
  calculations: [lineTotal, { name: 'per_unit', formula: '"orders.price" / (quantity - 1)' }],
  dimensions: ['per_unit'],
  metrics: [{ field: 'line_total', aggregation: 'sum' }],
  filters: { field: 'line_total', operator: '>', values: [50] },
  sorts: [{ field: 'line_total', descending: true }],
  limit: 5,
};

describe('calculated fields compile to expressions over quoted columns', () => {
  it('duckdb', () => {
    expect(compile(representative, 'duckdb')).toMatchObject({
      sql: `SELECT (CAST("orders"."price" AS DOUBLE) / NULLIF(("orders"."quantity" - 1), 0)) AS "per_unit", SUM(("orders"."price" * "orders"."quantity")) AS "sum_line_total"
FROM "orders" AS "orders"
WHERE ("orders"."price" * "orders"."quantity") > $1
GROUP BY (CAST("orders"."price" AS DOUBLE) / NULLIF(("orders"."quantity" - 1), 0))
ORDER BY SUM(("orders"."price" * "orders"."quantity")) DESC NULLS LAST
LIMIT 6`,
      params: [50],
      rowCap: 5,
    });
  });

  it('postgres', () => {
    expect(
      compile(representative, 'postgres').sql,
    ).toBe(`SELECT (CAST("orders"."price" AS double precision) / NULLIF(("orders"."quantity" - 1), 0)) AS "per_unit", SUM(("orders"."price" * "orders"."quantity")) AS "sum_line_total"
FROM "orders" AS "orders"
WHERE ("orders"."price" * "orders"."quantity") > $1
GROUP BY (CAST("orders"."price" AS double precision) / NULLIF(("orders"."quantity" - 1), 0))
ORDER BY SUM(("orders"."price" * "orders"."quantity")) DESC NULLS LAST
LIMIT 6`);
  });

  it('mysql', () => {
    expect(compile(representative, 'mysql')).toMatchObject({
      sql: `SELECT (CAST(\`orders\`.\`price\` AS DOUBLE) / NULLIF((\`orders\`.\`quantity\` - 1), 0)) AS \`per_unit\`, SUM((\`orders\`.\`price\` * \`orders\`.\`quantity\`)) AS \`sum_line_total\`
FROM \`orders\` AS \`orders\`
WHERE (\`orders\`.\`price\` * \`orders\`.\`quantity\`) > ?
GROUP BY (CAST(\`orders\`.\`price\` AS DOUBLE) / NULLIF((\`orders\`.\`quantity\` - 1), 0))
ORDER BY SUM((\`orders\`.\`price\` * \`orders\`.\`quantity\`)) IS NULL, SUM((\`orders\`.\`price\` * \`orders\`.\`quantity\`)) DESC
LIMIT 6`,
      params: [50],
      rowCap: 5,
    });
  });

  it('joins the tables a calculation reads', () => {
    const { sql } = compile({
      calculations: [{ name: 'weighted', formula: 'quantity * customers.id' }],
      metrics: [{ field: 'weighted', aggregation: 'sum' }],
    });
    expect(sql).toContain(
      'LEFT JOIN "customers" AS "customers" ON "orders"."customer_id" = "customers"."id"',
    );
  });

  it('lists calculations after the model fields in raw rows without dimensions', () => {
    const { sql } = compile({ calculations: [lineTotal], aggregate: false });
    expect(sql).toMatch(
      /"regions"\."label" AS "label", \("orders"\."price" \* "orders"\."quantity"\) AS "line_total"\nFROM/,
    );
  });

  it('keeps an identifier-like injection attempt an unknown field', () => {
    expect(() =>
      compile({ calculations: [{ name: 'x', formula: '"price; DROP TABLE orders"' }], dimensions: ['x'] }),
    ).toThrow('calculations[0].formula: unknown field "price; DROP TABLE orders"');
  });
});

describe('calculated fields are validated', () => {
  const refused: [string, Record<string, unknown>, string][] = [
    [
      'a clash with a model field',
      { calculations: [{ name: 'price', formula: 'cost * 2' }] },
      'calculations[0].name: "price" is already a field of the model',
    ],
    [
      'a duplicate name',
      { calculations: [lineTotal, lineTotal] },
      'calculations[1].name: "line_total" is defined twice',
    ],
    [
      'a name that is not an identifier',
      { calculations: [{ name: 'a.b', formula: 'cost' }] },
      'calculations[0].name: must start with a letter',
    ],
    [
      'arithmetic on text',
      { calculations: [{ name: 'x', formula: 'country * 2' }] },
      'calculations[0].formula: "country" is a string field; arithmetic needs numbers',
    ],
    [
      'an unknown field',
      { calculations: [{ name: 'x', formula: 'prize * 2' }] },
      'calculations[0].formula: unknown field "prize"',
    ],
    [
      'a cycle',
      {
        calculations: [
          { name: 'a', formula: 'b + 1' },
          { name: 'b', formula: 'a * 2' },
        ],
      },
      'calculations form a cycle: a → b → a',
    ],
    [
      'a syntax error',
      { calculations: [{ name: 'x', formula: 'price * ;' }] },
      'calculations[0].formula: unexpected ";" at position 9',
    ],
    [
      'a granularity on a number',
      { calculations: [lineTotal], dimensions: [{ field: 'line_total', granularity: 'month' }] },
      'dimensions[0].granularity',
    ],
    [
      'a text operator on a number',
      {
        calculations: [lineTotal],
        dimensions: ['country'],
        filters: { field: 'line_total', operator: 'contains', values: ['1'] },
      },
      'filters.operator: operator "contains" does not apply to a number field',
    ],
  ];
  it.each(refused)('refuses %s', (_, query, message) => {
    expect(() => compile({ dimensions: ['country'], ...query })).toThrow(message);
  });

  it('refuses malformed bodies naming the path', () => {
    expect(() => ir({ calculations: {} })).toThrow('calculations: must be an array, got an object');
    expect(() => ir({ calculations: [{ name: 'x' }] })).toThrow(
      'calculations[0].formula: must be a string, got nothing',
    );
    expect(() => ir({ calculations: [{ name: 'x', formula: '1', sql: 'x' }] })).toThrow(
      'calculations[0]: give either "formula" or "sql", not both',
    );
  });
});

/** Executed on real engines: PostgreSQL and MariaDB are skipped loudly when absent. */
const runners: SqlRunner[] = await Promise.all([duckdbRunner(), postgresRunner(), mysqlRunner()]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

const segmentPolicy: Model = { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] };
const cases: {
  name: string;
  query: Record<string, unknown>;
  rows: unknown[][];
  who?: Principal;
  model?: Model;
}[] = [
  {
    name: 'the sum of row products, not the product of sums',
    query: {
      calculations: [lineTotal],
      dimensions: ['country'],
      metrics: [{ field: 'line_total', aggregation: 'sum' }],
    },
    rows: [
      ['DE', 100],
      ['FR', 180],
      ['US', 170],
      [null, 100],
    ],
  },
  {
    name: 'a calculation as a dimension',
    query: {
      calculations: [{ name: 'double_quantity', formula: 'quantity * 2' }],
      dimensions: ['double_quantity'],
      metrics: [{ aggregation: 'count' }],
    },
    rows: [
      [2, 2],
      [4, 2],
      [6, 1],
      [8, 1],
      [10, 1],
      [14, 1],
    ],
  },
  {
    name: 'a calculation in WHERE and in a raw sort',
    query: {
      calculations: [lineTotal],
      dimensions: ['orders.id'],
      filters: { field: 'line_total', operator: '>', values: [80] },
      sorts: [{ field: 'line_total', descending: true }],
      aggregate: false,
    },
    rows: [[4], [8], [7]],
  },
  {
    name: 'a sort and a HAVING on the aggregate of a calculation',
    query: {
      calculations: [lineTotal],
      dimensions: ['country'],
      metrics: [{ field: 'line_total', aggregation: 'sum' }],
      filters: {
        and: [
          { field: 'country', operator: 'not null' },
          { field: 'sum_line_total', operator: '>', values: [150] },
        ],
      },
      sorts: [{ field: 'line_total', descending: true }],
    },
    rows: [
      ['FR', 180],
      ['US', 170],
    ],
  },
  {
    name: 'division by zero is NULL',
    query: {
      calculations: [{ name: 'ratio', formula: 'price / (quantity - quantity)' }],
      dimensions: ['orders.id', 'ratio'],
      filters: { field: 'orders.id', operator: '=', values: [1] },
      aggregate: false,
    },
    rows: [[1, null]],
  },
  {
    name: 'calculations over calculations',
    query: {
      calculations: [
        { name: 'unit_margin', formula: 'price - cost' },
        { name: 'margin', formula: 'unit_margin * quantity' },
      ],
      dimensions: ['orders.id', 'unit_margin', 'margin'],
      filters: { field: 'orders.id', operator: 'in', values: [1, 2] },
      sorts: ['orders.id'],
      aggregate: false,
    },
    rows: [
      [1, 4.5, 9],
      [2, 15, 45],
    ],
  },
  {
    name: 'row-level security still applies',
    query: { calculations: [lineTotal], metrics: [{ field: 'line_total', aggregation: 'sum' }] },
    model: segmentPolicy,
    who: principal({ attributes: { segment: ['A'] } }),
    rows: [[315]],
  },
];

describe.each(runners)('calculated fields on $dialect', (runner) => {
  beforeAll(() => {
    if (!runner.available)
      console.warn(`${runner.dialect} unavailable: its calculated-field tests are skipped`);
  });
  it.skipIf(!runner.available).each(cases)('$name', async ({ query, rows, who, model }) => {
    const compiled = compileQuery(model ?? shopModel, ir(query), {
      dialect: runner.dialect,
      principal: who ?? admin,
      maxRows: 100,
      now: pinnedNow,
    });
    const expected = rows.map((row) =>
      row.map((cell) => (typeof cell === 'number' ? expect.closeTo(cell, 9) : cell)),
    );
    expect((await runner.run(compiled)).slice(0, compiled.rowCap)).toEqual(expected);
  });
});
