import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../../engines/duckdb/engine.ts';
import type { Principal } from '../../auth/principal.ts';
import { runConsoleSql } from '../../data/sql-console.ts';
import { isRosettaError, notFound } from '../../errors.ts';
import { createJobService } from '../../jobs/index.ts';
import { openJobStore } from '../../jobs/test-support.ts';
import type { Model } from '../model.ts';
import { parseQueryBody } from '../parse.ts';
import { createQueryService } from '../service.ts';
import { admin, principal } from '../testkit.ts';
import { createQueryJobService, MAX_PAGE_SIZE } from './service.ts';
import { CHUNK_ROWS } from './store.ts';

/**
 * Query jobs on the real pieces: a jobs service over SQLite, the query service over an embedded
 * DuckDB, results on a temporary data dir. The models read generated rows (`range`), so the
 * expected values are computed here from the same formula.
 */

const ROWS = 2500;
const CAP = 2000;
const numbers: Model = {
  name: 'numbers',
  connectionId: 1,
  baseTable: 'numbers',
  tables: [
    {
      name: 'numbers',
      relation: {
        kind: 'sql',
        sql: `SELECT range AS n, CAST(range % 4 AS VARCHAR) AS region, range * 0.5 AS amount, 'line ' || range || chr(10) || 'é"' AS note FROM range(${ROWS})`,
      },
    },
  ],
  joins: [],
  dimensions: [
    { name: 'n', table: 'numbers', column: 'n', type: 'integer' },
    { name: 'region', table: 'numbers', column: 'region', type: 'string' },
    { name: 'amount', table: 'numbers', column: 'amount', type: 'number' },
    { name: 'note', table: 'numbers', column: 'note', type: 'string' },
  ],
  metrics: [],
  policies: [{ field: 'region', attribute: 'region' }],
  version: 1,
  dataSourceIds: [7],
};
/** Long enough to need cancelling, cheap in memory (10^14 pairs). */
const slow: Model = {
  ...numbers,
  name: 'slow',
  baseTable: 'pairs',
  tables: [
    {
      name: 'pairs',
      relation: { kind: 'sql', sql: 'SELECT a.range AS x FROM range(100000000) a, range(1000000) b' },
    },
  ],
  dimensions: [{ name: 'x', table: 'pairs', column: 'x', type: 'integer' }],
  policies: [],
};
const broken: Model = {
  ...slow,
  name: 'broken',
  tables: [
    {
      name: 'pairs',
      relation: { kind: 'sql', sql: "SELECT CAST('x' || range AS INTEGER) AS x FROM range(3)" },
    },
  ],
};
const models = new Map([numbers, slow, broken].map((m) => [m.name, m]));

const analyst = principal({ userId: 2, attributes: { region: ['1', '2'] } });
const other = principal({ userId: 3, email: 'other@example.com', attributes: { region: ['1', '2'] } });
const partnerKey = principal({
  userId: 2,
  kind: 'dataKey',
  apiKeyId: 9,
  dataSourceIds: [7],
  attributes: analyst.attributes,
});
const people = new Map<number, Principal>([admin, analyst, other].map((p) => [p.userId, p]));

let clockOffsetMs = 0;
const now = () => new Date(Date.now() + clockOffsetMs);
const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-query-jobs-'));
const engine = new DuckDbEngine({ type: 'duckdb', file: ':memory:' });
const stores = await openJobStore('sqlite', '');
const jobs = createJobService({ store: stores.store, pollIntervalMs: 50, onError: () => {} });
const resolveModel = async (_who: Principal, source: string) => {
  const model = models.get(source);
  if (!model) throw notFound('model', source);
  return model;
};
const query = createQueryService({
  resolveModel,
  sourceModel: resolveModel,
  engineFor: async () => engine,
  maxRows: CAP,
  timeoutMs: 60_000,
});
const service = createQueryJobService({
  jobs,
  query,
  resolveModel,
  runSql: (_who, _connectionId, input, signal) => runConsoleSql(engine, input, { signal }),
  owners: async (_organizationId, userId) => people.get(userId),
  filesDir: dataDir,
  retentionMs: 60 * 60_000,
  queryTimeoutMs: 60_000,
  now,
});

beforeAll(() => jobs.start());
afterAll(async () => {
  await jobs.stop();
  await stores.close();
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error) =>
      isRosettaError(error) ? `${error.code}${error.field ? ` ${error.field}` : ''}` : String(error),
  );

