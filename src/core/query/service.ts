import type { CompiledQuery, Engine, EngineDialect, QueryResult } from '../../engines/types.ts';
import { type AuthorizedResource, authorize, can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { DomainEvents } from '../events.ts';
import type { OperationsObserver } from '../observer.ts';
import type { QueryCache } from './cache.ts';
import { withMetadata } from './columns.ts';
import { type CompiledRows, type CompileOptions, countResolved } from './compile.ts';
import { dialects } from './dialects.ts';
import type { QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { type PivotAnswer, planQuery, type QueryPlan } from './pivot.ts';
import { type ReducedResult, type Reduction, reduceQuery } from './reduce.ts';
import { checkQuerySql, holdsSql } from './sql-probe.ts';
import { computeTotals, type RunSql, type TotalsAnswer } from './totals.ts';
import { createZoneProbe } from './zone-probe.ts';

export interface QueryServiceDeps {
  /**
   * Finds the model a principal addresses (data source uuid or model name); ERR_NOT_FOUND
   * otherwise, or when the principal is off an access list it is under — unless `granted`
   * (a dashboard's saved widget: the dashboard grants its data).
   */
  resolveModel(principal: Principal, source: string, options?: { granted?: boolean }): Promise<Model>;
  /** The one-table model of a data source by id or uuid (previews); ERR_NOT_FOUND otherwise. */
  sourceModel(principal: Principal, ref: number | string): Promise<Model>;
  engineFor(connectionId: number): Promise<Engine>;
  /** Row cap of any query (configuration `maxQueryRows`). */
  maxRows: number;
  timeoutMs: number;
  cache?: QueryCache;
  /** Told of an explicit invalidation (`cacheInvalidated`), so other nodes drop theirs too. */
  events?: Pick<DomainEvents, 'emit'>;
  /** Told of each cache lookup and how long each statement took on its engine. */
  observer?: Pick<OperationsObserver, 'queryRan' | 'cacheLookup'>;
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
  /** With `totals`: each metric (and each column of a pivot) over every row the filters keep. */
  totals?: TotalsAnswer['totals'];
  /** With `totals.subtotals`: per dimension id, the metrics grouped by that dimension alone. */
  subtotals?: TotalsAnswer['subtotals'];
  /** With `pivot`: which columns are row dimensions, pivot dimensions and metrics, and the values. */
  pivot?: PivotAnswer;
}

export interface CompiledForEngine extends CompiledRows {
  dialect: EngineDialect;
  /** The query carries SQL of its own: run it read-only (`RunOptions.readOnly`), as the SQL console does. */
  readOnly?: boolean;
}

export interface CompileBodyOptions {
  /**
   * Values as literals, for a developer to run the SQL in the SQL runner (`sql.run`); the
   * answer then names the connection to run it on.
   */
  inline?: boolean;
}

export interface ReduceOptions extends Pick<RunQueryOptions, 'signal' | 'noCache'> {
  /** The field errors name (`conditions` → `conditions[0].field`); default `reductions`. */
  path?: string;
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
  /**
   * Compiles IR for the model's engine, e.g. to stream it (exports). With `inlineIfAllowed`, a
   * caller who may run SQL (`sql.run`) gets the values as literals, SQL to paste into the SQL
   * runner (a face's "compiled SQL"); anyone else the bound parameters, so no row-policy value
   * is written out for a caller who could not run it anyway.
   */
  compileIr(
    principal: Principal,
    model: Model,
    ir: QueryIr,
    options?: { inlineIfAllowed?: boolean },
  ): Promise<CompiledForEngine>;
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
  /**
   * Reduces the whole result of a native query body, in SQL, to one value per reduction (alert
   * conditions: reduce.ts); a bad reduction is a 400 on `<path>[i]`.
   */
  reduce(
    principal: Principal,
    body: unknown,
    reductions: Reduction[],
    options?: ReduceOptions,
  ): Promise<ReducedResult>;
  /** The same for a saved query body (a widget's), for a use case that authorized its dashboard. */
  reduceSaved(
    principal: Principal,
    body: unknown,
    reductions: Reduction[],
    options?: ReduceOptions,
  ): Promise<ReducedResult>;
  /** Drops cached results of one connection, or all (`cache.invalidate`). */
  invalidate(principal: Principal, scope?: { connectionId?: number }): number;
  /**
   * A table's name (its schema, then table) as SQL of the model's engine (`"sales"."orders"`,
   * MySQL `` `sales`.`orders` ``), for a face showing the relations of a model it resolved.
   */
  tableSql(model: Model, parts: readonly string[]): Promise<string>;
}

/** What a query reads, as `authorize` weighs it for a key restricted to data sources. */
export const readsOf = (model: Model): AuthorizedResource => ({
  dataSourceIds: model.dataSourceIds,
  readsOtherTables: model.readsOtherTables,
  projectId: model.projectId,
});

export function createQueryService(deps: QueryServiceDeps): QueryService {
  const now = deps.now ?? (() => new Date());
  const probeZone = createZoneProbe(deps.timeoutMs);

  /**
   * The query planned for the model's engine, and its SQL. A pivot's SQL depends on its data: its
   * values are read first, on the same engine, through the cache.
   */
  const planFor = async (
    principal: Principal,
    model: Model,
    ir: QueryIr,
    engine: Engine,
    options: { maxRows?: number; inline?: boolean; run?: RunQueryOptions } = {},
  ): Promise<{ plan: QueryPlan; compileOptions: CompileOptions; compiled: CompiledForEngine }> => {
    await probeZone(engine, ir);
    const compileOptions: CompileOptions = {
      dialect: engine.dialect,
      principal,
      maxRows: options.maxRows ?? deps.maxRows,
      now: now(),
      inline: options.inline,
    };
    const plan = await planQuery(model, ir, compileOptions, readRows(engine, model, ir, options.run ?? {}));
    return {
      plan,
      compileOptions,
      compiled: { dialect: engine.dialect, ...plan.compiled, ...readOnlyIf(ir) },
    };
  };

  /** Reads a statement the plan adds (a pivot's values, totals) like the query's own. */
  const readRows =
    (engine: Engine, model: Model, ir: QueryIr, options: RunQueryOptions): RunSql =>
    async ({ sql, params }, rowCap) =>
      (await cachedRun(engine, model, { sql, params, ...readOnlyIf(ir) }, rowCap, options)).result;

  /** Ad-hoc queries need `query.adhoc` on what they read, and `query.sql` when they carry SQL. */
  const authorizeAdhoc = (principal: Principal, model: Model, ir: QueryIr): void => {
    authorize(principal, 'query.adhoc', readsOf(model));
    if (holdsSql(ir)) authorize(principal, 'query.sql', { projectId: model.projectId });
  };

  /**
   * Runs compiled SQL through the cache. The SQL fixes its own cut (LIMIT `rowCap` + 1, read up
   * to `rowCap`), so a cached result, truncated or not, is the one the same SQL would give again.
   */
  const cachedRun = async (
    engine: Engine,
    model: Model,
    query: CompiledQuery & { readOnly?: boolean },
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
    if (deps.cache && !options.noCache) deps.observer?.cacheLookup(hit !== undefined);
    if (hit) return { result: hit, cached: true };
    const started = performance.now();
    const result = await engine.run(
      { sql: query.sql, params: query.params },
      { maxRows: rowCap, signal: options.signal, timeoutMs: deps.timeoutMs, readOnly: query.readOnly },
    );
    deps.observer?.queryRan(engine.dialect, (performance.now() - started) / 1000);
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
    const checked = await checkedSql(engine, model, ir);
    const { plan, compileOptions, compiled } = await planFor(principal, model, checked, engine, {
      maxRows,
      run: options,
    });
    const { sql, params, rowCap, readOnly } = compiled;
    // Totals are statements of their own, run beside the rows rather than after them.
    const [{ result, cached }, totals] = await Promise.all([
      cachedRun(engine, model, { sql, params, readOnly }, rowCap, options),
      checked.totals &&
        computeTotals(
          model,
          plan.rendered,
          checked.totals,
          { ...compileOptions, dimensions: plan.resolved.dimensions },
          readRows(engine, model, checked, options),
        ),
    ]);
    const answer: QueryRunResult = {
      ...result,
      columns: withMetadata(result.columns, compiled.columns),
      cached,
      durationMs: 0,
      ...totals,
      ...(plan.pivot && { pivot: plan.pivot }),
    };
    if (options.count)
      answer.totalRows = await totalRows(engine, model, checked, plan, compileOptions, result, options);
    answer.durationMs = elapsed(started);
    return answer;
  };

  /** The rows without limit and offset: read off an uncut first page, else counted by the engine. */
  const totalRows = async (
    engine: Engine,
    model: Model,
    ir: QueryIr,
    plan: QueryPlan,
    compileOptions: CompileOptions,
    page: QueryResult,
    options: RunQueryOptions,
  ): Promise<number> => {
    if (!page.truncated && ir.offset === 0) return page.rows.length;
    const counting = { ...countResolved(model, plan.rendered, compileOptions), ...readOnlyIf(ir) };
    const { result } = await cachedRun(engine, model, counting, 1, options);
    return Number(result.rows[0]?.[0] ?? 0);
  };

  const runIr: QueryService['runIr'] = async (principal, model, ir, options) => {
    authorizeAdhoc(principal, model, ir);
    return execute(principal, model, ir, options);
  };

  /** Compiles for the model's engine, the query's own SQL checked first. */
  const compileOn = async (
    principal: Principal,
    model: Model,
    ir: QueryIr,
    options?: { inline?: boolean },
  ): Promise<CompiledForEngine> => {
    const engine = await deps.engineFor(model.connectionId);
    return (await planFor(principal, model, await checkedSql(engine, model, ir), engine, options)).compiled;
  };

  const compileIr: QueryService['compileIr'] = async (principal, model, ir, options = {}) => {
    authorizeAdhoc(principal, model, ir);
    return compileOn(principal, model, ir, {
      inline: options.inlineIfAllowed === true && can(principal, 'sql.run'),
    });
  };

  /** Reductions of the whole result (reduce.ts), each statement read like the query's own. */
  const reduceOn = async (
    principal: Principal,
    model: Model,
    ir: QueryIr,
    reductions: Reduction[],
    options: ReduceOptions = {},
  ): Promise<ReducedResult> => {
    const engine = await deps.engineFor(model.connectionId);
    const checked = await checkedSql(engine, model, ir);
    const { plan, compileOptions, compiled } = await planFor(principal, model, checked, engine, {
      run: options,
    });
    const columns = compiled.columns.map((column) => column.id);
    const run = readRows(engine, model, checked, options);
    return reduceQuery(model, plan.rendered, columns, compileOptions, reductions, run, options.path);
  };

  const parsed = async (principal: Principal, body: unknown, granted = false) => {
    const { source, ir, count } = parseQueryBody(body);
    return { ir, count, model: await deps.resolveModel(principal, source, { granted }) };
  };

  return {
    async run(principal, body, options) {
      const { model, ir, count } = await parsed(principal, body);
      return runIr(principal, model, ir, { ...options, count: options?.count ?? count });
    },
    async compile(principal, body, options = {}) {
      const { model, ir } = await parsed(principal, body);
      if (!options.inline) return compileIr(principal, model, ir);
      authorizeAdhoc(principal, model, ir);
      authorize(principal, 'sql.run');
      return {
        ...(await compileOn(principal, model, ir, { inline: true })),
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
      const { model, ir } = await parsed(principal, body, true);
      return execute(principal, model, ir, options);
    },
    runSavedIr: execute,
    async compileSaved(principal, body) {
      const { model, ir } = await parsed(principal, body, true);
      return { ...(await compileOn(principal, model, ir)), model };
    },
    async reduce(principal, body, reductions, options) {
      const { model, ir } = await parsed(principal, body);
      authorizeAdhoc(principal, model, ir);
      return reduceOn(principal, model, ir, reductions, options);
    },
    async reduceSaved(principal, body, reductions, options) {
      const { model, ir } = await parsed(principal, body);
      return reduceOn(principal, model, ir, reductions, options);
    },
    invalidate(principal, scope = {}) {
      authorize(principal, 'cache.invalidate');
      const dropped = deps.cache?.invalidate(scope) ?? 0;
      // Emit never throws (a failing reaction is logged), so the count need not wait for the other nodes.
      void deps.events?.emit(
        'cacheInvalidated',
        scope.connectionId === undefined ? {} : { connectionId: scope.connectionId },
      );
      return dropped;
    },
    async tableSql(model, parts) {
      const { quote } = dialects[(await deps.engineFor(model.connectionId)).dialect];
      return parts.map(quote).join('.');
    },
  };
}

/**
 * A query carrying its own SQL (calculations, metrics): the warehouse checks each expression
 * first — a refusal is a 400 on its path, in the warehouse's words — and types the untyped
 * calculations (sql-probe.ts). It then runs read-only (`readOnlyIf`), as the SQL console's SQL does.
 */
const checkedSql = async (engine: Engine, model: Model, ir: QueryIr): Promise<QueryIr> =>
  holdsSql(ir) ? checkQuerySql(engine, model, ir) : ir;

const readOnlyIf = (ir: QueryIr): { readOnly?: true } => (holdsSql(ir) ? { readOnly: true } : {});

const elapsed = (started: number): number => Math.round((performance.now() - started) * 10) / 10;
