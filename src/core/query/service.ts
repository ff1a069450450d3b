import type { CompiledQuery, Engine, EngineDialect, QueryResult } from '../../engines/types.ts';
import { type AuthorizedResource, authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { QueryCache } from './cache.ts';
import { type CompiledRows, compileCount, compileQuery } from './compile.ts';
import type { QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';

export interface QueryServiceDeps {
  /** Finds the model a principal addresses (data source uuid or model name); ERR_NOT_FOUND otherwise. */
  resolveModel(principal: Principal, source: string): Promise<Model>;
  /** The one-table model of a data source by id or uuid (previews); ERR_NOT_FOUND otherwise. */
  sourceModel(principal: Principal, ref: number | string): Promise<Model>;
  engineFor(connectionId: number): Promise<Engine>;
  /** Row cap of any query (configuration `maxQueryRows`). */
  maxRows: number;
  timeoutMs: number;
  cache?: QueryCache;
  /** The clock for relative date filters (tests pin it). */
  now?: () => Date;
}

export interface RunQueryOptions {
  signal?: AbortSignal;
  /** Skip the cache lookup (the fresh result is still stored). */
  noCache?: boolean;
  /** A lower row cap than the configured one (previews, a face's documented limit). */
  maxRows?: number;
  /** Also count the rows the query has without its limit and offset (`totalRows`). */
  count?: boolean;
}

export interface QueryRunResult extends QueryResult {
  cached: boolean;
  durationMs: number;
  /** With `count`: the rows of the query without its limit and offset, row policies applied. */
  totalRows?: number;
}

export interface CompiledForEngine extends CompiledRows {
  dialect: EngineDialect;
}

export interface CompileBodyOptions {
  /**
   * Values as literals, for a developer to run the SQL in the SQL runner (`sql.run`); the
   * answer then names the connection to run it on.
   */
  inline?: boolean;
}

/** Rows a data preview shows at most. */
export const MAX_PREVIEW_ROWS = 1000;

/**
 * Running queries. Ad-hoc queries — a body or IR the caller wrote — need `query.adhoc` on every
 * data source they read. Saved queries (`runSaved`, `compileSaved`) are a dashboard's widgets,
 * run by the core use cases that already authorized the dashboard (`dashboard.run`): faces never
 * call them directly. Row-level security applies to both, in the compiler.
 */
export interface QueryService {
  /** Runs a native query body (untrusted JSON). */
  run(principal: Principal, body: unknown, options?: RunQueryOptions): Promise<QueryRunResult>;
  /** The SQL a native query body compiles to, for "show generated SQL" (or the SQL runner). */
  compile(
    principal: Principal,
    body: unknown,
    options?: CompileBodyOptions,
  ): Promise<CompiledForEngine & { connectionId?: number }>;
  /** Runs IR built by another core module or a face's query mapper. */
  runIr(principal: Principal, model: Model, ir: QueryIr, options?: RunQueryOptions): Promise<QueryRunResult>;
  /** Compiles IR for the model's engine, e.g. to stream it (exports). */
  compileIr(principal: Principal, model: Model, ir: QueryIr): Promise<CompiledForEngine>;
  /** The first rows of a data source as stored (row policies apply), at most `MAX_PREVIEW_ROWS`. */
  preview(principal: Principal, source: number | string, limit: number): Promise<QueryRunResult>;
  /** A saved query body (a widget's), for a use case that authorized its dashboard. */
  runSaved(principal: Principal, body: unknown, options?: RunQueryOptions): Promise<QueryRunResult>;
  /** The same, on a model the use case resolved already. */
  runSavedIr(
    principal: Principal,
    model: Model,
    ir: QueryIr,
    options?: RunQueryOptions,
  ): Promise<QueryRunResult>;
  compileSaved(principal: Principal, body: unknown): Promise<CompiledForEngine & { model: Model }>;
  /** Drops cached results of one connection, or all (`cache.invalidate`). */
  invalidate(principal: Principal, scope?: { connectionId?: number }): number;
}

/** What a query reads, as `authorize` weighs it for a key restricted to data sources. */
export const readsOf = (model: Model): AuthorizedResource => ({
  dataSourceIds: model.dataSourceIds,
  readsOtherTables: model.readsOtherTables,
});

export function createQueryService(deps: QueryServiceDeps): QueryService {
  const now = deps.now ?? (() => new Date());

  const compileFor = (
    principal: Principal,
    model: Model,
    ir: QueryIr,
    dialect: EngineDialect,
    options: { maxRows?: number; inline?: boolean } = {},
  ): CompiledForEngine => ({
    dialect,
    ...compileQuery(model, ir, {
      dialect,
      principal,
      maxRows: options.maxRows ?? deps.maxRows,
      now: now(),
      inline: options.inline,
    }),
  });

  /**
   * Runs compiled SQL through the cache. The SQL fixes its own cut (LIMIT `rowCap` + 1, read up
   * to `rowCap`), so a cached result, truncated or not, is the one the same SQL would give again.
   */
  const cachedRun = async (
    engine: Engine,
    model: Model,
    query: CompiledQuery,
    rowCap: number,
    options: RunQueryOptions,
  ): Promise<{ result: QueryResult; cached: boolean }> => {
    const key = {
      dialect: engine.dialect,
      connectionId: model.connectionId,
      modelVersion: model.version,
      query,
    };
    const hit = options.noCache ? undefined : deps.cache?.get(key);
    if (hit) return { result: hit, cached: true };
    const result = await engine.run(
      { sql: query.sql, params: query.params },
      { maxRows: rowCap, signal: options.signal, timeoutMs: deps.timeoutMs },
    );
    deps.cache?.set(key, result);
    return { result, cached: false };
  };

  const execute = async (
    principal: Principal,
    model: Model,
    ir: QueryIr,
    options: RunQueryOptions = {},
  ): Promise<QueryRunResult> => {
    const started = performance.now();
    const maxRows = Math.min(options.maxRows ?? deps.maxRows, deps.maxRows);
    const engine = await deps.engineFor(model.connectionId);
    const { sql, params, rowCap } = compileFor(principal, model, ir, engine.dialect, { maxRows });
    const { result, cached } = await cachedRun(engine, model, { sql, params }, rowCap, options);
    const answer: QueryRunResult = { ...result, cached, durationMs: 0 };
    if (options.count) answer.totalRows = await totalRows(principal, model, ir, engine, result, options);
    answer.durationMs = elapsed(started);
    return answer;
  };

  /** The rows without limit and offset: read off an uncut first page, else counted by the engine. */
  const totalRows = async (
    principal: Principal,
    model: Model,
    ir: QueryIr,
    engine: Engine,
    page: QueryResult,
    options: RunQueryOptions,
  ): Promise<number> => {
    if (!page.truncated && ir.offset === 0) return page.rows.length;
    const counting = compileCount(model, ir, {
      dialect: engine.dialect,
      principal,
      maxRows: deps.maxRows,
      now: now(),
    });
    const { result } = await cachedRun(engine, model, counting, 1, options);
    return Number(result.rows[0]?.[0] ?? 0);
  };

  const runIr: QueryService['runIr'] = async (principal, model, ir, options) => {
    authorize(principal, 'query.adhoc', readsOf(model));
    return execute(principal, model, ir, options);
  };

  const compileIr: QueryService['compileIr'] = async (principal, model, ir) => {
    authorize(principal, 'query.adhoc', readsOf(model));
    return compileFor(principal, model, ir, (await deps.engineFor(model.connectionId)).dialect);
  };

  const parsed = async (principal: Principal, body: unknown) => {
    const { source, ir, count } = parseQueryBody(body);
    return { ir, count, model: await deps.resolveModel(principal, source) };
  };

  return {
    async run(principal, body, options) {
      const { model, ir, count } = await parsed(principal, body);
      return runIr(principal, model, ir, { ...options, count: options?.count ?? count });
    },
    async compile(principal, body, options = {}) {
      const { model, ir } = await parsed(principal, body);
      if (!options.inline) return compileIr(principal, model, ir);
      authorize(principal, 'query.adhoc', readsOf(model));
      authorize(principal, 'sql.run');
      const { dialect } = await deps.engineFor(model.connectionId);
      return {
        ...compileFor(principal, model, ir, dialect, { inline: true }),
        connectionId: model.connectionId,
      };
    },
    runIr,
    compileIr,
    async preview(principal, source, limit) {
      const model = await deps.sourceModel(principal, source);
      const cap = Math.max(1, Math.min(Math.trunc(limit) || 100, MAX_PREVIEW_ROWS));
      if (model.dimensions.length === 0) {
        authorize(principal, 'query.adhoc', readsOf(model));
        return { columns: [], rows: [], truncated: false, cached: false, durationMs: 0 };
      }
      const ir: QueryIr = { dimensions: [], metrics: [], sorts: [], offset: 0, aggregate: false };
      return runIr(principal, model, ir, { maxRows: cap });
    },
    async runSaved(principal, body, options) {
      const { model, ir } = await parsed(principal, body);
      return execute(principal, model, ir, options);
    },
    runSavedIr: execute,
    async compileSaved(principal, body) {
      const { model, ir } = await parsed(principal, body);
      const compiled = compileFor(principal, model, ir, (await deps.engineFor(model.connectionId)).dialect);
      return { ...compiled, model };
    },
    invalidate(principal, scope = {}) {
      authorize(principal, 'cache.invalidate');
      return deps.cache?.invalidate(scope) ?? 0;
    },
  };
}

const elapsed = (started: number): number => Math.round((performance.now() - started) * 10) / 10;