async function finished(who: Principal, id: string) {
  for (;;) {
    const state = await service.page(who, id, { pageSize: 1 });
    if (state.status !== 'queued' && state.status !== 'running') return state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every page of a finished job, concatenated. */
async function allPages(who: Principal, id: string, pageSize: number) {
  const first = await service.page(who, id, { page: 1, pageSize });
  const rows = [...(first.rows ?? [])];
  for (let page = 2; page <= (first.totalPages ?? 0); page++) {
    rows.push(
      ...((await service.page(who, id, { page: String(page), pageSize: String(pageSize) })).rows ?? []),
    );
  }
  return { first, rows };
}

const raw = {
  source: 'numbers',
  aggregate: false,
  dimensions: ['n', 'region', 'amount', 'note'],
  sorts: ['n'],
};

describe('query jobs', () => {
  it('keeps the whole result under the row policies and reads it back page by page', async () => {
    const submitted = await service.submit(analyst, raw);
    expect(submitted).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
    expect(await finished(analyst, submitted.id)).toMatchObject({ status: 'success' });

    // The analyst sees regions 1 and 2: half the rows, fewer than the cap, so nothing is cut.
    const expected = Array.from({ length: ROWS }, (_, n) => n)
      .filter((n) => n % 4 === 1 || n % 4 === 2)
      .map((n) => [n, String(n % 4), n * 0.5, `line ${n}\né"`]);
    const { first, rows } = await allPages(analyst, submitted.id, 300);
    expect(first).toMatchObject({
      id: submitted.id,
      status: 'success',
      page: 1,
      pageSize: 300,
      totalRows: expected.length,
      totalPages: Math.ceil(expected.length / 300),
      truncated: false,
      columns: [{ name: 'n' }, { name: 'region' }, { name: 'amount' }, { name: 'note' }],
    });
    expect(Date.parse(first.expiresAt!)).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(rows).toEqual(expected);
    // The same rows as the plain run of the same body.
    expect(rows).toEqual((await query.run(analyst, raw)).rows);
    // A page across a chunk of the index, and the last, short page.
    const across = await service.page(analyst, submitted.id, { page: 2, pageSize: CHUNK_ROWS - 100 });
    expect(across.rows).toEqual(expected.slice(CHUNK_ROWS - 100, 2 * (CHUNK_ROWS - 100)));
    const last = await service.page(analyst, submitted.id, { page: 3, pageSize: 500 });
    expect(last.rows).toEqual(expected.slice(1000, 1250));
  });

  it('keeps the result up to the row cap and says it was cut', async () => {
    const { id } = await service.submit(admin, raw);
    expect(await finished(admin, id)).toMatchObject({ status: 'success' });
    const { first, rows } = await allPages(admin, id, MAX_PAGE_SIZE);
    expect(first).toMatchObject({ totalRows: CAP, totalPages: 1, truncated: true });
    expect(rows).toEqual(Array.from({ length: CAP }, (_, n) => [n, String(n % 4), n * 0.5, `line ${n}\né"`]));
    // A grouped query: each region's sum, computed here from the formula.
    const grouped = await service.submit(admin, {
      source: 'numbers',
      dimensions: ['region'],
      metrics: [{ field: 'amount', aggregation: 'sum' }],
    });
    await finished(admin, grouped.id);
    const sums = [0, 1, 2, 3].map((r) => {
      let sum = 0;
      for (let n = r; n < ROWS; n += 4) sum += n * 0.5;
      return [String(r), sum];
    });
    expect((await service.page(admin, grouped.id)).rows).toEqual(sums);
  });

  it("gives the submitter's annotation back with every page", async () => {
    const annotation = { shown: ['region'] };
    const { source, ir } = parseQueryBody({ source: 'numbers', dimensions: ['region'] });
    const state = await service.submitIr(admin, await resolveModel(admin, source), ir, { annotation });
    await finished(admin, state.id);
    expect((await service.page(admin, state.id, { page: 2, pageSize: 2 })).annotation).toEqual(annotation);
    const plain = await service.submit(admin, { source: 'numbers', dimensions: ['region'] });
    await finished(admin, plain.id);
    expect(await service.page(admin, plain.id)).not.toHaveProperty('annotation');
  });

  it("runs a developer's SQL as a job, read back like a query's result", async () => {
    const state = await service.submitSql(admin, 1, { sql: 'SELECT range AS n FROM range(3)', limit: 2 });
    expect((await finished(admin, state.id)).status).toBe('success');
    const page = await service.page(admin, state.id);
    expect(page).toMatchObject({ rows: [[0], [1]], totalRows: 2, truncated: true });
    expect(page.columns?.map((column) => column.name)).toEqual(['n']);
    expect(await codeOf(service.submitSql(analyst, 1, { sql: 'SELECT 1' }))).toBe('ERR_FORBIDDEN');
  });

  it('names a bad page or page size', async () => {
    const { id } = await service.submit(analyst, { ...raw, limit: 10 });
    await finished(analyst, id);
    const page = (request: Record<string, unknown>) => codeOf(service.page(analyst, id, request));
    expect(await page({ pageSize: 0 })).toBe('ERR_VALIDATION pageSize');
    expect(await page({ pageSize: MAX_PAGE_SIZE + 1 })).toBe('ERR_VALIDATION pageSize');
    expect(await page({ pageSize: 'ten' })).toBe('ERR_VALIDATION pageSize');
    expect(await page({ page: 0 })).toBe('ERR_VALIDATION page');
    expect(await page({ page: 1.5 })).toBe('ERR_VALIDATION page');
    expect(await page({ page: 3, pageSize: 5 })).toBe('ERR_VALIDATION page');
    await expect(service.page(analyst, id, { page: 3, pageSize: 5 })).rejects.toThrow(
      /past the last page: 10 rows make 2 pages of 5/,
    );
    expect((await service.page(analyst, id, { page: 2, pageSize: 5 })).rows).toHaveLength(5);
    // A bad body is refused at once, not in a job.
    expect(await codeOf(service.submit(analyst, { ...raw, dimensions: ['colour'] }))).toBe(
      'ERR_VALIDATION dimensions[0].field',
    );
    expect(await codeOf(service.submit(principal({ role: 'viewer' }), raw))).toBe('ERR_FORBIDDEN');
  });

  it('shows a job only to its submitter and admins; a data-API key follows its own', async () => {
    const { id } = await service.submit(analyst, { ...raw, limit: 3 });
    await finished(analyst, id);
    expect(await codeOf(service.page(other, id))).toBe('ERR_NOT_FOUND');
    expect(await codeOf(service.cancel(other, id))).toBe('ERR_NOT_FOUND');
    expect((await service.page(admin, id)).rows).toHaveLength(3);
    // A job of another type is not a query job, even to its owner.
    jobs.register('other', { concurrency: 1, timeoutMs: 1000, onInterrupted: 'fail', run: async () => 1 });
    const foreign = await jobs.enqueue(analyst, 'other', {});
    expect(await codeOf(service.page(analyst, foreign.uuid))).toBe('ERR_NOT_FOUND');

    const keyed = await service.submit(partnerKey, { ...raw, limit: 3 });
    expect(await finished(partnerKey, keyed.id)).toMatchObject({ status: 'success', totalRows: 3 });
    // A key restricted to other sources may not query this model.
    const elsewhere = principal({ ...partnerKey, dataSourceIds: [8] });
    expect(await codeOf(service.submit(elsewhere, raw))).toBe('ERR_FORBIDDEN source');
  });

  it('reports a failed statement', async () => {
    const { id } = await service.submit(analyst, { source: 'broken', aggregate: false });
    expect(await finished(analyst, id)).toMatchObject({
      status: 'failure',
      error: expect.stringMatching(/Could not convert|Conversion Error/i),
    });
  });

  it('cancels a long statement: the job ends cancelled and the warehouse stops working', async () => {
    const { id } = await service.submit(admin, {
      source: 'slow',
      metrics: [{ field: 'x', aggregation: 'sum' }],
    });
    while ((await service.page(admin, id)).status !== 'running') await new Promise((r) => setTimeout(r, 20));
    const cpuOver = async (ms: number) => {
      const before = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, ms));
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    };
    // The join keeps DuckDB's threads busy …
    expect(await cpuOver(500)).toBeGreaterThan(150);
    const started = Date.now();
    expect(await service.cancel(admin, id)).toEqual({ id, status: 'cancelled', error: 'cancelled' });
    expect(await finished(admin, id)).toMatchObject({ status: 'cancelled' });
    // … until the interrupt stops it: the process falls idle.
    expect(Date.now() - started).toBeLessThan(3000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await cpuOver(500)).toBeLessThan(100);
    // Cancelling again answers the same; a finished job cannot be cancelled.
    expect(await service.cancel(admin, id)).toMatchObject({ status: 'cancelled' });
    const done = await service.submit(admin, { ...raw, limit: 1 });
    await finished(admin, done.id);
    expect(await codeOf(service.cancel(admin, done.id))).toBe('ERR_CONFLICT');
    // Every connection of the pool is free again.
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() => engine.run({ sql: 'SELECT 7', params: [] }, { maxRows: 1 })),
    );
    expect(results.map((r) => r.rows)).toEqual([[[7]], [[7]], [[7]], [[7]], [[7]]]);
  });

  it('expires results, and purges them from the disk', async () => {
    const { id } = await service.submit(analyst, { ...raw, limit: 5 });
    await finished(analyst, id);
    const dir = join(dataDir, 'query-results', id);
    expect(existsSync(dir)).toBe(true);
    expect(await service.purge()).toBe(0);
    clockOffsetMs = 61 * 60_000;
    try {
      await expect(service.page(analyst, id)).rejects.toThrow(/expired at .*submit the query again/);
      expect(await codeOf(service.page(analyst, id))).toBe('ERR_NOT_FOUND');
      expect(await service.purge()).toBeGreaterThanOrEqual(1);
      expect(existsSync(dir)).toBe(false);
    } finally {
      clockOffsetMs = 0;
    }
    // Gone from the disk, the result reads as expired even inside its retention.
    expect(await codeOf(service.page(analyst, id))).toBe('ERR_NOT_FOUND');
  });
});
