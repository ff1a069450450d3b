import { describe, expect, it, vi } from 'vitest';
import type { CompiledQuery, Engine, RunOptions } from '../../engines/types.ts';
import { RosettaError } from '../errors.ts';
import { createQueryCache } from './cache.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { createQueryService } from './service.ts';
import { admin, duckdbRunner, pinnedNow, principal, shopModel } from './testkit.ts';

/** The service over a stand-in engine that runs compiled SQL on a real in-memory DuckDB. */
async function setup(model: Model = shopModel) {
  const duckdb = await duckdbRunner();
  const calls: Array<{ query: CompiledQuery; options: RunOptions }> = [];
  const engine = {
    dialect: 'duckdb',
    async run(query: CompiledQuery, options: RunOptions) {
      calls.push({ query, options });
      const rows = await duckdb.run(query);
      return { columns: [], rows: rows.slice(0, options.maxRows), truncated: rows.length > options.maxRows };
    },
  } as unknown as Engine;
  const cache = createQueryCache();
  const resolveModel = vi.fn(async (_who, source: string) => {
    if (source !== 'shop') throw new RosettaError('ERR_NOT_FOUND', `model "${source}" not found`);
    return model;
  });
  const service = createQueryService({
    resolveModel,
    sourceModel: async () => model,
    engineFor: async () => engine,
    maxRows: 3,
    timeoutMs: 5000,
    cache,
    now: () => pinnedNow,
  });
  return { service, calls, cache, close: () => duckdb.close() };
}

const byCountry = { source: 'shop', dimensions: ['country'], metrics: [{ aggregation: 'count' }] };

