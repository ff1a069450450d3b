import { Type } from 'typebox';
import type { QueryService } from '../../core/query/index.ts';
import { type App, principalOf } from '../server.ts';
import { FilterOperator, QueryAnswerExtras, ResultColumnSchema } from './schemas.ts';

/**
 * A filter: a rule or an `and`/`or` group. Groups nest; their children take the same shape and
 * are checked by the query core, which names their path (`filters.and[0].operator`).
 */
const QueryFilter = Type.Union(
  [
    Type.Object(
      {
        field: Type.String({ minLength: 1 }),
        operator: FilterOperator,
        values: Type.Optional(
          Type.Array(Type.Unknown(), {
            description: 'scalars; a value {variable: name} takes the value of `variables`',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object({ and: Type.Array(Type.Unknown()) }, { additionalProperties: false }),
    Type.Object({ or: Type.Array(Type.Unknown()) }, { additionalProperties: false }),
    Type.Object({ not: Type.Unknown() }, { additionalProperties: false }),
    Type.Null(),
  ],
  { description: '{field, operator, values} | {and: [filter…]} | {or: [filter…]} | {not: filter}' },
);

/**
 * Native query routes (mounted under /api). The body schema documents the shape for OpenAPI and
 * checks the outer filter's operator; core/query/parse.ts validates the rest, so every 400 names
 * the bad path.
 */
const queryBody = Type.Object(
  {
    source: Type.Optional(Type.Unknown({ description: 'Data source uuid or model name' })),
    calculations: Type.Optional(
      Type.Unknown({
        description:
          'Row-level calculated fields [{name, formula}]: + - * / ( ), numbers, field names ("quoted" if needed); usable as any field',
      }),
    ),
    dimensions: Type.Optional(
      Type.Unknown({ description: 'Field names, or {field, granularity?, alias?}; granularity year…minute' }),
    ),
    metrics: Type.Optional(
      Type.Unknown({
        description:
          '{field?, aggregation, alias?} | {metric, alias?} | {name, formula}; columns: sum_quantity, revenue, …',
      }),
    ),
    filters: Type.Optional(QueryFilter),
    variables: Type.Optional(
      Type.Unknown({
        description: 'Values of the variables the filters refer to: {name: scalar | scalar[]}',
      }),
    ),
    sorts: Type.Optional(Type.Unknown({ description: 'Field names or {field, descending?}' })),
    limit: Type.Optional(
      Type.Unknown({
        description:
          'At most the configured row cap; absent = the cap. `truncated` says when the query has more rows',
      }),
    ),
    offset: Type.Optional(Type.Unknown({ description: 'Rows to skip' })),
    aggregate: Type.Optional(Type.Unknown({ description: 'false = plain rows without GROUP BY (previews)' })),
    count: Type.Optional(
      Type.Unknown({
        description:
          'true = the answer also carries `totalRows`: the rows of the query without limit and offset (one more COUNT(*) query when the page is cut)',
      }),
    ),
    timezone: Type.Optional(
      Type.Unknown({ description: 'IANA zone for datetime buckets and relative dates (default UTC)' }),
    ),
    weekStart: Type.Optional(Type.Unknown({ description: '1 = Monday (default) … 7 = Sunday' })),
    post: Type.Optional(
      Type.Unknown({
        description:
          '[{id, type: running_total | percent_of_total | rank | previous_period | difference | percent_change, of, partitionBy?}] | [{id, type: formula, formula}]: window calculations over the grouped result',
      }),
    ),
    metricFilters: Type.Optional(
      Type.Unknown({ description: 'A filter whose every rule names a metric: the group stage (HAVING)' }),
    ),
    postFilters: Type.Optional(Type.Unknown({ description: 'A filter on result ids, after `post`' })),
    top: Type.Optional(
      Type.Unknown({
        description: '{dimension, by, n, others?, bottom?}: the n largest values, the rest as Others',
      }),
    ),
    totals: Type.Optional(
      Type.Unknown({
        description: 'true | {subtotals: [dimension ids]}: totals computed in SQL over all matching rows',
      }),
    ),
    pivot: Type.Optional(
      Type.Unknown({
        description: '{columns: [dimension ids], maxColumns?}: one column per value and metric',
      }),
    ),
  },
  { additionalProperties: true },
);

export const queryResult = Type.Object({
  columns: Type.Array(ResultColumnSchema),
  rows: Type.Array(Type.Array(Type.Unknown())),
  truncated: Type.Boolean({ description: 'True when the query has more rows than the limit or the row cap' }),
  totalRows: Type.Optional(
    Type.Integer({ description: 'With `count: true`: the rows of the query without limit and offset' }),
  ),
  cached: Type.Boolean(),
  durationMs: Type.Number(),
  ...QueryAnswerExtras,
});

const compiledQuery = Type.Object({
  dialect: Type.String(),
  sql: Type.String(),
  params: Type.Array(Type.Unknown()),
  connectionId: Type.Optional(
    Type.Integer({ description: 'With `inline=true`: the connection to run the SQL on (SQL runner)' }),
  ),
});

const compileQuerystring = Type.Object({
  inline: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false')], {
      description:
        'true = values written as literals of the dialect instead of parameters, for the SQL runner (developers: `sql.run`)',
    }),
  ),
});

export function registerQueryRoutes(app: App, deps: { query: QueryService }): void {
  app.post(
    '/query',
    {
      schema: {
        summary: 'Run a query against a model or data source',
        body: queryBody,
        response: { 200: queryResult },
      },
    },
    async (request, reply) => {
      // A client that goes away cancels its statement on the warehouse.
      const abort = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      // `Cache-Control: no-cache` asks for a fresh result, as HTTP caches understand it.
      const noCache = /no-cache/i.test(request.headers['cache-control'] ?? '');
      return deps.query.run(principalOf(request), request.body, { signal: abort.signal, noCache });
    },
  );

  app.post(
    '/query/sql',
    {
      schema: {
        summary: 'The SQL and parameters a query compiles to',
        body: queryBody,
        querystring: compileQuerystring,
        response: { 200: compiledQuery },
      },
    },
    async (request) => {
      const compiled = await deps.query.compile(principalOf(request), request.body, {
        inline: request.query.inline === 'true',
      });
      return { ...compiled, params: [...compiled.params] };
    },
  );

  app.post(
    '/cache/invalidate',
    {
      schema: {
        summary: 'Drop cached query results (developer role or above)',
        body: Type.Optional(Type.Object({ connectionId: Type.Optional(Type.Integer({ minimum: 1 })) })),
        response: { 200: Type.Object({ invalidated: Type.Integer() }) },
      },
    },
    async (request) => ({
      invalidated: deps.query.invalidate(principalOf(request), { connectionId: request.body?.connectionId }),
    }),
  );
}
