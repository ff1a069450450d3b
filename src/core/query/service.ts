import type { CompiledQuery, Engine, EngineDialect, QueryResult } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import type { QueryCache } from './cache.ts';
import { compileQuery } from './compile.ts';
import type { QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';

export interface QueryServiceDeps {
  /** Finds the model a principal addresses (data source uuid or model name); throws ERR_NOT_FOUND/ERR_FORBIDDEN. */
  resolveModel(principal: Principal, source: string): Promise<Model>;
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
}

export interface QueryRunResult extends QueryResult {
  cached: boolean;
  durationMs: number;
}

export interface CompiledForEngine extends CompiledQuery {
  dialect: EngineDialect;
}

export interface QueryService {
  /** Runs a native query body (untrusted JSON). */
  run(principal: Principal, body: unknown, options?: RunQueryOptions): Promise<QueryRunResult>;
  /** The SQL a native query body compiles to, for "show generated SQL". */
  compile(principal: Principal, body: unknown): Promise<CompiledForEngine>;
  /** Runs IR built by another core module (dialects, exports, alerts). */
  runIr(principal: Principal, model: Model, ir: QueryIr, options?: RunQueryOptions): Promise<QueryRunResult>;
  /** Compiles IR for the model's engine, e.g. to stream it (exports). */
  compileIr(principal: Principal, model: Model, ir: QueryIr): Promise<CompiledForEngine>;
  /** Drops cached results of one connection (after a load or schema change), or all. */
  invalidate(scope?: { connectionId?: number }): number;
}

export function createQueryService(deps: QueryServiceDeps): QueryService {
  const now = deps.now ?? (() => new Date());

  const compileFor = (
    principal: Principal,
    model: Model,
    ir: QueryIr,
    dialect: EngineDialect,
  ): CompiledForEngine => ({
    dialect,
    ...compileQuery(model, ir, { dialect, principal, maxRows: deps.maxRows, now: now() }),
  });

  const runIr: QueryService['runIr'] = async (principal, model, ir, options = {}) => {
    const started = performance.now();
    const engine = await deps.engineFor(model.connectionId);
    const query = compileFor(principal, model, ir, engine.dialect);
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
      { maxRows: deps.maxRows, signal: options.signal, timeoutMs: deps.timeoutMs },
    );
    deps.cache?.set(key, result);
    return { ...result, cached: false, durationMs: elapsed(started) };
  };

  return {
    async run(principal, body, options) {
      const { source, ir } = parseQueryBody(body);
      return runIr(principal, await deps.resolveModel(principal, source), ir, options);
    },
    async compile(principal, body) {
      const { source, ir } = parseQueryBody(body);
      const model = await deps.resolveModel(principal, source);
      return compileFor(principal, model, ir, (await deps.engineFor(model.connectionId)).dialect);
    },
    runIr,
    async compileIr(principal, model, ir) {
      return compileFor(principal, model, ir, (await deps.engineFor(model.connectionId)).dialect);
    },
    invalidate: (scope) => deps.cache?.invalidate(scope) ?? 0,
  };
}

const elapsed = (started: number): number => Math.round((performance.now() - started) * 10) / 10;