describe('query service', () => {
  it("writes a model's table names as its engine quotes them", async () => {
    const [duckdb, mysql] = (['duckdb', 'mysql'] as const).map((dialect) =>
      createQueryService({
        resolveModel: async () => shopModel,
        sourceModel: async () => shopModel,
        engineFor: async () => ({ dialect }) as unknown as Engine,
        maxRows: 3,
        timeoutMs: 5000,
      }),
    );
    expect(await duckdb.tableSql(shopModel, ['sales', 'or"ders'])).toBe('"sales"."or""ders"');
    expect(await mysql.tableSql(shopModel, ['sales', 'orders'])).toBe('`sales`.`orders`');
  });

  it('runs a native body, then answers the same query from the cache', async () => {
    const { service, calls, close } = await setup();
    const first = await service.run(admin, { ...byCountry, limit: 3 });
    expect(first).toMatchObject({
      rows: [
        ['DE', 2],
        ['FR', 3],
        ['US', 2],
      ],
      truncated: true, // the fourth group, NULL
      cached: false,
    });
    expect(calls[0].options).toMatchObject({ maxRows: 3, timeoutMs: 5000 });
    const second = await service.run(admin, { ...byCountry, limit: 3 });
    expect(second).toMatchObject({ rows: first.rows, cached: true });
    expect(calls).toHaveLength(1);
    await service.run(admin, { ...byCountry, limit: 3 }, { noCache: true });
    expect(calls).toHaveLength(2);
    expect(service.invalidate(admin, { connectionId: shopModel.connectionId })).toBe(1);
    expect((await service.run(admin, { ...byCountry, limit: 3 })).cached).toBe(false);
    await close();
  });

  it('reports truncation at the row cap, and serves the same cut result from the cache', async () => {
    const { service, calls, close } = await setup();
    const result = await service.run(admin, byCountry);
    expect(result).toMatchObject({ truncated: true, cached: false });
    expect(result.rows).toHaveLength(3);
    expect(calls[0].query.sql).toMatch(/LIMIT 4$/);
    expect(await service.run(admin, byCountry)).toMatchObject({
      rows: result.rows,
      truncated: true,
      cached: true,
    });
    await close();
  });

  it('reports truncation at an explicit limit, never returning the row it fetched to tell', async () => {
    const { service, calls, close } = await setup();
    const cut = await service.run(admin, { ...byCountry, limit: 2 });
    expect(cut).toMatchObject({
      rows: [
        ['DE', 2],
        ['FR', 3],
      ],
      truncated: true,
    });
    expect(calls[0].query.sql).toMatch(/LIMIT 3$/);
    expect(calls[0].options.maxRows).toBe(2);
    const cached = await service.run(admin, { ...byCountry, limit: 2 });
    expect(cached).toMatchObject({ rows: cut.rows, truncated: true, cached: true });
    // A limit the rows fit in is no cut; the last page after an offset neither.
    const known = { ...byCountry, filters: { field: 'country', operator: 'not null' } };
    expect((await service.run(admin, { ...known, limit: 3 })).truncated).toBe(false);
    expect(await service.run(admin, { ...known, limit: 2, offset: 2 })).toMatchObject({
      rows: [['US', 2]],
      truncated: false,
    });
    await close();
  });

  it('counts the rows without limit and offset on request, row policies applied', async () => {
    const { service, calls, close } = await setup({
      ...shopModel,
      policies: [{ field: 'segment', attribute: 'segment' }],
    });
    const rows = {
      source: 'shop',
      aggregate: false,
      dimensions: ['orders.id'],
      sorts: ['orders.id'],
      limit: 2,
      count: true,
    };
    expect(await service.run(admin, rows)).toMatchObject({ truncated: true, totalRows: 8 });
    expect(calls.at(-1)?.query.sql).toMatch(/^SELECT COUNT\(\*\) AS "total_rows" FROM \(/);
    const segmentB = principal({ attributes: { segment: ['B'] } });
    expect(await service.run(segmentB, rows)).toMatchObject({ truncated: true, totalRows: 3 });
    expect(await service.run(segmentB, { ...rows, offset: 2 })).toMatchObject({ rows: [[8]], totalRows: 3 });
    // An uncut first page is its own count: no second query.
    const before = calls.length;
    expect(await service.run(segmentB, { ...rows, limit: 3 })).toMatchObject({
      truncated: false,
      totalRows: 3,
    });
    expect(calls.length).toBe(before + 1);
    expect((await service.run(admin, { ...rows, count: false })).totalRows).toBeUndefined();
    await expect(service.run(admin, { ...rows, count: 'yes' })).rejects.toMatchObject({ field: 'count' });
    await close();
  });

  it('never serves one principal the cached rows of another', async () => {
    const { service, close } = await setup({
      ...shopModel,
      policies: [{ field: 'segment', attribute: 'segment' }],
    });
    const body = { source: 'shop', metrics: [{ aggregation: 'count' }] };
    expect((await service.run(admin, body)).rows).toEqual([[8]]);
    expect(await service.run(principal({ attributes: { segment: ['B'] } }), body)).toMatchObject({
      rows: [[3]],
      cached: false,
    });
    expect(await service.run(principal(), body)).toMatchObject({ rows: [[0]], cached: false });
    await close();
  });

  it('compiles bodies and IR for the model engine', async () => {
    const { service, close } = await setup();
    const compiled = await service.compile(admin, {
      source: 'shop',
      dimensions: ['country'],
      filters: { field: 'price', operator: '>', values: [1] },
    });
    expect(compiled).toMatchObject({ dialect: 'duckdb', params: [1] });
    expect(compiled.sql).toContain('WHERE "orders"."price" > $1');
    const ir = parseQueryBody({ source: 'x', metrics: [{ metric: 'revenue' }] }).ir;
    expect((await service.runIr(admin, shopModel, ir)).rows).toEqual([[254.5]]);
    expect((await service.compileIr(admin, shopModel, ir)).sql).toContain(
      'SUM("orders"."price") AS "revenue"',
    );
    await close();
  });

  it('passes coded errors through: bad body, unknown source, forbidden data source', async () => {
    const { service, close } = await setup();
    await expect(
      service.run(admin, { source: 'shop', limit: 4, dimensions: ['country'] }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'limit' });
    await expect(service.run(admin, { ...byCountry, source: 'other' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    await expect(service.run(principal({ dataSourceIds: [99] }), byCountry)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await close();
  });

  it('runs ad-hoc queries for interactive viewers and up, saved ones for every reader', async () => {
    const { service, close } = await setup();
    const viewer = principal({ role: 'viewer' });
    const body = { source: 'shop', metrics: [{ aggregation: 'count' }] };
    await expect(service.run(viewer, body)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      message: 'not allowed to run ad-hoc queries (needs the interactive_viewer role)',
    });
    await expect(service.compile(viewer, body)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const embed = principal({ kind: 'embed', embedDashboardId: 1 });
    await expect(service.run(embed, body)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    // A dashboard's widget, run by the use case that authorized the dashboard.
    expect((await service.runSaved(viewer, body)).rows).toEqual([[8]]);
    expect((await service.run(principal(), body)).rows).toEqual([[8]]);
    await close();
  });

  it('lets a data-API key query only models reading its sources alone', async () => {
    const { service, close } = await setup();
    const body = { source: 'shop', metrics: [{ aggregation: 'count' }] };
    const key = (dataSourceIds: number[]) => principal({ kind: 'dataKey', dataSourceIds });
    await expect(service.run(key([11]), body)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
      field: 'source',
      message: 'not allowed to read the data source(s) 10 with this key',
    });
    expect((await service.run(key([10, 11]), body)).rows).toEqual([[8]]);
    await close();
  });

  it('invalidates the cache for developers and admins only', async () => {
    const { service, close } = await setup();
    await expect(() => service.invalidate(principal({ role: 'editor' }))).toThrow(
      expect.objectContaining({ code: 'ERR_FORBIDDEN' }),
    );
    expect(service.invalidate(principal({ role: 'developer' }))).toBe(0);
    await close();
  });
});
