import type { CompiledQuery, Engine, EngineDialect, QueryResult } from '../../engines/types.ts';
import { type AuthorizedResource, authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { QueryCache } from './cache.ts';
import { compileQuery } from './compile.ts';
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
}

export interface QueryRunResult extends QueryResult {
  cached: boolean;
  durationMs: number;
}

export interface CompiledForEngine extends CompiledQuery {
  dialect: EngineDialect;
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
  /** The SQL a native query body compiles to, for "show generated SQL". */
  compile(principal: Principal, body: unknown): Promise<CompiledForEngine>;
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
    maxRows = deps.maxRows,
  ): CompiledForEngine => ({
    dialect,
    ...compileQuery(model, ir, { dialect, principal, maxRows, now: now() }),
  });

  const execute = async (principal: Principal, model: Model, ir: QueryIr, options: RunQueryOptions = {}) => {
    const started = performance.now();
    const maxRows = Math.min(options.maxRows ?? deps.maxRows, deps.maxRows);
    const engine = await deps.engineFor(model.connectionId);
    const query = compileFor(principal, model, ir, engine.dialect, maxRows);
    const key = {
      dialect: engine.dialect,
      connectionId: model.connectionId,
      modelVersion: model.version,
      query,
    };
    const hit = options.noCache ? undefined : deps.cache?.get(key);
    if (hit) return { ...hit, cached: true, durationMs: elapsed(started) };
    const result = await engine.run(
      { sql: query.sql, params: query.params },
      { maxRows, signal: options.signal, timeoutMs: deps.timeoutMs },
    );
    deps.cache?.set(key, result);
    return { ...result, cached: false, durationMs: elapsed(started) };
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
    const { source, ir } = parseQueryBody(body);
    return { ir, model: await deps.resolveModel(principal, source) };
  };

  return {
    async run(principal, body, options) {
      const { model, ir } = await parsed(principal, body);
      return runIr(principal, model, ir, options);
    },
    async compile(principal, body) {
      const { model, ir } = await parsed(principal, body);
      return compileIr(principal, model, ir);
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
