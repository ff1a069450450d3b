// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../src/core/auth/principal.ts';
import { type Harness, messageOf, openHarness, principalFor } from '../src/core/data/test-support.ts';
import type { ModelInput } from '../src/core/data/types.ts';
import {
  customerRows,
  mysqlRunner,
  orderRows,
  postgresRunner,
  type SqlRunner,
  setupStatements,
} from '../src/core/query/testkit.ts';
import type { EngineDialect, JsonScalar } from '../src/engines/types.ts';

/**
 * Developer-defined SQL (issue 11): SQL fields and metrics of models, checked by the warehouse
 * when the model is saved, and a query's own SQL expressions for developers — end to end through
 * the data module and the query service, on the embedded DuckDB, PostgreSQL and MariaDB, with the
 * shop fixture of the query testkit. Expected values are computed here from the fixture rows and,
 * for some, by plain SQL written by hand.
 */

const h = (await openHarness('sqlite')) as Harness;
const admin = principalFor('admin');
const developer = principalFor('developer', { attributes: { country: ['FR', 'DE'] } });
const analyst = principalFor('interactive_viewer', { attributes: { country: ['FR', 'DE'] } });
const editor = principalFor('editor', { attributes: { country: ['FR', 'DE'] } });

const runners: SqlRunner[] = [];
afterAll(async () => {
  await h.close();
  await Promise.all(runners.map((runner) => runner.close()));
});

/** A Rosetta connection per engine, over the fixture tables. */
async function connectionFor(dialect: EngineDialect): Promise<number | undefined> {
  if (dialect === 'duckdb') {
    const engine = await h.data.registry.engineFor(h.embedded.id);
    for (const sql of setupStatements('duckdb')) await engine.run({ sql, params: [] }, { maxRows: 1 });
    return h.embedded.id;
  }
  const runner = dialect === 'postgres' ? await postgresRunner() : await mysqlRunner();
  runners.push(runner);
  if (!runner.database.available) return undefined;
  const url = new URL(runner.database.url);
  const connection = await h.data.connections.create(admin, {
    name: `fixture ${dialect}`,
    type: dialect,
    host: url.hostname,
    port: Number(url.port),
    database: runner.database.name,
    user: decodeURIComponent(url.username),
    ...(url.password && { password: decodeURIComponent(url.password) }),
  });
  return connection.id;
}

const modelInput = (connectionId: number, name: string): ModelInput => ({
  name,
  connectionId,
  baseTable: 'orders',
  tables: [
    { name: 'orders', table: 'orders' },
    { name: 'customers', table: 'customers' },
  ],
  joins: [{ table: 'customers', type: 'left', on: [{ left: 'orders.customer_id', right: 'customers.id' }] }],
  dimensions: [
    { name: 'country', table: 'orders', column: 'country' },
    { name: 'line_total', table: 'orders', sql: '${TABLE}.price * ${TABLE}.quantity', type: 'number' },
    {
      name: 'size',
      table: 'orders',
      sql: "CASE WHEN ${TABLE}.quantity >= 4 THEN 'big' ELSE 'small' END",
      type: 'string',
    },
    { name: 'day', table: 'orders', sql: '${TABLE}.order_date', type: 'date' },
    // Over another table of the model: the join comes with it.
    { name: 'buyer', table: 'orders', sql: "COALESCE(${customers}.name, 'nobody')", type: 'string' },
  ] as ModelInput['dimensions'],
  metrics: [
    { name: 'sales', table: 'orders', sql: 'SUM(${TABLE}.price * ${TABLE}.quantity)' },
    { name: 'mean_price', table: 'orders', sql: 'SUM(${TABLE}.price) / NULLIF(COUNT(*), 0)' },
    { name: 'orders_count', table: 'orders', aggregation: 'count' },
    { name: 'sales_per_order', table: 'orders', formula: 'sales / orders_count' },
  ],
  policies: [{ field: 'orders.country', attribute: 'country' }],
});

