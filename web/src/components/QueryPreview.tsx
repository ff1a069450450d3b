import { useEffect, useState } from 'react';
import type { VariableValues } from '../../../src/core/query/variables.ts';
import { api, errorMessage } from '../api.ts';
import { atLeast } from '../roles.ts';
import type { Me, Query, QueryResult, Scalar, Visualization } from '../types.ts';
import type { ChartPoint } from './Chart.tsx';
import { DrillDialog, rowCount } from './DrillDialog.tsx';
import { openInSqlRunner } from './sql-draft.ts';
import { WidgetBody } from './WidgetBody.tsx';

/**
 * The query builder's live preview: the result as the chosen visualization, how many rows it
 * shows of how many, the generated SQL (developers may open it in the SQL runner), and the rows
 * behind a clicked chart point.
 */
export function QueryPreview(props: {
  title: string;
  visualization: Visualization;
  /** Why the preview shows something other than the chosen visualization. */
  note?: string;
  result: QueryResult | null;
  running: boolean;
  error: string | null;
  sql: string | null;
  /** The query the result answers (variables filled in); null for a text widget. */
  query: Query | null;
  /** The result columns that are dimensions; a point is drilled into by their values. */
  dimensions: string[];
  variables: VariableValues;
}) {
  const { result, query } = props;
  const [point, setPoint] = useState<Record<string, Scalar> | null>(null);
  const canRunSql = useCanRunSql();
  const [sqlError, setSqlError] = useState<string | null>(null);
  const aggregated = query !== null && query.aggregate !== false;

  const openSql = async () => {
    if (!query) return;
    setSqlError(null);
    try {
      const compiled = await api<{ sql: string; connectionId: number }>(
        'POST',
        '/query/sql?inline=true',
        query,
      );
      openInSqlRunner({ connectionId: compiled.connectionId, sql: compiled.sql });
    } catch (error) {
      setSqlError(errorMessage(error));
    }
  };

  const visualization = props.visualization;
  return (
    <section
      className="card preview"
      aria-label="Preview"
      data-state={props.running ? 'loading' : props.error ? 'error' : result ? 'ready' : 'empty'}
    >
      <header className="widgethead">
        <h2>{props.title}</h2>
        {result && !props.error && (
          <span className="muted small" data-testid="row-count">
            {rowCount(result)} · {result.durationMs.toFixed(0)} ms
            {result.cached ? ' · cached' : ''}
          </span>
        )}
        {canRunSql && query && (
          <button type="button" className="link" onClick={openSql}>
            Open in SQL runner
          </button>
        )}
      </header>
      {props.note && <p className="muted small previewnote">{props.note}</p>}
      {sqlError && (
        <p className="error small" role="alert">
          {sqlError}
        </p>
      )}
      <div className="widgetbody previewbody">
        {props.error ? (
          <p className="error" role="alert">
            {props.error}
          </p>
        ) : visualization.type === 'text' ? (
          <WidgetBody
            visualization={visualization}
            result={null}
            label={props.title}
            variables={props.variables}
          />
        ) : result ? (
          <WidgetBody
            visualization={visualization}
            result={result}
            label={props.title}
            onPoint={
              aggregated
                ? (clicked: ChartPoint) => {
                    // The "Others" of a top N folds values no filter names: no rows to show.
                    if (query.top?.others && clicked.values[query.top.dimension] === 'Others') return;
                    setPoint(clicked.values);
                  }
                : undefined
            }
          />
        ) : (
          <p className="muted center">Pick a data source, dimensions and metrics.</p>
        )}
        {props.running && <output className="spinner" aria-label="Running" />}
      </div>
      {props.sql && (
        <details className="sql">
          <summary>SQL</summary>
          <pre>{props.sql}</pre>
        </details>
      )}
      {point && query && (
        <DrillDialog
          query={query}
          point={point}
          dimensions={props.dimensions}
          onClose={() => setPoint(null)}
        />
      )}
    </section>
  );
}

/** Developers and admins may run SQL (`sql.run`); the server decides all the same. */
function useCanRunSql(): boolean {
  const [can, setCan] = useState(false);
  useEffect(() => {
    api<Me>('GET', '/me').then(
      (me) => setCan(atLeast(me, 'developer')),
      () => setCan(false),
    );
  }, []);
  return can;
}
