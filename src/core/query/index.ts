/** The query module: IR, parsing, validation, row-level security, SQL compilation, cache, service. */
export type { QueryCache, QueryCacheKey, QueryCacheOptions } from './cache.ts';
export { createQueryCache, queryCacheDefaults } from './cache.ts';
export { CACHE_BUST_JOB_TYPE, type CacheBusts, createCacheBusts } from './cache-busts.ts';
export type { CompileOptions } from './compile.ts';
export { compileQuery } from './compile.ts';
export type { DrillableQuery, DrillQuery, PointValues } from './drill.ts';
export { bucketEnd, DRILL_ROWS, DrillError, drillQuery } from './drill.ts';
export { parseFormula } from './formula.ts';
export type {
  FilterNode,
  FilterRule,
  Granularity,
  Operator,
  QueryCalculation,
  QueryDimension,
  QueryIr,
  QueryMetric,
  QuerySort,
} from './ir.ts';
export { aggregations, dimensionName, granularities, metricName, operators, periods } from './ir.ts';
export { applicableRules, type MemberRule, type RuleParty } from './member-rules.ts';
export type {
  Aggregation,
  Model,
  ModelDimension,
  ModelJoin,
  ModelMetric,
  ModelTable,
  RowPolicy,
} from './model.ts';
export type { ParsedQuery } from './parse.ts';
export { parseQueryBody } from './parse.ts';
export type { PivotAnswer } from './pivot.ts';
export type { ReducedResult, ReducedValue, Reduction, ReductionKind } from './reduce.ts';
export { reductionKinds } from './reduce.ts';
export { relativeRange, shift, startOf } from './relative.ts';
export type { ModelRestrictions, RequiredAttributes } from './required-attributes.ts';
export { visibleDefinition } from './required-attributes.ts';
export * from './results/index.ts';
export type { SavedQuery } from './saved-query.ts';
export { andFilters, savedQueryOf } from './saved-query.ts';
export type {
  CompiledForEngine,
  QueryRunResult,
  QueryService,
  QueryServiceDeps,
  ReduceOptions,
  RunQueryOptions,
} from './service.ts';
export { createQueryService, MAX_PREVIEW_ROWS, readsOf } from './service.ts';
export type { TotalsAnswer } from './totals.ts';
export { maxFilterValues } from './values.ts';
export type { VariableValue, VariableValues } from './variables.ts';
export { parseVariables, variablesUsed, withVariables } from './variables.ts';