/** The fixture's orders as objects, for expectations computed here. */
const orders = orderRows.map(([id, country, day, , quantity, price, , customerId]) => ({
  id: id as number,
  country: country as string | null,
  day: day as string,
  quantity: quantity as number,
  price: price as number,
  buyer: (customerRows.find((c) => c[0] === customerId)?.[1] as string | undefined) ?? 'nobody',
}));
const visible = orders.filter((o) => o.country === 'FR' || o.country === 'DE');
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Rows with numbers rounded, so float sums from three engines compare. */
const rounded = (rows: JsonScalar[][]): JsonScalar[][] =>
  rows.map((row) => row.map((cell) => (typeof cell === 'number' ? Math.round(cell * 1e6) / 1e6 : cell)));

describe.each(['duckdb', 'postgres', 'mysql'] as const)('developer SQL on %s', (dialect) => {
  let connectionId: number | undefined;
  const source = `shop_${dialect}`;
  beforeAll(async () => {
    connectionId = await connectionFor(dialect);
    if (connectionId !== undefined) await h.data.models.create(developer, modelInput(connectionId, source));
  }, 60_000);
  const run = (who: Principal, body: Record<string, unknown>) => h.query.run(who, { source, ...body });
  const plain = async (sql: string) => {
    const engine = await h.data.registry.engineFor(connectionId!);
    return rounded((await engine.run({ sql, params: [] }, { maxRows: 100 })).rows);
  };
  const skip = () => connectionId === undefined;

  it('answers SQL dimensions and metrics to a viewer, under the row policy, as plain SQL does', async (context) => {
    if (skip()) return context.skip();
    const result = await run(analyst, {
      dimensions: ['size'],
      metrics: [
        { metric: 'sales' },
        { metric: 'mean_price' },
        { metric: 'sales_per_order' },
        { field: 'line_total', aggregation: 'max' },
      ],
      filters: { field: 'line_total', operator: '>', values: [25] },
    });
    const expected = ['big', 'small'].flatMap((size) => {
      const rows = visible.filter(
        (o) => o.price * o.quantity > 25 && (o.quantity >= 4 ? 'big' : 'small') === size,
      );
      if (rows.length === 0) return [];
      const lines = rows.map((o) => o.price * o.quantity);
      const sales = sum(lines);
      return [
        [size, sales, sum(rows.map((o) => o.price)) / rows.length, sales / rows.length, Math.max(...lines)],
      ];
    });
    expect(expected).toHaveLength(2);
    expect(rounded(result.rows)).toEqual(rounded(expected));
    const size = "CASE WHEN quantity >= 4 THEN 'big' ELSE 'small' END";
    expect(rounded(result.rows)).toEqual(
      await plain(
        `SELECT ${size}, SUM(price * quantity), SUM(price) / COUNT(*), SUM(price * quantity) / COUNT(*),
           MAX(price * quantity)
         FROM orders WHERE country IN ('FR', 'DE') AND price * quantity > 25 GROUP BY ${size} ORDER BY 1`,
      ),
    );
    // The row cap cuts the grouped result, and says so.
    const cut = await run(analyst, { dimensions: ['size'], metrics: [{ metric: 'sales' }], limit: 1 });
    expect(cut).toMatchObject({ truncated: true });
    expect(rounded(cut.rows)).toEqual([
      ['big', sum(visible.filter((o) => o.quantity >= 4).map((o) => o.price * o.quantity))],
    ]);
  });

  it('buckets an SQL date dimension, filters groups on an SQL metric and sorts by it', async (context) => {
    if (skip()) return context.skip();
    const result = await run(analyst, {
      dimensions: [{ field: 'day', granularity: 'month' }],
      metrics: [{ metric: 'sales' }],
      filters: { field: 'sales', operator: '>=', values: [50] },
      sorts: [{ field: 'sales', descending: true }],
    });
    const months = new Map<string, number>();
    for (const o of visible) {
      const month = `${o.day.slice(0, 7)}-01`;
      months.set(month, (months.get(month) ?? 0) + o.price * o.quantity);
    }
    const expected = [...months].filter(([, sales]) => sales >= 50).sort((a, b) => b[1] - a[1]);
    expect(expected.length).toBeGreaterThan(1);
    expect(rounded(result.rows)).toEqual(rounded(expected));
  });

  it('joins the table an SQL dimension names; admins see every row', async (context) => {
    if (skip()) return context.skip();
    const body = {
      dimensions: ['buyer'],
      metrics: [{ aggregation: 'count' }],
      sorts: [{ field: 'buyer', descending: true }],
    };
    const counts = (rows: typeof orders) =>
      [...new Set(rows.map((o) => o.buyer))]
        .sort()
        .reverse()
        .map((buyer) => [buyer, rows.filter((o) => o.buyer === buyer).length]);
    expect((await run(analyst, body)).rows).toEqual(counts(visible));
    expect((await run(admin, body)).rows).toEqual(counts(orders));
  });

  it("runs a developer's own SQL calculation and metric, read-only and under the row policy", async (context) => {
    if (skip()) return context.skip();
    const engine = await h.data.registry.engineFor(connectionId!);
    const spy = vi.spyOn(engine, 'run');
    const result = await run(developer, {
      // No type: the warehouse says it is a number.
      calculations: [{ name: 'half_price', sql: '${TABLE}.price * 0.5' }],
      dimensions: ['country'],
      metrics: [
        { field: 'half_price', aggregation: 'sum' },
        { name: 'top_quantity', sql: 'MAX(${TABLE}.quantity)', type: 'integer' },
        { name: 'twice_top', formula: 'top_quantity * 2' },
      ],
      filters: {
        and: [
          { field: 'half_price', operator: '>=', values: [10] },
          { field: 'top_quantity', operator: '>', values: [0] },
        ],
      },
      sorts: [{ field: 'top_quantity', descending: true }],
    });
    expect(spy.mock.calls.at(-1)?.[1]).toMatchObject({ readOnly: true });
    spy.mockRestore();
    const expected = ['DE', 'FR']
      .map((country) => {
        const rows = visible.filter((o) => o.country === country && o.price * 0.5 >= 10);
        const top = Math.max(...rows.map((o) => o.quantity));
        return [country, sum(rows.map((o) => o.price * 0.5)), top, top * 2];
      })
      .sort((a, b) => (b[2] as number) - (a[2] as number));
    expect(rounded(result.rows)).toEqual(rounded(expected));
    expect(rounded(result.rows)).toEqual(
      await plain(
        `SELECT country, SUM(price * 0.5), MAX(quantity), MAX(quantity) * 2 FROM orders
         WHERE country IN ('FR', 'DE') AND price * 0.5 >= 10 GROUP BY country ORDER BY 3 DESC`,
      ),
    );
  });

  it('refuses a query with SQL of its own to anyone but developers, whatever the model', async (context) => {
    if (skip()) return context.skip();
    const adhoc = { calculations: [{ name: 'x', sql: '${TABLE}.price', type: 'number' }], dimensions: ['x'] };
    for (const who of [analyst, editor]) {
      expect(await messageOf(run(who, adhoc))).toBe(
        'ERR_FORBIDDEN not allowed to write SQL expressions in queries (needs the developer role)',
      );
      expect(await messageOf(run(who, { metrics: [{ name: 'm', sql: 'COUNT(*)' }] }))).toMatch(
        /^ERR_FORBIDDEN/,
      );
      expect(await messageOf(h.query.compile(who, { source, ...adhoc }))).toMatch(/^ERR_FORBIDDEN/);
    }
  });

  it("names a query's SQL the warehouse refuses, in its words, as a 400", async (context) => {
    if (skip()) return context.skip();
    const calculation = await messageOf(
      run(developer, {
        calculations: [{ name: 'bad', sql: '${TABLE}.nope + 1', type: 'number' }],
        dimensions: ['bad'],
      }),
    );
    expect(calculation).toMatch(/^ERR_VALIDATION calculations\[0\]\.sql: the warehouse refuses it: .*nope/i);
    const metric = await messageOf(
      run(developer, {
        dimensions: ['country'],
        metrics: [{ aggregation: 'count' }, { name: 'bad', sql: 'SUMM(${TABLE}.price)' }],
      }),
    );
    expect(metric).toMatch(/^ERR_VALIDATION metrics\[1\]\.sql: the warehouse refuses it: .*summ/i);
    expect(await messageOf(run(developer, { metrics: [{ name: 'n', sql: 'MAX(${TABLE}.country)' }] }))).toBe(
      'ERR_VALIDATION metrics[0].sql: an SQL metric must compute a number; the warehouse computes string',
    );
    expect(
      await messageOf(run(developer, { metrics: [{ name: 'n', sql: 'COUNT(*); DELETE FROM orders' }] })),
    ).toContain('metrics[0].sql: ";" is not allowed');
  });

  it('has the warehouse check SQL fields and metrics when a model is saved', async (context) => {
    if (skip()) return context.skip();
    const save = (change: (input: ModelInput) => void) => {
      const input = modelInput(connectionId!, `broken_${dialect}`);
      change(input);
      return messageOf(h.data.models.create(developer, input));
    };
    const dimension =
      (sql: string, type: ModelInput['dimensions'][number]['type'] = 'number') =>
      (input: ModelInput) =>
        input.dimensions.push({ name: 'extra', table: 'orders', sql, type });
    const metric = (sql: string) => (input: ModelInput) =>
      input.metrics.push({ name: 'extra', table: 'orders', sql });
    expect(await save(dimension('${TABLE}.nope * 2'))).toMatch(
      /^ERR_VALIDATION dimensions\[5\]\.sql: the warehouse refuses it: .*nope/i,
    );
    // A dimension is grouped by: an aggregate cannot be one.
    expect(await save(dimension('SUM(${TABLE}.price)'))).toMatch(
      /^ERR_VALIDATION dimensions\[5\]\.sql: the warehouse refuses it: /,
    );
    expect(await save(dimension('${TABLE}.price * 2', 'date'))).toBe(
      'ERR_VALIDATION dimensions[5].type: declared date, but the warehouse computes number for this SQL (declare "number")',
    );
    expect(await save(metric('SUM(${customers}.nope)'))).toMatch(
      /^ERR_VALIDATION metrics\[4\]\.sql: the warehouse refuses it: .*nope/i,
    );
    expect(await save(metric('MIN(${TABLE}.country)'))).toBe(
      'ERR_VALIDATION metrics[4].sql: an SQL metric must compute a number; the warehouse computes string',
    );
    // A metric that does not aggregate: MariaDB's default mode lets it through (any row's value).
    const loose = await save(metric('${TABLE}.price'));
    if (dialect === 'mysql') expect(loose).toBe('resolved');
    else expect(loose).toMatch(/^ERR_VALIDATION metrics\[4\]\.sql: the warehouse refuses it: /);
  });

  it('applies a row policy on an SQL field', async (context) => {
    if (skip()) return context.skip();
    const input = modelInput(connectionId!, `sized_${dialect}`);
    input.policies = [{ field: 'size', attribute: 'size' }];
    await h.data.models.create(developer, input);
    const big = principalFor('interactive_viewer', { attributes: { size: ['big'] } });
    const result = await h.query.run(big, {
      source: `sized_${dialect}`,
      dimensions: ['country'],
      metrics: [{ metric: 'sales' }],
    });
    const rows = orders.filter((o) => o.quantity >= 4);
    const countries = [...new Set(rows.map((o) => o.country))].sort();
    expect(rounded(result.rows)).toEqual(
      rounded(
        countries.map((c) => [c, sum(rows.filter((o) => o.country === c).map((o) => o.price * o.quantity))]),
      ),
    );
    const nobody = principalFor('interactive_viewer');
    expect(
      (await h.query.run(nobody, { source: `sized_${dialect}`, metrics: [{ metric: 'sales' }] })).rows,
    ).toEqual([[null]]);
  });
});
