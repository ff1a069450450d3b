// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder of model SQL
import { afterAll, describe, expect, it } from 'vitest';
import { messageOf, openHarness, principalFor } from './test-support.ts';
import type { ModelInput } from './types.ts';

/**
 * Required attributes on a model's tables and fields (Lightdash's `required_attributes`), through
 * the real model and query services: what a user lacking them may not address is an unknown
 * field, a model whose base table they lack is not found, row policies still hold, admins see all.
 */
const developer = principalFor('developer');
const admin = principalFor('admin');
const analyst = (attributes: Record<string, string[]>) => principalFor('interactive_viewer', { attributes });

const ORDERS = [
  { id: 1, customer_id: 1, amount: 10, cost: 4 },
  { id: 2, customer_id: 2, amount: 20, cost: 5 },
  { id: 3, customer_id: 2, amount: 30, cost: 9 },
];
const CUSTOMERS = [
  { id: 1, country: 'FR' },
  { id: 2, country: 'DE' },
];

describe.each(['sqlite', 'postgres'] as const)('required attributes on %s metadata', async (kind) => {
  const harness = await openHarness(kind);
  afterAll(async () => harness?.close());
  const h = harness!;

  const count = (metric: string) => ({ source: 'guarded', metrics: [{ metric }] });

  it.skipIf(!harness)('hides tables and fields from users without the attributes', async () => {
    const orders = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'orders',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'customer_id', type: 'integer' },
        { name: 'amount', type: 'number' },
        { name: 'cost', type: 'number' },
      ],
    });
    const customers = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'customers',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'country', type: 'string' },
      ],
    });
    await h.data.ingestor.pushRows(developer, orders.id, { mode: 'insert', rows: ORDERS });
    await h.data.ingestor.pushRows(developer, customers.id, { mode: 'insert', rows: CUSTOMERS });
    const input: ModelInput = {
      name: 'guarded',
      connectionId: h.embedded.id,
      baseTable: 'orders',
      tables: [
        { name: 'orders', dataSource: orders.uuid },
        { name: 'customers', dataSource: customers.uuid, requiredAttributes: { team: ['sales'] } },
      ],
      joins: [
        { table: 'customers', type: 'left', on: [{ left: 'orders.customer_id', right: 'customers.id' }] },
      ],
      dimensions: [
        { name: 'country', table: 'customers', column: 'country', type: 'string' },
        { name: 'id', table: 'orders', column: 'id', type: 'integer' },
      ],
      metrics: [
        { name: 'revenue', table: 'orders', aggregation: 'sum', column: 'amount' },
        // A single value is a list of one, as Lightdash's YAML allows.
        {
          name: 'margin_cost',
          table: 'orders',
          aggregation: 'sum',
          column: 'cost',
          requiredAttributes: { role: 'finance' as unknown as string[] },
        },
        { name: 'margin', table: 'orders', formula: 'revenue - margin_cost' },
      ],
      policies: [{ field: 'customers.country', attribute: 'country' }],
    };
    const model = await h.data.models.create(developer, input);
    expect(model.metrics[1].requiredAttributes).toEqual({ role: ['finance'] });

    const both = analyst({ team: ['sales'], role: ['finance'], country: ['DE'] });
    const revenueOnly = analyst({ country: ['DE'] });
    const byCountry = {
      source: 'guarded',
      dimensions: ['customers.country'],
      metrics: [{ metric: 'margin' }],
    };
    // Holding both: the country's rows only (row policy), margin = 50 - 14.
    expect((await h.query.run(both, byCountry)).rows).toEqual([['DE', 36]]);
    // Lacking them: the joined table's field, the finance metric and the formula over it are unknown.
    expect(await messageOf(h.query.run(revenueOnly, byCountry))).toMatch(
      /^ERR_VALIDATION dimensions\[0\].field: unknown field "customers.country"/,
    );
    expect(await messageOf(h.query.run(revenueOnly, count('margin_cost')))).toMatch(
      /unknown metric "margin_cost"/,
    );
    expect(await messageOf(h.query.run(revenueOnly, count('margin')))).toMatch(/unknown metric "margin"/);
    // What is left still runs, the row policy on the hidden table still cutting rows: 20 + 30.
    expect((await h.query.run(revenueOnly, count('revenue'))).rows).toEqual([[50]]);
    // A query's own SQL may not read a table holding anything hidden.
    const sql = { source: 'guarded', metrics: [{ sql: 'SUM(${TABLE}.cost)', name: 'c' }] };
    expect(await messageOf(h.query.run(developer, sql))).toMatch(
      /^ERR_VALIDATION metrics\[0\]\.sql: \$\{TABLE\} is not a table of the model \(tables: \)/,
    );
    const entitled = principalFor('developer', {
      attributes: { team: ['sales'], role: ['finance'], country: ['DE'] },
    });
    expect((await h.query.run(entitled, sql)).rows).toEqual([[14]]);
    // Admins acting as themselves see everything, every row.
    expect((await h.query.run(admin, { ...byCountry, sorts: ['customers.country'] })).rows).toEqual([
      ['DE', 36],
      ['FR', 6],
    ]);
  });

  it.skipIf(!harness)('makes a model whose base table is hidden not found; checks the shape', async () => {
    const model = await h.data.models.get(developer, 'guarded');
    const base = model.tables.map((table) =>
      table.name === 'orders' ? { ...table, requiredAttributes: { team: ['ops'] } } : table,
    );
    await h.data.models.update(developer, model.uuid, { tables: base });
    expect(await messageOf(h.query.run(analyst({ team: ['sales'] }), count('revenue')))).toMatch(
      /^ERR_NOT_FOUND/,
    );
    expect(
      (await h.query.run(analyst({ team: ['ops', 'sales'], country: ['FR'] }), count('revenue'))).rows,
    ).toEqual([[10]]);
    const bad = model.tables.map((table) => ({ ...table, requiredAttributes: { team: [] } }));
    expect(await messageOf(h.data.models.update(developer, model.uuid, { tables: bad }))).toBe(
      'ERR_VALIDATION tables[0].requiredAttributes.team: must give 1 to 100 values',
    );
    const nested = model.tables.map((table) => ({ ...table, requiredAttributes: { team: [{ a: 1 }] } }));
    expect(
      await messageOf(
        h.data.models.update(developer, model.uuid, { tables: nested as unknown as typeof base }),
      ),
    ).toBe('ERR_VALIDATION tables[0].requiredAttributes.team[0]: must be a string');
    expect((await h.data.models.get(developer, model.uuid)).tables[0].requiredAttributes).toEqual({
      team: ['ops'],
    });
  });
});
