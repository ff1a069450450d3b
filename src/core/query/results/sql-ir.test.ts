import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../../engines/duckdb/engine.ts';
import type { Principal } from '../../auth/principal.ts';
import { sqlModelOf } from '../../data/sql-model.ts';
import { isRosettaError, notFound } from '../../errors.ts';
import { createJobService } from '../../jobs/index.ts';
import { openJobStore } from '../../jobs/test-support.ts';
import type { QueryIr } from '../ir.ts';
import { createQueryService } from '../service.ts';
import { admin, principal } from '../testkit.ts';
import { createQueryJobService } from './service.ts';

/**
 * IR over a developer's SQL as a query job (`submitSqlIr`, a SQL runner's pivot): the statement
 * is typed into a one-table model and the core pivots it. The rows are generated (`range`), so
 * the expected cells are computed here from the same formula.
 */

const N = 60;
const SQL = `SELECT range % 3 AS g, CAST(range % 2 AS VARCHAR) AS h, range AS v FROM range(${N});`;
const developer = principal({ role: 'developer', userId: 4 });
const viewer = principal({ userId: 5 });
const people = new Map<number, Principal>([admin, developer, viewer].map((p) => [p.userId, p]));

const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-sql-ir-'));
const engine = new DuckDbEngine({ type: 'duckdb', file: ':memory:' });
const stores = await openJobStore('sqlite', '');
const jobs = createJobService({ store: stores.store, pollIntervalMs: 25, onError: () => {} });
const noModels = async (_who: Principal, source: string) => {
  throw notFound('model', source);
};
const query = createQueryService({
  resolveModel: noModels,
  sourceModel: noModels,
  engineFor: async () => engine,
  maxRows: 1000,
  timeoutMs: 60_000,
});
const service = createQueryJobService({
  jobs,
  query,
  resolveModel: noModels,
  sqlModel: (_who, connectionId, sql) => sqlModelOf(engine, connectionId, sql),
  owners: async (_organizationId, userId) => people.get(userId),
  filesDir: dataDir,
  retentionMs: 60 * 60_000,
  queryTimeoutMs: 60_000,
});

beforeAll(() => jobs.start());
afterAll(async () => {
  await jobs.stop();
  await stores.close();
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const pivot: QueryIr = {
  dimensions: [{ field: 'g' }, { field: 'h' }],
  metrics: [{ kind: 'aggregate', aggregation: 'sum', field: 'v', alias: 'v_sum' }],
  pivot: { columns: ['h'] },
  sorts: [{ field: 'g', descending: false }],
  offset: 0,
  aggregate: true,
};

async function finished(id: string) {
  for (;;) {
    const state = await service.page(developer, id);
    if (state.status !== 'queued' && state.status !== 'running') return state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error) =>
      isRosettaError(error) ? `${error.code}${error.field ? ` ${error.field}` : ''}` : String(error),
  );

describe('IR over SQL as a query job', () => {
  it('pivots what the statement returns', async () => {
    const state = await service.submitSqlIr(developer, 1, SQL, pivot, { annotation: { kept: true } });
    const page = await finished(state.id);
    expect(page.status, page.error).toBe('success');
    const cell = (g: number, h: number) =>
      Array.from({ length: N }, (_, v) => v)
        .filter((v) => v % 3 === g && v % 2 === h)
        .reduce((a, b) => a + b, 0);
    expect(page.columns?.map((column) => column.name)).toEqual(['g', 'v_sum|0', 'v_sum|1', 'v_sum']);
    expect(page.columns?.[1].pivot).toEqual({ metric: 'v_sum', values: ['0'] });
    expect(page.rows).toEqual([0, 1, 2].map((g) => [g, cell(g, 0), cell(g, 1), cell(g, 0) + cell(g, 1)]));
    expect(page.annotation).toEqual({ kept: true });
  });

  it('refuses a bad statement or column now, and callers without sql.run', async () => {
    expect(await codeOf(service.submitSqlIr(developer, 1, 'SELECT FROM WHERE', pivot))).toBe(
      'ERR_VALIDATION sql',
    );
    const unknown = {
      ...pivot,
      metrics: [{ kind: 'aggregate' as const, aggregation: 'sum' as const, field: 'w' }],
    };
    expect(await codeOf(service.submitSqlIr(developer, 1, SQL, unknown))).toMatch(/^ERR_VALIDATION/);
    expect(await codeOf(service.submitSqlIr(viewer, 1, SQL, pivot))).toBe('ERR_FORBIDDEN');
  });
});
